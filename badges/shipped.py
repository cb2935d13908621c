"""The achievements shipped with Jalon (``badges/content/achievements.json``): one or more per
shipped framework, installed for an issuer with an image drawn in the framework's colour.

Used by the demo (``badges/demo.py``), by ``jalon badges update-shipped`` (also run by
``jalon db upgrade``) and by tests that need the real badges of a framework. An entry that
renames a badge lists its former names in ``"replaces"``: installing it archives the issuer's
achievement of that name, which is then no longer awarded.

A release may change a shipped badge's definition (its rule and evidence, description,
criteria): installing again updates the issuer's achievement **only when its organisation did
not edit it**, i.e. its definition still hashes to the one installed (``shipped_hash``), or, for
rows installed before that hash was kept, to a definition an earlier release shipped
(``content/achievements_former.json``). An achievement that issued credentials is replaced by
a new version (the old one archived, as the studio does), so credentials keep the achievement
they were signed with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.frameworks import CERTIFICATION_CURRENT, certification_state, get_framework
from badges import achievements, awarding, images
from badges.achievement_design import credential_count
from badges.models import Achievement, Issuer

ACHIEVEMENTS_FILE = Path(__file__).parent / "content" / "achievements.json"
# Hashes of every definition shipped before achievements kept ``shipped_hash`` (from the
# repository's history of achievements.json): how an older install's untouched rows are known.
FORMER_FILE = Path(__file__).parent / "content" / "achievements_former.json"
BADGE_SIZE = 300  # pixels: sharp on a phone, small enough to ride inside every credential


def shipped_achievements() -> list[dict[str, Any]]:
    return json.loads(ACHIEVEMENTS_FILE.read_text(encoding="utf-8"))["achievements"]


def definition(entry: dict[str, Any]) -> dict[str, Any]:
    """What a shipped entry sets on an achievement row, as the row stores it."""
    return {
        "name": entry["name"].strip(),
        "description": entry["description"].strip(),
        "criteria_narrative": entry["criteria"].strip(),
        "achievement_type": entry.get("achievement_type", "Badge"),
        "image_alt": entry["alt"],
        "award_rules": entry["rule"],
    }


def row_definition(achievement: Achievement) -> dict[str, Any]:
    """The same fields, read from an achievement row (as its organisation may have left it)."""
    return {
        "name": achievement.name,
        "description": achievement.description,
        "criteria_narrative": achievement.criteria_narrative,
        "achievement_type": achievement.achievement_type,
        "image_alt": achievement.image_alt,
        "award_rules": achievement.award_rules,
    }


def definition_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@cache
def former_hashes() -> frozenset[str]:
    return frozenset(json.loads(FORMER_FILE.read_text(encoding="utf-8"))["hashes"])


@dataclass(frozen=True)
class Installed:
    """What installing one shipped entry did for one issuer."""

    achievement: Achievement
    status: Literal["created", "updated", "new_version", "unchanged", "kept"]


def install_achievement(db: Session, issuer: Issuer, entry: dict[str, Any]) -> Achievement:
    """One shipped achievement for ``issuer`` (see :func:`install`)."""
    return install(db, issuer, entry).achievement


def install(db: Session, issuer: Issuer, entry: dict[str, Any]) -> Installed:
    """One shipped achievement for ``issuer`` (matched by slug, else by name), drawn in its
    framework's colour and describing the framework's competences and levels; an existing one
    is brought to the shipped definition unless its organisation edited it (``kept``). The
    achievements it replaces (its ``replaces``: former names) are archived, so a renamed badge
    is not awarded twice; the credentials already issued under a former name stay valid."""
    _archive_replaced(db, issuer, entry.get("replaces", []))
    found = _installed(db, issuer, entry)
    if found is None:
        return Installed(_create(db, issuer, entry), "created")
    if found.is_archived:  # replaced by its organisation or by a renamed entry: left as it is
        return Installed(found, "unchanged")
    shipped = definition(entry)
    new_hash = definition_hash(shipped)
    current = definition_hash(row_definition(found))
    if current == new_hash:
        found.shipped_slug, found.shipped_hash = entry.get("slug"), new_hash
        return Installed(found, "unchanged")
    recorded = found.shipped_hash
    untouched = current == recorded if recorded else current in former_hashes()
    if not untouched:
        return Installed(found, "kept")
    if credential_count(db, found) == 0:
        _apply(found, shipped, entry, new_hash)
        db.flush()
        return Installed(found, "updated")
    successor = Achievement(
        issuer=issuer,
        previous_version_id=found.id,
        version=found.version + 1,
        is_draft=False,
        in_language=found.in_language,
        criteria_url=found.criteria_url,
        image_data=found.image_data,
        image_media_type=found.image_media_type,
        image_path=found.image_path,
        alignments=list(found.alignments or []),
        result_descriptions=list(found.result_descriptions or []),
        tags=list(found.tags or []),
        validity_months=found.validity_months,
        design=found.design,
    )
    _apply(successor, shipped, entry, new_hash)
    found.is_archived = True
    db.add(successor)
    db.flush()
    return Installed(successor, "new_version")


def _installed(db: Session, issuer: Issuer, entry: dict[str, Any]) -> Achievement | None:
    """The issuer's current achievement for ``entry``: the one installed from its slug, else
    the one of its name (rows installed before slugs were kept)."""
    current = select(Achievement).where(
        Achievement.issuer_id == issuer.id, Achievement.is_archived.is_(False)
    )
    if entry.get("slug"):
        found = db.scalar(current.where(Achievement.shipped_slug == entry["slug"]))
        if found is not None:
            return found
    return db.scalar(
        select(Achievement)
        .where(Achievement.issuer_id == issuer.id, Achievement.name == entry["name"])
        .order_by(Achievement.is_archived, Achievement.id.desc())
        .limit(1)
    )


def _apply(row: Achievement, shipped: dict[str, Any], entry: dict[str, Any], digest: str) -> None:
    for field, value in shipped.items():
        setattr(row, field, value)
    row.shipped_slug, row.shipped_hash = entry.get("slug"), digest


def _create(db: Session, issuer: Issuer, entry: dict[str, Any]) -> Achievement:
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
    created = achievements.create(
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
    created.shipped_slug = entry.get("slug")
    created.shipped_hash = definition_hash(row_definition(created))
    return created


def update_shipped(db: Session) -> list[Installed]:
    """Bring every issuer's shipped badges to this release's definitions (``jalon badges
    update-shipped``, ``jalon db upgrade``): only issuers that hold shipped badges already, and
    only entries they hold (nothing is added). Returns what changed or was kept as edited."""
    entries = shipped_achievements()
    names = [e["name"] for e in entries] + [n for e in entries for n in e.get("replaces", [])]
    slugs = [e["slug"] for e in entries if e.get("slug")]
    holders = db.scalars(
        select(Issuer)
        .where(
            Issuer.id.in_(
                select(Achievement.issuer_id).where(
                    Achievement.shipped_slug.in_(slugs) | Achievement.name.in_(names)
                )
            )
        )
        .order_by(Issuer.id)
    ).all()
    done = []
    for issuer in holders:
        for entry in entries:
            if _installed(db, issuer, entry) is None:
                continue
            outcome = install(db, issuer, entry)
            if outcome.status != "unchanged":
                done.append(outcome)
    db.flush()
    return done


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
