"""Writing one validated framework or item into its database rows, in place when it exists.

Callers validate first (``content_import``): these functions trust their input. A framework
edition keeps its row and the rows of the domains and competences it still lists, so items and
results keep pointing at them; an item keeps its calibration unless its meaning changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.content_export import NESTED_SUFFIX, export_item, latest_framework, normalised
from assessments.models import (
    Accessibility,
    Alignment,
    Competence,
    Domain,
    Framework,
    FrameworkKind,
    Item,
    ItemStatus,
    ItemType,
    ItemVersion,
    LevelDescriptor,
)

DEFAULT_CUT_POINTS = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5]
FRAMEWORK_KEYS = {
    "slug", "title", "version", "kind", "source_url", "licence", "attribution", "colour",
    "cut_points", "occupation", "certification", "referral", "domains", "items",
}  # fmt: skip
ITEM_KEYS = {
    "id", "competence", "level", "type", "instruction", "instruction_sr", "image",
    "accessibility", "timer_seconds", "status", "version", "a", "b", "explanation", "body",
    "key", "tolerance", "calibrated_at",
}  # fmt: skip
# Optional fields inside these objects are kept too (stored in ``extra`` under name + suffix).
NESTED_KEYS = {
    "occupation": {"esco_uri", "name"},
    "certification": {"register", "code", "title", "valid_until", "url"},
}


def _localised(value: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """``{"fr": …, "en": …}`` as the (French, English) column pair; absent gives two ``None``."""
    if not value:
        return None, None
    return value.get("fr"), value.get("en")


def upsert_framework(
    db: Session, data: Mapping[str, Any]
) -> tuple[Framework, bool, tuple[set[str], set[str]]]:
    """Insert or update one framework edition with its domains and competences; returns it,
    whether it was created, and the domain and competence codes the file lists (to prune the
    others once items have moved)."""
    framework = latest_framework(db, data["slug"], data["version"])
    created = framework is None
    if framework is None:
        framework = Framework(slug=data["slug"], version=data["version"])
        db.add(framework)
    _copy_framework_fields(framework, data)
    db.flush()
    return framework, created, _write_domains(db, framework, data["domains"])


def _copy_framework_fields(framework: Framework, data: Mapping[str, Any]) -> None:
    """The framework's own columns; fields the format does not know are kept in ``extra``."""
    framework.title_fr, framework.title_en = _localised(data["title"])
    framework.kind = FrameworkKind(data["kind"])
    framework.source_url = data.get("source_url")
    framework.licence = data.get("licence")
    framework.attribution = data.get("attribution")
    framework.colour = data.get("colour")
    framework.cut_points = [float(x) for x in data.get("cut_points") or DEFAULT_CUT_POINTS]
    occupation = data.get("occupation") or {}
    framework.occupation_esco_uri = occupation.get("esco_uri")
    framework.occupation_name = occupation.get("name")
    cert = data.get("certification") or {}
    framework.certification_register = cert.get("register")
    framework.certification_code = cert.get("code")
    framework.certification_title = cert.get("title")
    framework.certification_url = cert.get("url")
    valid_until = cert.get("valid_until")
    framework.certification_valid_until = date.fromisoformat(valid_until) if valid_until else None
    framework.referral = data.get("referral")
    extra = {k: v for k, v in data.items() if k not in FRAMEWORK_KEYS}
    for name, known in NESTED_KEYS.items():  # e.g. a "note" on the certification
        kept = {k: v for k, v in (data.get(name) or {}).items() if k not in known}
        if kept:
            extra[f"{name}{NESTED_SUFFIX}"] = kept
    framework.extra = extra or None


def _write_domains(
    db: Session, framework: Framework, domains_data: list[Mapping[str, Any]]
) -> tuple[set[str], set[str]]:
    """Domains and competences in file order, reusing the rows of known codes; returns the
    domain and competence codes written."""
    domains = {d.code: d for d in framework.domains}
    competences = {
        comp.code: comp
        for comp in db.scalars(select(Competence).where(Competence.framework_id == framework.id))
    }
    position = 0
    kept_domains: set[str] = set()
    kept_competences: set[str] = set()
    for d_pos, d_data in enumerate(domains_data):
        domain = domains.get(d_data["code"])
        if domain is None:
            domain = Domain(code=d_data["code"], framework=framework)
            db.add(domain)
        domain.title_fr, domain.title_en = _localised(d_data["title"])
        domain.position = d_pos
        kept_domains.add(d_data["code"])
        db.flush()
        for c_data in d_data["competences"]:
            competence = competences.get(c_data["code"])
            if competence is None:
                competence = Competence(code=c_data["code"], framework_id=framework.id)
                db.add(competence)
            competence.domain_id = domain.id
            competence.title_fr, competence.title_en = _localised(c_data["title"])
            competence.description_fr, competence.description_en = _localised(
                c_data.get("description")
            )
            competence.position = position
            kept_competences.add(c_data["code"])
            position += 1
            db.flush()
            _replace_levels(db, competence, c_data.get("levels") or {})
            _replace_alignments(db, competence, c_data.get("alignments") or [])
    return kept_domains, kept_competences


