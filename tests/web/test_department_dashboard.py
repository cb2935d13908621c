"""The indicators' dashboard: figures, masking, drill-down, page = CSV = XLSX, the bilan PDF, an
association held to its own actions, and no learner's name or login in anything the
département can open."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from learners import api_tokens, demo
from learners.models import (
    Action,
    ExitReason,
    Learner,
    Organisation,
    Sex,
    Situation,
    User,
)
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.indicators.factories import enrol, make_action, observe
from tests.web.html_tables import read_table
from web.database import db


@pytest.fixture
def paths(app, world) -> dict[str, int]:
    """Association A: an action with 6 people (3 out, 2 in work at six months); B: an action
    with 3 people (under the masking threshold)."""
    with app.app_context():
        org_a = db.session.get(Organisation, world.org_a)
        org_b = db.session.get(Organisation, world.org_b)
        action_a = make_action(
            db.session,
            org_a,
            title="Numérique pour tous",
            planned_beneficiaries=12,
            planned_completion_rate=80,
        )
        action_b = make_action(db.session, org_b, title="Anglais au travail")
        for n in range(6):
            out = date(2025, 3, 1) if n < 3 else None
            path = enrol(
                db.session,
                action_a,
                exit=out,
                attended=4,
                planned=5,
                sex=Sex.MALE if n % 2 else Sex.FEMALE,
            )
            if n < 2:
                observe(db.session, path, Situation.CDI)
        for _ in range(3):
            enrol(db.session, action_b, exit=date(2025, 4, 1), reason=ExitReason.DROPPED_OUT)
        db.session.commit()
        return {"action_a": action_a.id, "action_b": action_b.id}


def page_rows(response, table_id="indicators-table") -> list[list[str]]:
    assert response.status_code == 200
    return read_table(response.get_data(as_text=True), table_id)


def test_the_dashboard_shows_headlines_planned_and_a_masked_porteur(world, client_as, paths):
    department = client_as("department")
    response = department.get("/departement/")
    page = response.get_data(as_text=True)
    rows = page_rows(response)
    header, whole, *porteurs = rows
    assert header[0] == "Porteur" and "Bénéficiaires entrés" in header
    entered = header.index("Bénéficiaires entrés")
    assert whole[0] == "Ensemble" and whole[entered] == "9"
    assert whole[header.index("Bénéficiaires entrés (prévu)")] == "22"
    by_name = {row[0]: row for row in porteurs}
    assert by_name["Association B"][entered] == "masqué"  # 3 people
    # 6 people, but shown it would give B's 3 back as 9 − 6: masked with it.
    assert by_name["Association A"][entered] == "masqué"
    complete = header.index("Parcours complets")
    assert by_name["Association B"][complete] == "masqué"
    assert f"porteur={world.org_a}" in page  # drill-down to the porteur's actions
    assert 'role="img"' in page and "Taux réalisés" in page  # the accessible charts
    assert "Association A : masqué. Association B : masqué." in page
    assert "Définitions" in page and "séances suivies / séances prévues" in page


def test_drill_down_goes_from_porteur_to_action_and_no_further(world, client_as, paths):
    department = client_as("department")
    rows = page_rows(department.get(f"/departement/?porteur={world.org_a}"))
    assert rows[0][0] == "Action" and [r[0] for r in rows[2:]] == ["Numérique pour tous"]
    page = department.get(f"/departement/?action={paths['action_a']}").get_data(as_text=True)
    rows = read_table(page, "indicators-table")
    assert rows[0][0] == "Sexe"
    assert {r[0] for r in rows[2:]} == {"Femme", "Homme"}
    assert "masqué" in rows[2] and "masqué" in rows[3]  # three women, three men


def _xlsx_text(value, kind_percent: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and kind_percent:  # openpyxl reads 0.0 back as 0
        return f"{value * 100:.1f}".replace(".", ",") + " %"
    return str(value)


def _xlsx_rows(sheet) -> list[list[str]]:
    header = [c.value for c in sheet[1]]
    percent = [cell.number_format == "0.0%" for cell in sheet[2]] if sheet.max_row > 1 else []
    return [header] + [
        [_xlsx_text(v, percent[i]) for i, v in enumerate(row)]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


def _measured_twice(app, action_id: int) -> None:
    """One beneficiary of the action assessed twice: the competences' table has rows."""
    with app.app_context():
        action = db.session.get(Action, action_id)
        porteur = db.session.get(Organisation, action.organisation_id)
        campaign = make_campaign(db.session, make_framework(db.session), organisation=porteur)
        campaign.action_id = action.id
        learner = action.enrolments[0].learner
        for day, level in ((2, 1), (9, 3)):
            at = datetime(2026, 3, day, 10, tzinfo=UTC)
            make_session(db.session, campaign, learner, levels={"1.1": level}, finished_at=at)
        db.session.commit()


