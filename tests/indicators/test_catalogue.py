"""Each indicator on small data sets computed by hand, with the empty and edge cases: no exits
yet, every outcome unknown, a single sex, everyone masked. Run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from assessments import sessions
from assessments.checking import ItemData, example_right_response
from badges import issuance
from badges.models import VerificationChannel, VerificationEvent
from indicators import catalogue
from indicators.filters import DIMENSIONS, Filters
from learners import enrolments
from learners.database import utcnow
from learners.enrolments import EnrolmentSpec, ExitSpec
from learners.models import ExitReason, OutcomeMoment, PublicStatus, Referrer, Sex, Situation
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.indicators.factories import enrol, make_action, observe
from tests.learners.factories import make_learner, make_organisation

ALL = Filters()


def figure(db, key, filters=ALL, threshold=1):
    return catalogue.compute(db, key, filters, threshold=threshold)


@pytest.mark.parametrize("key", list(catalogue.INDICATORS))
def test_every_indicator_on_an_empty_platform_is_empty_not_masked(dbsession, key):
    empty = figure(dbsession, key, threshold=5)
    assert not empty.masked and empty.people == 0
    unit = catalogue.INDICATORS[key].unit
    assert empty.value == (0 if unit == catalogue.COUNT else None)
    for dimension in DIMENSIONS:
        assert catalogue.breakdown(dbsession, key, ALL, dimension) == []
    assert catalogue.monthly_trend(dbsession, key, ALL) == []


def test_every_indicator_has_its_french_definition():
    for indicator in catalogue.INDICATORS.values():
        assert indicator.label_fr
        said = " / " if indicator.unit == catalogue.RATE else "nombre de personnes"
        assert said in indicator.definition_fr, indicator.key


def test_entries_and_exits_count_people_in_the_period_of_their_date(dbsession):
    action = make_action(dbsession)
    other = make_action(dbsession)
    twice = enrol(dbsession, action, entry=date(2026, 1, 10)).learner
    enrol(dbsession, other, twice, entry=date(2026, 2, 1))  # one person, two paths
    enrol(dbsession, action, entry=date(2025, 12, 1), exit=date(2026, 1, 5))
    enrol(dbsession, action, entry=date(2026, 1, 2), exit=date(2026, 3, 1))
    year = Filters(period_start=date(2026, 1, 1), period_end=date(2026, 12, 31))

    assert figure(dbsession, "beneficiaires_entree").value == 3  # people, not paths
    assert figure(dbsession, "beneficiaires_entree", year).value == 2  # the 2025 entry is out
    assert figure(dbsession, "beneficiaires_sortie", year).value == 2  # both exits are in 2026
    assert figure(dbsession, "beneficiaires_entree", year).planned == 20  # two actions of 10
    by_action = catalogue.breakdown(dbsession, "beneficiaires_entree", year, "action", threshold=1)
    by_action = dict(by_action)
    assert by_action[str(action.id)].value == 2 and by_action[str(other.id)].value == 1
    trend = catalogue.monthly_trend(dbsession, "beneficiaires_sortie", ALL, threshold=1)
    assert [(m, f.value) for m, f in trend] == [("2026-01", 1), ("2026-03", 1)]


def test_participation_sums_sessions_attended_over_planned(dbsession):
    action = make_action(dbsession)
    enrol(dbsession, action, attended=3, planned=4)
    enrol(dbsession, action, attended=5, planned=6)
    enrol(dbsession, action, attended=None, planned=6)  # not known: left out
    enrol(dbsession, action, attended=2, planned=0)  # nothing planned: left out
    rate = figure(dbsession, "taux_participation")
    assert (rate.numerator, rate.denominator, rate.people) == (8, 10, 2)
    assert rate.value == pytest.approx(0.8)


def test_exit_rates_with_no_exit_yet_are_empty(dbsession):
    action = make_action(dbsession, planned_completion_rate=70)
    enrol(dbsession, action)
    for key in ("taux_suite_parcours", "taux_parcours_complets", "retour_emploi"):
        rate = figure(dbsession, key)
        assert rate.value is None and rate.denominator in (None, 0) and not rate.masked
    assert figure(dbsession, "taux_parcours_complets").planned == pytest.approx(0.7)


def test_continuation_complete_paths_and_return_to_employment(dbsession):
    action = make_action(dbsession, planned_completion_rate=50, planned_employment_rate=40)
    out = date(2026, 3, 1)
    done = enrol(dbsession, action, exit=out, reason=ExitReason.COMPLETED)
    observe(dbsession, done, Situation.OTHER_TRAINING, OutcomeMoment.EXIT)  # continues
    enrol(dbsession, action, exit=out, reason=ExitReason.COMPLETED)  # no situation: does not
    enrol(dbsession, action, exit=out, reason=ExitReason.REORIENTED)  # continues
    enrol(dbsession, action, exit=out, reason=ExitReason.FOUND_JOB)  # continues, employed
    dropped = enrol(dbsession, action, exit=out, reason=ExitReason.DROPPED_OUT)
    observe(dbsession, dropped, Situation.INTERIM, OutcomeMoment.SIX_MONTHS)  # employed later
    enrol(dbsession, action)  # still in the action: in no exit rate

    continuation = figure(dbsession, "taux_suite_parcours")
    assert (continuation.numerator, continuation.denominator) == (3, 5)
    complete = figure(dbsession, "taux_parcours_complets")
    assert (complete.numerator, complete.denominator, complete.planned) == (2, 5, 0.5)
    employed = figure(dbsession, "retour_emploi")
    assert (employed.numerator, employed.denominator, employed.planned) == (2, 5, 0.4)


def test_six_months_access_and_known_outcomes(dbsession):
    action = make_action(dbsession)
    long_ago = date(2025, 1, 15)
    situations = [Situation.CDI, Situation.QUALIFYING_TRAINING, Situation.NO_SOLUTION]
    for situation in situations:
        observe(dbsession, enrol(dbsession, action, exit=long_ago), situation)
    observe(dbsession, enrol(dbsession, action, exit=long_ago), Situation.UNKNOWN)
    enrol(dbsession, action, exit=long_ago)  # follow-up due, nothing recorded
    recent = enrol(dbsession, action, exit=date.today())  # follow-up not due yet
    observe(dbsession, recent, Situation.CDI)

    access = figure(dbsession, "acces_six_mois")
    assert (access.numerator, access.denominator, access.people) == (2, 3, 3)
    known = figure(dbsession, "situations_connues_six_mois")
    assert (known.numerator, known.denominator, known.people) == (3, 5, 5)


def test_all_outcomes_unknown_gives_no_access_rate_and_nothing_known(dbsession):
    action = make_action(dbsession)
    for _ in range(3):
        observe(dbsession, enrol(dbsession, action, exit=date(2025, 1, 15)), Situation.UNKNOWN)
    assert figure(dbsession, "acces_six_mois").value is None
    known = figure(dbsession, "situations_connues_six_mois")
    assert (known.value, known.numerator, known.denominator) == (0, 0, 3)


def test_a_single_sex_breaks_down_into_one_cell(dbsession):
    action = make_action(dbsession)
    for _ in range(3):
        enrol(dbsession, action, sex=Sex.MALE)
    cells = catalogue.breakdown(dbsession, "beneficiaires_entree", ALL, "sexe", threshold=1)
    assert [(k, f.value) for k, f in cells] == [("m", 3)]
    assert figure(dbsession, "beneficiaires_entree", Filters(sexes=("f",))).value == 0


def test_everyone_masked_under_the_threshold_in_every_output(dbsession):
    action = make_action(dbsession)
    for n in range(4):
        enrol(dbsession, action, attended=n, planned=4, exit=date(2026, 3, 1))
    for key in ("beneficiaires_entree", "taux_participation", "taux_parcours_complets"):
        shown = figure(dbsession, key, threshold=5)
        assert shown.masked and shown.value is None and shown.numerator is None
        for dimension in DIMENSIONS:
            cells = catalogue.breakdown(dbsession, key, ALL, dimension, threshold=5)
            assert all(f.masked or f.people == 0 for _, f in cells)
        trend = catalogue.monthly_trend(dbsession, key, ALL, threshold=5)
        assert trend and all(f.masked for _, f in trend)
    assert not figure(dbsession, "beneficiaires_entree", threshold=4).masked


def test_breakdowns_by_age_band_status_commune_typology_and_job(dbsession):
    action = make_action(dbsession, typologies=["diagnostic", "feminisation"], target_jobs=["j1"])
    english = make_action(dbsession, typologies=["anglais_professionnel"])
    enrol(dbsession, action, birth_year=2005, commune="01001")  # under 26 in 2026
    enrol(dbsession, action, birth_year=1970, status=PublicStatus.JOB_SEEKER)
    enrol(dbsession, english, birth_year=None, commune="01001")

    def cells(dimension, filters=ALL):
        found = catalogue.breakdown(dbsession, "beneficiaires_entree", filters, dimension, 1)
        return {k: f.value for k, f in found}

    assert cells("tranche_age") == {"moins_26": 1, "50_plus": 1, "": 1}
    assert cells("statut") == {"rsa_cer": 2, "demandeur_emploi": 1}
    assert cells("commune") == {"01001": 2, "": 1}
    assert cells("typologie") == {"diagnostic": 2, "feminisation": 2, "anglais_professionnel": 1}
    assert cells("metier") == {"j1": 2}
    assert cells("periode") == {"2026": 3}
    assert figure(dbsession, "beneficiaires_entree", Filters(age_bands=("50_plus",))).value == 1
    # Filtered on a typology, the other typologies' cells count only the actions kept.
    mixed = make_action(dbsession, typologies=["feminisation", "anglais_professionnel"])
    enrol(dbsession, mixed)
    women = Filters(typologies=("feminisation",))
    found = catalogue.breakdown(dbsession, "beneficiaires_entree", women, "typologie", 1)
    assert {k: f.value for k, f in found} == {
        "diagnostic": 2,
        "feminisation": 3,
        "anglais_professionnel": 1,
    }
    only = Filters(typologies=("anglais_professionnel",))
    assert figure(dbsession, "beneficiaires_entree", only).value == 2
    assert cells("action", only) == {str(english.id): 1, str(mixed.id): 1}


def test_planned_rates_are_weighted_by_planned_beneficiaries(dbsession):
    org = make_organisation(dbsession)
    make_action(dbsession, org, planned_beneficiaries=10, planned_success_rate=50)
    make_action(dbsession, org, planned_beneficiaries=30, planned_success_rate=90)
    make_action(dbsession, org, planned_beneficiaries=60)  # planned no rate
    assert figure(dbsession, "taux_reussite_badges").planned == pytest.approx(0.8)
    by_porteur = catalogue.breakdown(dbsession, "beneficiaires_entree", ALL, "porteur")
    assert [(k, f.planned) for k, f in by_porteur] == [(str(org.id), 100)]
    by_sex = catalogue.breakdown(dbsession, "taux_reussite_badges", ALL, "sexe")
    assert all(f.planned is None for _, f in by_sex)


def _at(day: int) -> datetime:
    return datetime(2026, 3, day, 10, tzinfo=UTC)


def test_competences_acquired_compare_first_and_last_session_of_the_path(dbsession):
    org = make_organisation(dbsession)
    action = make_action(dbsession, org)
    framework = make_framework(dbsession)
    of_action = make_campaign(dbsession, framework, organisation=org, name="De l'action")
    of_action.action_id = action.id
    of_porteur = make_campaign(dbsession, framework, organisation=org, name="Du porteur")
    elsewhere = make_campaign(dbsession, framework, name="Ailleurs")
    progressed, flat, once = (make_learner(dbsession, org) for _ in range(3))
    for learner in (progressed, flat, once):
        enrol(dbsession, action, learner, entry=date(2026, 3, 1))
    make_session(dbsession, of_action, progressed, levels={"1.1": 1, "1.2": 2}, finished_at=_at(2))
    make_session(dbsession, of_porteur, progressed, levels={"1.1": 3, "1.2": 2}, finished_at=_at(9))
    make_session(dbsession, of_action, flat, levels={"1.1": 2}, finished_at=_at(2))
    make_session(dbsession, of_action, flat, levels={"1.1": 2}, finished_at=_at(5))
    make_session(dbsession, elsewhere, flat, levels={"1.1": 5}, finished_at=_at(9))  # not counted
    make_session(dbsession, of_action, once, levels={"1.1": 1}, finished_at=_at(2))
    # Before the path began: a session of the porteur does not count.
    before = _at(1) - timedelta(days=1)
    make_session(dbsession, of_porteur, once, levels={"1.1": 0}, finished_at=before)

    acquired = figure(dbsession, "competences_acquises")
    assert (acquired.numerator, acquired.denominator) == (1, 2)
    per_competence = dict(catalogue.competence_progress(dbsession, ALL, threshold=1))
    codes = {c.code: c.id for c in framework.competences}
    assert per_competence[codes["1.1"]].numerator == 1
    assert per_competence[codes["1.1"]].denominator == 2
    assert per_competence[codes["1.2"]].value == 0


def test_badge_success_and_third_party_verification(dbsession):
    org = make_organisation(dbsession)
    action = make_action(dbsession, org, planned_success_rate=60)
    other = make_action(dbsession, org)
    achievement = make_achievement(dbsession, make_issuer(dbsession, org))
    people = [enrol(dbsession, action).learner for _ in range(4)]
    enrol(dbsession, other, people[3])

    def award(learner, key, counts_for):
        credential = issuance.issue(
            dbsession,
            achievement=achievement,
            learner=learner,
            award_key=key,
            base_url=BASE_URL,
            kek=KEK,
        ).credential
        credential.action_id = counts_for.id
        return credential

    verified = award(people[0], "a", action)
    award(people[0], "b", action)  # a second badge: still one person
    revoked = award(people[1], "c", action)
    revoked.revoked_at = _at(3)
    award(people[2], "d", other)  # counts for the other action, where they are not enrolled
    award(people[3], "e", other)
    dbsession.add(
        VerificationEvent(credential=verified, channel=VerificationChannel.QR, result="valid")
    )
    dbsession.flush()

    in_action = Filters(action_ids=(action.id,))
    success = figure(dbsession, "taux_reussite_badges", in_action)
    assert (success.numerator, success.denominator, success.planned) == (1, 4, 0.6)
    checked = figure(dbsession, "taux_verification_badges", in_action)
    assert (checked.numerator, checked.denominator, checked.people) == (1, 2, 1)
    everywhere = figure(dbsession, "taux_verification_badges")
    assert (everywhere.numerator, everywhere.denominator) == (1, 3)


def test_the_kept_levels_follow_finished_sessions_and_recorded_exits(dbsession):
    """What « compétences acquises » reads is kept by the code that writes: a path entered, two
    sessions finished during it, then an exit recorded before the second one."""
    org = make_organisation(dbsession)
    action = make_action(dbsession, org)
    framework = make_framework(dbsession)
    learner = make_learner(dbsession, org)
    today = utcnow().date()
    spec = EnrolmentSpec(Referrer.ALI, today - timedelta(days=10), PublicStatus.JOB_SEEKER)
    action.first_year, action.last_year = today.year - 1, today.year + 1
    path = enrolments.enrol(dbsession, action, learner, spec, today)
    for name in ("Premier passage", "Second passage"):
        campaign = make_campaign(dbsession, framework, organisation=org, name=name)
        session = sessions.start(dbsession, campaign.code, learner)
        item = session.current_item
        data = ItemData(item.type, item.body, item.key, item.tolerance)
        sessions.answer(dbsession, session, item.id, example_right_response(data))
        sessions.finish(dbsession, session)
    assert figure(dbsession, "competences_acquises").people == 1
    exit_spec = ExitSpec(today - timedelta(days=5), ExitReason.COMPLETED)
    enrolments.record_exit(dbsession, path, exit_spec, today)  # before both sessions
    assert figure(dbsession, "competences_acquises").people == 0
