"""The six-month follow-ups due this month and overdue, around month ends (both engines)."""

from __future__ import annotations

from datetime import date

import pytest

from learners.follow_ups import follow_ups
from learners.models import Outcome, OutcomeMoment, Situation
from tests.learners.factories import (
    make_action,
    make_enrolment,
    make_learner,
    make_organisation,
)


@pytest.fixture
def exits(dbsession):
    """Learners named by their exit date, in one association's action; one in another's."""
    org = make_organisation(dbsession)
    action = make_action(dbsession, org, first_year=2025)
    made = {}
    for day in (
        date(2025, 7, 31),  # due in January
        date(2025, 8, 1),  # due in February: first day of the exit month
        date(2025, 8, 31),  # due 28 February: last day of the exit month
        date(2025, 9, 1),  # due in March
        date(2025, 3, 10),  # long overdue
    ):
        learner = make_learner(dbsession, org, name=f"Sortie {day.isoformat()}")
        made[day] = make_enrolment(dbsession, action, learner, exit_date=day)
    make_enrolment(dbsession, action, make_learner(dbsession, org, name="Toujours là"))
    other = make_organisation(dbsession)
    other_action = make_action(dbsession, other, first_year=2025)
    make_enrolment(
        dbsession, other_action, make_learner(dbsession, other), exit_date=date(2025, 8, 15)
    )
    dbsession.flush()
    return org, made


def _exit_dates(rows) -> list[date]:
    return [f.enrolment.exit_date for f in rows]


@pytest.mark.parametrize("today", [date(2026, 2, 1), date(2026, 2, 15), date(2026, 2, 28)])
def test_february_lists_the_august_exits_as_due_and_earlier_ones_as_overdue(
    dbsession, exits, today
):
    org, _made = exits
    found = follow_ups(dbsession, org.id, today)
    assert _exit_dates(found.due) == [date(2025, 8, 1), date(2025, 8, 31)]
    assert [f.due_on for f in found.due] == [date(2026, 2, 1), date(2026, 2, 28)]
    assert _exit_dates(found.overdue) == [date(2025, 3, 10), date(2025, 7, 31)]


def test_on_the_first_of_march_august_exits_become_overdue(dbsession, exits):
    org, _made = exits
    found = follow_ups(dbsession, org.id, date(2026, 3, 1))
    assert _exit_dates(found.due) == [date(2025, 9, 1)]
    assert date(2025, 8, 31) in _exit_dates(found.overdue)


def test_january_31_lists_the_july_exits(dbsession, exits):
    org, _made = exits
    found = follow_ups(dbsession, org.id, date(2026, 1, 31))
    assert _exit_dates(found.due) == [date(2025, 7, 31)]
    assert _exit_dates(found.overdue) == [date(2025, 3, 10)]


def test_a_recorded_six_month_situation_takes_the_follow_up_off_the_list(dbsession, exits):
    org, made = exits
    enrolment = made[date(2025, 8, 31)]
    dbsession.add(Outcome(enrolment=enrolment, moment=OutcomeMoment.EXIT, situation=Situation.CDI))
    dbsession.flush()
    assert date(2025, 8, 31) in _exit_dates(follow_ups(dbsession, org.id, date(2026, 2, 28)).due)
    dbsession.add(
        Outcome(enrolment=enrolment, moment=OutcomeMoment.SIX_MONTHS, situation=Situation.CDI)
    )
    dbsession.flush()
    assert _exit_dates(follow_ups(dbsession, org.id, date(2026, 2, 28)).due) == [date(2025, 8, 1)]


def test_an_organisation_without_exits_owes_nothing(dbsession):
    org = make_organisation(dbsession)
    found = follow_ups(dbsession, org.id, date(2026, 2, 28))
    assert (found.due, found.overdue) == ([], [])