def _replace_levels(db: Session, competence: Competence, levels: Mapping[str, Any]) -> None:
    """Level descriptors as in the file: updated in place, added, or removed."""
    current = {d.level: d for d in competence.levels}
    for level, text in levels.items():
        fr, en = (text, None) if isinstance(text, str) else _localised(text)
        descriptor = current.pop(int(level), None)
        if descriptor is None:
            competence.levels.append(LevelDescriptor(level=int(level), text_fr=fr, text_en=en))
        else:
            descriptor.text_fr, descriptor.text_en = fr, en
    for descriptor in current.values():
        competence.levels.remove(descriptor)


def _replace_alignments(db: Session, competence: Competence, alignments: list) -> None:
    """Alignments have no identity of their own: the file's list replaces the stored one."""
    competence.alignments.clear()
    db.flush()
    for a in alignments:
        competence.alignments.append(
            Alignment(
                framework_name=a["framework"],
                code=a.get("code"),
                name=a.get("name"),
                url=a.get("url"),
            )
        )


def prune_competences(db: Session, framework: Framework, wanted: tuple[set, set]) -> None:
    """Remove the competences and domains a re-imported framework file no longer lists
    (validation made sure no item still points at them)."""
    domain_codes, competence_codes = wanted
    db.flush()
    for competence in db.scalars(select(Competence).where(Competence.framework_id == framework.id)):
        if competence.code not in competence_codes:
            db.delete(competence)
    db.flush()
    for domain in list(framework.domains):
        if domain.code not in domain_codes:
            framework.domains.remove(domain)
    db.flush()


def upsert_item(
    db: Session, data: Mapping[str, Any], competence: Competence, existing: Item | None
) -> str:
    """Insert or update one item; returns ``created``, ``updated`` or ``unchanged``."""
    if (
        existing is not None
        and existing.competence_id == competence.id
        and export_item(existing) == _canonical_item(data, existing)
    ):
        return "unchanged"
    item = existing or Item(uid=data["id"])
    bumped = existing is not None and data["version"] > existing.version
    if bumped:
        # Responses to the version being replaced keep its question and key (ItemVersion).
        db.add(
            ItemVersion(
                item_id=existing.id, version=existing.version, content=export_item(existing)
            )
        )
    item.version = data["version"]
    item.competence_id = competence.id
    item.organisation_id = competence.framework.organisation_id
    copy_item_fields(item, data)
    if _given(data, "a") is not None or _given(data, "b") is not None:
        item.a = float(_given(data, "a", 1.0))
        item.b = float(_given(data, "b", data["level"] - 3))
        calibrated = data.get("calibrated_at")
        item.calibrated_at = datetime.fromisoformat(calibrated) if calibrated else None
    elif existing is None or bumped or existing.calibrated_at is None:
        item.a, item.b, item.calibrated_at = 1.0, float(data["level"] - 3), None
    if existing is None:
        db.add(item)
        return "created"
    return "updated"


def copy_item_fields(item: Item, data: Mapping[str, Any]) -> None:
    """What an item says and how it is checked, from its file shape (a stored item, or an
    earlier version shown read-only)."""
    item.level = data["level"]
    item.type = ItemType(data["type"])
    item.status = ItemStatus(data["status"])
    item.instruction = data["instruction"]
    item.instruction_sr = data.get("instruction_sr")
    image = data.get("image") or {}
    item.image_file, item.image_alt = image.get("file"), image.get("alt")
    access = data["accessibility"]
    item.access_blind = Accessibility(access["blind"])
    item.access_colour_blind = Accessibility(access["colour_blind"])
    item.access_deaf = Accessibility(access["deaf"])
    item.timer_seconds = data.get("timer_seconds")
    item.explanation = data["explanation"]
    item.body = data["body"]
    item.key = data["key"]
    item.tolerance = data.get("tolerance")
    extra = {k: v for k, v in data.items() if k not in ITEM_KEYS}
    item.extra = extra or None


def _given(data: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """An optional field's value; ``null`` counts as absent, as validation reads it."""
    value = data.get(name)
    return default if value is None else value


def _canonical_item(data: Mapping[str, Any], existing: Item) -> dict[str, Any]:
    """The export a stored item would have after importing ``data`` (to detect no-ops)."""
    canonical = {k: v for k, v in data.items() if v is not None}
    defaults = (1.0, float(data["level"] - 3))
    given = (float(_given(data, "a", 1.0)), float(_given(data, "b", data["level"] - 3)))
    if _given(data, "calibrated_at") is None and given == defaults:
        canonical.pop("a", None)
        canonical.pop("b", None)
    if (
        _given(data, "a") is None
        and _given(data, "b") is None
        and existing.calibrated_at is not None
        and data.get("version") == existing.version
    ):
        canonical["a"], canonical["b"] = existing.a, existing.b
        canonical["calibrated_at"] = existing.calibrated_at.isoformat()
    return normalised(canonical)
