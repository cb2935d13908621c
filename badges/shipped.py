"""The achievements shipped with Jalon (``badges/content/achievements.json``): one or more per
shipped framework, installed for an issuer with an image drawn in the framework's colour.

Used by the demo (``badges/demo.py``) and by tests that need the real badges of a framework.
An entry that renames a badge lists its former names in ``"replaces"``: installing it archives
the issuer's achievement of that name, which is then no longer awarded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.frameworks import CERTIFICATION_CURRENT, certification_state, get_framework
from badges import achievements, awarding, images
from badges.models import Achievement, Issuer

ACHIEVEMENTS_FILE = Path(__file__).parent / "content" / "achievements.json"
BADGE_SIZE = 300  # pixels: sharp on a phone, small enough to ride inside every credential


def shipped_achievements() -> list[dict[str, Any]]:
    return json.loads(ACHIEVEMENTS_FILE.read_text(encoding="utf-8"))["achievements"]


def install_achievement(db: Session, issuer: Issuer, entry: dict[str, Any]) -> Achievement:
    """One shipped achievement for ``issuer`` (matched by name), drawn in its framework's colour
    and describing the framework's competences and levels. The achievements it replaces (its
    ``replaces``: former names) are archived, so a renamed badge is not awarded twice; the
    credentials already issued under a former name stay valid."""
    _archive_replaced(db, issuer, entry.get("replaces", []))
    found = db.scalar(
        select(Achievement).where(
            Achievement.issuer_id == issuer.id, Achievement.name == entry["name"]
        )
    )
    if found is not None:
        return found
    framework = get_framework(db, entry["framework"])
    design = images.BadgeDesign(
        colour=framework.colour or "#1f5fa8",
        icon=entry["design"]["icon"],
        label=entry["design"]["label"],
        sublabel=entry["design"].get("sublabel", ""),
    )
    tags = [framework.title_fr]
    if certification_state(framework) == CERTIFICATION_CURRENT:  # not an expired registration
        tags.append(framework.certification_code)
    return achievements.create(
        db,
        issuer,
        name=entry["name"],
        description=entry["description"],
        criteria_narrative=entry["criteria"],
        achievement_type=entry.get("achievement_type", "Badge"),
        image_data=images.render_png(design, size=BADGE_SIZE),
        image_media_type="image/png",
        image_alt=entry["alt"],
        result_descriptions=awarding.result_descriptions(framework),
        tags=tags,
        award_rules=entry["rule"],
    )


def _archive_replaced(db: Session, issuer: Issuer, names: list[str]) -> None:
    if not names:
        return
    for replaced in db.scalars(
        select(Achievement).where(
            Achievement.issuer_id == issuer.id,
            Achievement.name.in_(names),
            Achievement.is_archived.is_(False),
        )
    ):
        replaced.is_archived = True
