"""The award rule builder of an achievement: the rule shown as rows and in plain French, rows
added and removed without JavaScript, « Qui l'obtiendrait ? » on a campaign (nothing written),
saving (journalled), bad input re-rendered in French, shipped badges read-only."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from badges import rule_drafts
from badges.models import Achievement, Credential
from learners.database import utcnow
from learners.models import AuditEvent, Organisation
from tests.assessments.factories import make_session
from tests.badges.test_rule_drafts import DRAFTS
from tests.learners.factories import make_learner
from tests.web.forms import csrf_token, text
from web.studio.journal import label

PAGE = "/organisations/{org}/badges/{badge}/regle"
TWO_CONDITIONS = {
    "mode": "all",
    "framework": "essai",
    "conditions-0-type": "competence_level",
    "conditions-0-competence": "1.1",
    "conditions-0-min_level": "2",
    "conditions-1-type": "score",
    "conditions-1-min_score": "20",
}


@pytest.fixture
def badge_page(world, achievements_content) -> str:
    return PAGE.format(org=world.org_a, badge=achievements_content["achievement_a"])


@pytest.fixture
def finished(app, world):
    """In A's campaign: Awa reached 1.1 level 3 (score 24), Léo 1.1 level 1 and 1.2 level 2."""
    from assessments.models import Campaign
    from web.database import db

    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        org = db.session.get(Organisation, world.org_a)
        awa = make_learner(db.session, org, name="Awa Traoré")
        leo = make_learner(db.session, org, name="Léo Martin")
        make_session(db.session, campaign, awa, levels={"1.1": 3}, finished_at=utcnow())
        make_session(db.session, campaign, leo, levels={"1.1": 1, "1.2": 2}, finished_at=utcnow())
        db.session.commit()


def post(client, path: str, data: dict, **button):
    return client.post(path, data={**data, **button, "csrf_token": csrf_token(client, path)})


def stored_rule(app, public_id: str):
    from web.database import db

    with app.app_context():
        return db.session.scalar(
            select(Achievement.award_rules).where(Achievement.public_id == public_id)
        )


def condition_rows(page: str) -> int:
    return len(re.findall(r"<legend>Condition \d+</legend>", page))


def test_the_page_shows_the_stored_rule_as_rows_and_in_plain_french(client_as, badge_page):
    page = text(client_as("trainer").get(badge_page))
    assert condition_rows(page) == 1
    assert re.search(r'<input checked [^>]*value="all"', page)
    assert "Atteindre le niveau 2 dans la compétence 1.1." in page
    assert '<option selected value="1.1">' in page


def test_rows_are_added_and_removed_by_buttons_keeping_what_was_typed(client_as, badge_page):
    client = client_as("trainer")
    added = post(client, badge_page, TWO_CONDITIONS, add="1")
    page = text(added)
    assert added.status_code == 200
    assert condition_rows(page) == 3
    assert 'value="20"' in page  # the score typed in row 2 is still there
    assert "Obtenir au moins 20 points." in page
    removed = post(client, badge_page, {**TWO_CONDITIONS, "conditions-0-remove": "1"})
    page = text(removed)
    assert condition_rows(page) == 1
    assert "Atteindre le niveau 2 dans la compétence 1.1." not in page
    assert "Obtenir au moins 20 points." in page


def test_the_dry_run_lists_who_would_get_it_and_why_not_without_writing(
    app, client_as, badge_page, world, achievements_content, finished, count_rows
):
    before = stored_rule(app, achievements_content["achievement_a"])
    response = post(
        client_as("trainer"),
        badge_page,
        {**TWO_CONDITIONS, "campaign": str(world.campaign_a)},
        try_rule="1",
    )
    page = text(response)
    assert response.status_code == 200
    assert "2 participants ont terminé l'évaluation." in page
    assert "1 l'obtiendrait" in page and "1 ne l'obtiendrait pas." in page
    earners = page.split("L'obtiendraient")[1].split("Ne l'obtiendraient pas")[0]
    assert "Awa Traoré" in earners and "Léo Martin" not in earners
    assert re.search(r"Léo Martin</strong>\s*— il manque : Atteindre le niveau 2", page)
    assert stored_rule(app, achievements_content["achievement_a"]) == before
    assert count_rows(Credential) == 0


