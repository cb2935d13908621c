"""Database guarantees behind issuance: list size, unique indexes, safe concurrent allocation."""

import hashlib
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from badges import issuance, status_lists
from badges.models import Credential, StatusList, StatusPurpose
from learners.database import make_engine, make_session_factory
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.learners.factories import make_learner


def test_status_lists_hold_at_least_131072_entries(dbsession):
    issuer = make_issuer(dbsession)
    status_list = status_lists.create(
        dbsession, issuer, StatusPurpose.REVOCATION, base_url=BASE_URL, kek=KEK
    )
    assert status_list.size >= 131_072 and len(status_list.bits) * 8 >= status_list.size
    status_list.size = 1024
    with pytest.raises(IntegrityError):
        dbsession.flush()


def test_index_permutation_is_a_bijection(dbsession):
    status_list = status_lists.create(
        dbsession, make_issuer(dbsession), StatusPurpose.REVOCATION, base_url=BASE_URL, kek=KEK
    )
    indexes = {status_lists.permuted_index(status_list, n) for n in range(status_list.size)}
    assert indexes == set(range(status_list.size))


def test_full_list_gives_way_to_a_new_one(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    first = issuance.issue(
        dbsession,
        achievement=achievement,
        learner=learner,
        award_key="a",
        base_url=BASE_URL,
        kek=KEK,
    ).credential
    first.status_list.allocated = first.status_list.size
    dbsession.flush()
    second = issuance.issue(
        dbsession,
        achievement=achievement,
        learner=learner,
        award_key="b",
        base_url=BASE_URL,
        kek=KEK,
    ).credential
    assert second.status_list_id != first.status_list_id
    assert dbsession.scalar(select(func.count(StatusList.id))) == 2


def test_same_status_index_cannot_be_stored_twice(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    credential = issuance.issue(
        dbsession,
        achievement=achievement,
        learner=learner,
        award_key="a",
        base_url=BASE_URL,
        kek=KEK,
    ).credential
    dbsession.commit()
    clone = Credential(
        award_key="b",
        issuer=credential.issuer,
        achievement=achievement,
        learner=learner,
        signed_json="{}",
        status_list=credential.status_list,
        status_index=credential.status_index,
        issued_at=credential.issued_at,
    )
    dbsession.add(clone)
    with pytest.raises(IntegrityError):
        dbsession.flush()


def _issue_concurrently(database_url: str, achievement_id: int, learner_id: int, keys: list[str]):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    barrier = threading.Barrier(len(keys))
    errors: list[BaseException] = []

    def work(award_key: str) -> None:
        from badges.models import Achievement
        from learners.models import Learner

        session = factory()
        try:
            achievement = session.get(Achievement, achievement_id)
            learner = session.get(Learner, learner_id)
            barrier.wait()
            issuance.issue(
                session,
                achievement=achievement,
                learner=learner,
                award_key=award_key,
                base_url=BASE_URL,
                kek=KEK,
            )
            session.commit()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            session.close()

    threads = [threading.Thread(target=work, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    return errors


def test_concurrent_issues_get_distinct_indexes(dbsession, database_url):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()
    errors = _issue_concurrently(
        database_url, achievement.id, learner.id, [f"event-{n}" for n in range(6)]
    )
    assert errors == []
    rows = dbsession.execute(select(Credential.status_list_id, Credential.status_index)).all()
    assert len(rows) == 6 and len(set(rows)) == 6
    assert dbsession.scalars(select(StatusList)).one().allocated == 6


def test_concurrent_issues_of_one_event_give_one_credential(dbsession, database_url):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()
    errors = _issue_concurrently(database_url, achievement.id, learner.id, ["same-event"] * 4)
    assert errors == []
    credential = dbsession.scalars(select(Credential)).one()
    allocated = dbsession.scalars(select(StatusList)).one().allocated
    if database_url.startswith("sqlite"):
        assert allocated == 1  # one writer at a time: the later issues found the credential
    else:
        # Signing runs without the issuer's lock: each concurrent issue took a bit before the
        # unique award key kept one credential; the others' bits are wasted, never shared.
        assert credential.status_list_id is not None and 1 <= allocated <= 4


def test_achievement_keeps_award_rules_and_refuses_bad_ones(dbsession):
    from badges import achievements

    rule = {"framework": "crcn", "conditions": [{"type": "completion"}]}
    achievement = make_achievement(dbsession, award_rules=rule)
    dbsession.commit()
    dbsession.expire_all()
    assert achievement.award_rules == rule
    with pytest.raises(achievements.InvalidAchievement) as raised:
        make_achievement(
            dbsession,
            name=" ",
            award_rules={"framework": "crcn", "conditions": [{"type": "nonsense"}]},
            image_data=b"GIF89a",
            image_media_type="image/gif",
        )
    errors = raised.value.errors
    assert "Donnez un nom au badge." in errors
    assert "L'image du badge doit être au format PNG ou SVG." in errors
    assert len(errors) >= 3  # the rule's own message is there too


def test_achievement_image_bytes_are_named_by_their_url_with_alt_text(dbsession):
    from badges import achievements

    achievement = make_achievement(
        dbsession,
        image_data=b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        image_media_type="image/svg+xml",
        image_alt="Badge rond bleu",
    )
    document = achievements.document(achievement, BASE_URL)
    digest = hashlib.sha256(achievement.image_data).hexdigest()[:16]
    assert document["image"]["id"] == (
        f"{BASE_URL}/achievements/{achievement.public_id}/image/{digest}.svg"
    )
    assert document["image"]["caption"] == "Badge rond bleu"
    preview = achievements.image(achievement, BASE_URL, inline=True)
    assert preview is not None and preview.id.startswith("data:image/svg+xml;base64,")
    assert document["id"] == f"{BASE_URL}/achievements/{achievement.public_id}"
