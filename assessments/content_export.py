"""Stored frameworks and items back in their file shape (FORMAT.md), for ``jalon assess export``.

A framework is exported with all its items as one bundle file that imports back as is; the
import also compares an incoming item with :func:`export_item` of the stored one to see what
changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.models import Competence, Framework, Item

# Optional fields of nested objects (occupation, certification) are stored in ``extra`` under
# the object's name + this suffix, and merged back into the object on export.
NESTED_SUFFIX = ":extra"


def latest_framework(db: Session, slug: str, version: str | None = None) -> Framework | None:
    """The stored edition ``version`` of ``slug``, or its newest one when no version is given."""
    query = select(Framework).where(Framework.slug == slug)
    if version is not None:
        query = query.where(Framework.version == version)
    return db.scalars(query.order_by(Framework.id.desc()).limit(1)).first()


def normalised(item: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON round trip with sorted keys, so two shapes of the same item compare equal."""
    return json.loads(json.dumps(item, sort_keys=True))


def export_item(item: Item) -> dict[str, Any]:
    """An item in its file shape (calibrated ``a``/``b`` only once calibrated)."""
    data: dict[str, Any] = {
        "id": item.uid,
        "competence": item.competence.code,
        "level": item.level,
        "type": item.type.value,
        "instruction": item.instruction,
        "instruction_sr": item.instruction_sr,
        "image": {"file": item.image_file, "alt": item.image_alt} if item.image_file else None,
        "accessibility": {
            "blind": item.access_blind.value,
            "colour_blind": item.access_colour_blind.value,
            "deaf": item.access_deaf.value,
        },
        "timer_seconds": item.timer_seconds,
        "status": item.status.value,
        "version": item.version,
        "explanation": item.explanation,
        "body": item.body,
        "key": item.key,
        "tolerance": item.tolerance,
    }
    if item.calibrated_at is not None or (item.a, item.b) != (1.0, float(item.level - 3)):
        data["a"], data["b"] = item.a, item.b
    if item.calibrated_at is not None:
        data["calibrated_at"] = item.calibrated_at.isoformat()
    data.update(item.extra or {})
    return normalised({k: v for k, v in data.items() if v is not None})


def _pair(fr: str | None, en: str | None) -> dict[str, str] | None:
    """A localised text as written in files: no ``en`` key when there is no English."""
    if fr is None:
        return None
    return {"fr": fr, "en": en} if en is not None else {"fr": fr}


def export_framework(db: Session, slug: str, version: str | None = None) -> dict[str, Any]:
    """A framework and all its items as one bundle file (re-importable as is)."""
    framework = latest_framework(db, slug, version)
    if framework is None:
        raise LookupError(f"référentiel inconnu : {slug}")
    data = framework_fields(framework)
    items = db.scalars(
        select(Item)
        .join(Competence)
        .where(Competence.framework_id == framework.id)
        .order_by(Item.uid)
    ).all()
    data["items"] = [export_item(item) for item in items]
    return _strip_none(data)


def framework_fields(framework: Framework) -> dict[str, Any]:
    """A framework without its items, in its file shape (the studio validates its forms'
    changes on it with the import's own rules)."""
    data: dict[str, Any] = {
        "slug": framework.slug,
        "title": _pair(framework.title_fr, framework.title_en),
        "version": framework.version,
        "kind": framework.kind.value,
        "source_url": framework.source_url,
        "licence": framework.licence,
        "attribution": framework.attribution,
        "colour": framework.colour,
        "cut_points": framework.cut_points,
        "occupation": (
            {"esco_uri": framework.occupation_esco_uri, "name": framework.occupation_name}
            if framework.occupation_esco_uri
            else None
        ),
        "certification": (
            {
                "register": framework.certification_register,
                "code": framework.certification_code,
                "title": framework.certification_title,
                "valid_until": framework.certification_valid_until.isoformat()
                if framework.certification_valid_until
                else None,
                "url": framework.certification_url,
            }
            if framework.certification_register
            else None
        ),
        "referral": framework.referral,
        "domains": [
            {
                "code": domain.code,
                "title": _pair(domain.title_fr, domain.title_en),
                "competences": [
                    {
                        "code": comp.code,
                        "title": _pair(comp.title_fr, comp.title_en),
                        "description": _pair(comp.description_fr, comp.description_en),
                        "levels": {
                            str(d.level): d.text_fr
                            if d.text_en is None
                            else _pair(d.text_fr, d.text_en)
                            for d in comp.levels
                        }
                        or None,
                        "alignments": [
                            {
                                k: v
                                for k, v in {
                                    "framework": a.framework_name,
                                    "code": a.code,
                                    "name": a.name,
                                    "url": a.url,
                                }.items()
                                if v is not None
                            }
                            for a in comp.alignments
                        ]
                        or None,
                    }
                    for comp in domain.competences
                ],
            }
            for domain in framework.domains
        ],
    }
    for name, value in (framework.extra or {}).items():
        if name.endswith(NESTED_SUFFIX):
            nested = name.removesuffix(NESTED_SUFFIX)
            data[nested] = {**(data.get(nested) or {}), **value}
        else:
            data[name] = value
    return _strip_none(data)


def _strip_none(value: Any) -> Any:
    """Drop ``null`` members at every depth: absent optional fields are left out of files."""
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def dump(data: Any) -> str:
    """JSON the way content files are written: UTF-8, 2-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