TABLES = {"indicators-table": "", "trend-table": "tendance", "competences-table": "competences"}


@pytest.mark.parametrize("query", [{}, {"ventilation": "sexe", "du": "2025-01-01"}])
def test_page_csv_xlsx_and_api_hold_the_same_figures(app, world, client_as, paths, query):
    _measured_twice(app, paths["action_a"])
    department = client_as("department")
    suffix = f"?{urlencode(query)}" if query else ""
    page = department.get(f"/departement/{suffix}")
    book = department.get(f"/departement/indicateurs.xlsx{suffix}")
    sheets = load_workbook(io.BytesIO(book.data)).worksheets
    assert len(sheets) == len(TABLES)  # one sheet per table of the page, in its order
    for sheet, (table_id, name) in zip(sheets, TABLES.items(), strict=True):
        rows = page_rows(page, table_id)
        assert len(rows) > 1, table_id
        csv_query = urlencode({**query, "tableau": name} if name else query)
        download = department.get(f"/departement/indicateurs.csv?{csv_query}")
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert download.data.startswith("\ufeff".encode()) and b";" in download.data
        lines = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
        assert lines == rows, table_id
        assert _xlsx_rows(sheet) == rows, table_id

    # The API's monthly trend of each count is the page's column, masked cells included.
    with app.app_context():
        departement = db.session.get(Organisation, world.departement)
        secret = api_tokens.issue(db.session, departement, "Outil", created_by=None).secret
        db.session.commit()
    header, *months = page_rows(page, "trend-table")
    titles = {
        "beneficiaires_entree": "Bénéficiaires entrés",
        "beneficiaires_sortie": "Bénéficiaires sortis",
    }
    for key, title in titles.items():
        filters = {k: v for k, v in query.items() if k != "ventilation"}
        api = department.get(
            f"/api/v1/indicators/{key}?{urlencode({**filters, 'tendance': 'mois'})}",
            headers={"Authorization": f"Bearer {secret}"},
        ).json["tendance"]
        shown = {r["mois"]: "masqué" if r["masque"] else str(r["valeur"]) for r in api}
        column = header.index(title)
        assert {row[0]: row[column] for row in months if row[column] != "0"} == shown


def test_the_threshold_comes_from_the_configuration(app, world, client_as, paths):
    app.config["JALON_INDICATORS_MASK_THRESHOLD"] = 2
    rows = page_rows(client_as("department").get("/departement/"))
    entered = rows[0].index("Bénéficiaires entrés")
    assert {r[0]: r[entered] for r in rows[2:]}["Association B"] == "3"


def test_the_monthly_trend_and_its_table(world, client_as, paths, app):
    app.config["JALON_INDICATORS_MASK_THRESHOLD"] = 1
    rows = page_rows(client_as("department").get("/departement/"), "trend-table")
    assert rows[0] == [
        "Mois",
        "Bénéficiaires entrés",
        "Bénéficiaires sortis",
        "Parcours terminés",
    ]
    assert rows[1:] == [
        ["2025-03", "0", "3", "3"],  # A's three exits: completed paths
        ["2025-04", "0", "3", "0"],  # B's: dropped out
        ["2026-02", "9", "0", "0"],
    ]


