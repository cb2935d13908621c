"""Questions asked of frameworks: which exist, their competences, descriptors, alignments
(for badges) and how many items back each competence and level."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessments.models import (
    Alignment,
    Competence,
    Framework,
    Item,
    ItemStatus,
    LevelDescriptor,
)


class UnknownFramework(LookupError):
    """No framework with this slug (and version)."""


class UnknownCompetence(LookupError):
    """No competence with this code in the framework."""


def get_framework(db: Session, slug: str, version: str | None = None) -> Framework:
    """The framework ``slug`` at ``version``, or its most recently imported edition."""
    query = select(Framework).where(Framework.slug == slug)
    if version is not None:
        query = query.where(Framework.version == version)
    framework = db.scalars(query.order_by(Framework.id.desc()).limit(1)).first()
    if framework is None:
        raise UnknownFramework(slug if version is None else f"{slug}@{version}")
    return framework


def list_frameworks(db: Session) -> list[Framework]:
    """The latest edition of every framework, by title."""
    latest = select(func.max(Framework.id)).group_by(Framework.slug)
    return list(
        db.scalars(select(Framework).where(Framework.id.in_(latest)).order_by(Framework.title_fr))
    )


def competences(db: Session, framework: Framework) -> list[Competence]:
    """Competences in the framework's order (domain by domain)."""
    return [c for domain in framework.domains for c in domain.competences]


def get_competence(db: Session, framework: Framework, code: str) -> Competence:
    competence = db.scalars(
        select(Competence).where(Competence.framework_id == framework.id, Competence.code == code)
    ).first()
    if competence is None:
        raise UnknownCompetence(f"{framework.slug} {code}")
    return competence


def level_descriptor(db: Session, competence: Competence, level: int) -> str | None:
    """What a person at ``level`` can do (French), when the framework says it."""
    return db.scalar(
        select(LevelDescriptor.text_fr).where(
            LevelDescriptor.competence_id == competence.id, LevelDescriptor.level == level
        )
    )


@dataclass(frozen=True)
class AlignmentTarget:
    """One Open Badges ``Alignment`` (targetName, targetUrl, targetCode, targetFramework)."""

    target_name: str
    target_url: str | None
    target_code: str | None
    target_framework: str


def alignments(db: Session, competence: Competence) -> list[AlignmentTarget]:
    """The competence itself, then its external alignments, ready for a badge."""
    framework = competence.framework
    own = AlignmentTarget(
        target_name=competence.title_fr,
        target_url=framework.source_url,
        target_code=competence.code,
        target_framework=framework.title_fr,
    )
    rows = db.scalars(
        select(Alignment).where(Alignment.competence_id == competence.id).order_by(Alignment.id)
    )
    return [own] + [
        AlignmentTarget(
            target_name=a.name or a.code or a.framework_name,
            target_url=a.url,
            target_code=a.code,
            target_framework=a.framework_name,
        )
        for a in rows
    ]


CERTIFICATION_CURRENT = "current"
CERTIFICATION_EXPIRED = "expired"
CERTIFICATION_UNCONFIRMED = "unconfirmed"


def certification_state(framework: Framework, on: date | None = None) -> str | None:
    """Whether the framework's certification may be cited as current on ``on`` (today by
    default): ``None`` without a certification, ``unconfirmed`` when its number is missing (it
    could not be confirmed), ``expired`` when its registration ended before ``on``, else
    ``current`` (also when no end date is known)."""
    if not framework.certification_register:
        return None
    if not framework.certification_code:
        return CERTIFICATION_UNCONFIRMED
    until = framework.certification_valid_until
    if until is not None and until < (on or date.today()):
        return CERTIFICATION_EXPIRED
    return CERTIFICATION_CURRENT


def framework_alignments(framework: Framework, on: date | None = None) -> list[AlignmentTarget]:
    """The framework's occupation (ESCO) and certification (RNCP/RS) as badge alignments; a
    certification whose number is unconfirmed or whose registration had ended by ``on`` (today
    by default) is left out rather than presented as current."""
    targets: list[AlignmentTarget] = []
    if framework.occupation_esco_uri:
        targets.append(
            AlignmentTarget(
                target_name=framework.occupation_name or framework.title_fr,
                target_url=framework.occupation_esco_uri,
                target_code=framework.occupation_esco_uri.rsplit("/", 1)[-1],
                target_framework="ESCO",
            )
        )
    if certification_state(framework, on) == CERTIFICATION_CURRENT:
        targets.append(
            AlignmentTarget(
                target_name=framework.certification_title or framework.certification_code,
                target_url=framework.certification_url,
                target_code=framework.certification_code,
                target_framework=framework.certification_register or "RNCP",
            )
        )
    return targets


def item_counts(
    db: Session, framework: Framework, statuses: tuple[ItemStatus, ...] = (ItemStatus.VALIDATED,)
) -> dict[str, dict[int, int]]:
    """Items per competence code and level (validated ones by default)."""
    rows = db.execute(
        select(Competence.code, Item.level, func.count(Item.id))
        .join(Item, Item.competence_id == Competence.id)
        .where(Competence.framework_id == framework.id, Item.status.in_(statuses))
        .group_by(Competence.code, Item.level)
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for code, level, count in rows:
        counts[code][level] = count
    return dict(counts)
