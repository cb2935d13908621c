"""The demo's funded actions: two for the demo association, one inclusion numérique, with
paths dated from today (some six-month follow-ups due), loaded idempotently."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from learners import demo, demo_actions
from learners.follow_ups import follow_ups
from learners.models import Enrolment, Outcome

TODAY = date(2026, 8, 31)


def test_two_actions_with_paths_and_follow_ups_due(dbsession):
    demo.load_demo(dbsession)
    inclusion, web = demo_actions.load_actions(dbsession, TODAY)
    assert inclusion.inclusion_only_rsa and not web.inclusion_only_rsa
    assert all(e.public_status.is_rsa for e in inclusion.enrolments)
    assert len(inclusion.enrolments) + len(web.enrolments) == len(demo_actions.PATHS)
    organisation = demo.associations(dbsession)[0]
    due = follow_ups(dbsession, organisation.id, TODAY)
    assert due.due  # exits six months ago without their six-month situation
    assert all(f.due_on.month == 8 for f in due.due)
    counts = (
        dbsession.scalar(select(func.count(Enrolment.id))),
        dbsession.scalar(select(func.count(Outcome.id))),
    )
    demo_actions.load_actions(dbsession, TODAY)
    assert counts == (
        dbsession.scalar(select(func.count(Enrolment.id))),
        dbsession.scalar(select(func.count(Outcome.id))),
    )


def test_nothing_without_the_demo_associations(dbsession):
    assert demo_actions.load_actions(dbsession, TODAY) == []