def test_the_dry_run_refuses_another_organisations_campaign(client_as, badge_page, world):
    response = post(
        client_as("trainer"),
        badge_page,
        {**TWO_CONDITIONS, "campaign": str(world.campaign_b)},
        try_rule="1",
    )
    assert response.status_code == 422
    assert "Choisissez une campagne de votre structure." in text(response)


def test_saving_stores_the_json_and_writes_the_journal(
    app, client_as, badge_page, world, achievements_content
):
    response = post(client_as("trainer"), badge_page, TWO_CONDITIONS, save="1")
    assert response.status_code == 303
    assert stored_rule(app, achievements_content["achievement_a"]) == {
        "framework": "essai",
        "require": "all",
        "conditions": [
            {"type": "competence_level", "competence": "1.1", "min_level": 2},
            {"type": "score", "min": 20},
        ],
    }
    from web.database import db

    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "achievement.rule_saved")
        )
        assert event.organisation_id == world.org_a
        assert event.target_id == achievements_content["achievement_a"]
        assert event.detail["rule"]["conditions"][1] == {"type": "score", "min": 20}
    assert label("achievement.rule_saved") != "achievement.rule_saved"
    client = client_as("trainer")
    followed = client.post(
        badge_page,
        data={**TWO_CONDITIONS, "save": "1", "csrf_token": csrf_token(client, badge_page)},
        follow_redirects=True,
    )
    assert "La règle d'obtention est enregistrée." in text(followed)


def test_the_evidence_asked_is_saved_with_the_rule(
    app, client_as, badge_page, achievements_content
):
    evidence = {"min_answers": "5", "max_se": "0,6", "confidence": "90", "practice": "task_form"}
    response = post(client_as("trainer"), badge_page, {**TWO_CONDITIONS, **evidence}, save="1")
    assert response.status_code == 303
    stored = stored_rule(app, achievements_content["achievement_a"])
    assert stored["evidence"] == {
        "min_answers": 5,
        "max_se": 0.6,
        "confidence": 0.9,
        "practice": ["task_form"],
    }
    page = text(client_as("trainer").get(badge_page))
    assert 'value="0,6"' in page and "au moins 5 réponses" in page


def test_manual_only_is_saved_as_such(app, client_as, badge_page, achievements_content):
    response = post(
        client_as("org_admin"), badge_page, {**TWO_CONDITIONS, "mode": "manual"}, save="1"
    )
    assert response.status_code == 303
    assert stored_rule(app, achievements_content["achievement_a"]) == {"kind": "manual"}
    page = text(client_as("org_admin").get(badge_page))
    assert "Attribué à la main par un formateur" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"conditions-0-min_level": ""}, "Choisissez le niveau minimal."),
        ({"conditions-1-min_score": "beaucoup"}, "Écrivez un nombre entier de points"),
        ({"framework": ""}, "Choisissez le référentiel de l'évaluation."),
        ({"mode": "sometimes"}, "Choisissez comment le badge est obtenu."),
        ({"conditions-0-type": "magic"}, "Choisissez une condition dans la liste."),
        (
            {"conditions-1-type": "referral", "conditions-1-referrals": ["expert"]},
            "« in » doit lister des orientations parmi",
        ),
        ({"framework": "studio-b"}, "Choisissez un référentiel dans la liste."),
        ({"conditions-0-competence": "9.9"}, "la compétence « 9.9 » n'est pas dans ce référentiel"),
        ({"min_answers": "0"}, "Écrivez un nombre entier entre 1 et 50, ou rien."),
        ({"confidence": "120"}, "Écrivez un pourcentage entre 50 et 99, ou rien."),
        (
            {
                "conditions-1-type": "competences_at_level",
                "conditions-1-min_level": "2",
                "conditions-1-count": "3",
                "conditions-1-competences": ["1.1", "1.2"],
            },
            "on ne peut pas demander 3 compétences parmi 2 choisies",
        ),
    ],
)
def test_a_bad_rule_is_refused_in_french_and_nothing_typed_is_lost(
    app, client_as, badge_page, achievements_content, studio_content, changes, message
):
    before = stored_rule(app, achievements_content["achievement_a"])
    response = post(client_as("trainer"), badge_page, {**TWO_CONDITIONS, **changes}, save="1")
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert 'id="error-summary"' in page
    if changes.get("conditions-1-min_score") == "beaucoup":
        assert 'value="beaucoup"' in page
    assert stored_rule(app, achievements_content["achievement_a"]) == before


