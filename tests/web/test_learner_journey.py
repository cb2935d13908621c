"""The beneficiary's journey through the Flask test client (plain forms, no JavaScript):
join by code → every item type, the three practice tasks included → results → badges issued.
Plus the errors a person can meet: wrong, closed or future codes, someone else's session,
double submits, answers to items not asked, malformed answers."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessments import checking
from assessments.models import (
    AnswerStatus,
    AssessmentMode,
    AssessmentSession,
    Campaign,
    Item,
    ItemType,
    Response,
    SessionStatus,
)
from badges.models import Credential
from badges.ob3 import build, schema
from learners.database import utcnow
from learners.models import Learner, Organisation, User
from tests.assessments.factories import form_fields, make_tour_campaign
from tests.badges.factories import make_issuer
from tests.web.forms import text

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ITEM_ID = re.compile(r'name="item_id" value="(\d+)"')


@pytest.fixture
def tour(app, world):
    """Association A runs the one-of-each-type tour (code TYPE-TEST) and issues badges."""
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        make_tour_campaign(db.session, org)
        make_issuer(db.session, org, kek=app.config["JALON_KEY_ENCRYPTION_KEY"], shipped=True)
        db.session.commit()
    return "TYPE-TEST"


def token(page: str) -> str:
    match = TOKEN.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def join(client, code: str):
    page = client.get("/apprenant/rejoindre").get_data(as_text=True)
    return client.post("/apprenant/rejoindre", data={"code": code, "csrf_token": token(page)})


def start(client, code: str = "TYPE-TEST") -> str:
    response = join(client, code)
    assert response.status_code == 303, text(response)
    return response.headers["Location"]


def current(app, url: str) -> Item:
    from web.database import db

    session_id = int(url.rstrip("/").split("/")[-1])
    with app.app_context():
        session = db.session.get(AssessmentSession, session_id)
        item = session.current_item
        db.session.expunge(item)
        return item


def post_answer(client, url: str, item: Item, fields: dict, intent: str = "answer"):
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": token(page), "item_id": str(item.id), **fields}
    if intent:
        data["intent"] = intent
    return client.post(f"{url}/reponse", data=data)


def statuses(app, session_id: int) -> list[tuple[str, AnswerStatus | None]]:
    from web.database import db

    with app.app_context():
        rows = db.session.scalars(
            select(Response).where(Response.session_id == session_id).order_by(Response.position)
        )
        return [(r.item.type.value, r.status) for r in rows]


def session_id_of(url: str) -> int:
    return int(url.rstrip("/").split("/")[-1])


# ---------------------------------------------------------------------------------------------
# The whole path


def test_learner_answers_every_item_type_and_earns_badges(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    seen = []
    for number in range(1, 13):
        page = client.get(url)
        assert page.status_code == 200
        assert f"Question {number} sur 12" in text(page)
        item = current(app, url)
        seen.append(item.type)
        answered = post_answer(
            client, url, item, form_fields(item, checking.example_right_response(item))
        )
        assert answered.status_code == 303, text(answered)
    assert set(seen) == set(ItemType)  # every type, the four practice tasks included
    assert answered.headers["Location"].endswith("/resultats")
    assert all(status is AnswerStatus.OK for _t, status in statuses(app, session_id_of(url)))

    from tests.web.statements import count_statements
    from web.database import db

    with app.app_context():
        engine = db.engine
    with count_statements(engine) as statements:
        results = text(client.get(answered.headers["Location"]))
    # « À accompagner » names what the tour did not show: its results and right task types.
    assert len(statements) == RESULTS_STATEMENTS + 2
    assert (
        "Bravo, vous avez gagné le badge « Premiers pas numériques — diagnostic réalisé »"
        in results
    )
    # Twelve questions, two per competence: every answer right, but not the evidence
    # « autonome » asks of each competence (the same rule as the adaptive diagnostic).
    assert "Votre orientation : À accompagner" in results
    assert "Ce diagnostic ne l'a pas encore montré pour" in results
    assert "Utiliser la souris et l'écran tactile" in results
    assert "conseillère numérique peut vous aider" in results  # next steps
    assert 'href="/apprenant/badges"' in results
    assert 'role="img"' in results and "<desc" in results and "<details" in results

    with app.app_context():
        credentials = db.session.scalars(select(Credential).order_by(Credential.id)).all()
        assert len(credentials) == 1  # « diagnostic réalisé »
        session_id = session_id_of(url)
        learner = db.session.scalar(select(Learner).where(Learner.user_id == world_user(app)))
        for credential in credentials:
            assert credential.award_key == (
                f"session:{session_id}:achievement:{credential.achievement_id}"
            )
            signed = json.loads(credential.signed_json)
            assert schema.validate(signed) == []
            subject = signed["credentialSubject"]
            assert build.identity_matches(subject["identifier"][0], learner.pseudonym, "systemId")
            assert learner.pseudonym not in credential.signed_json
            assert learner.display_name not in credential.signed_json
            assert "12 questions" in signed["evidence"][0]["narrative"]
            described = {r["resultDescription"] for r in subject["result"]}
            assert not any(d.endswith(":referral") for d in described)  # orientation: never
            assert any(":competence:" in d for d in described)


def world_user(app) -> int:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == "learner-a"))


def test_results_page_is_idempotent_about_badges(app, tour, client_as, count_rows):
    client = client_as("learner")
    url = start(client)
    for _ in range(12):
        item = current(app, url)
        last = post_answer(client, url, item, {}, intent="skip")
    assert last.headers["Location"].endswith("/resultats")
    for _ in range(2):
        page = text(client.get(last.headers["Location"]))
        assert "diagnostic réalisé" not in page  # « Je ne sais pas » everywhere: no badge
    assert count_rows(Credential) == 0


def test_one_real_answer_earns_the_completion_badge_once(app, tour, client_as, count_rows):
    client = client_as("learner")
    url = start(client)
    for number in range(12):
        item = current(app, url)
        if number == 0:
            wrong = form_fields(item, checking.example_wrong_response(item))
            last = post_answer(client, url, item, wrong)
        else:
            last = post_answer(client, url, item, {}, intent="skip")
    assert last.headers["Location"].endswith("/resultats")
    for _ in range(2):
        page = text(client.get(last.headers["Location"]))
        assert "diagnostic réalisé" in page  # completion badge, even with "Je ne sais pas"
    assert count_rows(Credential) == 1  # the « autonome » rule is not met; nothing twice


def test_je_ne_sais_pas_is_a_normal_answer(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    first = current(app, url)
    page = text(client.get(url))
    assert "Je ne sais pas" in page
    response = post_answer(client, url, first, {}, intent="skip")
    assert response.status_code == 303
    after = text(client.get(response.headers["Location"]))
    assert "Question 2 sur 12" in after
    assert "Réponse enregistrée." in after
    assert "Réponse enregistrée." not in text(client.get(url))  # said once, where it happened
    for punishing in ("Faux", "Mauvaise réponse", "Erreur", "✗", "❌"):
        assert punishing not in after
    assert statuses(app, session_id_of(url))[0] == ("qcu", AnswerStatus.SKIPPED)


def test_closing_the_browser_resumes_at_the_same_question(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    item = current(app, url)
    post_answer(client, url, item, {}, intent="skip")
    fresh = client_as("learner")  # another browser, same person
    home = text(fresh.get("/apprenant/"))
    assert "Reprendre" in home and url in home
    assert "1 questions faites sur 12" in home or "1 question" in home
    assert "Question 2 sur 12" in text(fresh.get(url))
    # Joining again with the code resumes too, it does not start over.
    assert start(fresh) == url


def test_campaign_link_shows_the_assessment_and_starts_on_post(app, tour, client_as, count_rows):
    client = client_as("learner")
    page = client.get("/apprenant/campagne/type-test")
    assert page.status_code == 200
    assert "Découverte : une question de chaque sorte" in text(page)
    assert "Association A" in text(page)
    assert count_rows(AssessmentSession) == 0  # opening a link writes nothing
    started = client.post(
        "/apprenant/campagne/type-test", data={"csrf_token": token(page.get_data(as_text=True))}
    )
    assert started.status_code == 303
    assert count_rows(AssessmentSession) == 1


def test_anonymous_campaign_link_goes_to_login_and_back(tour, client_as):
    response = client_as("anonymous").get("/apprenant/campagne/TYPE-TEST")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]
    assert "campagne" in response.headers["Location"]


# ---------------------------------------------------------------------------------------------
# Joining errors: a French message in the form, nothing written


@pytest.fixture
def other_campaigns(app, world):
    from web.database import db

    with app.app_context():
        org_a = db.session.get(Organisation, world.org_a)
        org_b = db.session.get(Organisation, world.org_b)
        now = utcnow()
        items = ("premiers-pas-1.1-001",)
        make_tour_campaign(
            db.session,
            org_a,
            "FERM-EE33",
            items=items,
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(days=1),
        )
        make_tour_campaign(
            db.session, org_a, "FUTU-RE33", items=items, opens_at=now + timedelta(days=3)
        )
        make_tour_campaign(db.session, org_b, "AUTR-EB33", items=items)
        db.session.commit()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZ-ZZZZ", "Ce code ne correspond à aucune évaluation"),
        ("FERM-EE33", "Cette évaluation est fermée"),
        ("FUTU-RE33", "Cette évaluation n'a pas encore commencé"),
        ("AUTR-EB33", "Ce code ne correspond à aucune évaluation"),  # another association's
        ("", "Écrivez le code de l'évaluation"),
    ],
)
def test_join_errors_say_what_to_do_and_write_nothing(
    code, message, other_campaigns, client_as, count_rows
):
    response = join(client_as("learner"), code)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page and 'href="#code"' in page
    assert count_rows(AssessmentSession) == 0


@pytest.mark.parametrize(
    ("code", "status"), [("ZZZZZZZZ", 404), ("FERM-EE33", 400), ("FUTU-RE33", 400)]
)
def test_bad_campaign_links_explain_in_french(code, status, other_campaigns, client_as):
    response = client_as("learner").get(f"/apprenant/campagne/{code}")
    assert response.status_code == status
    assert "Rejoindre une évaluation" in text(response)


# ---------------------------------------------------------------------------------------------
# Sessions, items and answers that do not fit


def test_another_learners_session_is_not_found(app, tour, client_as):
    url = start(client_as("learner"))
    intruder = client_as("learner_b")
    assert intruder.get(url).status_code == 404
    assert intruder.get(f"{url}/resultats").status_code == 404
    page = intruder.get("/apprenant/rejoindre").get_data(as_text=True)
    posted = intruder.post(f"{url}/reponse", data={"csrf_token": token(page), "item_id": "1"})
    assert posted.status_code == 404
    assert statuses(app, session_id_of(url))[0][1] is None


def test_double_submit_is_counted_once_and_shows_the_next_item(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    item = current(app, url)
    page = client.get(url).get_data(as_text=True)
    data = {
        "csrf_token": token(page),
        "item_id": str(item.id),
        "intent": "answer",
        **form_fields(item, checking.example_right_response(item)),
    }
    first = client.post(f"{url}/reponse", data=data)
    second = client.post(f"{url}/reponse", data=data)
    assert first.status_code == second.status_code == 303
    # Both lead to the next question; only the first says « Réponse enregistrée ».
    assert second.headers["Location"] == first.headers["Location"].split("?")[0] == url
    answered = [s for _t, s in statuses(app, session_id_of(url)) if s is not None]
    assert answered == [AnswerStatus.OK]
    again = text(client.get(second.headers["Location"]))
    assert "Question 2 sur 12" in again and "déjà enregistrée" in again


def test_answer_to_an_item_not_asked_is_refused_clearly(app, tour, client_as):
    from web.database import db

    client = client_as("learner")
    url = start(client)
    with app.app_context():
        stranger = db.session.scalar(select(Item).where(Item.uid == "premiers-pas-3.1-010"))
        stranger_id = stranger.id
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/reponse",
        data={"csrf_token": token(page), "item_id": str(stranger_id), "text": "non"},
    )
    assert response.status_code == 400
    assert "ne fait pas partie de votre évaluation" in text(response)
    assert "Question 1 sur 12" in text(response)
    assert all(s is None for _t, s in statuses(app, session_id_of(url)))


def test_answer_after_the_session_ended_shows_the_results(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    first = current(app, url)
    page = client.get(url).get_data(as_text=True)
    for _ in range(12):
        post_answer(client, url, current(app, url), {}, intent="skip")
    late = client.post(
        f"{url}/reponse", data={"csrf_token": token(page), "item_id": str(first.id), "choice": "a"}
    )
    assert late.status_code == 303 and late.headers["Location"].endswith("/resultats")
    assert "Cette évaluation est terminée" in text(client.get(late.headers["Location"]))


def _advance_to(app, client, url: str, kind: ItemType) -> Item:
    for _ in range(12):
        item = current(app, url)
        if item.type == kind:
            return item
        post_answer(client, url, item, {}, intent="skip")
    raise AssertionError(f"no {kind} item")


@pytest.mark.parametrize(
    ("kind", "fields", "message", "target"),
    [
        (ItemType.QCU, {"choice": "zzz"}, "Ce choix n'existe pas", "choices"),
        (ItemType.QCU, {}, "Choisissez une réponse dans la liste", "choices"),
        (ItemType.QCM, {"choice": ["a", "tampered"]}, "Ce choix n'existe pas", "choices"),
        (ItemType.QROC, {"text": "   "}, "Écrivez une réponse", "text"),
        (ItemType.NUMBER, {"number": "douze"}, "Écrivez un nombre", "number"),
        (ItemType.ORDERING, "same-place", "Deux étapes ont la même place", "second-step"),
        (
            ItemType.MATCHING,
            {"pair-l1": "r1"},
            "Choisissez une réponse pour chaque ligne",
            "pair-l2",
        ),
        (ItemType.TASK_PHISHING, {"choice": ["s9"]}, "Ce choix n'existe pas", "choices"),
        (ItemType.TASK_WEBMAIL, {"mail_action": "done"}, "Ouvrez un message", "mailbox"),
        (
            ItemType.TASK_WEBMAIL,
            {"mail_action": "forward", "message": "m2"},
            "Écrivez l'adresse du destinataire",
            "to",
        ),
        (ItemType.TASK_FORM, {}, "Remplissez le formulaire", "field-nom"),
        (ItemType.TASK_PROCEDURE, {}, "Allez jusqu'au bout de la démarche", "procedure"),
        (ItemType.TASK_PROCEDURE, {"step-accueil": "zzz"}, "Ce choix n'existe pas", "procedure"),
    ],
)
def test_malformed_answer_rerenders_the_item_with_a_linked_french_error(
    kind, fields, message, target, app, tour, client_as
):
    client = client_as("learner")
    url = start(client)
    item = _advance_to(app, client, url, kind)
    if fields == "same-place":  # the first two steps both given place 1
        steps = [entry["id"] for entry in item.body["items"]]
        fields = {f"position-{s}": str(max(i, 1)) for i, s in enumerate(steps)}
        target = f"position-{steps[1]}"
    response = post_answer(client, url, item, fields)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'href="#{target}"' in page  # the summary links to the field
    assert f'id="{target}"' in page
    assert f"{target}-error" in page  # the message is tied to the field
    rows = dict((t, s) for t, s in statuses(app, session_id_of(url)))
    assert rows[kind.value] is None  # nothing stored


def _store_steps_in_key_order(app, item: Item) -> Item:
    from web.database import db

    with app.app_context():
        stored = db.session.get(Item, item.id)
        by_id = {entry["id"]: entry for entry in stored.body["items"]}
        stored.body = {**stored.body, "items": [by_id[step] for step in stored.key]}
        db.session.commit()
        db.session.expunge(stored)
        return stored


def _shown_steps(page: str) -> list[str]:
    return re.findall(r'class="ordering-item" data-id="([^"]+)"', page)


def test_ordering_steps_are_shuffled_and_an_untouched_page_is_a_wrong_answer(app, tour, client_as):
    """Steps stored in the right order (as dev-web-1.4-002 was): the page, without JavaScript,
    shows them shuffled, the same on a reload, and « Valider » without moving anything is
    wrong (issue 12)."""
    client = client_as("learner")
    url = start(client)
    item = _store_steps_in_key_order(app, _advance_to(app, client, url, ItemType.ORDERING))
    shown = _shown_steps(client.get(url).get_data(as_text=True))
    assert sorted(shown) == sorted(item.key) and shown != item.key
    assert _shown_steps(client.get(url).get_data(as_text=True)) == shown
    untouched = {f"position-{step}": str(place) for place, step in enumerate(shown, start=1)}
    post_answer(client, url, item, untouched)
    rows = dict(statuses(app, session_id_of(url)))
    assert rows["ordering"] is AnswerStatus.KO


def test_ordering_right_order_is_accepted_whatever_the_shuffle(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    item = _advance_to(app, client, url, ItemType.ORDERING)
    post_answer(client, url, item, form_fields(item, item.key))
    assert dict(statuses(app, session_id_of(url)))["ordering"] is AnswerStatus.OK


def test_webmail_can_be_read_and_answered_with_plain_links_and_forms(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    item = _advance_to(app, client, url, ItemType.TASK_WEBMAIL)
    inbox = text(client.get(url))
    assert "Boîte de réception" in inbox and "Aucun message ouvert" in inbox
    opened = text(client.get(f"{url}?message=m2"))
    assert "Message ouvert" in opened and "Transférer" in opened
    draft = text(client.get(f"{url}?message=m2&ecrire=forward"))
    assert 'name="to"' in draft and 'name="attachment"' in draft
    assert "Envoyer le message" in draft
    response = post_answer(
        client,
        url,
        item,
        {
            "mail_action": "forward",
            "message": "m2",
            "to": "c.benali@agence-emploi.example",
            "attachment": ["cv"],
            "mail_body": "Bonjour, voici l'offre.",
        },
    )
    assert response.status_code == 303
    assert dict(statuses(app, session_id_of(url)))["task_webmail"] is AnswerStatus.OK


def test_timed_item_is_announced_and_the_pause_adjustment_is_honoured(app, world, client_as):
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        make_tour_campaign(
            db.session, org, "TIME-R333", items=("premiers-pas-1.1-001", "premiers-pas-1.3-008")
        )
        for uid in ("premiers-pas-1.1-001", "premiers-pas-1.3-008"):
            db.session.scalar(select(Item).where(Item.uid == uid)).timer_seconds = 30
        db.session.commit()
    client = client_as("learner")
    url = start(client, "TIME-R333")
    page = text(client.get(url))
    assert "Question chronométrée" in page and "Vous avez 30 secondes" in page

    def age_current_question():
        with app.app_context():
            row = db.session.scalar(
                select(Response).where(
                    Response.session_id == session_id_of(url), Response.status.is_(None)
                )
            )
            row.asked_at = utcnow() - timedelta(seconds=120)
            db.session.commit()

    age_current_question()
    first = current(app, url)
    post_answer(client, url, first, form_fields(first, checking.example_right_response(first)))
    assert statuses(app, session_id_of(url))[0][1] is AnswerStatus.TIMED_OUT

    toggled = client.post(
        f"{url}/amenagement", data={"csrf_token": token(client.get(url).get_data(as_text=True))}
    )
    assert toggled.status_code == 303
    page = text(client.get(url))
    assert "le temps ne compte pas" in page and "Mettre en pause" in page
    age_current_question()
    second = current(app, url)
    post_answer(client, url, second, form_fields(second, checking.example_right_response(second)))
    assert statuses(app, session_id_of(url))[1][1] is AnswerStatus.OK


def test_results_of_an_unfinished_session_go_back_to_the_question(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    response = client.get(f"{url}/resultats")
    assert response.status_code == 302 and response.headers["Location"].endswith(url)


def test_item_and_results_pages_in_english(app, tour, client_as):
    client = client_as("learner")
    client.set_cookie("jalon_lang", "en")
    url = start(client)
    page = text(client.get(url))
    assert "Question 1 of 12" in page
    assert "I don't know" in page
    assert 'lang="fr"' in page  # the item itself stays French, marked so for screen readers
    for _ in range(12):
        post_answer(client, url, current(app, url), {}, intent="skip")
    results = text(client.get(f"{url}/resultats"))
    assert "My results" in results and "What you can do" in results


def test_finished_sessions_are_listed_with_their_results(app, tour, client_as):
    client = client_as("learner")
    url = start(client)
    for _ in range(12):
        post_answer(client, url, current(app, url), {}, intent="skip")
    home = text(client.get("/apprenant/"))
    assert "Voir mes résultats" in home and f"{url}/resultats" in home
    from web.database import db

    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AssessmentSession)
                .where(AssessmentSession.status == SessionStatus.FINISHED)
            )
            == 1
        )


# ---------------------------------------------------------------------------------------------
# What a request costs the database (tests/bench/test_answer_submission.py times it)

# A question: the user with their memberships and profile, then the session with its settings,
# its item, the count for the progress bar and the timer's start. An answer: the user, the
# session locked, its rows, the answer written, the session and the new row written (one
# statement on PostgreSQL, with a data-modifying CTE; two on SQLite) (the bank
# comes from the worker's cache, and the next item is loaded in full by its page, not by the
# answer); exposure control reads the campaign's counts from the worker's copy
# (``assessments.exposure``, read again every few seconds: kept for the test's length here).
# The results page: the user, the session, the levels and their texts, the answers' count, the
# badges and their achievements, whatever their number; then, for the badges a session came
# close to, the levels with their competences, the evidence, the issuer and its achievements.
QUESTION_STATEMENTS = 2
ANSWER_STATEMENTS = {"sqlite": 6, "postgresql": 5}
RESULTS_STATEMENTS = 13


def test_questions_and_answers_cost_the_same_few_statements_all_along(
    app, world, client_as, monkeypatch
):
    from assessments import exposure
    from tests.assessments.factories import ITEMS, make_campaign
    from tests.web.statements import count_statements
    from web.auth import session_clock
    from web.database import db

    with app.app_context():
        framework = db.session.get(Campaign, world.campaign_a).assessment.framework
        organisation = db.session.get(Organisation, world.org_a)
        campaign = make_campaign(
            db.session,
            framework,
            mode=AssessmentMode.ADAPTIVE,
            organisation=organisation,
            min_items=len(ITEMS),
            max_items=len(ITEMS),
        )
        code = campaign.code
        db.session.commit()
        engine = db.engine
    monkeypatch.setattr(exposure, "REFRESH_SECONDS", 3600.0)  # a slow machine reads no more
    monkeypatch.setattr(session_clock, "SEEN_PRECISION", 3600)  # nor notes "last seen" again
    client = client_as("learner")
    url = page_url = start(client, code)
    counts = []
    for _ in range(len(ITEMS) - 1):  # the last answer scores the session: another story
        with count_statements(engine) as question:
            shown = client.get(page_url)
        page = shown.get_data(as_text=True)
        data = {"csrf_token": token(page), "item_id": ITEM_ID.search(page).group(1)}
        with count_statements(engine) as answer:
            answered = client.post(f"{url}/reponse", data={**data, "intent": "skip"})
        assert answered.status_code == 303
        # Nor is the session cookie signed and sent again by either request.
        assert "Set-Cookie" not in shown.headers and "Set-Cookie" not in answered.headers
        page_url = answered.headers["Location"]  # the question, « Réponse enregistrée »
        counts.append((len(question), len(answer)))
    with app.app_context():
        dialect = db.engine.dialect.name
    assert set(counts) == {(QUESTION_STATEMENTS, ANSWER_STATEMENTS[dialect])}
