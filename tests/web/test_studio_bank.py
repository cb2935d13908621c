"""The item bank pages: the list and its filters, the preview (the learner's own item markup,
posting to the studio), the answer check, the statistics and the « Calibrer » job."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sqlalchemy import func, select

from assessments import checking
from assessments.models import (
    AnswerStatus,
    AssessmentSession,
    Item,
    ItemFit,
    Response,
)
from learners.models import AuditEvent, Organisation
from tests.assessments.factories import (
    ITEMS,
    form_fields,
    make_answered_session,
    make_campaign,
    make_framework,
)
from tests.learners.factories import make_learner
from tests.web.forms import text
from tests.web.test_learner_journey import token

BANK = "/organisations/{org}/banque"


@pytest.fixture
def essai(app, world):
    """The test framework's items (one of each type) in the bank."""
    from web.database import db

    with app.app_context():
        make_framework(db.session)
        db.session.commit()
    return BANK.format(org=world.org_a)


def words(response) -> str:
    """The page's visible words, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def _item(app, uid: str) -> Item:
    from web.database import db

    with app.app_context():
        found = db.session.scalar(select(Item).where(Item.uid == uid))
        db.session.expunge(found)
        return found


def _rows(app, model) -> int:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _usable_count(app, org_id: int) -> int:
    from assessments import bank
    from web.database import db

    with app.app_context():
        return bank.browse(db.session, org_id, bank.BankFilters()).total


def test_bank_lists_every_item_with_its_competence_level_type_and_status(
    app, world, essai, client_as
):
    page = client_as("trainer").get(essai)
    shown = text(page)
    assert page.status_code == 200
    for raw in ITEMS:
        assert raw["id"] in shown
    assert f"{_usable_count(app, world.org_a)} items" in shown
    assert "Choix unique" in shown and "Mise en situation : messagerie" in shown
    assert "Validé" in shown
    assert "Consigne de l'item essai-1.1-001." in shown


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=qcu", {"essai-1.1-001"}),
        ("level=3", {"essai-1.1-004", "essai-1.2-003", "essai-4.1-003"}),
        ("type=number&status=validated", {"essai-1.2-002"}),
        ("status=draft", set()),
        ("type=nonsense&level=99", {raw["id"] for raw in ITEMS}),  # ignored, never a 500
    ],
)
def test_bank_filters_by_type_level_and_status(essai, client_as, query, expected):
    shown = text(client_as("trainer").get(f"{essai}?{query}"))
    assert {raw["id"] for raw in ITEMS if raw["id"] in shown} == expected


def test_bank_filters_by_framework_then_competence_and_accessibility(app, essai, client_as):
    from web.database import db

    with app.app_context():
        item = db.session.scalar(select(Item).where(Item.uid == "essai-1.2-002"))
        item.access_deaf = "ko"
        framework_id = item.competence.framework_id
        competence_id = item.competence_id
        db.session.commit()
    client = client_as("trainer")
    page = text(client.get(f"{essai}?framework={framework_id}&competence={competence_id}"))
    assert "essai-1.2-001" in page and "essai-1.1-001" not in page
    assert "essai-1.2-002" not in text(client.get(f"{essai}?access=deaf"))
    assert "essai-1.2-002" in text(client.get(f"{essai}?access=blind"))


@pytest.mark.parametrize("raw", ITEMS, ids=lambda raw: raw["type"])
def test_preview_shows_the_learner_item_and_posts_to_the_studio(app, essai, client_as, raw):
    url = f"{essai}/{raw['id']}"
    page = client_as("trainer").get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<h1 id="instruction" class="instruction" lang="fr" data-speak>' in html
    assert f"Consigne de l'item {raw['id']}." in text(page)
    assert f'data-item-type="{raw["type"]}"' in html
    assert f'action="{url}"' in html
    assert "/apprenant/" not in html.replace('href="/apprenant/', "")


def test_preview_of_the_mailbox_opens_messages_with_links_to_the_preview(essai, client_as):
    url = f"{essai}/essai-4.1-001"
    page = client_as("trainer").get(f"{url}?message=m2&ecrire=forward")
    html = page.get_data(as_text=True)
    assert "Merci de transférer." in text(client_as("trainer").get(f"{url}?message=m2"))
    assert f'href="{url}?message=m2#lecture"' in html
    assert 'name="mail_action" value="forward"' in html


def test_preview_of_a_procedure_walks_its_screens_with_links_to_the_preview(essai, client_as):
    url = f"{essai}/essai-4.1-004"
    html = client_as("trainer").get(f"{url}?step-s1=fc").get_data(as_text=True)
    assert "Choisir un compte" in html and "Écran 2" in html
    assert f'action="{url}#ecran"' in html  # « Continuer » stays on the preview
    assert '<input type="hidden" name="step-s1" value="fc">' in html
    assert f'href="{url}#ecran"' in html  # back to the first screen
    first = client_as("trainer").get(f"{url}?ecran=s1").get_data(as_text=True)
    assert "Choisissez une réponse pour continuer." in first


def _check(client, url: str, fields: dict, intent: str | None = "answer"):
    data = {"csrf_token": token(client.get(url).get_data(as_text=True)), **fields}
    if intent:
        data["intent"] = intent
    return client.post(url, data=data)


@pytest.mark.parametrize("raw", ITEMS, ids=lambda raw: raw["type"])
def test_answer_check_accepts_the_key_and_refuses_a_wrong_answer_writing_nothing(
    app, essai, client_as, raw
):
    item, client = _item(app, raw["id"]), client_as("trainer")
    url = f"{essai}/{raw['id']}"
    intent = None if raw["type"] == "task_webmail" else "answer"
    right = _check(client, url, form_fields(item, checking.example_right_response(item)), intent)
    wrong = _check(client, url, form_fields(item, checking.example_wrong_response(item)), intent)
    assert right.status_code == 200 and "Réponse acceptée" in text(right)
    assert wrong.status_code == 200 and "Réponse refusée" in text(wrong)
    assert _rows(app, AssessmentSession) == 0 and _rows(app, Response) == 0


def test_answer_check_says_which_tolerance_matched(essai, client_as):
    url = f"{essai}/essai-1.1-003"
    shown = text(_check(client_as("trainer"), url, {"text": "moteur de recherhe"}))
    assert "Réponse acceptée" in shown
    assert "« moteur de recherhe » correspond à « Moteur de recherche »" in shown
    assert "tolérance T3" in shown and "1 lettre(s) de différence, 4 au plus" in shown
    refused = text(_check(client_as("trainer"), url, {"text": "navigateur"}))
    assert "ne correspond à aucune réponse acceptée (Moteur de recherche ; moteur)" in refused


def test_answer_check_keeps_what_was_typed_and_refuses_malformed_input_on_its_field(
    essai, client_as
):
    page = _check(client_as("trainer"), f"{essai}/essai-1.2-002", {"number": "douze"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'href="#number"' in html and "Écrivez un nombre, par exemple : 12,5." in text(page)
    assert 'value="douze"' in html
    skipped = text(_check(client_as("trainer"), f"{essai}/essai-1.2-002", {}, intent="skip"))
    assert "« Je ne sais pas » compte comme une réponse fausse" in skipped


def test_preview_and_answer_check_in_english(essai, client_as):
    client = client_as("trainer")
    client.get("/langue?lang=en&next=/")
    url = f"{essai}/essai-1.1-003"
    assert "Read aloud" in text(client.get(url))
    shown = text(_check(client, url, {"text": "MOTEUR"}))
    assert "Answer accepted" in shown and "tolerance T1" in shown


def test_unknown_item_is_not_found(essai, client_as):
    assert client_as("trainer").get(f"{essai}/essai-9.9-999").status_code == 404


def _answer(app, world, answers_by_person, *, org_id=None):
    """Sessions of a campaign of ``org_id`` (A by default), one per list of answers."""
    from web.database import db

    with app.app_context():
        organisation = db.session.get(Organisation, org_id or world.org_a)
        campaign = make_campaign(db.session)
        campaign.organisation_id = organisation.id
        for number, answers in enumerate(answers_by_person):
            learner = make_learner(db.session, organisation, login=f"stat-{org_id}-{number}")
            rows = [
                (db.session.scalar(select(Item).where(Item.uid == uid)), status, ms)
                for uid, status, ms in answers
            ]
            make_answered_session(db.session, campaign, learner.id, rows)
        db.session.commit()


def test_statistics_count_the_organisations_answers_to_the_current_version(app, world, client_as):
    uid = "essai-1.2-002"
    _answer(
        app,
        world,
        [
            [(uid, AnswerStatus.OK, 10_000)],
            [(uid, AnswerStatus.KO, 30_000)],
            [(uid, AnswerStatus.SKIPPED, 20_000)],
            [(uid, AnswerStatus.OK, None)],
        ],
    )
    shown = words(client_as("trainer").get(f"{BANK.format(org=world.org_a)}/{uid}"))
    assert "Nombre de réponses 4" in shown
    assert "Taux de réussite 50 %" in shown
    assert "Temps moyen 20 secondes" in shown
    assert "Part de « Je ne sais pas » 25 %" in shown
    assert "Discrimination actuelle (a) 1" in shown
    assert "Pas encore calibré avec vos réponses." in shown


def test_another_organisations_answers_are_not_counted(app, world, client_as):
    uid = "essai-1.2-002"
    _answer(app, world, [[(uid, AnswerStatus.OK, 1000)]], org_id=world.org_b)
    shown = text(client_as("trainer").get(f"{BANK.format(org=world.org_a)}/{uid}"))
    assert "Aucun de vos apprenants n'a encore répondu" in shown


def _simulated_answers(n_persons: int, seed: int = 3) -> list[list[tuple[str, AnswerStatus, int]]]:
    """2PL answers of ``n_persons`` to every test item (b spread from -1.5 to 1.5)."""
    rng = np.random.default_rng(seed)
    uids = [raw["id"] for raw in ITEMS]
    difficulty = np.linspace(-1.5, 1.5, len(uids))
    people = []
    for theta in rng.normal(size=n_persons):
        right = rng.random(len(uids)) < 1 / (1 + np.exp(-(theta - difficulty)))
        people.append(
            [
                (uid, AnswerStatus.OK if ok else AnswerStatus.KO, 5000)
                for uid, ok in zip(uids, right, strict=True)
            ]
        )
    return people


def test_calibrate_runs_as_a_job_stores_each_items_fit_and_is_journaled(app, world, client_as):
    _answer(app, world, _simulated_answers(60))
    client = client_as("trainer")
    bank = BANK.format(org=world.org_a)
    page = client.get(bank).get_data(as_text=True)
    started = client.post(
        f"/organisations/{world.org_a}/calibrations",
        data={"csrf_token": token(page), "min_answers": "50"},
    )
    assert started.status_code == 303
    job_page = client.get(started.headers["Location"])
    shown = text(job_page)
    assert job_page.status_code == 200
    assert "Terminé." in shown
    assert "720 réponses de 60 passations lues." in shown
    # Shipped items stay read-only: they are the anchors that fix the scale, not re-estimated.
    assert "0 items calibrés" in shown
    assert "0 items de votre structure mis à jour." in shown
    assert "Échelle fixée par 12 items livrés (ancrage)" in shown
    from web.database import db

    with app.app_context():
        fits = db.session.scalars(select(ItemFit)).all()
        assert len(fits) == 12
        assert {f.organisation_id for f in fits} == {world.org_a}
        assert not any(f.applied for f in fits)
        assert all(item.calibrated_at is None for item in db.session.scalars(select(Item)))
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions[-2:] == ["items.calibration_started", "items.calibrated"]
    item_page = text(client.get(f"{bank}/essai-1.2-002"))
    assert "S'ajuste" in item_page and "estimé sur 60 réponses" in item_page


def test_calibrate_refuses_a_too_small_minimum_and_starts_nothing(app, world, client_as):
    from learners.models import Job

    client = client_as("trainer")
    bank = BANK.format(org=world.org_a)
    page = client.get(bank).get_data(as_text=True)
    refused = client.post(
        f"/organisations/{world.org_a}/calibrations",
        data={"csrf_token": token(page), "min_answers": "3"},
    )
    assert refused.status_code == 422
    assert "Écrivez un nombre entre 10 et 100 000." in text(refused)
    assert _rows(app, Job) == 0


def test_a_calibration_job_is_read_only_through_its_organisations_space(app, world, client_as):
    client = client_as("trainer")
    page = client.get(BANK.format(org=world.org_a)).get_data(as_text=True)
    started = client.post(
        f"/organisations/{world.org_a}/calibrations",
        data={"csrf_token": token(page), "min_answers": "10"},
    )
    public_id = started.headers["Location"].rsplit("/", 1)[-1]
    mine = f"/organisations/{world.org_a}/calibrations/{public_id}"
    assert client_as("org_admin").get(mine).status_code == 200
    assert client_as("trainer_b").get(mine).status_code == 403  # B's trainer in A's space
    # The platform admin asking through B's space: A's job is not B's.
    assert (
        client_as("platform_admin")
        .get(f"/organisations/{world.org_b}/calibrations/{public_id}")
        .status_code
        == 404
    )


def test_preview_shows_the_items_exhibit_as_the_learner_page_does(app, essai, client_as):
    from web.database import db

    with app.app_context():
        item = db.session.scalar(select(Item).where(Item.uid == "essai-1.1-003"))
        item.extra = {"exhibit": "12:00:01 link down\n12:00:36 link up"}
        db.session.commit()
    html = client_as("trainer").get(f"{essai}/essai-1.1-003").get_data(as_text=True)
    assert '<figure class="exhibit">' in html
    assert "12:00:01 link down\n12:00:36 link up</pre>" in html


def test_bank_pages_keep_every_ticked_filter(app, world, client_as):
    from web.database import db

    many = [
        {**ITEMS[0], "id": f"essai-1.1-{n:03d}", "instruction": f"Question numéro {n}."}
        for n in range(100, 160)
    ]
    with app.app_context():
        framework_id = make_framework(db.session, items=many).id
        db.session.commit()
    client = client_as("trainer")
    bank = BANK.format(org=world.org_a)
    first = client.get(f"{bank}?framework={framework_id}&access=blind&access=deaf")
    html = first.get_data(as_text=True)
    shown_first = words(first)
    assert "Page 1 sur 2" in shown_first  # 60 items and the test framework's own (if loaded)
    link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "access=blind" in link and "access=deaf" in link and "page=2" in link
    second = text(client.get(link))
    assert "essai-1.1-159" in second and "essai-1.1-100" not in second
    assert f"framework={framework_id}" in link


def test_another_organisations_own_item_is_not_found(app, world, client_as):
    """Once items carry an owner (the studio's authoring), B's own item answers 404 in A's
    bank and opens in B's; until then every item is shipped and usable by all."""
    from web.database import db

    with app.app_context():
        make_framework(db.session)
        item = db.session.scalar(select(Item).where(Item.uid == "essai-1.1-001"))
        if "organisation_id" not in Item.__table__.c:
            db.session.commit()
            owned = False
        else:
            db.session.execute(
                Item.__table__.update()
                .where(Item.__table__.c.id == item.id)
                .values(organisation_id=world.org_b)
            )
            db.session.commit()
            owned = True
    url = "/organisations/{org}/banque/essai-1.1-001"
    mine = client_as("trainer").get(url.format(org=world.org_a))
    theirs = client_as("trainer_b").get(url.format(org=world.org_b))
    assert theirs.status_code == 200
    assert mine.status_code == (404 if owned else 200)
    listed = text(client_as("trainer").get(BANK.format(org=world.org_a)))
    assert ("essai-1.1-001" in listed) is not owned


def test_preview_shows_ordering_steps_shuffled_as_a_learner_sees_them(essai, client_as):
    html = client_as("trainer").get(f"{essai}/essai-1.2-003").get_data(as_text=True)
    shown = re.findall(r'id="position-(\w+)"', html)
    assert sorted(shown) == ["x", "y", "z"] and shown != ["x", "y", "z"]
