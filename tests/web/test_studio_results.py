"""The studio's results pages: a campaign's table (sort, filter, pages, chart) and its CSV and
XLSX downloads holding the very same figures; a learner's record and individual report, both
written in the organisation's journal."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from badges import issuance
from badges.awarding import award_key
from learners.database import utcnow
from learners.models import AuditEvent, Organisation, User
from tests.assessments.factories import make_session
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.learners.factories import make_learner
from tests.web.forms import text
from tests.web.html_tables import read_table

BADGE = "Chercher sur le web"


@pytest.fixture
def results(app, world):
    """In A's campaign: Zoé finished (1.1: 2, 1.2: 1, 4.1: 0) and holds a badge; the world's
    learner is answering."""
    from assessments.models import Campaign
    from web.database import db

    with app.app_context():
        session = db.session
        org = session.get(Organisation, world.org_a)
        campaign = session.get(Campaign, world.campaign_a)
        zoe = make_learner(session, org, name="Zoé Martin")
        started = utcnow() - timedelta(days=2)
        finished = make_session(
            session,
            campaign,
            zoe,
            levels={"1.1": 2, "1.2": 1, "4.1": 0},
            started_at=started,
            finished_at=started + timedelta(minutes=12),
            seconds=[30, 95],
        )
        learner = session.get(User, world.learner).learner
        make_session(
            session, campaign, learner, started_at=utcnow() - timedelta(hours=3), seconds=[45]
        )
        achievement = make_achievement(session, make_issuer(session, org), name=BADGE)
        issuance.issue(
            session,
            achievement=achievement,
            learner=zoe,
            award_key=award_key(finished.id, achievement.id),
            base_url=BASE_URL,
            kek=KEK,
        )
        session.commit()
        return {"zoe": zoe.user_id, "learner": learner.display_name}


def url(world, tail="resultats", **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    path = f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/{tail}"
    return f"{path}?{query}" if query else path


def page_rows(response):
    rows = read_table(response.get_data(as_text=True), "results-table")
    return rows[0], [[("" if cell == "—" else cell) for cell in row] for row in rows[1:]]


def test_the_table_shows_each_participant_with_status_levels_badges_and_time(
    world, client_as, results
):
    response = client_as("trainer").get(url(world))
    assert response.status_code == 200
    header, rows = page_rows(response)
    assert header[:6] == ["Participant", "Statut", "Début", "Fin", "Questions répondues", "Score"]
    assert header[6:9] == ["Niveau 1.1", "Niveau 1.2", "Niveau 4.1"]
    assert header[9:] == ["Badges obtenus", "Temps passé (minutes)", "Passages"]
    by_name = {row[0]: row for row in rows}
    zoe = by_name["Zoé Martin"]
    assert zoe[1] == "Terminée"
    assert zoe[4:9] == ["2", "24", "2", "1", "0"]
    assert zoe[9:] == [BADGE, "2", "1"]
    learner = by_name[results["learner"]]
    assert learner[1] == "En cours" and learner[3] == "" and learner[5:9] == ["", "", "", ""]
    assert learner[10] == "1"
    page = text(response)
    assert "2 sur 2 participants affichés." in page
    # The chart's data table: per competence, how many reached each level (0, 1, 2).
    assert "1.1 : Niveau 0 0, Niveau 1 0, Niveau 2 1." in page
    assert '<th scope="row">1.2</th><td>0</td><td>1</td><td>0</td>' in page
    assert "style=" not in page  # the Content-Security-Policy forbids inline styles
    assert "4.1 : Niveau 0 1, Niveau 1 0, Niveau 2 0." in page


def test_csv_and_xlsx_hold_the_same_columns_and_figures_as_the_page(world, client_as, results):
    trainer = client_as("trainer")
    header, rows = page_rows(trainer.get(url(world, tri="score", ordre="desc")))
    download = trainer.get(url(world, "resultats.csv", tri="score", ordre="desc"))
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert download.data.startswith("\ufeff".encode())
    assert "attachment" in download.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    assert lines == [header, *rows]

    book = trainer.get(url(world, "resultats.xlsx", tri="score", ordre="desc"))
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.data)).active
    cells = [
        [
            ""
            if value is None
            else value.strftime("%d/%m/%Y %H:%M")
            if hasattr(value, "strftime")
            else str(value)
            for value in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == [header, *rows]


def test_sorting_and_filtering_by_query_string(world, client_as, results):
    trainer = client_as("trainer")
    down = trainer.get(url(world, tri="score", ordre="desc"))
    assert [row[0] for row in page_rows(down)[1]] == ["Zoé Martin", results["learner"]]
    assert 'aria-sort="descending"' in down.get_data(as_text=True)
    up = trainer.get(url(world, tri="time"))
    assert [row[0] for row in page_rows(up)[1]] == [results["learner"], "Zoé Martin"]
    finished = trainer.get(url(world, statut="terminee"))
    assert [row[0] for row in page_rows(finished)[1]] == ["Zoé Martin"]
    assert "1 sur 2 participants affichés." in text(finished)
    assert [row[0] for row in page_rows(trainer.get(url(world, badge=BADGE)))[1]] == ["Zoé Martin"]
    level = trainer.get(url(world, competence="1.2", niveau="2"))
    assert read_table(level.get_data(as_text=True), "results-table") == []
    assert "Aucun participant ne correspond à ces filtres." in text(level)
    # Nonsense in the query string is ignored, never a 500.
    odd = trainer.get(url(world, tri="drop", statut="x", niveau="-3", competence="zz"))
    assert odd.status_code == 200 and len(page_rows(odd)[1]) == 2


def test_a_long_table_is_paged(world, client_as, results, monkeypatch):
    monkeypatch.setattr("web.studio.results.PER_PAGE", 1)
    trainer = client_as("trainer")
    first = trainer.get(url(world))
    assert [row[0] for row in page_rows(first)[1]] == [results["learner"]]
    assert "Page 1 sur 2" in text(first)
    second = trainer.get(url(world, page=2))
    assert [row[0] for row in page_rows(second)[1]] == ["Zoé Martin"]
    # The downloads hold every row, whatever the page.
    download = trainer.get(url(world, "resultats.csv", page=2))
    assert len(download.data.decode("utf-8-sig").strip().splitlines()) == 3


def test_the_learner_record_shows_sessions_progress_and_badges_and_is_journaled(
    app, world, client_as, results
):
    trainer = client_as("trainer")
    organisation = text(trainer.get(f"/organisations/{world.org_a}/"))
    record_path = f"/organisations/{world.org_a}/apprenants/{results['zoe']}"
    assert f'href="{record_path}"' in organisation
    response = trainer.get(record_path)
    assert response.status_code == 200
    page = text(response)
    assert "Zoé Martin" in page
    campaign = f"/organisations/{world.org_a}/campagnes/{world.campaign_a}/resultats"
    assert f'href="{campaign}">Campagne A</a>' in page
    progress = read_table(response.get_data(as_text=True), "progress-table")
    assert progress[1][0] == "1.1 Chercher"
    assert progress[1][3] == "Une seule évaluation"
    assert "Choisir un résultat." in page  # what a level 2 in 1.1 means
    badges = read_table(response.get_data(as_text=True), "badges-table")
    assert badges[1][:2] == [BADGE, "Actif"]
    report = trainer.get(f"{record_path}/bilan.pdf")
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    assert report.data.startswith(b"%PDF")
    from web.database import db

    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.organisation_id == world.org_a)
        ).all()
        assert [(e.action, e.target_id, e.actor_id) for e in events] == [
            ("learner.record_viewed", str(results["zoe"]), world.trainer),
            ("learner.report_downloaded", str(results["zoe"]), world.trainer),
        ]
    journal = text(client_as("org_admin").get(f"/organisations/{world.org_a}/journal"))
    assert "Fiche de résultats d'un apprenant consultée" in journal


def test_the_pages_speak_english_too(world, client_as, results):
    trainer = client_as("trainer")
    trainer.get("/langue?lang=en&next=/")
    page = text(trainer.get(url(world)))
    assert "Results of the campaign" in page and "Finished" in page
    record = text(trainer.get(f"/organisations/{world.org_a}/apprenants/{results['zoe']}"))
    assert "Levels and progress per competence" in record and "Active" in record


def _report_text(trainer, world, results) -> tuple[str, str]:
    from pypdf import PdfReader

    response = trainer.get(f"/organisations/{world.org_a}/apprenants/{results['zoe']}/bilan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    return words, reader.metadata.title


def test_the_individual_report_follows_the_trainers_language(world, client_as, results):
    trainer = client_as("trainer")
    french, title = _report_text(trainer, world, results)
    assert title == "Bilan individuel — Zoé Martin"
    assert "Ce que la personne sait faire" in french and "1.1 Chercher — niveau 2" in french
    assert "(une seule évaluation)" in french and "état : actif" in french
    trainer.get("/langue?lang=en&next=/")
    english, title = _report_text(trainer, world, results)
    assert title == "Individual report — Zoé Martin"
    assert "What the person can do" in english and "1.1 Search — level 2" in english
    assert "(a single assessment)" in english and "status: active" in english
    assert "Assessments taken" in english and "started on" in english
    assert "niveau" not in english and "Bilan" not in english
