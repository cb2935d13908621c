"""Enrolments from a CSV file: reading it, the dry run's per-line report, and the real import
in which a bad line never blocks the others."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from learners import enrolment_import
from learners.enrolment_import import FileRefused, read_rows
from learners.models import AuditEvent, Enrolment, PublicStatus, Sex, Typology
from tests.learners.factories import (
    make_action,
    make_enrolment,
    make_learner,
    make_organisation,
    make_user,
)

TODAY = date(2026, 6, 15)
HEADER = "identifiant;orienteur;date_entree;statut;sexe;annee_naissance;commune;seances_prevues"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode("utf-8")


@pytest.fixture
def world(dbsession):
    org = make_organisation(dbsession)
    action = make_action(
        dbsession, org, typologies=[Typology.DIGITAL_INCLUSION.value], first_year=2026
    )
    for login in ("awa", "bruno", "chloe", "dina"):
        make_learner(dbsession, org, login=login, name=login.title())
    make_enrolment(dbsession, action, make_learner(dbsession, org, login="deja"))
    make_learner(dbsession, make_organisation(dbsession), login="ailleurs")
    return org, action


def test_the_model_file_reads_back_as_its_one_example_line():
    rows = read_rows(enrolment_import.template_csv().encode("utf-8"), 10_000)
    assert [r.values for r in rows] == [enrolment_import.EXAMPLE]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_semicolons_or_commas_with_or_without_bom(bom, delimiter):
    text = "Identifiant;statut;orienteur;date_entree\nawa;rsa_cer;ali;01/02/2026\n"
    rows = read_rows(bom + text.replace(";", delimiter).encode("utf-8"), 10_000)
    assert [(r.line, r.values) for r in rows] == [
        (
            2,
            {
                "identifiant": "awa",
                "statut": "rsa_cer",
                "orienteur": "ali",
                "date_entree": "01/02/2026",
            },
        )
    ]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"x" * 101, "too_big"),
        ("identifiant;orienteur\n".encode("utf-16"), "not_utf8"),
        (b"", "empty"),
        (b"identifiant;orienteur\nawa;ali\n", "missing_columns"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(raw, code):
    with pytest.raises(FileRefused) as refused:
        read_rows(raw, 100)
    assert refused.value.code == code


def test_the_dry_run_reports_every_bad_line_and_writes_nothing(dbsession, world):
    _org, action = world
    raw = _csv(
        "awa;france_travail;15/03/2026;rsa_cer;f;1985;Saint-Denis;12",
        "inconnu;ali;15/03/2026;autre;;;;",
        "ailleurs;ali;15/03/2026;rsa_cer;;;;",
        "deja;ali;15/03/2026;rsa_cer;;;;",
        "bruno;ali;31/02/2026;rsa_cer;;;;",
        "chloe;ali;2026-03-15;demandeur_emploi;;;Paris;",
        "awa;ali;2026-03-15;rsa_ppae;;;;",
        "dina;agence;2026-03-15;rsa_ppae;x;18xx;;",
    )
    report = enrolment_import.dry_run(dbsession, action, read_rows(raw, 10_000), TODAY)
    codes = {r.line: [p.code for p in r.problems] for r in report.rows}
    assert codes == {
        2: [],
        3: ["unknown_learner", "inclusion_rsa_only"],
        4: ["learner_not_member"],
        5: ["already_enrolled"],
        6: ["bad_date"],
        7: ["inclusion_rsa_only", "unknown_commune"],
        8: ["duplicate_in_file"],
        9: ["unknown_value", "unknown_value", "unknown_value"],
    }
    assert (report.accepted, report.refused) == (1, 7)
    assert [p.field for p in report.rows[5].problems] == ["statut", "commune"]
    assert report.rows[0].learner_name == "Awa"
    assert dbsession.scalar(select(func.count(Enrolment.id))) == 1  # only « deja »


def test_the_import_enrols_the_good_lines_and_reports_the_others(dbsession, world, tmp_path):
    org, action = world
    staff = make_user(dbsession, org=org)
    raw = _csv(
        "awa;france_travail;15/03/2026;rsa_cer;f;1985;93066;12",
        "inconnu;ali;15/03/2026;rsa_cer;;;;",
        "bruno;pie;2026-04-01;rsa_ppae;m;;aubervilliers;",
    )
    handed = tmp_path / "import.csv"
    handed.write_bytes(raw)
    steps = []
    summary = enrolment_import.import_job(
        dbsession,
        lambda done, total=None: steps.append((done, total)),
        org_id=org.id,
        action_id=action.id,
        actor_id=staff.id,
        path=str(handed),
        limit=10_000,
        today=TODAY.isoformat(),
    )
    assert not handed.exists()  # the lines' personal data go with the file
    assert summary["enrolled"] == 2
    assert summary["refused"] == [
        {
            "line": 3,
            "login": "inconnu",
            "problems": [{"field": "identifiant", "code": "unknown_learner", "params": {}}],
        }
    ]
    assert steps[-1] == (3, 3)
    enrolled = {e.learner.user.login: e for e in action.enrolments}
    assert enrolled["awa"].sex is Sex.FEMALE and enrolled["awa"].commune_code == "93066"
    assert enrolled["bruno"].public_status is PublicStatus.RSA_PPAE
    assert enrolled["bruno"].commune_code == "93001"  # Aubervilliers, found by its name
    event = dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "enrolments.imported"))
    assert event.detail["enrolled"] == 2 and event.detail["refused"] == 1


def test_a_file_gone_or_unreadable_fails_the_job_with_a_french_message(dbsession, world, tmp_path):
    from learners.jobs import JobError

    org, action = world
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"identifiant\nawa\n")
    for path in (bad, tmp_path / "gone.csv"):
        with pytest.raises(JobError) as failed:
            enrolment_import.import_job(
                dbsession,
                lambda done, total=None: None,
                org_id=org.id,
                action_id=action.id,
                actor_id=None,
                path=str(path),
                limit=10_000,
                today=TODAY.isoformat(),
            )
        assert "Colonnes manquantes" in str(failed.value) or "plus disponible" in str(failed.value)
    assert not bad.exists()
