"""What a finished session's results page says, in the learner's language.

One function, ``results``, gathers everything the page shows (competence lines with what the
person can do and what comes next, the orientation of the beginner diagnostic, the framework's
title and colour, the scale of its levels, how many questions were answered) as plain data:
the page only renders it, and other readers (an export, a trainer's view) can reuse it.
Badges are the ``badges`` package's business and are not here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from assessments import engine, scoring
from assessments.models import (
    AnswerStatus,
    AssessmentSession,
    Competence,
    CompetenceResult,
    FrameworkKind,
    Item,
    LevelDescriptor,
    Referral,
    Response,
)

# The colour of a framework that names none (the platform's blue, AA contrast on white).
DEFAULT_COLOUR = "#1f5fa8"
# The number of levels when a framework describes none (the CRCN has 8).
DEFAULT_SCALE = 8


class SessionNotFinished(Exception):
    """Results exist once the session is finished."""


@dataclass(frozen=True)
class CompetenceLine:
    """One competence: the level reached, what that level means, and the next level's text."""

    code: str
    title: str
    level: int
    can_do: str | None  # None at level 0: the person is discovering the competence
    next_step: str | None  # None at the top of the scale


@dataclass(frozen=True)
class ReferralAdvice:
    """The beginner diagnostic's orientation, in words, and what to do next."""

    code: str
    label: str
    next_steps: str
    # « À accompagner » where the framework asks « autonome » of each competence: the
    # competences (titles) and practice task kinds the session did not show, so the page can
    # say why.
    not_shown: tuple[str, ...] = ()
    practice_not_shown: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionResults:
    assessment_title: str
    framework_title: str
    colour: str
    scale: int  # the highest level the framework describes (bars are drawn out of it)
    lines: tuple[CompetenceLine, ...]  # strongest first: what the person can do comes first
    referral: ReferralAdvice | None
    answered: int


def localised(fr: str | None, en: str | None, locale: str) -> str:
    """Framework texts exist in French, sometimes in English: the one for ``locale`` if it
    exists, else the other."""
    return (en or fr or "") if locale == "en" else (fr or en or "")


def _descriptor(competence: Competence, level: int, locale: str) -> str | None:
    for descriptor in competence.levels:
        if descriptor.level == level:
            return localised(descriptor.text_fr, descriptor.text_en, locale)
    return None


def _lines(db: Session, session: AssessmentSession, locale: str) -> tuple[CompetenceLine, ...]:
    rows = db.scalars(
        select(CompetenceResult)
        .where(CompetenceResult.session_id == session.id)
        .options(joinedload(CompetenceResult.competence).selectinload(Competence.levels))
    )
    lines = [
        CompetenceLine(
            code=r.competence.code,
            title=localised(r.competence.title_fr, r.competence.title_en, locale),
            level=r.level,
            can_do=_descriptor(r.competence, r.level, locale) if r.level else None,
            next_step=_descriptor(r.competence, r.level + 1, locale),
        )
        for r in rows
    ]
    return tuple(sorted(lines, key=lambda line: (-line.level, line.code)))


def _scale(db: Session, framework_id: int) -> int:
    highest = db.scalar(
        select(func.max(LevelDescriptor.level))
        .join(Competence, Competence.id == LevelDescriptor.competence_id)
        .where(Competence.framework_id == framework_id)
    )
    return max(highest or DEFAULT_SCALE, 1)


def _referral(
    db: Session, session: AssessmentSession, locale: str, lines: tuple[CompetenceLine, ...]
) -> ReferralAdvice | None:
    framework = session.campaign.assessment.framework
    if framework.kind != FrameworkKind.REFERRAL or session.referral is None:
        return None
    data = framework.referral or {}
    code = session.referral.value
    label = (data.get("labels") or {}).get(code, {})
    steps = (data.get("next_steps") or {}).get(code, {})
    advice = ReferralAdvice(
        code=code,
        label=localised(label.get("fr"), label.get("en"), locale) or code,
        next_steps=localised(steps.get("fr"), steps.get("en"), locale),
    )
    rule = scoring.AutonomeRule.of(data)
    if rule is None or session.referral != Referral.A_ACCOMPAGNER:
        return advice  # a beginner's next step is the workshop, not a list of what is missing
    gaps = _autonome_gaps(db, session, rule, framework.cut_points)
    titles = {line.code: line.title for line in lines}
    return replace(
        advice,
        not_shown=tuple(titles[g] for g in gaps if g in titles),
        practice_not_shown=tuple(g for g in gaps if g in rule.practice),
    )


def _autonome_gaps(
    db: Session, session: AssessmentSession, rule: scoring.AutonomeRule, cut_points: list[float]
) -> list[str]:
    """What the stored results did not show of « autonome » (``scoring.autonome_gaps``)."""
    stored = db.execute(
        select(
            Competence.code, CompetenceResult.theta, CompetenceResult.se, CompetenceResult.answered
        )
        .join(Competence, Competence.id == CompetenceResult.competence_id)
        .where(CompetenceResult.session_id == session.id)
        .order_by(Competence.position, Competence.id)
    ).all()
    right = db.scalars(
        select(Item.type)
        .join(Response, Response.item_id == Item.id)
        .where(Response.session_id == session.id, Response.status == AnswerStatus.OK)
        .distinct()
    )
    estimates = {c: engine.CompetenceEstimate(t, s, n) for c, t, s, n in stored}
    return scoring.autonome_gaps(
        rule, estimates, {kind.value for kind in right}, [row[0] for row in stored], cut_points
    )


def results(db: Session, session: AssessmentSession, locale: str) -> SessionResults:
    """The finished ``session``'s results in ``locale`` ("fr" or "en"); nothing is written."""
    if not session.finished:
        raise SessionNotFinished(session.id)
    assessment = session.campaign.assessment
    framework = assessment.framework
    lines = _lines(db, session, locale)
    return SessionResults(
        assessment_title=assessment.title,
        framework_title=localised(framework.title_fr, framework.title_en, locale),
        colour=framework.colour or DEFAULT_COLOUR,
        scale=_scale(db, framework.id),
        lines=lines,
        referral=_referral(db, session, locale, lines),
        answered=sum(1 for r in session.responses if r.status is not None),
    )
