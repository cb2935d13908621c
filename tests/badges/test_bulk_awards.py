"""Bulk awards from CSV: the file read as people write it, the dry run, the real run per line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges import bulk_awards, manual_awards
from badges.bulk_awards import RowStatus
from badges.models import Credential
from learners.models import Role
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.learners.factories import make_learner, make_organisation, make_user


@pytest.fixture
def setting(dbsession):
    org = make_organisation(dbsession, "Association Tremplin")
    achievement = make_achievement(dbsession, make_issuer(dbsession, org))
    for login in ("amina", "bruno", "chloe"):
        make_learner(dbsession, org, login=login)
    make_learner(dbsession, make_organisation(dbsession, "Autre"), login="dora")
    trainer = make_user(dbsession, Role.TRAINER, org, login="f@tremplin.example")
    dbsession.commit()
    return org, achievement, trainer


CSV = (
    "\ufeffidentifiant;appréciation\n"
    "amina;Stage réussi, « très bien »\n"
    "\n"
    "inconnu;\n"
    "dora;\n"
    "AMINA;doublon\n"
    "chloe;\n"
    "bruno;Déjà titulaire\n"
).encode()


def test_parse_reads_bom_semicolons_header_and_keeps_line_numbers():
    rows = bulk_awards.parse(CSV)
    assert rows[0] == bulk_awards.Row(2, "amina", "Stage réussi, « très bien »")
    assert rows[1] == bulk_awards.Row(3, "", "")
    assert bulk_awards.parse(b"amina,Bien\nbruno")[1] == bulk_awards.Row(2, "bruno", "")


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        ("é".encode("latin-1"), bulk_awards.CsvRefusal.NOT_UTF8),
        (b"\n\n;\n", bulk_awards.CsvRefusal.NO_ROWS),
        (b"a\n" * (bulk_awards.MAX_ROWS + 5), bulk_awards.CsvRefusal.TOO_MANY_ROWS),
        (b"a" * (bulk_awards.MAX_BYTES + 1), bulk_awards.CsvRefusal.TOO_LARGE),
    ],
)
def test_unreadable_files_are_refused(data, refusal):
    with pytest.raises(bulk_awards.CsvRefused) as raised:
        bulk_awards.parse(data)
    assert raised.value.refusal is refusal


def _holds(dbsession, setting, login):
    org, achievement, trainer = setting
    learner = next(
        x for x in manual_awards.learners_of(dbsession, org.id) if x.user.username == login
    )
    manual_awards.award(
        dbsession,
        achievement=achievement,
        learner=learner,
        evidence=manual_awards.Evidence("Avant"),
        actor=trainer,
        organisation_id=org.id,
        base_url=BASE_URL,
        kek=KEK,
    )
    dbsession.commit()


def test_dry_run_reports_every_line_and_writes_nothing(dbsession, setting):
    org, achievement, _ = setting
    _holds(dbsession, setting, "bruno")
    before = dbsession.scalar(select(func.count()).select_from(Credential))
    reports = bulk_awards.dry_run(dbsession, org.id, achievement, bulk_awards.parse(CSV))
    assert [(r.line, r.status) for r in reports] == [
        (2, RowStatus.READY),
        (3, RowStatus.EMPTY),
        (4, RowStatus.UNKNOWN),
        (5, RowStatus.OTHER_ORGANISATION),
        (6, RowStatus.DUPLICATE),
        (7, RowStatus.READY),
        (8, RowStatus.ALREADY_HOLDS),
    ]
    assert reports[3].name == ""  # never the name of another association's learner
    assert dbsession.scalar(select(func.count()).select_from(Credential)) == before


def test_real_run_awards_ready_lines_each_committed_and_a_failure_spares_the_others(
    dbsession, setting, monkeypatch
):
    org, achievement, trainer = setting
    real_award = manual_awards.award

    def flaky(db, **kwargs):
        if kwargs["learner"].user.username == "chloe":
            raise RuntimeError("disk full")
        return real_award(db, **kwargs)

    monkeypatch.setattr(manual_awards, "award", flaky)
    steps = []
    summary = bulk_awards.run(
        dbsession,
        lambda done, total=None: steps.append((done, total)),
        organisation_id=org.id,
        achievement_id=achievement.id,
        actor_id=trainer.id,
        rows=bulk_awards.rows_to_json(bulk_awards.parse(CSV)),
        base_url=BASE_URL,
        kek=KEK,
    )
    assert summary["awarded"] == 2
    statuses = {r["line"]: r["status"] for r in summary["rows"]}
    assert statuses[2] == "awarded" and statuses[7] == "failed" and statuses[6] == "duplicate"
    assert steps[0] == (0, 7) and steps[-1] == (7, 7)
    dbsession.rollback()
    holders = dbsession.scalars(
        select(Credential).where(Credential.achievement_id == achievement.id)
    )
    assert sorted(c.learner.user.username for c in holders) == ["amina", "bruno"]