def test_a_shipped_achievement_is_read_only_for_an_association(
    app, client_as, world, achievements_content
):
    path = PAGE.format(org=world.org_a, badge=achievements_content["achievement_platform"])
    client = client_as("trainer")
    page = text(client.get(path))
    assert "vous pouvez lire sa règle et l'essayer, mais pas la modifier" in page
    assert 'name="save"' not in page
    tried = post(client, path, {**TWO_CONDITIONS, "campaign": str(world.campaign_a)}, try_rule="1")
    assert tried.status_code == 200
    refused = post(client, path, TWO_CONDITIONS, save="1")
    assert refused.status_code == 403
    before = stored_rule(app, achievements_content["achievement_platform"])
    assert before["conditions"] == [
        {"type": "competence_level", "competence": "1.1", "min_level": 2}
    ]


def formdata(draft: rule_drafts.RuleDraft) -> MultiDict:
    """What a browser posts for ``draft``."""
    data = MultiDict({"mode": draft.mode, "framework": draft.framework})
    for n, row in enumerate(draft.conditions):
        prefix = f"conditions-{n}-"
        data[prefix + "type"] = row.type
        data[prefix + "competence"] = row.competence
        for name in ("min_level", "count", "min_score"):
            value = getattr(row, name)
            data[prefix + name] = "" if value is None else str(value)
        for code in row.competences:
            data.add(prefix + "competences", code)
        for code in row.referrals:
            data.add(prefix + "referrals", code)
    evidence = draft.evidence
    data["min_answers"] = "" if evidence.min_answers is None else str(evidence.min_answers)
    data["max_se"] = "" if evidence.max_se is None else str(evidence.max_se).replace(".", ",")
    data["confidence"] = "" if evidence.confidence is None else f"{evidence.confidence * 100:g}"
    for kind in evidence.practice:
        data.add("practice", kind)
    return data


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draft=DRAFTS)
def test_the_form_reads_and_writes_rules_through_json_without_loss(app, draft):
    from web.studio.badge_rule_forms import RuleForm

    app.config["WTF_CSRF_ENABLED"] = False
    with app.test_request_context(method="POST", data=formdata(draft)):
        posted = RuleForm()
        stored = rule_drafts.to_rule(posted.draft())  # form → JSON
        assert stored == rule_drafts.to_rule(draft)
        shown = RuleForm.of(rule_drafts.from_rule(stored))  # JSON → form
        again = shown.draft()
        if draft.is_manual:
            assert again.mode == "manual"
        else:
            assert again == draft


def test_a_rule_without_any_condition_is_refused_in_plain_words(app, client_as, badge_page):
    blank = {"mode": "any", "framework": "essai", "conditions-0-type": ""}
    response = post(client_as("trainer"), badge_page, blank, save="1")
    assert response.status_code == 422
    assert "Ajoutez au moins une condition, ou choisissez « À la main seulement »." in text(
        response
    )


def test_without_javascript_a_row_shows_only_the_fields_of_its_condition(client_as, badge_page):
    page = text(post(client_as("trainer"), badge_page, TWO_CONDITIONS, preview="1"))
    parts = re.findall(r'<div class="condition-part" data-kinds="([^"]+)"( hidden)?>', page)
    shown = [kinds for kinds, hidden in parts if not hidden]
    # Row 1 (a competence at a level): competence and level; row 2 (a score): the score only.
    assert shown == [
        "competence_level",
        "competence_level competences_at_level",
        "score",
    ]


def test_the_pages_script_gets_the_rule_in_words_alone(client_as, badge_page):
    client = client_as("trainer")
    response = client.post(
        badge_page + "?partie=clair",
        data={**TWO_CONDITIONS, "csrf_token": csrf_token(client, badge_page)},
    )
    words = text(response)
    assert response.status_code == 200
    assert "<html" not in words
    assert "Atteindre le niveau 2 dans la compétence 1.1." in words
    assert "Obtenir au moins 20 points." in words