def test_the_bilan_is_a_french_pdf_of_planned_and_achieved(world, client_as, paths):
    response = client_as("department").get(f"/departement/actions/{paths['action_a']}/bilan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "Bilan quantitatif de l'action" in text and "Numérique pour tous" in text
    assert "Bénéficiaires entrés 6 12" in text  # achieved, planned
    assert "Taux de participation 80,0 %" in text
    assert "Parcours complets masqué 80,0 %" in text  # 3 exits: masked, the plan shown
    assert "Hommes masqué" in text  # 3 men


def test_an_association_sees_only_its_own_actions(world, client_as, paths):
    trainer = client_as("trainer")
    response = trainer.get(f"/organisations/{world.org_a}/indicateurs?porteur={world.org_b}")
    page = response.get_data(as_text=True)
    rows = page_rows(response)
    assert [r[0] for r in rows[2:]] == ["Numérique pour tous"]
    assert "Anglais au travail" not in page and "Association B" not in page
    assert f"/organisations/{world.org_a}/actions/{paths['action_a']}" in page
    assert trainer.get(f"/organisations/{world.org_b}/indicateurs").status_code == 403
    bilan_b = f"/organisations/{world.org_a}/indicateurs/actions/{paths['action_b']}/bilan.pdf"
    assert trainer.get(bilan_b).status_code == 404


def _texts_of(response) -> str:
    """What a person could read in a response: page text, CSV, XLSX cells or PDF text."""
    if response.mimetype == "application/pdf":
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    if "spreadsheetml" in response.mimetype:
        sheets = load_workbook(io.BytesIO(response.data)).worksheets
        return " ".join(
            str(v) for s in sheets for row in s.iter_rows(values_only=True) for v in row
        )
    return response.get_data(as_text=True)


def test_no_learner_name_or_login_anywhere_the_departement_looks(app, client_as, world, paths):
    with app.app_context():
        demo.load_demo(db.session)
        passerelle = db.session.query(Organisation).filter_by(name=demo.PASSERELLE[0]).one()
        action = make_action(db.session, passerelle, title="Action de démonstration")
        for learner in db.session.query(Learner).all():
            enrol(db.session, action, learner, exit=date(2025, 2, 1))
        db.session.commit()
        people = db.session.query(Learner).join(User).all()
        secrets = {p.display_name for p in people} | {p.user.login for p in people}
        secrets |= {p.pseudonym for p in people}
        assert {"Sophie Dupont", "sdupont", "Kevin Martin"} <= secrets
        action_ids = [action.id, paths["action_a"], paths["action_b"]]
        porteurs = [passerelle.id, world.org_a, world.org_b]
    app.config["JALON_INDICATORS_MASK_THRESHOLD"] = 1  # nothing hidden: names must still not show
    department = client_as("department")
    urls = ["/departement/", "/departement/indicateurs.xlsx"]
    urls += [f"/departement/indicateurs.csv?tableau={t}" for t in ("", "tendance", "competences")]
    for dimension in ("action", "porteur", "sexe", "tranche_age", "statut", "commune"):
        urls.append(f"/departement/?ventilation={dimension}")
        urls.append(f"/departement/indicateurs.xlsx?ventilation={dimension}")
    urls += [f"/departement/?porteur={p}" for p in porteurs]
    urls += [f"/departement/?action={a}" for a in action_ids]
    urls += [f"/departement/actions/{a}/bilan.pdf" for a in action_ids]
    for url in urls:
        response = department.get(url)
        assert response.status_code == 200, url
        seen = _texts_of(response)
        leaked = [s for s in secrets if re.search(rf"\b{re.escape(s)}\b", seen)]
        assert not leaked, f"{url} shows {leaked}"


def test_the_query_string_becomes_filters_and_nonsense_is_ignored(app):
    from werkzeug.datastructures import MultiDict

    from indicators.filters import Filters
    from web.department.dashboard import dimension_from, filters_from

    with app.app_context():
        good = MultiDict(
            {"porteur": "3", "sexe": "f", "tranche_age": "50_plus", "du": "2026-01-01"}
        )
        assert filters_from(good) == Filters(
            organisation_ids=(3,),
            sexes=("f",),
            age_bands=("50_plus",),
            period_start=date(2026, 1, 1),
        )
        junk = MultiDict(
            {"porteur": "x", "sexe": "z", "du": "hier", "commune": "<b>", "action": "9" * 20}
        )
        assert filters_from(junk) == Filters()
        # An association is held to its own actions whatever the porteur asked.
        assert filters_from(good, organisation_id=7).organisation_ids == (7,)
        assert dimension_from(MultiDict(), Filters(), association=False) == "porteur"
        assert dimension_from(MultiDict(), Filters(organisation_ids=(3,)), False) == "action"
        assert dimension_from(MultiDict(), Filters(action_ids=(1,)), False) == "sexe"
        assert dimension_from(MultiDict({"ventilation": "commune"}), Filters(), True) == "commune"
        assert dimension_from(MultiDict({"ventilation": "nom"}), Filters(), True) == "action"
