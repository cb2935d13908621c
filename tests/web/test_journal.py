"""The organisation's journal: changes are recorded as they happen, shown to org admins only."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from learners import audit
from learners.models import AuditEvent, User
from web.studio.journal import ACTION_LABELS

REPO = Path(__file__).resolve().parents[2]


def _events(app, org_id: int) -> list[AuditEvent]:
    from web.database import db

    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent).where(AuditEvent.organisation_id == org_id))
        )


def test_creating_a_learner_and_renewing_a_code_are_recorded(app, world, client_as):
    app.config["WTF_CSRF_ENABLED"] = False
    trainer = client_as("trainer")
    response = trainer.post(
        f"/organisations/{world.org_a}/apprenants/nouveau", data={"display_name": "Zoé Test"}
    )
    assert response.status_code == 200
    trainer.post(f"/organisations/{world.org_a}/apprenants/{world.learner}/nouveau-code")
    events = _events(app, world.org_a)
    assert [e.action for e in events] == ["learner.created", "learner.code_renewed"]
    assert {e.actor_id for e in events} == {world.trainer}
    assert events[1].target_id == str(world.learner)
    assert all("Zoé" not in str(e.detail) for e in events)  # no beneficiary's name
    assert _events(app, world.org_b) == []


def test_org_admin_reads_the_journal_with_names_of_actions(app, world, client_as):
    app.config["WTF_CSRF_ENABLED"] = False
    client_as("trainer").post(
        f"/organisations/{world.org_a}/apprenants/{world.learner}/nouveau-code"
    )
    page = client_as("org_admin").get(f"/organisations/{world.org_a}/journal")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Nouveau code d&#39;accès donné à un apprenant" in text
    assert "trainer-a" in text or "Trainer" in text or "trainer" in text.lower()
    english = client_as("org_admin").get(
        f"/organisations/{world.org_a}/journal", headers={"Cookie": "jalon_lang=en"}
    )
    assert english.status_code == 200


def test_journal_pages_and_filters(app, world, client_as):
    from web.database import db

    with app.app_context():
        actor = db.session.get(User, world.trainer)
        for number in range(120):
            audit.record(
                db.session,
                "learner.created" if number % 2 else "learner.code_renewed",
                actor=actor,
                organisation_id=world.org_a,
                target_type="user",
                target_id=number,
            )
        db.session.commit()
        first = audit.journal(db.session, world.org_a, page=1, per_page=50)
        last = audit.journal(db.session, world.org_a, page=99, per_page=50)
        only = audit.journal(db.session, world.org_a, action_prefix="learner.created")
        assert (first.total, first.pages, len(first.items)) == (120, 3, 50)
        assert (last.number, len(last.items)) == (3, 20)  # past the end: the last page
        assert first.items[0].id > first.items[-1].id  # newest first
        assert only.total == 60 and {e.action for e in only.items} == {"learner.created"}
        assert audit.actions_of(db.session, world.org_a) == [
            "learner.code_renewed",
            "learner.created",
        ]
    admin = client_as("org_admin")
    second = admin.get(f"/organisations/{world.org_a}/journal?page=2&action=learner.created")
    assert second.status_code == 200
    assert "Page 2 sur 2" in second.get_data(as_text=True)
    assert admin.get(f"/organisations/{world.org_a}/journal?page=abc").status_code == 200


def test_long_details_are_cut(dbsession):
    from tests.learners.factories import make_organisation

    org = make_organisation(dbsession, "Association")
    event = audit.record(
        dbsession,
        "learner.created",
        actor=None,
        organisation_id=org.id,
        target_type="user",
        target_id=1,
        detail={"name": "x" * 1000, "count": 3},
    )
    assert len(event.detail["name"]) == audit.MAX_DETAIL_TEXT
    assert event.detail["count"] == 3


def test_every_recorded_action_has_a_sentence():
    """An action code passed to ``audit.record`` anywhere in the code must have its label."""
    pattern = re.compile(r"audit\.record\(\s*[\w.]+,\s*\"([a-z_.]+)\"", re.S)
    codes = set()
    for package in ("learners", "assessments", "badges", "web"):
        for path in (REPO / package).rglob("*.py"):
            codes.update(pattern.findall(path.read_text(encoding="utf-8")))
    assert codes, "no audit.record call found: the pattern is out of date"
    assert not codes - ACTION_LABELS.keys(), sorted(codes - ACTION_LABELS.keys())
