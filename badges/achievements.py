"""Achievements (badge classes): creation with validated award rules, and their OB 3.0 form.

Alignments and result descriptions are stored as the OB 3.0 JSON objects themselves
(``{"targetName": …, "targetUrl": …}``), so what a trainer defines is what a credential carries.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges import award_rules
from badges.models import Achievement, Issuer
from badges.ob3 import build


class AchievementNotFound(LookupError):
    """No achievement with that public id."""


class InvalidAchievement(ValueError):
    """The achievement cannot be saved; ``errors`` are French sentences for the form."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def achievement_iri(achievement: Achievement, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/achievements/{achievement.public_id}"


def get(db: Session, public_id: str) -> Achievement:
    achievement = db.scalar(select(Achievement).where(Achievement.public_id == public_id))
    if achievement is None:
        raise AchievementNotFound(public_id)
    return achievement


def problems(
    name: str,
    description: str,
    criteria_narrative: str,
    alignments: Sequence[Mapping[str, Any]],
    result_descriptions: Sequence[Mapping[str, Any]],
    rules: Mapping[str, Any] | None,
) -> list[str]:
    """What must be fixed before the achievement can be saved, as French sentences."""
    errors = []
    if not name.strip():
        errors.append("Donnez un nom au badge.")
    if not description.strip():
        errors.append("Décrivez ce que le badge atteste.")
    if not criteria_narrative.strip():
        errors.append("Écrivez les critères d'obtention du badge.")
    for alignment in alignments:
        if not alignment.get("targetName") or not alignment.get("targetUrl"):
            errors.append("Chaque alignement a besoin d'un nom et d'une adresse (URL).")
            break
    for description_ in result_descriptions:
        if not all(description_.get(k) for k in ("id", "name", "resultType")):
            errors.append("Chaque résultat a besoin d'un identifiant, d'un nom et d'un type.")
            break
    if rules is not None:
        errors.extend(award_rules.validate(rules))
    return errors


def create(
    db: Session,
    issuer: Issuer,
    *,
    name: str,
    description: str,
    criteria_narrative: str,
    criteria_url: str | None = None,
    achievement_type: str = "Badge",
    image_data: bytes | None = None,
    image_media_type: str | None = None,
    image_path: str | None = None,
    image_alt: str | None = None,
    alignments: Sequence[Mapping[str, Any]] = (),
    result_descriptions: Sequence[Mapping[str, Any]] = (),
    tags: Sequence[str] = (),
    award_rules: Mapping[str, Any] | None = None,
    in_language: str = "fr",
) -> Achievement:
    """A new achievement of ``issuer``; ``InvalidAchievement`` lists what to fix."""
    errors = problems(
        name, description, criteria_narrative, alignments, result_descriptions, award_rules
    )
    if image_data is not None and image_media_type not in {"image/png", "image/svg+xml"}:
        errors.append("L'image du badge doit être au format PNG ou SVG.")
    if errors:
        raise InvalidAchievement(errors)
    achievement = Achievement(
        issuer=issuer,
        name=name.strip(),
        description=description.strip(),
        criteria_narrative=criteria_narrative.strip(),
        criteria_url=criteria_url,
        achievement_type=achievement_type,
        image_data=image_data,
        image_media_type=image_media_type,
        image_path=image_path,
        image_alt=image_alt,
        alignments=[dict(a) for a in alignments],
        result_descriptions=[dict(r) for r in result_descriptions],
        tags=list(tags),
        award_rules=dict(award_rules) if award_rules is not None else None,
        in_language=in_language,
    )
    db.add(achievement)
    db.flush()
    return achievement


IMAGE_EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg"}


def image_digest(achievement: Achievement) -> str | None:
    """A short SHA-256 of the stored image: part of its URL, so the URL names these bytes only
    and may be cached for good (a changed image gets another URL)."""
    if achievement.image_data is None:
        return None
    return hashlib.sha256(achievement.image_data).hexdigest()[:16]


def image_file_name(achievement: Achievement) -> str | None:
    """``<digest>.png`` (or ``.svg``): the last part of ``image_url``."""
    digest = image_digest(achievement)
    extension = IMAGE_EXTENSIONS.get(achievement.image_media_type or "")
    if digest is None or extension is None:
        return None
    return f"{digest}.{extension}"


def image_url(achievement: Achievement, base_url: str) -> str | None:
    """``/achievements/<id>/image/<digest>.png``: where Jalon serves the stored image."""
    file_name = image_file_name(achievement)
    if file_name is None:
        return None
    return f"{achievement_iri(achievement, base_url)}/image/{file_name}"


def image(achievement: Achievement, base_url: str, *, inline: bool = False) -> build.Image | None:
    """The image a credential names: stored bytes by their URL on Jalon (a data: URI weighed
    14 KB in every credential, twice), or inline with ``inline`` (the studio's preview of a
    badge not yet published, which no URL serves); a path is served from the base URL."""
    url = None if inline else image_url(achievement, base_url)
    if url is not None:
        uri = url
    elif achievement.image_data is not None:
        encoded = base64.b64encode(achievement.image_data).decode("ascii")
        uri = f"data:{achievement.image_media_type};base64,{encoded}"
    elif achievement.image_path:
        uri = f"{base_url.rstrip('/')}/{achievement.image_path.lstrip('/')}"
    else:
        return None
    return build.Image(id=uri, caption=achievement.image_alt)


