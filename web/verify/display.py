"""What a verification page shows about a credential, read from the credential itself.

The same reading serves our badges (``/c/<id>``) and files from anywhere (``/verifier``), so an
employer sees the same sections whoever issued the badge. The input is untrusted JSON: fields
are read through the verifier's own readers (``badges.ob3.credential_fields``, so what the
verifier accepts the page shows), texts are trimmed and capped, links are kept only when they
are http(s), and images only when the page may show them (a ``data:`` image, or one served
from our own base URL — the CSP refuses the rest).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from badges.ob3.credential_fields import (
    achievement_of,
    as_list,
    issuer_id_of,
    issuer_name_of,
    parse_date,
    subject_of,
    valid_from_of,
    valid_until_of,
)

MAX_ITEMS = 50  # a hostile credential may list thousands of results; the page shows 50
MAX_TEXT = 2000


@dataclass(frozen=True)
class Link:
    """A framework reference (CRCN, DigComp, RNCP…) or a piece of evidence's address."""

    name: str
    url: str | None = None
    code: str | None = None
    framework: str | None = None


@dataclass(frozen=True)
class ResultLine:
    """One competence and the level reached, with the level's plain-words descriptor."""

    competence: str
    level: str | None = None
    level_description: str | None = None
    alignments: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class EvidenceItem:
    name: str | None
    description: str | None
    narrative: str | None
    genre: str | None
    url: str | None


@dataclass(frozen=True)
class CredentialView:
    """The human part of an OB 3.0 credential: what, by whom, when, on what evidence."""

    name: str | None = None
    description: str | None = None
    criteria: str | None = None
    criteria_url: str | None = None
    image_url: str | None = None
    image_alt: str | None = None
    achievement_type: str | None = None
    issuer_name: str | None = None
    issuer_url: str | None = None
    issuer_id: str | None = None
    holder_name: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    awarded: datetime | None = None
    results: list[ResultLine] = field(default_factory=list)
    alignments: list[Link] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:MAX_TEXT]
    return None


def _list(value: Any) -> list[Any]:
    return as_list(value)[:MAX_ITEMS]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in _list(value) if isinstance(item, dict)]


def safe_url(value: Any) -> str | None:
    """``value`` if it is an http(s) URL (never ``javascript:`` and the like)."""
    url = _text(value)
    if url is None:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _alignment(data: dict[str, Any]) -> Link | None:
    name = _text(data.get("targetName"))
    if name is None:
        return None
    return Link(
        name=name,
        url=safe_url(data.get("targetUrl")),
        code=_text(data.get("targetCode")),
        framework=_text(data.get("targetFramework")),
    )


def _alignments(value: Any) -> list[Link]:
    return [link for link in map(_alignment, _dicts(value)) if link is not None]


def _image(value: Any, base_url: str) -> tuple[str | None, str | None]:
    image = value if isinstance(value, dict) else {"id": value}
    url = image.get("id")
    if not isinstance(url, str):
        return None, None
    showable = url.startswith(("data:image/png;", "data:image/svg+xml;", "data:image/jpeg;"))
    showable = showable or url.startswith(base_url.rstrip("/") + "/")
    return (url if showable else None), _text(image.get("caption"))


def _by_id(entries: Any) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in _dicts(entries) if isinstance(d.get("id"), str)}


def _with_defined_alignments(
    description: dict[str, Any], defined: dict[str, Any] | None
) -> dict[str, Any]:
    """``description`` with the alignments its published definition gives (``defined``) where
    the credential's copy leaves them out (Jalon's credentials do since issue 15)."""
    if not defined:
        return description
    merged = dict(description)
    if "alignment" not in merged and "alignment" in defined:
        merged["alignment"] = defined["alignment"]
    levels = _by_id(defined.get("rubricCriterionLevel"))
    merged["rubricCriterionLevel"] = [
        {"alignment": levels[lv["id"]]["alignment"], **lv}
        if "alignment" not in lv and "alignment" in levels.get(lv.get("id"), {})
        else lv
        for lv in _dicts(description.get("rubricCriterionLevel"))
    ]
    return merged


def _results(
    subject: dict[str, Any],
    achievement: dict[str, Any],
    definitions: dict[str, dict[str, Any]],
) -> list[ResultLine]:
    descriptions = _by_id(achievement.get("resultDescription"))
    lines = []
    for result in _dicts(subject.get("result")):
        rd_id = result.get("resultDescription")
        description = _with_defined_alignments(
            descriptions.get(rd_id, {}), definitions.get(rd_id) if isinstance(rd_id, str) else None
        )
        competence = _text(description.get("name")) or _text(result.get("resultDescription"))
        if competence is None:
            continue
        levels = {
            lv["id"]: lv
            for lv in _dicts(description.get("rubricCriterionLevel"))
            if isinstance(lv.get("id"), str)
        }
        achieved = levels.get(result.get("achievedLevel"))
        level = level_description = None
        alignments = _alignments(description.get("alignment"))
        if achieved is not None:
            level = _text(achieved.get("name")) or _text(achieved.get("level"))
            level_description = _text(achieved.get("description"))
            alignments += _alignments(achieved.get("alignment"))
        elif result.get("value") is not None:
            level = _text(str(result["value"]))
        else:
            level = _text(result.get("status"))
        alignments += _alignments(result.get("alignment"))
        lines.append(ResultLine(competence, level, level_description, alignments))
    return lines


def _evidence(value: Any) -> list[EvidenceItem]:
    found = []
    for item in _dicts(value):
        entry = EvidenceItem(
            name=_text(item.get("name")),
            description=_text(item.get("description")),
            narrative=_text(item.get("narrative")),
            genre=_text(item.get("genre")),
            url=safe_url(item.get("id")),
        )
        if entry.name or entry.description or entry.narrative or entry.url:
            found.append(entry)
    return found


def read(
    credential: dict[str, Any] | None,
    base_url: str,
    definition: dict[str, Any] | None = None,
) -> CredentialView:
    """The displayable view of a (possibly hostile) credential; empty when there is none.

    ``definition``: the achievement as its issuer publishes it (Jalon's own, at
    ``/achievements/<id>``), whose result descriptions give the results the alignments the
    credential's embedded copy leaves out (never replacing what the credential says)."""
    if not isinstance(credential, dict):
        return CredentialView()
    subject, achievement = subject_of(credential), achievement_of(credential)
    criteria = achievement.get("criteria")
    criteria = criteria if isinstance(criteria, dict) else {}
    issuer = credential.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {"id": issuer}
    image_url, image_alt = _image(achievement.get("image") or credential.get("image"), base_url)
    return CredentialView(
        name=_text(achievement.get("name")) or _text(credential.get("name")),
        description=_text(achievement.get("description")) or _text(credential.get("description")),
        criteria=_text(criteria.get("narrative")),
        criteria_url=safe_url(criteria.get("id")),
        image_url=image_url,
        image_alt=image_alt,
        achievement_type=_text(achievement.get("achievementType")),
        issuer_name=_text(issuer_name_of(credential)),
        issuer_url=safe_url(issuer.get("url")) or safe_url(issuer.get("id")),
        issuer_id=_text(issuer_id_of(credential)),
        holder_name=_text(subject.get("name")),
        valid_from=valid_from_of(credential),
        valid_until=valid_until_of(credential),
        awarded=parse_date(credential.get("awardedDate")),
        results=_results(subject, achievement, _by_id((definition or {}).get("resultDescription"))),
        alignments=_alignments(achievement.get("alignment")),
        evidence=_evidence(credential.get("evidence")),
        tags=[t for t in (_text(t) for t in _list(achievement.get("tag"))) if t],
    )
