"""Creating a campaign from the trainers' studio: on an existing assessment (shipped or the
organisation's own), or on a new one composed there (a framework or some of its competences,
adaptive or a fixed list, its length, stop rule, time limit and accessibility adjustment).

Everything is checked before anything is written, and every problem is reported at once, each
tied to the field to fix (:class:`InvalidCampaign`), so a form can show them all in one go.
A fixed list is picked by Jalon from the chosen competences and levels (validated items only,
spread over competences and levels, easiest first) rather than item by item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain, zip_longest
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from assessments import campaigns, frameworks
from assessments.models import (
    Assessment,
    AssessmentMode,
    Campaign,
    Competence,
    Framework,
    Item,
    ItemStatus,
    shipped_or_own,
    visually_accessible,
)
from learners.database import utcnow
from learners.models import Action

MAX_NAME_LENGTH = 200
MAX_ITEMS = 120
MAX_TIME_LIMIT_MINUTES = 600
LEVELS = range(1, 9)

# Codes of the problems, with their French sentence (the web layer translates by code).
MESSAGES = {
    "name_empty": "Écrivez le nom de la campagne.",
    "name_long": "Ce nom est trop long : 200 caractères au plus.",
    "name_taken": "Une campagne de votre structure porte déjà ce nom. Choisissez-en un autre.",
    "dates_order": "La date de fin doit être après la date de début.",
    "closes_past": "La date de fin est déjà passée.",
    "assessment_missing": "Choisissez une évaluation.",
    "unknown_assessment": "Cette évaluation n'existe pas ou n'est pas disponible.",
    "unknown_framework": "Ce référentiel n'existe pas ou n'est pas disponible.",
    "unknown_competence": "Compétence inconnue dans ce référentiel : {codes}.",
    "length_range": "Le nombre de questions doit être entre 1 et 120.",
    "lengths_order": "Le minimum ne peut pas dépasser le maximum.",
    "target_se_range": "La précision doit être entre 0,1 et 1,5.",
    "time_limit_range": "La durée doit être entre 1 et 600 minutes.",
    "levels_order": "Le niveau le plus bas ne peut pas dépasser le niveau le plus haut.",
    "levels_range": "Les niveaux vont de 1 à 8.",
    "no_items": "Aucune question validée ne correspond à ces choix.",
    "assessment_locked": "Des personnes ont déjà commencé cette campagne : son évaluation ne "
    "peut plus changer. Créez une nouvelle campagne pour d'autres réglages.",
    "unknown_action": "Cette action n'existe pas ou n'est pas celle de votre structure.",
}


@dataclass(frozen=True)
class Problem:
    """What is wrong (``code``, see :data:`MESSAGES`) and which field to fix."""

    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)


class InvalidCampaign(ValueError):
    """The campaign cannot be created as asked; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class AssessmentSpec:
    """A new assessment. ``competence_codes`` empty: the whole framework. A fixed list holds
    up to ``max_items`` items between ``lowest_level`` and ``highest_level``."""

    framework_id: int
    competence_codes: tuple[str, ...] = ()
    mode: AssessmentMode = AssessmentMode.ADAPTIVE
    min_items: int = 10
    max_items: int = 24
    target_se: float | None = None
    time_limit_minutes: int | None = None
    accessible_only: bool = False
    lowest_level: int = 1
    highest_level: int = 8


@dataclass(frozen=True)
class CampaignSpec:
    """A campaign on ``assessment_id`` or on ``new_assessment``; ``opens_at`` empty: now."""

    name: str
    assessment_id: int | None = None
    new_assessment: AssessmentSpec | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    action_id: int | None = None  # the funded action its sessions and badges count for


# ---------------------------------------------------------------------------------------------
# What an organisation may build on


def frameworks_for(db: Session, organisation_id: int) -> list[Framework]:
    """The latest edition of each framework the organisation may use, by title."""
    latest = (
        select(func.max(Framework.id))
        .where(shipped_or_own(Framework, organisation_id))
        .group_by(Framework.slug)
    )
    return list(
        db.scalars(select(Framework).where(Framework.id.in_(latest)).order_by(Framework.title_fr))
    )


def competences_by_framework(db: Session, choices: list[Framework]) -> dict[int, list[Competence]]:
    """Each framework's competences in its own order (for choosing some of them)."""
    return {f.id: frameworks.competences(db, f) for f in choices}