def _alignment(data: Mapping[str, Any]) -> build.Alignment:
    return build.Alignment(
        target_name=data["targetName"],
        target_url=data["targetUrl"],
        target_code=data.get("targetCode"),
        target_description=data.get("targetDescription"),
        target_framework=data.get("targetFramework"),
        target_type=data.get("targetType"),
    )


def _rubric_level(data: Mapping[str, Any]) -> build.RubricLevel:
    return build.RubricLevel(
        id=data["id"],
        name=data["name"],
        description=data.get("description"),
        level=data.get("level"),
        points=data.get("points"),
        alignments=tuple(_alignment(a) for a in data.get("alignment", ())),
    )


def _result_description(data: Mapping[str, Any]) -> build.ResultDescriptionDef:
    return build.ResultDescriptionDef(
        id=data["id"],
        name=data["name"],
        result_type=data.get("resultType", "RubricCriterionLevel"),
        levels=tuple(_rubric_level(level) for level in data.get("rubricCriterionLevel", ())),
        allowed_values=tuple(data.get("allowedValue", ())),
        required_level=data.get("requiredLevel"),
        required_value=data.get("requiredValue"),
        value_min=data.get("valueMin"),
        value_max=data.get("valueMax"),
        alignments=tuple(_alignment(a) for a in data.get("alignment", ())),
    )


def reported_levels(results: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """What a credential's OB 3.0 results report: each result description they refer to, with
    the rubric levels they achieved (none for a value or a status)."""
    reported: dict[str, set[str]] = {}
    for result in results:
        levels = reported.setdefault(result["resultDescription"], set())
        if result.get("achievedLevel"):
            levels.add(result["achievedLevel"])
    return reported


def _reported_only(
    descriptions: Sequence[Mapping[str, Any]], reported: Mapping[str, Collection[str]]
) -> list[dict[str, Any]]:
    kept = []
    for description in descriptions:
        if description.get("id") not in reported:
            continue
        achieved = reported[description["id"]]
        levels = description.get("rubricCriterionLevel") or []
        if achieved:
            levels = [level for level in levels if level.get("id") in achieved]
        levels = [_without_alignment(level) for level in levels]
        kept.append({**_without_alignment(description), "rubricCriterionLevel": levels})
    return kept


def _without_alignment(entry: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "alignment"}


def definition(
    achievement: Achievement,
    base_url: str,
    *,
    endorsements: Sequence[Mapping[str, Any]] = (),
    reported: Mapping[str, Collection[str]] | None = None,
    inline_image: bool = False,
) -> build.AchievementDef:
    """The achievement as the OB 3.0 core builds it into credentials, carrying the signed
    ``endorsements`` given (``badges.endorsements.embedded``).

    ``reported`` (``reported_levels`` of a credential's results): the credential then describes
    only the competences its results name, each with the levels achieved (name, number and
    descriptor), without their alignments. The framework's whole rubric (16 competences × 8
    levels) weighed 41 KB in every CRCN badge, most of it about levels the holder did not reach;
    the competences' alignments (e.g. each CRCN competence's DigComp 2.2 equivalents, 5 KB of a
    16-result badge) are the framework's cross-walk, the same for every holder, not something
    the credential reports. Both stay in the complete definition served at the achievement's
    id, ``/achievements/<id>`` (``reported`` None), where anyone can resolve them; a result's
    ``resultDescription`` and ``achievedLevel`` keep the same ids there, and ``/c/<id>`` shows
    the alignments from it (``web.verify.sections``)."""
    descriptions = list(achievement.result_descriptions or ())
    if reported is not None:
        descriptions = _reported_only(descriptions, reported)
    return build.AchievementDef(
        id=achievement_iri(achievement, base_url),
        name=achievement.name,
        description=achievement.description,
        criteria_narrative=achievement.criteria_narrative,
        criteria_id=achievement.criteria_url,
        image=image(achievement, base_url, inline=inline_image),
        achievement_type=achievement.achievement_type,
        alignments=tuple(_alignment(a) for a in achievement.alignments or ()),
        result_descriptions=tuple(_result_description(r) for r in descriptions),
        tags=tuple(achievement.tags or ()),
        in_language=achievement.in_language,
        endorsements=tuple(dict(e) for e in endorsements),
        # A studio edit of an issued badge is a new version; the first is not numbered.
        version=str(achievement.version) if (achievement.version or 1) > 1 else None,
    )


def document(
    achievement: Achievement,
    base_url: str,
    *,
    endorsements: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """``/achievements/<id>``: the Achievement as a JSON-LD document, with the endorsements
    standing now."""
    return {
        "@context": [build.VC_V2_CONTEXT, build.OB_CONTEXT],
        **build.achievement_json(definition(achievement, base_url, endorsements=endorsements)),
    }
