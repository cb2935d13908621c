"""Every route has an access decision, and every decision is the one this table expects.

Adding a route? Add one entry to ``ACCESS``: the endpoint name → a list of ``Case``s, each a
request (URL formatted with the ``world`` fixture's ids: ``{org_a}``, ``{learner_b}``…) and the
status expected for each role. ``see(...)`` builds the usual shapes. Cross-organisation cases
(a trainer of A asking for B's data) belong in the same list. CSRF is off here (tested in
``test_bad_input.py``) so POST cases measure the access decision, not the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.web.conftest import ROLES
from web.authz import access_of


@dataclass(frozen=True)
class Case:
    path: str
    expect: dict[str, int]
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)


def see(anonymous: int = 302, *, default: int = 403, **by_role: int) -> dict[str, int]:
    """Expected status per role: ``default`` for roles not named, ``anonymous`` for visitors."""
    expected = {role: default for role in ROLES}
    expected["anonymous"] = anonymous
    expected.update(by_role)
    return expected


EVERYONE_200 = see(200, default=200)
SIGNED_IN_200 = see(302, default=200)
STAFF_OF_A = {"trainer": 200, "org_admin": 200, "platform_admin": 200}
STAFF_OF_A_422 = {"trainer": 422, "org_admin": 422, "platform_admin": 422}
NOT_FOUND_FOR_STAFF = {"trainer": 404, "org_admin": 404, "platform_admin": 404}
NO_BADGE = "00000000-0000-4000-8000-000000000000"  # no credential has this id
STAFF_404 = {"trainer": 404, "org_admin": 404, "platform_admin": 404}
STAFF_403 = {"trainer": 403, "org_admin": 403, "platform_admin": 403}
STAFF_400 = {"trainer": 400, "org_admin": 400, "platform_admin": 400}
STAFF_303 = {"trainer": 303, "org_admin": 303, "platform_admin": 303}
REF_A = "/organisations/{org_a}/referentiels"
STUDIO_IDS = ("framework", "domain", "competence", "item")  # ids from the studio_content fixture
# A valid rule as the builder posts it (saved: 303).
RULE = {
    "mode": "all",
    "framework": "essai",
    "conditions-0-type": "completion",
    "save": "1",
}
AWARD_IDS = ("credential", "evidence")  # ids from the awards_content fixture
AWARDERS_OF_A = {"trainer": 200, "org_admin": 200}
BADGE_A = "/organisations/{org_a}/badges/{achievement_a}"
CRED_A = "/organisations/{org_a}/credentials/{credential_a}"
ACTION_IDS = ("action", "enrolment")  # ids from the actions_content fixture
# Actions and beneficiaries: the porteur's trainers and admins only (not the platform's admins).
ASSOC_A = {"trainer": 200, "org_admin": 200}
ASSOC_A_422 = {"trainer": 422, "org_admin": 422}
ASSOC_A_404 = {"trainer": 404, "org_admin": 404}
ACT_A = "/organisations/{org_a}/actions"
ACT_B = "/organisations/{org_b}/actions"
ENR_A = ACT_A + "/{action_a}/inscriptions/{enrolment_a}"
COMP_A = REF_A + "/{framework_a}/competences/{competence_a}"
BADGES_A = "/organisations/{org_a}/badges"
BADGES_B = "/organisations/{org_b}/badges"
INDICATORS_A = "/organisations/{org_a}/indicateurs"

ACCESS: dict[str, list[Case]] = {
    "static": [Case("/static/css/jalon.css", EVERYONE_200)],
    "health.healthz": [Case("/healthz", EVERYONE_200)],
    "i18n.switch": [Case("/langue?lang=en&next=/", see(302, default=302))],
    "auth.index": [Case("/", see(302, default=302))],
    "auth.login": [
        Case("/connexion", see(200, default=302)),
        Case("/connexion", see(422, default=302), method="POST"),
    ],
    "auth.logout": [Case("/deconnexion", see(302, default=302), method="POST")],
    "auth.change_password": [
        Case("/compte/mot-de-passe", SIGNED_IN_200),
        Case("/compte/mot-de-passe", see(302, default=422), method="POST"),
    ],
    "auth.reset_request": [
        Case("/mot-de-passe-oublie", EVERYONE_200),
        Case("/mot-de-passe-oublie", see(422, default=422), method="POST"),
    ],
    "auth.reset_password": [
        Case("/mot-de-passe/nouveau/not-a-token", see(400, default=400)),
        Case("/mot-de-passe/nouveau/not-a-token", see(400, default=400), method="POST"),
    ],
    "auth.no_role": [Case("/compte/sans-role", SIGNED_IN_200)],
    "learner.home": [Case("/apprenant/", see(learner=200))],
    # « Mes données »: only the learner's own data, so no id in the URL to cross.
    "learner.my_data": [Case("/apprenant/mes-donnees", see(learner=200))],
    "learner.my_data_download": [
        Case("/apprenant/mes-donnees/jalon-mes-donnees.json", see(learner=200))
    ],
    "learner.my_data_erase": [
        Case("/apprenant/mes-donnees/effacement", see(learner=422), method="POST")
    ],
    # The assessment journey (tests/web/test_learner_journey.py covers real campaigns).
    "learner.join": [
        Case("/apprenant/rejoindre", see(learner=200)),
        Case("/apprenant/rejoindre", see(learner=422), method="POST"),
    ],
    "learner.campaign": [Case("/apprenant/campagne/NOPE-NOPE", see(learner=404))],
    "learner.start_campaign": [
        Case("/apprenant/campagne/NOPE-NOPE", see(learner=422), method="POST")
    ],
    "learner.session_item": [Case("/apprenant/evaluations/999999", see(learner=404))],
    "learner.answer": [
        Case("/apprenant/evaluations/999999/reponse", see(learner=404), method="POST")
    ],
    "learner.adjustment": [
        Case("/apprenant/evaluations/999999/amenagement", see(learner=404), method="POST")
    ],
    "learner.results": [Case("/apprenant/evaluations/999999/resultats", see(learner=404))],
    "learner.award_badges": [
        Case("/apprenant/evaluations/999999/badges", see(learner=404), method="POST")
    ],
    # « Mes badges » (tests/web/test_wallet.py covers real badges, including another learner's).
    "learner.my_badges": [Case("/apprenant/badges", see(learner=200))],
    **{
        f"learner.{endpoint}": [Case(f"/apprenant/badges/{NO_BADGE}{suffix}", see(learner=404))]
        for endpoint, suffix in (
            ("badge", ""),
            ("badge_image", "/image.png"),
            ("badge_json", "/badge.json"),
            ("badge_jwt", "/badge.jwt"),
            ("badge_png", "/badge.png"),
            ("badge_svg", "/badge.svg"),
            ("badge_qr_png", "/qr.png"),
            ("badge_qr_svg", "/qr.svg"),
            ("badge_attestation", "/attestation.pdf"),
        )
    },
    "learner.badge_visibility": [
        Case(
            f"/apprenant/badges/{NO_BADGE}/visibilite",
            see(learner=404),
            "POST",
            {"visibility": "private"},
        )
    ],
    # An achievement's award rule (tests/web/test_badge_rules.py): A's own is editable; B's
    # through A's space is not found; the platform's shipped one is read-only for A.
    "studio.award_rule": [
        Case("/organisations/{org_a}/badges/{achievement_a}/regle", see(**STAFF_OF_A)),
        Case("/organisations/{org_a}/badges/{achievement_a}/regle", see(**STAFF_303), "POST", RULE),
        Case("/organisations/{org_a}/badges/{achievement_b}/regle", see(**STAFF_404)),
        Case("/organisations/{org_a}/badges/{achievement_b}/regle", see(**STAFF_404), "POST", RULE),
        Case("/organisations/{org_b}/badges/{achievement_b}/regle", see(platform_admin=200)),
        Case("/organisations/{org_a}/badges/{achievement_platform}/regle", see(**STAFF_OF_A)),
        Case(
            "/organisations/{org_a}/badges/{achievement_platform}/regle",
            see(**STAFF_403),
            "POST",
            RULE,
        ),
        Case(f"/organisations/{{org_a}}/badges/{NO_BADGE}/regle", see(**STAFF_404)),
    ],
    "studio.organisation": [
        Case("/organisations/{org_a}/", see(**STAFF_OF_A)),
        Case("/organisations/{org_b}/", see(platform_admin=200)),  # another association's space
        Case("/organisations/999999/", see(trainer=404, org_admin=404, platform_admin=404)),
    ],
    # Results of a campaign and a learner's record (tests/web/test_studio_results.py).
    **{
        endpoint: [
            Case(f"/organisations/{{org_a}}/campagnes/{{campaign_a}}/{tail}", see(**STAFF_OF_A)),
            # B's campaign through A's space: not A's → 404, even for the platform admin.
            Case(
                f"/organisations/{{org_a}}/campagnes/{{campaign_b}}/{tail}",
                see(trainer=404, org_admin=404, platform_admin=404),
            ),
            Case(
                f"/organisations/{{org_b}}/campagnes/{{campaign_b}}/{tail}", see(platform_admin=200)
            ),
            Case(
                f"/organisations/{{org_a}}/campagnes/999999/{tail}",
                see(trainer=404, org_admin=404, platform_admin=404),
            ),
        ]
        for endpoint, tail in (
            ("studio.campaign_results", "resultats"),
            ("studio.campaign_results_csv", "resultats.csv"),
            ("studio.campaign_results_xlsx", "resultats.xlsx"),
        )
    },
    **{
        endpoint: [
            Case(f"/organisations/{{org_a}}/apprenants/{{learner}}{tail}", see(**STAFF_OF_A)),
            Case(
                f"/organisations/{{org_a}}/apprenants/{{learner_b}}{tail}",
                see(trainer=404, org_admin=404, platform_admin=404),
            ),
            Case(
                f"/organisations/{{org_b}}/apprenants/{{learner_b}}{tail}", see(platform_admin=200)
            ),
            # A staff member is not a learner: no record.
            Case(
                f"/organisations/{{org_a}}/apprenants/{{trainer}}{tail}",
                see(trainer=404, org_admin=404, platform_admin=404),
            ),
        ]
        for endpoint, tail in (
            ("studio.learner_record", ""),
            ("studio.learner_report", "/bilan.pdf"),
        )
    },
    "jobs.job_status": [Case("/taches/unknown", see(302, default=404))],
    "studio.journal": [
        Case("/organisations/{org_a}/journal", see(org_admin=200, platform_admin=200)),
        Case("/organisations/{org_b}/journal", see(platform_admin=200)),
    ],
    "studio.new_learner": [
        Case("/organisations/{org_a}/apprenants/nouveau", see(**STAFF_OF_A)),
        Case("/organisations/{org_a}/apprenants/nouveau", see(**STAFF_OF_A_422), method="POST"),
        Case("/organisations/{org_b}/apprenants/nouveau", see(platform_admin=422), method="POST"),
    ],
    "studio.renew_code": [
        # B's learner through A's space: not a learner of A → 404, even for the platform admin.
        Case(
            "/organisations/{org_a}/apprenants/{learner_b}/nouveau-code",
            see(trainer=404, org_admin=404, platform_admin=404),
            "POST",
        ),
        Case(
            "/organisations/{org_b}/apprenants/{learner_b}/nouveau-code",
            see(platform_admin=200),
            "POST",
        ),
        # A staff member is not a learner: no code to renew.
        Case(
            "/organisations/{org_a}/apprenants/{trainer}/nouveau-code",
            see(trainer=404, org_admin=404, platform_admin=404),
            "POST",
        ),
        # Last: renewing sends A's learner back to the "choose your password" page.
        Case("/organisations/{org_a}/apprenants/{learner}/nouveau-code", see(**STAFF_OF_A), "POST"),
    ],
    # The item bank (tests/web/test_studio_bank.py covers real items, answers and jobs).
    "studio.bank_list": [
        Case("/organisations/{org_a}/banque", see(**STAFF_OF_A)),
        Case("/organisations/{org_b}/banque", see(platform_admin=200)),
    ],
    "studio.bank_item": [
        Case("/organisations/{org_a}/banque/no-such-item", see(**NOT_FOUND_FOR_STAFF)),
        Case("/organisations/{org_a}/banque/no-such-item", see(**NOT_FOUND_FOR_STAFF), "POST"),
        Case("/organisations/{org_b}/banque/no-such-item", see(platform_admin=404)),
    ],
    "studio.bank_calibrate": [
        # A refused minimum (below 10) starts nothing: the list comes back with the message.
        Case(
            "/organisations/{org_a}/calibrations",
            see(**STAFF_OF_A_422),
            "POST",
            {"min_answers": "5"},
        ),
        Case(
            "/organisations/{org_b}/calibrations",
            see(platform_admin=422),
            "POST",
            {"min_answers": "5"},
        ),
    ],
    "studio.bank_calibration": [
        Case("/organisations/{org_a}/calibrations/unknown", see(**NOT_FOUND_FOR_STAFF)),
        Case("/organisations/{org_b}/calibrations/unknown", see(platform_admin=404)),
    ],
    "studio.end_sessions": [
        Case(
            "/organisations/{org_a}/apprenants/{learner_b}/fin-des-sessions",
            see(trainer=404, org_admin=404, platform_admin=404),
            "POST",
        ),
        Case(
            "/organisations/{org_a}/apprenants/{trainer}/fin-des-sessions",
            see(trainer=404, org_admin=404, platform_admin=404),
            "POST",
        ),
        Case(
            "/organisations/{org_b}/apprenants/{learner_b}/fin-des-sessions",
            see(platform_admin=302),
            "POST",
        ),
        Case(
            "/organisations/{org_a}/apprenants/{learner}/fin-des-sessions",
            see(trainer=302, org_admin=302, platform_admin=302),
            "POST",
        ),
    ],
    # Erasing a learner who cannot log in: the organisation's admins only; the erasure itself is
    # in test_learner_erasure_by_staff.py (here an empty POST: the form is refused, 422).
    "studio.erase_learner": [
        Case("/organisations/{org_a}/apprenants/{learner}/effacement", see(org_admin=200)),
        Case(
            "/organisations/{org_a}/apprenants/{learner}/effacement",
            see(org_admin=422),
            "POST",
        ),
        # B's learner through A's space, or a staff member: not a learner of A → 404.
        Case("/organisations/{org_a}/apprenants/{learner_b}/effacement", see(org_admin=404)),
        Case("/organisations/{org_a}/apprenants/{trainer}/effacement", see(org_admin=404)),
        Case(
            "/organisations/{org_a}/apprenants/{learner_b}/effacement",
            see(org_admin=404),
            "POST",
        ),
        # B's space: another organisation's, for everyone (the platform's admins included).
        Case("/organisations/{org_b}/apprenants/{learner_b}/effacement", see()),
        Case("/organisations/{org_b}/apprenants/{learner_b}/effacement", see(), "POST"),
    ],
    # Campaigns (tests/web/test_studio_campaigns.py covers what the pages do).
    "studio.campaigns": [
        Case("/organisations/{org_a}/campagnes", see(**STAFF_OF_A)),
        Case("/organisations/{org_b}/campagnes", see(platform_admin=200)),
    ],
    "studio.new_campaign": [
        Case("/organisations/{org_a}/campagnes/nouvelle", see(**STAFF_OF_A)),
        Case("/organisations/{org_a}/campagnes/nouvelle", see(**STAFF_OF_A_422), method="POST"),
        Case("/organisations/{org_b}/campagnes/nouvelle", see(platform_admin=422), method="POST"),
    ],
    **{
        f"studio.{endpoint}": [
            Case(f"/organisations/{{org_a}}/campagnes/{{campaign_a}}{suffix}", see(**STAFF_OF_A)),
            # B's campaign through A's space: not A's → 404, even for the platform admin.
            Case(
                f"/organisations/{{org_a}}/campagnes/{{campaign_b}}{suffix}",
                see(trainer=404, org_admin=404, platform_admin=404),
            ),
            Case(
                f"/organisations/{{org_b}}/campagnes/{{campaign_b}}{suffix}",
                see(platform_admin=200),
            ),
            Case(
                f"/organisations/{{org_a}}/campagnes/999999{suffix}",
                see(trainer=404, org_admin=404, platform_admin=404),
            ),
        ]
        for endpoint, suffix in (("campaign", ""), ("campaign_poster", "/affiche.pdf"))
    },
    # Changing a campaign: an empty form comes back with its errors; B's is not found.
    "studio.edit_campaign": [
        Case("/organisations/{org_a}/campagnes/{campaign_a}/modifier", see(**STAFF_OF_A)),
        Case(
            "/organisations/{org_a}/campagnes/{campaign_b}/modifier",
            see(trainer=404, org_admin=404, platform_admin=404),
        ),
        Case("/organisations/{org_b}/campagnes/{campaign_b}/modifier", see(platform_admin=200)),
        Case(
            "/organisations/{org_a}/campagnes/{campaign_a}/modifier",
            see(**STAFF_OF_A_422),
            method="POST",
        ),
        Case(
            "/organisations/{org_a}/campagnes/{campaign_b}/modifier",
            see(trainer=404, org_admin=404, platform_admin=404),
            method="POST",
        ),
    ],
    **{
        f"studio.{endpoint}": [
            Case(
                f"/organisations/{{org_a}}/campagnes/{{campaign_b}}/{action}",
                see(trainer=404, org_admin=404, platform_admin=404),
                "POST",
            ),
            Case(
                f"/organisations/{{org_b}}/campagnes/{{campaign_b}}/{action}",
                see(platform_admin=303),
                "POST",
            ),
            Case(
                f"/organisations/{{org_a}}/campagnes/{{campaign_a}}/{action}",
                see(trainer=303, org_admin=303, platform_admin=303),
                "POST",
            ),
        ]
        for endpoint, action in (
            ("open_campaign", "ouvrir"),
            ("close_campaign", "fermer"),
            ("archive_campaign", "archiver"),
        )
    },
    # Frameworks and items written in the studio (tests/web/test_studio_authoring.py covers
    # the pages): A's own content, B's (404 through A's space, even for the platform admin, as
    # the URL names A), and Jalon's shipped content (read, copied, never changed: 403).
    "studio.frameworks": [
        Case(f"{REF_A}", see(**STAFF_OF_A)),
        Case("/organisations/{org_b}/referentiels", see(platform_admin=200)),
    ],
    "studio.new_framework": [
        Case(f"{REF_A}/nouveau", see(**STAFF_OF_A)),
        Case(f"{REF_A}/nouveau", see(**STAFF_OF_A_422), "POST"),
        Case("/organisations/{org_b}/referentiels/nouveau", see(platform_admin=422), "POST"),
    ],
    "studio.framework": [
        Case(f"{REF_A}/{{framework_a}}", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_shipped}}", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_b}}", see(**STAFF_404)),
        Case("/organisations/{org_b}/referentiels/{framework_b}", see(platform_admin=200)),
    ],
    "studio.edit_framework": [
        Case(f"{REF_A}/{{framework_a}}/modifier", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_a}}/modifier", see(**STAFF_OF_A_422), "POST"),
        Case(f"{REF_A}/{{framework_shipped}}/modifier", see(**STAFF_403)),
        Case(f"{REF_A}/{{framework_b}}/modifier", see(**STAFF_404), "POST"),
    ],
    "studio.export_framework_zip": [
        Case(f"{REF_A}/{{framework_a}}/export.zip", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_b}}/export.zip", see(**STAFF_404)),
    ],
    # An item's picture: whoever may see the item (its organisation's learners and staff).
    "item_images.item_image": [
        Case("/images/items/{picture_a}", see(learner=200, trainer=200, org_admin=200)),
        Case("/images/items/{picture_b}", see(learner=404, trainer=404, org_admin=404)),
    ],
    "studio.copy_framework": [
        Case(f"{REF_A}/{{framework_shipped}}/copier", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_shipped}}/copier", see(**STAFF_OF_A_422), "POST"),
        Case(f"{REF_A}/{{framework_b}}/copier", see(**STAFF_404), "POST"),
    ],
    "studio.new_domain": [
        Case(f"{REF_A}/{{framework_a}}/domaines/nouveau", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_a}}/domaines/nouveau", see(**STAFF_OF_A_422), "POST"),
        Case(f"{REF_A}/{{framework_shipped}}/domaines/nouveau", see(**STAFF_403), "POST"),
        Case(f"{REF_A}/{{framework_b}}/domaines/nouveau", see(**STAFF_404)),
    ],
    "studio.edit_domain": [
        Case(f"{REF_A}/{{framework_a}}/domaines/{{domain_a}}/modifier", see(**STAFF_OF_A)),
        Case(
            f"{REF_A}/{{framework_a}}/domaines/{{domain_a}}/modifier", see(**STAFF_OF_A_422), "POST"
        ),
        Case(f"{REF_A}/{{framework_a}}/domaines/{{domain_b}}/modifier", see(**STAFF_404), "POST"),
        Case(
            f"{REF_A}/{{framework_shipped}}/domaines/{{domain_shipped}}/modifier", see(**STAFF_403)
        ),
    ],
    "studio.new_competence": [
        Case(f"{REF_A}/{{framework_a}}/competences/nouvelle", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_a}}/competences/nouvelle", see(**STAFF_OF_A_422), "POST"),
        Case(f"{REF_A}/{{framework_b}}/competences/nouvelle", see(**STAFF_404), "POST"),
    ],
    "studio.edit_competence": [
        Case(f"{REF_A}/{{framework_a}}/competences/{{competence_a}}/modifier", see(**STAFF_OF_A)),
        Case(
            f"{REF_A}/{{framework_a}}/competences/{{competence_a}}/modifier",
            see(**STAFF_OF_A_422),
            "POST",
        ),
        # B's competence under A's framework, and under B's framework.
        Case(f"{REF_A}/{{framework_a}}/competences/{{competence_b}}/modifier", see(**STAFF_404)),
        Case(
            f"{REF_A}/{{framework_b}}/competences/{{competence_b}}/modifier",
            see(**STAFF_404),
            "POST",
        ),
    ],
    "studio.competence": [
        Case(f"{REF_A}/{{framework_a}}/competences/{{competence_a}}", see(**STAFF_OF_A)),
        Case(
            f"{REF_A}/{{framework_shipped}}/competences/{{competence_shipped}}",
            see(**STAFF_OF_A),
        ),
        Case(f"{REF_A}/{{framework_a}}/competences/{{competence_b}}", see(**STAFF_404)),
        Case(f"{REF_A}/{{framework_b}}/competences/{{competence_b}}", see(**STAFF_404)),
    ],
    "studio.new_item": [
        Case(f"{COMP_A}/questions/nouvelle/qcu", see(**STAFF_OF_A)),
        Case(f"{COMP_A}/questions/nouvelle/number", see(**STAFF_OF_A_422), "POST"),
        Case(f"{COMP_A}/questions/nouvelle/inconnu", see(**STAFF_404)),
        Case(
            f"{REF_A}/{{framework_shipped}}/competences/{{competence_shipped}}"
            "/questions/nouvelle/qcu",
            see(**STAFF_403),
            "POST",
        ),
        Case(
            f"{REF_A}/{{framework_b}}/competences/{{competence_b}}/questions/nouvelle/qcu",
            see(**STAFF_404),
        ),
    ],
    "studio.edit_item": [
        Case(f"{REF_A}/{{framework_a}}/questions/{{item_a}}", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_a}}/questions/{{item_a}}", see(**STAFF_OF_A_422), "POST"),
        Case(f"{REF_A}/{{framework_a}}/questions/{{item_b}}", see(**STAFF_404)),
        Case(f"{REF_A}/{{framework_b}}/questions/{{item_b}}", see(**STAFF_404), "POST"),
        Case(f"{REF_A}/{{framework_shipped}}/questions/{{item_shipped}}", see(**STAFF_403)),
    ],
    # An earlier version of an item (A's test item has none: 404 once the role passes; the
    # page itself is in tests/web/test_studio_authoring.py), B's through A's space, shipped.
    "studio.item_version": [
        Case(f"{REF_A}/{{framework_a}}/questions/{{item_a}}/versions/1", see(**STAFF_404)),
        Case(f"{REF_A}/{{framework_b}}/questions/{{item_b}}/versions/1", see(**STAFF_404)),
        Case(
            f"{REF_A}/{{framework_shipped}}/questions/{{item_shipped}}/versions/1",
            see(**STAFF_403),
        ),
    ],
    "studio.item_status": [
        Case(
            f"{REF_A}/{{framework_a}}/questions/{{item_b}}/statut",
            see(**STAFF_404),
            "POST",
            {"status": "validated"},
        ),
        Case(
            f"{REF_A}/{{framework_shipped}}/questions/{{item_shipped}}/statut",
            see(**STAFF_403),
            "POST",
            {"status": "archived"},
        ),
        Case(
            f"{REF_A}/{{framework_a}}/questions/{{item_a}}/statut",
            see(**STAFF_400),
            "POST",
            {"status": "nothing"},
        ),
        # Last: draft → validated, then a second time the change cannot follow (409).
        Case(
            f"{REF_A}/{{framework_a}}/questions/{{item_a}}/statut",
            see(trainer=303, org_admin=409, platform_admin=409),
            "POST",
            {"status": "validated"},
        ),
    ],
    "studio.validate_drafts": [
        Case(f"{REF_A}/{{framework_b}}/valider-brouillons", see(**STAFF_404), "POST"),
        Case(f"{REF_A}/{{framework_shipped}}/valider-brouillons", see(**STAFF_403), "POST"),
        Case(f"{REF_A}/{{framework_a}}/valider-brouillons", see(**STAFF_303), "POST"),
    ],
    "studio.export_framework": [
        Case(f"{REF_A}/{{framework_a}}/export.json", see(**STAFF_OF_A)),
        Case(f"{REF_A}/{{framework_shipped}}/export.json", see(**STAFF_403)),
        Case(f"{REF_A}/{{framework_b}}/export.json", see(**STAFF_404)),
        Case(
            "/organisations/{org_b}/referentiels/{framework_b}/export.json", see(platform_admin=200)
        ),
    ],
    "studio.import_framework": [
        Case(f"{REF_A}/import", see(**STAFF_OF_A)),
        Case(f"{REF_A}/import", see(**STAFF_OF_A_422), "POST"),
        Case("/organisations/{org_b}/referentiels/import", see(platform_admin=422), "POST"),
    ],
    "studio.confirm_import": [
        # No file kept under this token (nor any other organisation's): refused, nothing written.
        Case(f"{REF_A}/import/confirmer", see(**STAFF_OF_A_422), "POST", {"token": "x" * 32}),
        Case(
            "/organisations/{org_b}/referentiels/import/confirmer", see(platform_admin=422), "POST"
        ),
    ],
    # The badge studio (tests/web/test_studio_badges.py covers real designs).
    "studio.badges": [
        Case(BADGES_A, see(**STAFF_OF_A)),
        Case(BADGES_B, see(platform_admin=200)),
    ],
    "studio.new_badge": [
        Case(f"{BADGES_A}/nouveau", see(**STAFF_OF_A)),
        Case(f"{BADGES_A}/nouveau", see(**STAFF_OF_A_422), "POST"),
        Case(f"{BADGES_B}/nouveau", see(platform_admin=422), "POST"),
    ],
    "studio.badge": [
        Case(f"{BADGES_A}/{{achievement_a}}", see(**STAFF_OF_A)),
        Case(f"{BADGES_A}/{{achievement_b}}", see(**STAFF_404)),  # B's badge through A's space
        Case(f"{BADGES_B}/{{achievement_b}}", see(platform_admin=200)),
        Case(f"{BADGES_A}/unknown", see(**STAFF_404)),
        Case(f"{BADGES_A}/{{achievement_platform}}", see(**STAFF_404)),  # shipped: not A's
    ],
    "studio.edit_badge": [
        Case(f"{BADGES_A}/{{achievement_a}}/modifier", see(**STAFF_OF_A)),
        Case(f"{BADGES_A}/{{achievement_a}}/modifier", see(**STAFF_OF_A_422), "POST"),
        Case(f"{BADGES_A}/{{achievement_b}}/modifier", see(**STAFF_404)),
        Case(f"{BADGES_A}/{{achievement_b}}/modifier", see(**STAFF_404), "POST"),
        Case(f"{BADGES_B}/{{achievement_b}}/modifier", see(platform_admin=200)),
    ],
    "studio.publish_badge": [
        Case(f"{BADGES_A}/{{achievement_a}}/publier", see(**STAFF_303), "POST"),
        Case(f"{BADGES_A}/{{achievement_b}}/publier", see(**STAFF_404), "POST"),
        Case(f"{BADGES_B}/{{achievement_b}}/publier", see(platform_admin=303), "POST"),
    ],
    # An import's progress page: a job of another organisation (or none) is not found.
    "studio.import_progress": [
        Case(f"{REF_A}/import/aucune-tache", see(**STAFF_404)),
        Case("/organisations/{org_b}/referentiels/import/aucune-tache", see(platform_admin=404)),
    ],
    # API tokens: the département's admin only (tests/web/test_api_tokens_pages.py covers them);
    # an association admin is refused the département's page, and an association has none.
    "tokens.api_tokens_page": [
        Case("/departement/{departement}/jetons-api", see()),
        Case("/departement/{departement}/jetons-api", see(), "POST", {"name": "x"}),
        Case("/departement/{org_a}/jetons-api", see(org_admin=404)),
        Case("/departement/{org_a}/jetons-api", see(org_admin=404), "POST", {"name": "x"}),
    ],
    "tokens.revoke_api_token": [
        Case("/departement/{departement}/jetons-api/999999/revoquer", see(), "POST"),
        Case("/departement/{org_a}/jetons-api/999999/revoquer", see(org_admin=404), "POST"),
    ],
    "department.home": [
        Case("/departement/", see(department=200)),
        Case("/departement/?porteur={org_a}&ventilation=sexe&du=n'importe", see(department=200)),
    ],
    "department.export": [
        Case("/departement/indicateurs.csv", see(department=200)),
        Case("/departement/indicateurs.xlsx?ventilation=commune", see(department=200)),
    ],
    "department.action_bilan": [
        Case("/departement/actions/{action_a}/bilan.pdf", see(department=200)),
        Case("/departement/actions/999999/bilan.pdf", see(department=404)),
    ],
    # An association's indicators: its own actions only (tests/web/test_department_dashboard.py).
    "studio.indicators": [
        Case("/organisations/{org_a}/indicateurs", see(**STAFF_OF_A)),
        Case("/organisations/{org_b}/indicateurs", see(platform_admin=200)),
    ],
    "studio.indicators_export": [
        Case("/organisations/{org_a}/indicateurs.csv", see(**STAFF_OF_A)),
        Case("/organisations/{org_a}/indicateurs.xlsx", see(**STAFF_OF_A)),
        Case("/organisations/{org_b}/indicateurs.csv", see(platform_admin=200)),
    ],
    "studio.action_bilan": [
        Case(f"{INDICATORS_A}/actions/{{action_a}}/bilan.pdf", see(**STAFF_OF_A)),
        Case(f"{INDICATORS_A}/actions/{{action_b}}/bilan.pdf", see(**STAFF_404)),
        Case(
            "/organisations/{org_b}/indicateurs/actions/{action_b}/bilan.pdf",
            see(platform_admin=200),
        ),
    ],
    # Endorsements (tests/web/test_endorsement_pages.py covers a partner employer's admins,
    # another employer's endorsements and real endorsements).
    "endorsements.department": [
        Case("/departement/reconnaissances", see(department=200)),
        Case("/departement/reconnaissances", see(department=422), "POST"),
    ],
    "endorsements.department_withdraw": [
        Case(f"/departement/reconnaissances/{NO_BADGE}/retrait", see(department=404), "POST")
    ],
    "endorsements.partner": [
        # An association is no endorser: even its admin is refused.
        Case("/studio/{org_a}/reconnaissances", see()),
        Case("/studio/{org_a}/reconnaissances", see(), "POST"),
        Case("/studio/{departement}/reconnaissances", see()),
        Case("/studio/999999/reconnaissances", see(org_admin=404)),
    ],
    "endorsements.partner_withdraw": [
        Case(f"/studio/{{org_a}}/reconnaissances/{NO_BADGE}/retrait", see(), "POST"),
        Case(f"/studio/{{org_b}}/reconnaissances/{NO_BADGE}/retrait", see(), "POST"),
    ],
    # Funded actions, enrolments, exits, outcomes (tests/web/test_studio_actions.py).
    "studio.actions_list": [
        Case(ACT_A, see(**ASSOC_A)),
        Case(ACT_A + "?archivees=1", see(**ASSOC_A)),
        Case(ACT_B, see()),  # another association's actions
    ],
    "studio.new_action": [
        Case(ACT_A + "/nouvelle", see(**ASSOC_A)),
        Case(ACT_A + "/nouvelle", see(**ASSOC_A_422), "POST"),
        Case(ACT_B + "/nouvelle", see(), "POST"),
    ],
    "studio.action": [
        Case(ACT_A + "/{action_a}", see(**ASSOC_A)),
        Case(ACT_A + "/{action_b}", see(**ASSOC_A_404)),  # B's action through A's space
        Case(ACT_B + "/{action_b}", see()),
        Case(ACT_A + "/999999", see(**ASSOC_A_404)),
    ],
    "studio.edit_action": [
        Case(ACT_A + "/{action_a}/modifier", see(**ASSOC_A)),
        Case(ACT_A + "/{action_a}/modifier", see(**ASSOC_A_422), "POST"),
        Case(ACT_A + "/{action_b}/modifier", see(**ASSOC_A_404), "POST"),
        Case(ACT_B + "/{action_b}/modifier", see(), "POST"),
    ],
    "studio.archive_action": [
        Case(ACT_A + "/{action_b}/archiver", see(**ASSOC_A_404), "POST"),
        Case(ACT_B + "/{action_b}/archiver", see(), "POST"),
        Case(ACT_A + "/{action_a}/archiver", see(trainer=303, org_admin=303), "POST"),
    ],
    "studio.new_enrolment": [
        Case(ACT_A + "/{action_a}/inscrire", see(**ASSOC_A)),
        Case(ACT_A + "/{action_a}/inscrire", see(**ASSOC_A_422), "POST"),
        Case(ACT_A + "/{action_b}/inscrire", see(**ASSOC_A_404), "POST"),
        Case(ACT_B + "/{action_b}/inscrire", see(), "POST"),
    ],
    **{
        f"studio.enrolment_{endpoint}": [
            Case(f"{ENR_A}/{tail}", see(**ASSOC_A)),
            Case(f"{ENR_A}/{tail}", see(**ASSOC_A_422), "POST"),
            # B's enrolment under A's action, and B's action through A's space: 404.
            Case(ACT_A + f"/{{action_a}}/inscriptions/{{enrolment_b}}/{tail}", see(**ASSOC_A_404)),
            Case(
                ACT_A + f"/{{action_b}}/inscriptions/{{enrolment_b}}/{tail}",
                see(**ASSOC_A_404),
                "POST",
            ),
            Case(ACT_B + f"/{{action_b}}/inscriptions/{{enrolment_b}}/{tail}", see()),
        ]
        for endpoint, tail in (("exit", "sortie"), ("outcome", "situation"))
    },
    "studio.follow_ups_due": [
        Case("/organisations/{org_a}/suivis-a-six-mois", see(**ASSOC_A)),
        Case("/organisations/{org_b}/suivis-a-six-mois", see()),
    ],
    "studio.enrolment_import_template": [
        Case(ACT_A + "/modele-inscriptions.csv", see(**ASSOC_A)),
        Case(ACT_B + "/modele-inscriptions.csv", see()),
    ],
    "studio.enrolment_import_page": [
        Case(ACT_A + "/{action_a}/import", see(**ASSOC_A)),
        Case(ACT_A + "/{action_a}/import", see(**ASSOC_A_422), "POST"),
        Case(ACT_A + "/{action_b}/import", see(**ASSOC_A_404), "POST"),
        Case(ACT_B + "/{action_b}/import", see(), "POST"),
    ],
    "studio.confirm_enrolment_import": [
        # No file kept under this token: refused, nothing written.
        Case(
            ACT_A + "/{action_a}/import/confirmer", see(**ASSOC_A_422), "POST", {"token": "x" * 32}
        ),
        Case(ACT_A + "/{action_b}/import/confirmer", see(**ASSOC_A_404), "POST"),
        Case(ACT_B + "/{action_b}/import/confirmer", see(), "POST"),
    ],
    "studio.enrolment_import_job": [
        Case(ACT_A + "/{action_a}/import/unknown", see(**ASSOC_A_404)),
        Case(ACT_B + "/{action_b}/import/unknown", see()),
    ],
    "admin.organisations": [Case("/admin/organisations", see(platform_admin=200))],
    "admin.new_organisation_admin": [
        Case("/admin/organisations/{org_a}/administrateur", see(platform_admin=200)),
        Case("/admin/organisations/{org_a}/administrateur", see(platform_admin=422), "POST"),
        Case("/admin/organisations/999999/administrateur", see(platform_admin=404)),
    ],
    "admin.new_organisation": [
        Case("/admin/organisations/nouvelle", see(platform_admin=200)),
        Case("/admin/organisations/nouvelle", see(platform_admin=422), method="POST"),
    ],
    # Public badge URLs (tests/web/test_public_badges.py covers the 200s with real badges).
    "verify.credential": [Case("/c/00000000-0000-4000-8000-000000000000", see(404, default=404))],
    "verify.issuer": [Case("/issuers/unknown", see(404, default=404))],
    "verify.achievement": [Case("/achievements/unknown", see(404, default=404))],
    "verify.achievement_image": [
        Case("/achievements/unknown/image/0123456789abcdef.png", see(404, default=404))
    ],
    "verify.status_list": [Case("/status/unknown/unknown", see(404, default=404))],
    "verify.did_document": [Case("/.well-known/did.json", see(404, default=404))],
    # The public verifier (tests/web/test_verify_pages.py covers real files).
    "verify.verifier": [
        Case("/verifier", EVERYONE_200),
        Case("/verifier", see(422, default=422), method="POST"),
    ],
    # Awarding (tests/web/test_awards.py covers real awards). The platform admin is not an
    # awarder; another association's badge or credential through A's space answers 404.
    **{
        endpoint: [
            Case(f"{BADGE_A}/{tail}", see(**AWARDERS_OF_A)),
            Case(f"{BADGE_A}/{tail}", see(trainer=422, org_admin=422), method="POST"),
            Case(
                "/organisations/{org_a}/badges/{achievement_b}/" + tail,
                see(trainer=404, org_admin=404),
            ),
            Case("/organisations/{org_b}/badges/{achievement_b}/" + tail, see()),
        ]
        for endpoint, tail in (
            ("studio.award_badge", "attribuer"),
            ("studio.bulk_award", "attribuer-en-lot"),
        )
    },
    "studio.bulk_award_start": [
        Case(f"{BADGE_A}/attribuer-en-lot/lancer", see(trainer=400, org_admin=400), "POST"),
        Case(
            "/organisations/{org_a}/badges/{achievement_b}/attribuer-en-lot/lancer",
            see(trainer=404, org_admin=404),
            "POST",
        ),
        Case(
            "/organisations/{org_b}/badges/{achievement_b}/attribuer-en-lot/lancer", see(), "POST"
        ),
    ],
    "studio.bulk_award_job_page": [
        Case(f"{BADGE_A}/attribuer-en-lot/nojob", see(trainer=404, org_admin=404)),
        Case("/organisations/{org_b}/badges/{achievement_b}/attribuer-en-lot/nojob", see()),
    ],
    "studio.credential": [
        Case(CRED_A, see(**AWARDERS_OF_A)),
        Case("/organisations/{org_a}/credentials/{credential_b}", see(trainer=404, org_admin=404)),
        Case("/organisations/{org_b}/credentials/{credential_b}", see()),
    ],
    "studio.credential_status": [
        Case(
            CRED_A + "/suspendre", see(trainer=303, org_admin=422), "POST", {"reason": "Contrôle"}
        ),
        Case(CRED_A + "/retablir", see(trainer=303, org_admin=422), "POST", {"reason": "Fini"}),
        Case(CRED_A + "/effacer", see(trainer=404, org_admin=404), "POST", {"reason": "x"}),
        Case(
            "/organisations/{org_a}/credentials/{credential_b}/revoquer",
            see(trainer=404, org_admin=404),
            "POST",
            {"reason": "x"},
        ),
        Case("/organisations/{org_b}/credentials/{credential_b}/revoquer", see(), "POST"),
    ],
    # The evidence file: its holder and A's staff; B's trainer, another learner, the platform
    # admin and the département get the same 404 as for no file; a visitor is asked to log in.
    "evidence.evidence_file": [
        Case("/preuves/{evidence_a}", see(learner=200, trainer=200, org_admin=200, default=404)),
        Case("/preuves/{evidence_b}", see(default=404)),
        Case("/preuves/nothing", see(default=404)),
    ],
    "evidence.evidence_visibility": [
        Case(
            "/preuves/{evidence_b}/visibilite", see(learner=404), "POST", {"visibility": "public"}
        ),
        Case(
            "/preuves/{evidence_a}/visibilite", see(learner=303), "POST", {"visibility": "public"}
        ),
    ],
    # The JSON API (tests/web/test_api.py and test_verify_pages.py cover real requests).
    "api.verifier": [Case("/api/verifier", see(400, default=400), method="POST")],
    # The indicators API opens with a token only, never a session: every signed-in role,
    # the département included, gets 401 without one (tests/web/test_api_indicators.py).
    "api.indicator_catalogue": [Case("/api/v1/indicators", see(401, default=401))],
    "api.indicator": [Case("/api/v1/indicators/retour_emploi", see(401, default=401))],
    "api.openapi_document": [Case("/api/v1/openapi.json", EVERYONE_200)],
}


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - ACCESS.keys())
    assert not missing, (
        f"routes without a row in ACCESS (tests/web/test_access_rules.py): {missing}"
    )
    stale = sorted(ACCESS.keys() - endpoints)
    assert not stale, f"rows in ACCESS for routes that no longer exist: {stale}"


def test_every_method_of_every_route_is_exercised(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        tested = {case.method for case in ACCESS.get(rule.endpoint, [])}
        assert methods <= tested, f"{rule.endpoint}: no case for {sorted(methods - tested)}"


def test_every_view_carries_an_access_decision(app):
    undecided = sorted(e for e, view in app.view_functions.items() if access_of(view) is None)
    assert not undecided, f"views without @public/@signed_in/@requires: {undecided}"


def test_a_view_without_decision_is_refused(app, client_as):
    """Deny by default: a route added without a decision answers 403 even to the platform admin."""
    app.add_url_rule("/undecided", "undecided", lambda: "secret")
    for role in ("anonymous", "platform_admin"):
        response = client_as(role).get("/undecided")
        assert response.status_code == 403
        assert b"secret" not in response.data


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_access_rule(endpoint, app, world, client_as, request):
    app.config["WTF_CSRF_ENABLED"] = False
    ids = dict(world.ids)
    if any(f"{{{name}_" in case.path for case in ACCESS[endpoint] for name in STUDIO_IDS):
        ids.update(request.getfixturevalue("studio_content"))  # frameworks written in the studio
    if any("{picture_" in case.path for case in ACCESS[endpoint]):
        ids.update(request.getfixturevalue("picture_content"))  # items with a picture
    if any("{achievement_" in case.path for case in ACCESS[endpoint]):
        ids.update(request.getfixturevalue("achievements_content"))
    if any(f"{{{name}_" in case.path for case in ACCESS[endpoint] for name in AWARD_IDS):
        ids.update(request.getfixturevalue("awards_content"))  # badges awarded by hand
    if any("{action_" in case.path for case in ACCESS[endpoint]):
        ids.update(request.getfixturevalue("world_actions"))  # one funded action per association
    if any(f"{{{name}_" in case.path for case in ACCESS[endpoint] for name in ACTION_IDS):
        ids.update(request.getfixturevalue("actions_content"))  # actions and enrolments
    failures = []
    for case in ACCESS[endpoint]:
        path = case.path.format(**ids)
        for role in ROLES:
            response = client_as(role).open(path, method=case.method, data=case.data)
            if response.status_code != case.expect[role]:
                failures.append(
                    f"{case.method} {path} as {role}: "
                    f"{response.status_code}, expected {case.expect[role]}"
                )
    assert not failures, "\n".join(failures)
