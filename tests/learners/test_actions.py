"""Actions: what an association may plan, checked by the domain with French messages."""

from __future__ import annotations

import dataclasses

import pytest

from learners import actions
from learners.action_problems import InvalidEntry
from learners.actions import ActionSpec
from learners.models import Typology
from tests.learners.factories import make_enrolment, make_learner, make_organisation

GOOD = ActionSpec(
    title="  Parcours numérique  ",
    typologies=(Typology.DIGITAL_INCLUSION.value, Typology.DIAGNOSTIC.value),
    first_year=2026,
    last_year=2027,
    planned_beneficiaries=12,
    target_jobs=("developpeur_web",),
    communes=("93066", "93001"),
    planned_completion_rate=70,
    planned_success_rate=60,
    planned_employment_rate=None,
)


def _codes(error: pytest.ExceptionInfo[InvalidEntry]) -> dict[str, str]:
    return {p.field: p.code for p in error.value.problems}


def test_an_action_is_created_with_what_the_porteur_planned(dbsession):
    org = make_organisation(dbsession)
    action = actions.create_action(dbsession, org.id, GOOD)
    assert action.title == "Parcours numérique"
    assert action.typologies == ["diagnostic", "inclusion_numerique"]  # the call's order
    assert action.communes == ["93001", "93066"]
    assert action.inclusion_only_rsa
    assert (action.planned_beneficiaries, action.planned_completion_rate) == (12, 70)
    assert action.planned_employment_rate is None


def test_every_problem_is_reported_at_once_and_nothing_is_written(dbsession):
    org = make_organisation(dbsession)
    bad = ActionSpec(
        title="",
        typologies=(),
        first_year=2027,
        last_year=2026,
        planned_beneficiaries=9,
        target_jobs=("astronaute",),
        communes=("75056",),
        planned_completion_rate=101,
        planned_success_rate=-1,
    )
    with pytest.raises(InvalidEntry) as error:
        actions.create_action(dbsession, org.id, bad)
    assert _codes(error) == {
        "title": "title_empty",
        "typologies": "typologies_empty",
        "target_jobs": "unknown_job",
        "communes": "unknown_commune",
        "last_year": "years_order",
        "planned_beneficiaries": "beneficiaries_min",
        "planned_completion_rate": "rate_range",
        "planned_success_rate": "rate_range",
    }
    assert "au moins 10 bénéficiaires" in str(error.value)
    assert actions.actions_of(dbsession, org.id) == []


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"planned_beneficiaries": None}, "planned_beneficiaries", "beneficiaries_missing"),
        ({"planned_beneficiaries": 10**6}, "planned_beneficiaries", "beneficiaries_max"),
        ({"first_year": None}, "first_year", "year_missing"),
        ({"last_year": 2100}, "last_year", "year_range"),
        ({"typologies": ("astrologie",)}, "typologies", "unknown_typology"),
        ({"communes": ()}, "communes", "communes_empty"),
        ({"title": "x" * 201}, "title", "title_long"),
    ],
)
def test_each_rule_names_its_field(dbsession, change, field, code):
    org = make_organisation(dbsession)
    with pytest.raises(InvalidEntry) as error:
        actions.create_action(dbsession, org.id, dataclasses.replace(GOOD, **change))
    assert _codes(error) == {field: code}


def test_ten_beneficiaries_is_enough(dbsession):
    org = make_organisation(dbsession)
    spec = dataclasses.replace(GOOD, planned_beneficiaries=10)
    assert actions.create_action(dbsession, org.id, spec).planned_beneficiaries == 10


def test_an_update_checks_the_same_rules_and_keeps_the_action_as_it_was(dbsession):
    org = make_organisation(dbsession)
    action = actions.create_action(dbsession, org.id, GOOD)
    with pytest.raises(InvalidEntry):
        actions.update_action(dbsession, action, dataclasses.replace(GOOD, title=""))
    assert action.title == "Parcours numérique"
    actions.update_action(dbsession, action, dataclasses.replace(GOOD, title="Nouveau titre"))
    assert actions.spec_of(action).title == "Nouveau titre"


def test_another_organisations_action_is_not_found(dbsession):
    org_a, org_b = make_organisation(dbsession), make_organisation(dbsession)
    action = actions.create_action(dbsession, org_a.id, GOOD)
    assert actions.get_action(dbsession, org_a.id, action.id) is action
    with pytest.raises(actions.ActionNotFound):
        actions.get_action(dbsession, org_b.id, action.id)
    assert actions.actions_of(dbsession, org_b.id) == []


def test_archiving_moves_the_action_to_the_archived_list_once(dbsession):
    org = make_organisation(dbsession)
    action = actions.create_action(dbsession, org.id, GOOD)
    learner = make_learner(dbsession, org)
    make_enrolment(dbsession, action, learner)
    [line] = actions.actions_of(dbsession, org.id)
    assert (line.enrolled, line.exited) == (1, 0)
    assert actions.archive_action(dbsession, action) is True
    assert actions.archive_action(dbsession, action) is False
    assert actions.actions_of(dbsession, org.id) == []
    assert [line.action for line in actions.actions_of(dbsession, org.id, archived=True)] == [
        action
    ]
    assert actions.open_actions(dbsession, org.id) == []


def test_an_action_with_people_not_on_the_rsa_cannot_become_inclusion_numerique(dbsession):
    from learners.models import PublicStatus

    org = make_organisation(dbsession)
    action = actions.create_action(
        dbsession, org.id, dataclasses.replace(GOOD, typologies=("diagnostic",))
    )
    make_enrolment(
        dbsession, action, make_learner(dbsession, org), public_status=PublicStatus.JOB_SEEKER
    )
    dbsession.refresh(action)
    with pytest.raises(InvalidEntry) as error:
        actions.update_action(dbsession, action, GOOD)
    assert _codes(error) == {"typologies": "inclusion_has_others"}
    assert "1 personne(s) inscrite(s) ne sont pas au RSA" in str(error.value)
    assert action.typologies == ["diagnostic"]
