"""A batch of issues (one ``issuance.signing_keys`` passed to each ``issue``): its status bits
are reserved in blocks, never shared with another batch, and each achievement's endorsements
are read once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from badges import endorsements, issuance, status_lists
from badges.models import Credential, StatusList
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.badges.factories import issue as issue_badge
from tests.badges.test_endorsements import make_endorsement
from tests.learners.factories import make_learner
from tests.web.statements import count_statements


def allocated(db) -> int:
    return db.scalar(select(func.sum(StatusList.allocated)))


def bits(db) -> list[tuple[int, int]]:
    return [
        tuple(row) for row in db.execute(select(Credential.status_list_id, Credential.status_index))
    ]


def issue(db, achievement, learner, award_key, keys):
    return issue_badge(db, achievement, learner, award_key, keys=keys).credential


def issue_each(db, achievement, learner, prefix: str, numbers: range, keys) -> None:
    """Issue one badge per number (award key ``prefix:number``), committing each."""
    for number in numbers:
        issue(db, achievement, learner, f"{prefix}:{number}", keys)
        db.commit()


def test_a_batch_reserves_its_bits_in_growing_blocks(dbsession, database_url):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    issue(dbsession, achievement, learner, "first", None)  # the list exists
    dbsession.commit()
    before = allocated(dbsession)
    keys = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    with count_statements(dbsession.get_bind()) as statements:
        issue_each(dbsession, achievement, learner, "batch", range(40), keys)
    taken = [s for s in statements if s.startswith("UPDATE status_lists")]
    found = bits(dbsession)
    assert len(found) == len(set(found)) == 41
    if database_url.startswith("postgresql"):
        # Blocks of 1, 1, 2, 4, 8, 16 and 32: 64 bits, the last 24 unused (wasted).
        assert len(taken) == 7
        assert allocated(dbsession) - before == 64
    else:  # one writer: each bit in the issue's own transaction, given back by a rollback
        assert len(taken) == 40
        assert allocated(dbsession) - before == 40


def test_two_batches_at_once_never_share_a_bit(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()
    one = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    two = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    for n in range(12):
        issue(dbsession, achievement, learner, f"one:{n}", one)
        issue(dbsession, achievement, learner, f"two:{n}", two)
        dbsession.commit()
    found = bits(dbsession)
    assert len(found) == len(set(found)) == 24


def test_a_batch_stopped_midway_leaves_its_unused_bits_to_nobody(dbsession, database_url):
    """A killed worker's block is never handed out again: the next batch starts after it."""
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()
    killed = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    for n in range(5):  # blocks of 1, 1, 2 and 4: three bits reserved, not used
        issue(dbsession, achievement, learner, f"killed:{n}", killed)
        dbsession.commit()
    status_list = dbsession.scalars(select(StatusList)).one()
    unused = [
        status_lists.permuted_index(status_list, counter)
        for counter in range(5, status_list.allocated)
    ]
    assert len(unused) == (3 if database_url.startswith("postgresql") else 0)
    rerun = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    issue_each(dbsession, achievement, learner, "rerun", range(10), rerun)
    found = bits(dbsession)
    assert len(found) == len(set(found)) == 15
    assert not {index for _, index in found} & set(unused)


def test_a_bit_of_a_rolled_back_issue_is_not_handed_out_again_by_its_batch(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()
    keys = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    issue_each(dbsession, achievement, learner, "kept", range(3), keys)
    issue(dbsession, achievement, learner, "rolled-back", keys)
    dbsession.rollback()
    issue_each(dbsession, achievement, learner, "kept", range(3, 6), keys)
    found = bits(dbsession)
    assert len(found) == len(set(found)) == 6


def test_a_batch_goes_on_in_a_new_list_when_its_list_fills(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    issue(dbsession, achievement, learner, "first", None)
    dbsession.commit()
    status_list = dbsession.scalars(select(StatusList)).one()
    status_list.allocated = status_list.size - 5
    dbsession.commit()
    keys = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    issue_each(dbsession, achievement, learner, "batch", range(20), keys)
    found = bits(dbsession)
    assert len(found) == len(set(found)) == 21
    dbsession.expire_all()
    lists = list(dbsession.scalars(select(StatusList).order_by(StatusList.id)))
    assert len(lists) == 2 and lists[0].allocated == lists[0].size
    on_first = [c for c in found if c[0] == lists[0].id]
    assert len(on_first) == 1 + 5  # the old list's last bits were used, one at a time
    newest = dbsession.scalars(select(Credential).order_by(Credential.id.desc())).first()
    url = json.loads(newest.signed_json)["credentialStatus"]["statusListCredential"]
    assert url == status_lists.list_url(lists[1], BASE_URL)


def test_a_batch_reads_an_achievements_endorsements_once(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    endorsement = make_endorsement(dbsession, achievement)
    dbsession.commit()
    keys = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    with count_statements(dbsession.get_bind()) as statements:
        issued = [issue(dbsession, achievement, learner, f"b:{n}", keys) for n in range(3)]
    assert len([s for s in statements if "FROM endorsements" in s]) == 1
    for credential in issued:
        carried = json.loads(credential.signed_json)["credentialSubject"]["achievement"]
        assert carried["endorsement"] == [json.loads(endorsement.signed_json)]
    dbsession.commit()
    endorsements.withdraw(dbsession, endorsement, "Plus d'actualité.", base_url=BASE_URL, kek=KEK)
    dbsession.commit()
    later = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    after = issue(dbsession, achievement, learner, "after", later)
    assert "endorsement" not in json.loads(after.signed_json)["credentialSubject"]["achievement"]


def test_an_issued_credential_is_read_without_a_query(dbsession):
    """Stored by one INSERT, the credential comes back whole: its columns and the issuer,
    achievement and learner it names are there without asking the database again."""
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()
    keys = issuance.signing_keys(dbsession, achievement.issuer, KEK)
    credential = issue(dbsession, achievement, learner, "whole", keys)
    with count_statements(dbsession.get_bind()) as statements:
        columns = {c.key: getattr(credential, c.key) for c in Credential.__mapper__.column_attrs}
        named = (credential.issuer, credential.achievement, credential.learner)
    assert statements == []
    assert named == (achievement.issuer, achievement, learner)
    assert columns["revoked_at"] is None and columns["suspended"] is False
    dbsession.commit()
    dbsession.expire_all()
    stored = dbsession.get(Credential, credential.id)
    assert {c.key: getattr(stored, c.key) for c in Credential.__mapper__.column_attrs} == columns
