"""Enrolments, exits and outcomes: the call's rules, checked in the domain."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from learners import enrolments
from learners.action_problems import InvalidEntry
from learners.enrolments import EnrolmentSpec, ExitSpec
from learners.models import (
    ExitReason,
    OutcomeMoment,
    PublicStatus,
    Referrer,
    Sex,
    Situation,
    Typology,
)
from tests.learners.factories import (
    make_action,
    make_enrolment,
    make_learner,
    make_organisation,
)

TODAY = date(2026, 6, 15)
SPEC = EnrolmentSpec(
    referrer=Referrer.ALI,
    entry_date=date(2026, 1, 5),
    public_status=PublicStatus.RSA_PPAE,
    sex=Sex.FEMALE,
    birth_year=1980,
    commune_code="93066",
    sessions_planned=10,
)


@pytest.fixture
def world(dbsession):
    org = make_organisation(dbsession)
    return {
        "org": org,
        "action": make_action(dbsession, org, first_year=2026, last_year=2026),
        "inclusion": make_action(
            dbsession, org, typologies=[Typology.DIGITAL_INCLUSION.value], first_year=2026
        ),
        "learner": make_learner(dbsession, org, name="Awa Diallo"),
    }


def _codes(error) -> dict[str, str]:
    return {p.field: p.code for p in error.value.problems}


def test_a_learner_of_the_organisation_is_enrolled(dbsession, world):
    enrolment = enrolments.enrol(dbsession, world["action"], world["learner"], SPEC, TODAY)
    assert enrolment.public_status is PublicStatus.RSA_PPAE
    assert enrolments.enrolments_of(dbsession, world["learner"], world["org"].id) == [enrolment]


def test_an_inclusion_numerique_action_refuses_anyone_not_on_the_rsa(dbsession, world):
    for status in (PublicStatus.JOB_SEEKER, PublicStatus.OTHER):
        spec = dataclasses.replace(SPEC, public_status=status)
        with pytest.raises(InvalidEntry) as error:
            enrolments.enrol(dbsession, world["inclusion"], world["learner"], spec, TODAY)
        assert _codes(error) == {"public_status": "inclusion_rsa_only"}
        assert "réservée aux bénéficiaires du RSA" in str(error.value)
    for status in (PublicStatus.RSA_CER, PublicStatus.RSA_PPAE):
        learner = make_learner(dbsession, world["org"])
        spec = dataclasses.replace(SPEC, public_status=status)
        assert enrolments.enrol(dbsession, world["inclusion"], learner, spec, TODAY).id


def test_the_same_action_takes_a_learner_once(dbsession, world):
    enrolments.enrol(dbsession, world["action"], world["learner"], SPEC, TODAY)
    with pytest.raises(InvalidEntry) as error:
        enrolments.enrol(dbsession, world["action"], world["learner"], SPEC, TODAY)
    assert _codes(error) == {"learner": "already_enrolled"}


def test_another_organisations_learner_cannot_be_enrolled(dbsession, world):
    stranger = make_learner(dbsession, make_organisation(dbsession))
    with pytest.raises(InvalidEntry) as error:
        enrolments.enrol(dbsession, world["action"], stranger, SPEC, TODAY)
    assert _codes(error) == {"learner": "learner_not_member"}


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"referrer": None}, "referrer", "referrer_missing"),
        ({"entry_date": None}, "entry_date", "entry_missing"),
        ({"entry_date": date(2026, 6, 16)}, "entry_date", "entry_future"),
        ({"entry_date": date(2025, 12, 31)}, "entry_date", "entry_outside_years"),
        ({"public_status": None}, "public_status", "status_missing"),
        ({"birth_year": 2012}, "birth_year", "birth_year_range"),
        ({"birth_year": 1925}, "birth_year", "birth_year_range"),
        ({"commune_code": "75056"}, "commune_code", "unknown_commune"),
        ({"sessions_planned": 0}, "sessions_planned", "sessions_range"),
    ],
)
def test_each_entry_rule_names_its_field(dbsession, world, change, field, code):
    with pytest.raises(InvalidEntry) as error:
        enrolments.enrol(
            dbsession, world["action"], world["learner"], dataclasses.replace(SPEC, **change), TODAY
        )
    assert _codes(error) == {field: code}


def test_plausible_birth_years_are_accepted_at_both_ends(dbsession, world):
    for year in (TODAY.year - 15, TODAY.year - 100):
        learner = make_learner(dbsession, world["org"])
        spec = dataclasses.replace(SPEC, birth_year=year)
        assert enrolments.enrol(dbsession, world["action"], learner, spec, TODAY).birth_year == year


def test_an_archived_action_takes_nobody(dbsession, world):
    world["action"].archived_at = world["action"].created_at
    with pytest.raises(InvalidEntry) as error:
        enrolments.enrol(dbsession, world["action"], world["learner"], SPEC, TODAY)
    assert _codes(error) == {"action": "action_archived"}


def _entered(dbsession, world):
    return enrolments.enrol(dbsession, world["action"], world["learner"], SPEC, TODAY)


def test_an_exit_is_not_before_the_entry_nor_in_the_future(dbsession, world):
    enrolment = _entered(dbsession, world)
    for day, code in ((date(2026, 1, 4), "exit_before_entry"), (date(2026, 6, 16), "exit_future")):
        with pytest.raises(InvalidEntry) as error:
            enrolments.record_exit(dbsession, enrolment, ExitSpec(day, ExitReason.COMPLETED), TODAY)
        assert _codes(error) == {"exit_date": code}
    assert enrolment.exit_date is None
    same_day = ExitSpec(date(2026, 1, 5), ExitReason.DROPPED_OUT, 1)
    enrolments.record_exit(dbsession, enrolment, same_day, TODAY)
    assert (enrolment.exit_date, enrolment.exit_reason) == (
        date(2026, 1, 5),
        ExitReason.DROPPED_OUT,
    )


def test_more_sessions_than_planned_needs_a_justification(dbsession, world):
    enrolment = _entered(dbsession, world)
    over = ExitSpec(date(2026, 3, 1), ExitReason.COMPLETED, sessions_attended=11)
    with pytest.raises(InvalidEntry) as error:
        enrolments.record_exit(dbsession, enrolment, over, TODAY)
    assert _codes(error) == {"justification": "attended_over_planned"}
    justified = dataclasses.replace(over, justification="Deux séances de rattrapage")
    enrolments.record_exit(dbsession, enrolment, justified, TODAY)
    assert enrolment.sessions_attended == 11


def test_an_outcome_needs_an_exit_and_the_six_month_one_six_months(dbsession, world):
    enrolment = _entered(dbsession, world)
    with pytest.raises(InvalidEntry) as error:
        enrolments.record_outcome(dbsession, enrolment, OutcomeMoment.EXIT, Situation.CDI, TODAY)
    assert _codes(error) == {"moment": "not_exited"}
    exit_spec = ExitSpec(date(2025 + 1, 1, 31), ExitReason.COMPLETED)
    enrolments.record_exit(dbsession, enrolment, exit_spec, TODAY)
    with pytest.raises(InvalidEntry) as error:
        enrolments.record_outcome(
            dbsession, enrolment, OutcomeMoment.SIX_MONTHS, Situation.CDI, date(2026, 7, 30)
        )
    assert _codes(error) == {"moment": "six_months_not_reached"}
    assert "31/07/2026" in str(error.value)
    six = enrolments.record_outcome(
        dbsession, enrolment, OutcomeMoment.SIX_MONTHS, Situation.CDI, date(2026, 7, 31)
    )
    assert six.observed_on == date(2026, 7, 31)


def test_one_outcome_of_each_moment_a_second_record_corrects_it(dbsession, world):
    enrolment = make_enrolment(
        dbsession, world["action"], world["learner"], exit_date=date(2026, 2, 1)
    )
    first = enrolments.record_outcome(
        dbsession, enrolment, OutcomeMoment.EXIT, Situation.UNKNOWN, TODAY
    )
    again = enrolments.record_outcome(
        dbsession, enrolment, OutcomeMoment.EXIT, Situation.INTERIM, TODAY
    )
    assert again is first and first.situation is Situation.INTERIM
    dbsession.refresh(enrolment)
    assert len(enrolment.outcomes) == 1
    with pytest.raises(InvalidEntry) as error:
        enrolments.record_outcome(dbsession, enrolment, OutcomeMoment.EXIT, None, TODAY)
    assert _codes(error) == {"situation": "situation_missing"}


@pytest.mark.parametrize(
    ("exit_date", "due"),
    [
        (date(2025, 8, 31), date(2026, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),
        (date(2025, 12, 31), date(2026, 6, 30)),
        (date(2025, 7, 15), date(2026, 1, 15)),
        (date(2025, 3, 31), date(2025, 9, 30)),
    ],
)
def test_six_months_after_a_month_end_is_the_shorter_months_last_day(exit_date, due):
    assert enrolments.follow_up_date(exit_date) == due