def assessments_for(db: Session, organisation_id: int) -> list[Assessment]:
    """Shipped assessments and the organisation's own, by title."""
    query = select(Assessment).where(shipped_or_own(Assessment, organisation_id))
    return list(db.scalars(query.order_by(Assessment.title, Assessment.id)))


def _items_query(
    organisation_id: int, framework: Framework, codes: tuple[str, ...], lowest: int, highest: int
) -> Select:
    query = (
        select(
            Item.uid,
            Item.level,
            Competence.code,
            Item.access_blind,
            Item.access_colour_blind,
        )
        .join(Competence, Competence.id == Item.competence_id)
        .where(
            Competence.framework_id == framework.id,
            Item.status == ItemStatus.VALIDATED,
            Item.level.between(lowest, highest),
        )
        .order_by(Item.level, Item.uid)
    )
    if codes:
        query = query.where(Competence.code.in_(codes))
    return query.where(shipped_or_own(Item, organisation_id))


def _spread(lists: list[list[Any]]) -> list[Any]:
    """One from each list in turn: [[a1, a2], [b1]] → [a1, b1, a2]."""
    return [x for x in chain.from_iterable(zip_longest(*lists)) if x is not None]


def pick_items(
    db: Session,
    organisation_id: int,
    framework: Framework,
    competence_codes: tuple[str, ...],
    *,
    lowest_level: int = 1,
    highest_level: int = 8,
    count: int = 24,
    accessible_only: bool = False,
) -> list[str]:
    """A fixed list of at most ``count`` validated items, spread over the competences (all of
    the framework's when none is named) and, within each, over the levels; easiest first."""
    rows = db.execute(
        _items_query(organisation_id, framework, competence_codes, lowest_level, highest_level)
    ).all()
    cells: dict[str, dict[int, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for uid, level, code, blind, colour_blind in rows:
        if not accessible_only or visually_accessible(blind, colour_blind):
            cells[code][level].append((level, uid))
    order = [c.code for c in frameworks.competences(db, framework)]
    per_competence = [
        _spread([cells[code][level] for level in sorted(cells[code])])
        for code in order
        if code in cells
    ]
    chosen = _spread(per_competence)[:count]
    rank = {code: k for k, code in enumerate(order)}
    position = {uid: k for k, (_, uid) in enumerate(chosen)}
    by_uid = {uid: code for uid, _, code, _, _ in rows}
    chosen.sort(key=lambda pair: (pair[0], rank[by_uid[pair[1]]], position[pair[1]]))
    return [uid for _, uid in chosen]


# ---------------------------------------------------------------------------------------------
# Checking, then creating


def name_problems(db: Session, organisation_id: int, name: str) -> list[Problem]:
    if not name:
        return [Problem("name", "name_empty")]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem("name", "name_long")]
    taken = db.scalars(select(Campaign.name).where(Campaign.organisation_id == organisation_id))
    if any(other.strip().casefold() == name.casefold() for other in taken):
        return [Problem("name", "name_taken")]
    return []


def date_problems(spec: CampaignSpec, now: datetime) -> list[Problem]:
    if spec.closes_at is None:
        return []
    if spec.opens_at is not None and spec.closes_at <= spec.opens_at:
        return [Problem("closes_at", "dates_order")]
    if spec.closes_at <= now:
        return [Problem("closes_at", "closes_past")]
    return []


def _action_problems(db: Session, organisation_id: int, action_id: int | None) -> list[Problem]:
    """Only one of the organisation's own actions, not archived, may be chosen."""
    if action_id is None:
        return []
    action = db.get(Action, action_id)
    if action is None or action.organisation_id != organisation_id or action.archived_at:
        return [Problem("action", "unknown_action")]
    return []


def setting_problems(spec: AssessmentSpec) -> list[Problem]:
    problems = []
    if not (1 <= spec.min_items <= MAX_ITEMS and 1 <= spec.max_items <= MAX_ITEMS):
        problems.append(Problem("max_items", "length_range"))
    elif spec.mode is AssessmentMode.ADAPTIVE and spec.min_items > spec.max_items:
        problems.append(Problem("min_items", "lengths_order"))
    if spec.target_se is not None and not 0.1 <= spec.target_se <= 1.5:
        problems.append(Problem("target_se", "target_se_range"))
    limit = spec.time_limit_minutes
    if limit is not None and not 1 <= limit <= MAX_TIME_LIMIT_MINUTES:
        problems.append(Problem("time_limit_minutes", "time_limit_range"))
    if spec.mode is AssessmentMode.FIXED:
        if spec.lowest_level not in LEVELS or spec.highest_level not in LEVELS:
            problems.append(Problem("lowest_level", "levels_range"))
        elif spec.lowest_level > spec.highest_level:
            problems.append(Problem("lowest_level", "levels_order"))
    return problems


def _framework(db: Session, organisation_id: int, framework_id: int) -> Framework | None:
    query = select(Framework).where(
        Framework.id == framework_id, shipped_or_own(Framework, organisation_id)
    )
    return db.scalars(query).first()


def _item_uids(
    db: Session, organisation_id: int, framework: Framework, spec: AssessmentSpec
) -> list[str]:
    """The fixed list, or for an adaptive assessment a sample showing the bank is not empty."""
    fixed = spec.mode is AssessmentMode.FIXED
    return pick_items(
        db,
        organisation_id,
        framework,
        spec.competence_codes,
        lowest_level=spec.lowest_level if fixed else 1,
        highest_level=spec.highest_level if fixed else 8,
        count=spec.max_items if fixed else 1,
        accessible_only=spec.accessible_only,
    )


def _new_assessment(
    db: Session, organisation_id: int, spec: AssessmentSpec, title: str, problems: list[Problem]
) -> Callable[[], Assessment] | None:
    """What creates the assessment once everything is checked, or None with ``problems``
    filled."""
    framework = _framework(db, organisation_id, spec.framework_id)
    if framework is None:
        problems.append(Problem("framework", "unknown_framework"))
        return None
    known = {c.code for c in frameworks.competences(db, framework)}
    unknown = [code for code in spec.competence_codes if code not in known]
    if unknown:
        problems.append(Problem("competences", "unknown_competence", {"codes": ", ".join(unknown)}))
    problems.extend(setting_problems(spec))
    if problems:
        return None
    uids = _item_uids(db, organisation_id, framework, spec)
    if not uids:
        target = "lowest_level" if spec.mode is AssessmentMode.FIXED else "competences"
        problems.append(Problem(target, "no_items"))
        return None
    fixed = spec.mode is AssessmentMode.FIXED
    return lambda: campaigns.create_assessment(
        db,
        framework,
        title,
        mode=spec.mode,
        competence_codes=list(spec.competence_codes) or None,
        item_uids=uids if fixed else None,
        min_items=len(uids) if fixed else spec.min_items,
        max_items=len(uids) if fixed else spec.max_items,
        target_se=None if fixed else spec.target_se,
        time_limit_minutes=spec.time_limit_minutes,
        accessible_only=spec.accessible_only,
        organisation_id=organisation_id,
    )


def _existing_assessment(
    db: Session, organisation_id: int, assessment_id: int, problems: list[Problem]
) -> Callable[[], Assessment] | None:
    assessment = db.get(Assessment, assessment_id)
    if assessment is None or assessment.organisation_id not in (None, organisation_id):
        problems.append(Problem("assessment", "unknown_assessment"))
        return None
    return lambda: assessment


def create(
    db: Session, organisation_id: int, spec: CampaignSpec, now: datetime | None = None
) -> Campaign:
    """The campaign (and its new assessment, if composed), under a fresh access code; raises
    :class:`InvalidCampaign` listing every problem, having written nothing."""
    now = now or utcnow()
    name = spec.name.strip()
    problems = name_problems(db, organisation_id, name) + date_problems(spec, now)
    problems += _action_problems(db, organisation_id, spec.action_id)
    make: Callable[[], Assessment] | None = None
    if spec.assessment_id is not None:
        make = _existing_assessment(db, organisation_id, spec.assessment_id, problems)
    elif spec.new_assessment is not None:
        make = _new_assessment(db, organisation_id, spec.new_assessment, name, problems)
    else:
        problems.append(Problem("assessment", "assessment_missing"))
    if problems or make is None:
        raise InvalidCampaign(problems)
    campaign = campaigns.create_campaign(
        db, make(), organisation_id, name, opens_at=spec.opens_at or now, closes_at=spec.closes_at
    )
    campaign.action_id = spec.action_id
    db.flush()
    return campaign
