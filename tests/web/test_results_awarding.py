"""Badges are issued by the POST that ends a session, never by a page view: a failed issuance
leaves them pending, offered on the results page with « Réessayer » (a POST), or issued by
``jalon badges award-pending``. The results page itself only reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from flask import request
from sqlalchemy.exc import OperationalError

from assessments import checking
from assessments.models import AssessmentSession
from badges import awarding, issuance
from badges.models import Credential
from learners.database import utcnow
from learners.models import Organisation
from tests.assessments.factories import form_fields, make_tour_campaign
from tests.badges.factories import make_issuer
from tests.web.forms import text
from tests.web.test_learner_journey import current, post_answer, session_id_of, start, token
from web.cli.badges import badges

COMPLETION = "Premiers pas numériques — diagnostic réalisé"


@pytest.fixture
def tour(app, world):
    """Association A runs the one-of-each-type tour (code TYPE-TEST) and issues badges."""
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        make_tour_campaign(db.session, org, time_limit_minutes=30)
        make_issuer(db.session, org, kek=app.config["JALON_KEY_ENCRYPTION_KEY"], shipped=True)
        db.session.commit()
    return "TYPE-TEST"


@dataclass
class IssuingSpy:
    methods: list[str] = field(default_factory=list)  # the HTTP method behind each issue call
    failing: bool = False  # fail as a locked database would


@pytest.fixture
def issuing(monkeypatch) -> IssuingSpy:
    """Every call to ``issuance.issue``, with the HTTP method of the request that made it."""
    spy, real = IssuingSpy(), issuance.issue

    def issue(*args, **kwargs):
        spy.methods.append(request.method if request else "-")
        if spy.failing:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(awarding.issuance, "issue", issue)
    monkeypatch.setattr(awarding, "RETRY_DELAYS", (0, 0))
    return spy


def answer_all(app, client, url: str):
    """Answer every item right; the last POST's response (it ends the session)."""
    while True:
        item = current(app, url)
        if item is None:
            raise AssertionError("the session ended before its last answer")
        last = post_answer(
            client, url, item, form_fields(item, checking.example_right_response(item))
        )
        if last.headers["Location"].endswith("/resultats"):
            return last


def test_the_post_that_ends_the_session_issues_the_badges_and_no_get_ever_does(
    app, tour, client_as, count_rows, issuing
):
    client = client_as("learner")
    url = start(client)
    last = answer_all(app, client, url)
    # One badge: the tour is « à accompagner » (two questions per competence), not « autonome ».
    assert last.status_code == 303 and count_rows(Credential) == 1
    assert set(issuing.methods) == {"POST"} and len(issuing.methods) == 1
    for _ in range(3):  # the results page, the home page, the wallet: nothing more is issued
        page = text(client.get(last.headers["Location"]))
        assert f"Bravo, vous avez gagné le badge « {COMPLETION} »" in page
        assert "Réessayer" not in page
        client.get("/apprenant/")
        client.get("/apprenant/badges")
    assert len(issuing.methods) == 1 and count_rows(Credential) == 1


def test_a_failed_issuance_is_pending_and_reessayer_issues_the_badges(
    app, tour, client_as, count_rows, issuing
):
    client = client_as("learner")
    url = start(client)
    issuing.failing = True
    last = answer_all(app, client, url)
    assert last.status_code == 303  # the results are saved; the badges wait
    assert len(issuing.methods) == 3  # the first badge, tried three times, then it stopped
    results_url = last.headers["Location"]
    page = client.get(results_url)
    assert page.status_code == 200
    shown = text(page)
    assert "Votre badge n'est pas encore prêt" in shown and COMPLETION in shown
    assert "Vous avez gagné" not in shown and "Ce que vous savez faire" in shown
    assert count_rows(Credential) == 0 and set(issuing.methods) == {"POST"}

    retry = f"{url}/badges"
    still = client.post(retry, data={"csrf_token": token(page.get_data(as_text=True))})
    assert still.status_code == 303 and still.headers["Location"].endswith("/resultats")
    assert "Réessayez dans quelques minutes" in text(client.get(results_url))

    issuing.failing = False
    page = client.get(results_url).get_data(as_text=True)
    done = client.post(retry, data={"csrf_token": token(page)})
    assert done.status_code == 303 and count_rows(Credential) == 1
    shown = text(client.get(results_url))
    assert f"Bravo, vous avez gagné le badge « {COMPLETION} »" in shown
    assert "Réessayer" not in shown
    assert set(issuing.methods) == {"POST"}
    again = client.post(retry, data={"csrf_token": token(page)})  # a double click: nothing more
    assert again.status_code == 303 and count_rows(Credential) == 1


