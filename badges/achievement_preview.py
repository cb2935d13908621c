"""The preview of an achievement before it is published: the credential a learner would
receive, built by the real OB 3.0 builder for a fictitious holder and **not signed** (nothing
here could pass for a real badge: no proof, no status entry, an ``urn:uuid`` id that no page
serves, and the word « aperçu » in its evidence)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from badges import achievements, issuance, issuers
from badges.models import Achievement, Issuer
from badges.ob3 import build
from learners.database import utcnow

SAMPLE_HOLDER = "apercu"
PREVIEW_NOTE = "Aperçu : ce badge n'a été délivré à personne et n'est pas signé."


def _sample_results(achievement: Achievement) -> list[build.ResultDef]:
    """The highest level of each competence the achievement describes, to show their words."""
    results = []
    for description in achievement.result_descriptions or []:
        levels = description.get("rubricCriterionLevel") or []
        if levels:
            results.append(
                build.ResultDef(
                    result_description=description["id"], achieved_level=levels[-1]["id"]
                )
            )
    return results


def sample_credential(
    achievement: Achievement, issuer: Issuer, base_url: str, now: datetime | None = None
) -> dict[str, Any]:
    """The unsigned AchievementCredential ``achievement`` would give, as of ``now``."""
    now = (now or utcnow()).replace(microsecond=0)
    valid_until = (
        issuance.add_months(now, achievement.validity_months)
        if achievement.validity_months
        else None
    )
    return build.build_achievement_credential(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=issuers.profile(issuer, base_url),
        achievement=achievements.definition(achievement, base_url, inline_image=True),
        recipient=build.Recipient(identity=SAMPLE_HOLDER, identity_type="systemId"),
        valid_from=now,
        valid_until=valid_until,
        results=_sample_results(achievement),
        evidence=[build.Evidence(name="Aperçu", narrative=PREVIEW_NOTE)],
        options=build.CredentialOptions(awarded_date=now),
    )
