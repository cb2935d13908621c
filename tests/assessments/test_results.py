"""What a finished session's results page says (``assessments.results``), without Flask: lines
strongest first with the framework's own descriptors, the orientation in words, both languages."""

from __future__ import annotations

import json

import pytest

from assessments import checking, content_io, results, sessions
from assessments.models import AssessmentSession
from tests.assessments.factories import make_campaign, make_premiers_pas, make_tour_campaign
from tests.learners.factories import make_learner, make_organisation

SHIPPED = json.loads(
    (content_io.CONTENT_DIR / "frameworks" / "premiers-pas.json").read_text(encoding="utf-8")
)
DESCRIPTORS = {
    c["code"]: {int(level): text for level, text in c.get("levels", {}).items()}
    for d in SHIPPED["domains"]
    for c in d["competences"]
}


def run(db, code: str, learner, *, right: bool) -> AssessmentSession:
    session = sessions.start(db, code, learner)
    while not session.finished:
        item = session.current_item
        if right:
            sessions.answer(db, session, item.id, checking.example_right_response(item))
        else:
            sessions.skip(db, session, item.id)
    db.commit()
    return session


@pytest.fixture
def tour(dbsession):
    campaign = make_tour_campaign(dbsession, make_organisation(dbsession))
    dbsession.commit()
    return campaign


def test_lines_come_strongest_first_with_the_frameworks_own_descriptors(dbsession, tour):
    session = run(dbsession, tour.code, make_learner(dbsession), right=True)
    shown = results.results(dbsession, session, "fr")
    stored = {r.competence.code: r.level for r in session.results}
    assert [line.code for line in shown.lines] == sorted(
        stored, key=lambda code: (-stored[code], code)
    )
    for line in shown.lines:
        assert line.level == stored[line.code]
        assert line.can_do == (DESCRIPTORS[line.code].get(line.level) if line.level else None)
        assert line.next_step == DESCRIPTORS[line.code].get(line.level + 1)
    assert any(line.can_do for line in shown.lines)  # the right answers reached some level
    assert shown.scale == max(level for levels in DESCRIPTORS.values() for level in levels)
    assert shown.answered == len(session.responses) == 12
    assert shown.assessment_title == "Découverte : une question de chaque sorte"
    assert shown.framework_title == SHIPPED["title"]["fr"]
    assert shown.colour == SHIPPED["colour"]


def test_the_orientation_is_given_in_words_with_its_next_steps(dbsession, tour):
    session = run(dbsession, tour.code, make_learner(dbsession), right=True)
    code = session.referral.value
    french = results.results(dbsession, session, "fr").referral
    assert french.code == code
    assert french.label == SHIPPED["referral"]["labels"][code]["fr"]
    assert french.next_steps == SHIPPED["referral"]["next_steps"][code]["fr"]
    english = results.results(dbsession, session, "en")
    assert english.referral.label == SHIPPED["referral"]["labels"][code]["en"]
    assert english.framework_title == SHIPPED["title"]["en"]
    titles = {c["code"]: c["title"] for d in SHIPPED["domains"] for c in d["competences"]}
    assert all(line.title == titles[line.code]["en"] for line in english.lines)


def test_a_person_discovering_a_competence_gets_no_can_do_but_a_next_step(dbsession, tour):
    session = run(dbsession, tour.code, make_learner(dbsession), right=False)
    shown = results.results(dbsession, session, "fr")
    assert shown.lines and all(line.level == 0 for line in shown.lines)
    assert all(line.can_do is None for line in shown.lines)
    assert all(line.next_step == DESCRIPTORS[line.code].get(1) for line in shown.lines)


def test_a_levels_framework_has_no_orientation_and_french_stands_in_for_english(dbsession):
    campaign = make_campaign(dbsession)
    session = run(dbsession, campaign.code, make_learner(dbsession), right=True)
    shown = results.results(dbsession, session, "en")
    assert shown.referral is None
    by_code = {line.code: line for line in shown.lines}
    assert by_code["4.1"].title == "Se protéger"  # no English title: the French one
    assert by_code["1.1"].title == "Search"
    assert shown.scale == 2  # the test framework describes levels 1 and 2 only


def test_an_unfinished_session_has_no_results(dbsession, tour):
    session = sessions.start(dbsession, tour.code, make_learner(dbsession))
    with pytest.raises(results.SessionNotFinished):
        results.results(dbsession, session, "fr")


def test_localised_prefers_the_locale_then_the_other_language():
    assert results.localised("Chercher", "Search", "en") == "Search"
    assert results.localised("Chercher", "Search", "fr") == "Chercher"
    assert results.localised("Chercher", None, "en") == "Chercher"
    assert results.localised(None, "Search", "fr") == "Search"
    assert results.localised(None, None, "fr") == ""


def test_below_autonome_the_page_names_what_the_diagnostic_did_not_show(dbsession):
    """An adaptive diagnostic answered right except on the keyboard (1.2): the engine asks one
    practice task of each kind, the orientation stops at « à accompagner » however high the
    general level, and the results name the keyboard; answered right everywhere, it is
    « autonome » with nothing to name."""
    from assessments.models import AssessmentMode, Referral

    framework = make_premiers_pas(dbsession)
    organisation = make_organisation(dbsession)
    campaign = make_campaign(
        dbsession, framework, mode=AssessmentMode.ADAPTIVE, organisation=organisation,
        min_items=10, max_items=24,
    )  # fmt: skip
    dbsession.commit()

    def take(name, weak):
        session = sessions.start(dbsession, campaign.code, make_learner(dbsession, name=name))
        while not session.finished:
            item = session.current_item
            if item.competence.code == weak:
                sessions.skip(dbsession, session, item.id)
            else:
                sessions.answer(dbsession, session, item.id, checking.example_right_response(item))
        dbsession.commit()
        return session

    uneven = take("Awa", weak="1.2")
    kinds = {r.item.type.value for r in uneven.responses}
    assert {"task_webmail", "task_form", "task_phishing"} <= kinds
    assert uneven.referral == Referral.A_ACCOMPAGNER
    advice = results.results(dbsession, uneven, "fr").referral
    # The keyboard is named; a competence the 24 questions could not cover enough may be too.
    assert "Utiliser le clavier" in advice.not_shown and advice.practice_not_shown == ()

    strong = take("Léo", weak=None)
    assert strong.referral == Referral.AUTONOME
    advice = results.results(dbsession, strong, "fr").referral
    assert advice.not_shown == advice.practice_not_shown == ()