def test_a_time_limit_reached_on_a_page_view_issues_nothing_and_offers_nothing(
    app, tour, client_as, count_rows, issuing
):
    """Award rules want a completed test: a session the time limit cut short earns no badge,
    so the results page has nothing to offer; ``award-pending`` closes its awarding later."""
    from web.database import db

    client = client_as("learner")
    url = start(client)
    item = current(app, url)
    post_answer(client, url, item, form_fields(item, checking.example_right_response(item)))
    with app.app_context():
        session = db.session.get(AssessmentSession, session_id_of(url))
        session.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(url).headers["Location"].endswith("/resultats")  # the GET ends it
    shown = text(client.get(f"{url}/resultats"))
    assert "Mes résultats" in shown and "Réessayer" not in shown and "Vous avez gagné" not in shown
    assert count_rows(Credential) == 0 and issuing.methods == []
    with app.app_context():
        assert awarding.pending_session_ids(db.session) == [session_id_of(url)]
    done = app.test_cli_runner().invoke(badges, ["award-pending"])
    assert "1 évaluation(s) traitée(s), 0 badge(s) délivré(s)." in done.output
    assert count_rows(Credential) == 0


def test_someone_elses_session_cannot_be_awarded(app, tour, client_as, count_rows, issuing):
    owner = client_as("learner")
    url = start(owner)
    issuing.failing = True
    answer_all(app, owner, url)
    issuing.failing = False
    intruder = client_as("learner_b")
    page = intruder.get("/apprenant/rejoindre").get_data(as_text=True)
    assert intruder.post(f"{url}/badges", data={"csrf_token": token(page)}).status_code == 404
    assert count_rows(Credential) == 0


def test_award_pending_command_issues_what_waits_and_says_so(
    app, tour, client_as, count_rows, issuing
):
    client = client_as("learner")
    url = start(client)
    issuing.failing = True
    answer_all(app, client, url)
    runner = app.test_cli_runner()
    failed = runner.invoke(badges, ["award-pending"])
    assert failed.exit_code == 1 and f"évaluations {session_id_of(url)}" in failed.output
    issuing.failing = False
    done = runner.invoke(badges, ["award-pending"])
    assert done.exit_code == 0, done.output
    assert "1 évaluation(s) traitée(s), 1 badge(s) délivré(s)." in done.output
    assert count_rows(Credential) == 1
    nothing = runner.invoke(badges, ["award-pending"])
    assert "0 évaluation(s) traitée(s), 0 badge(s) délivré(s)." in nothing.output


def test_a_badge_missed_for_lack_of_evidence_is_explained_with_the_campaign_to_take(
    app, world, client_as
):
    from assessments.models import AssessmentMode, Campaign, Framework
    from learners.models import Learner
    from tests.assessments.factories import make_campaign, make_session
    from tests.badges.factories import make_achievement
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        framework = db.session.query(Framework).filter_by(slug="essai").one()
        targeted = make_campaign(
            db.session,
            framework,
            mode=AssessmentMode.ADAPTIVE,
            organisation=org,
            name="Se protéger en ligne",
            competence_codes=["4.1"],
        )
        rule = {
            "framework": "essai",
            "conditions": [{"type": "competence_level", "competence": "4.1", "min_level": 2}],
            "evidence": {"min_answers": 5},
        }
        make_achievement(db.session, make_issuer(db.session, org), award_rules=rule)
        learner = db.session.query(Learner).filter_by(user_id=world.learner).one()
        whole = db.session.get(Campaign, world.campaign_a)
        session = make_session(db.session, whole, learner, levels={"4.1": 3}, finished_at=utcnow())
        db.session.commit()
        url, code = f"/apprenant/evaluations/{session.id}/resultats", targeted.code

    page = text(client_as("learner").get(url))
    assert "trop peu de questions ont porté sur : 4.1" in page
    assert "Pour obtenir ce badge, passez l'évaluation « Se protéger en ligne »." in page
    assert f'href="/apprenant/campagne/{code}"' in page
