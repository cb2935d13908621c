"""From a finished assessment session to the badges it earns, issued at once.

The glue between ``assessments`` and the Open Badges engine: the session's results become an
``award_rules.Outcome``; every achievement of the campaign's organisation whose rule speaks of
this framework and is met is issued through ``badges.issuance`` under the award key
``session:<id>:achievement:<id>``, so calling this twice (a double submit, the results page
opened again) never issues twice.

Credentials carry the results per competence as OB 3.0 ``Result`` objects when the achievement
describes them with the identifiers built here (``result_descriptions``): a stable URN per
framework edition and competence, one rubric level per framework level.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.models import (
    AnswerStatus,
    AssessmentSession,
    Framework,
    FrameworkKind,
    SessionStatus,
)
from badges import award_rules, issuance
from badges.models import Achievement, Credential, Issuer

log = logging.getLogger(__name__)

LEVELS = range(1, 9)


def award_key(session_id: int, achievement_id: int) -> str:
    """The award event: one credential per session and achievement, whatever happens."""
    return f"session:{session_id}:achievement:{achievement_id}"


def _framework_urn(framework: Framework) -> str:
    return f"urn:jalon:framework:{framework.slug}:{framework.version}"


def competence_result_id(framework: Framework, code: str) -> str:
    return f"{_framework_urn(framework)}:competence:{code}"


def level_id(framework: Framework, code: str, level: int) -> str:
    return f"{competence_result_id(framework, code)}:level:{level}"


def referral_result_id(framework: Framework) -> str:
    return f"{_framework_urn(framework)}:referral"


def _alignment(data: Any) -> dict[str, Any] | None:
    if not data.url:
        return None
    found = {
        "targetName": data.name or data.code or data.framework_name,
        "targetUrl": data.url,
        "targetFramework": data.framework_name,
        "targetCode": data.code,
        "targetType": "CFItem",
    }
    return {k: v for k, v in found.items() if v}


def result_descriptions(framework: Framework) -> list[dict[str, Any]]:
    """OB 3.0 ResultDescriptions for a framework: each competence with its levels 1–8 (the
    framework's plain-French descriptors), and the orientation for the beginner diagnostic."""
    described: list[dict[str, Any]] = []
    for competence in framework.competences:
        texts = {d.level: d.text_fr for d in competence.levels}
        alignments = [a for a in map(_alignment, competence.alignments) if a]
        levels = []
        for level in LEVELS:
            entry: dict[str, Any] = {
                "id": level_id(framework, competence.code, level),
                "name": f"Niveau {level}",
                "level": str(level),
            }
            if texts.get(level):
                entry["description"] = texts[level]
            levels.append(entry)
        description: dict[str, Any] = {
            "id": competence_result_id(framework, competence.code),
            "name": f"{competence.code} {competence.title_fr}",
            "resultType": "RubricCriterionLevel",
            "rubricCriterionLevel": levels,
        }
        if alignments:
            description["alignment"] = alignments
        described.append(description)
    referral = framework.referral or {}
    if framework.kind == FrameworkKind.REFERRAL and referral.get("labels"):
        described.append(
            {
                "id": referral_result_id(framework),
                "name": "Orientation",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {
                        "id": f"{referral_result_id(framework)}:{code}",
                        "name": label.get("fr", code),
                        "description": (referral.get("next_steps") or {}).get(code, {}).get("fr"),
                    }
                    for code, label in referral["labels"].items()
                ],
            }
        )
    for description in described:
        for level in description["rubricCriterionLevel"]:
            if level.get("description") is None:
                level.pop("description", None)
    return described


def completed(session: AssessmentSession) -> bool:
    """Finished normally: not cut short by the assessment's time limit."""
    if session.status != SessionStatus.FINISHED:
        return False
    if session.deadline is not None and session.finished_at is not None:
        return session.finished_at < session.deadline
    return True


def outcome(session: AssessmentSession) -> award_rules.Outcome:
    """What the session proved, in the terms award rules speak."""
    return award_rules.Outcome(
        framework=session.campaign.assessment.framework.slug,
        completed=completed(session),
        levels={r.competence.code: r.level for r in session.results},
        score=session.total_score or 0,
        referral=session.referral.value if session.referral else None,
    )


def candidates(db: Session, session: AssessmentSession) -> list[Achievement]:
    """Achievements the campaign's organisation issues for this framework (not archived)."""
    issuer = db.scalar(
        select(Issuer).where(Issuer.organisation_id == session.campaign.organisation_id)
    )
    if issuer is None:
        return []
    slug = session.campaign.assessment.framework.slug
    found = db.scalars(
        select(Achievement)
        .where(Achievement.issuer_id == issuer.id, Achievement.is_archived.is_(False))
        .order_by(Achievement.id)
    )
    return [a for a in found if (a.award_rules or {}).get("framework") == slug]


def credential_results(achievement: Achievement, session: AssessmentSession) -> list[dict]:
    """The session's results the achievement describes: levels reached (≥ 1) per competence,
    and the orientation."""
    framework = session.campaign.assessment.framework
    known = {
        d["id"]: {level["id"] for level in d.get("rubricCriterionLevel", [])}
        for d in achievement.result_descriptions or []
    }
    results = []
    for result in session.results:
        rd = competence_result_id(framework, result.competence.code)
        level = level_id(framework, result.competence.code, result.level)
        if result.level >= 1 and level in known.get(rd, ()):
            results.append({"resultDescription": rd, "achievedLevel": level})
    if session.referral is not None:
        rd = referral_result_id(framework)
        level = f"{rd}:{session.referral.value}"
        if level in known.get(rd, ()):
            results.append({"resultDescription": rd, "achievedLevel": level})
    return results


def evidence(session: AssessmentSession) -> list[dict[str, Any]]:
    """What the badge rests on: the assessment taken, when, and how many questions."""
    assessment = session.campaign.assessment
    answered = sum(1 for r in session.responses if r.status is not None)
    skipped = sum(1 for r in session.responses if r.status == AnswerStatus.SKIPPED)
    day = (session.finished_at or session.started_at).date()
    return [
        {
            "name": assessment.title,
            "description": f"Évaluation « {assessment.framework.title_fr} » passée sur Jalon.",
            "narrative": (
                f"Évaluation terminée le {day.strftime('%d/%m/%Y')} : {answered} questions, "
                f"dont {skipped} avec la réponse « Je ne sais pas »."
            ),
            "genre": "Assessment",
        }
    ]


@dataclass(frozen=True)
class Award:
    achievement: Achievement
    credential: Credential
    created: bool


def award_session(
    db: Session,
    session: AssessmentSession,
    *,
    base_url: str,
    kek: str | bytes,
    now: datetime | None = None,
) -> list[Award]:
    """Issue every achievement the finished ``session`` earns (idempotent; not committed)."""
    if session.status != SessionStatus.FINISHED:
        return []
    achieved = outcome(session)
    awards = []
    for achievement in candidates(db, session):
        try:
            met = award_rules.is_met(achievement.award_rules or {}, achieved)
        except award_rules.InvalidRule as error:
            log.warning("achievement %s has an invalid rule: %s", achievement.id, error)
            continue
        if not met:
            continue
        issued = issuance.issue(
            db,
            achievement=achievement,
            learner=_learner(db, session),
            award_key=award_key(session.id, achievement.id),
            base_url=base_url,
            kek=kek,
            results=credential_results(achievement, session),
            evidence=evidence(session),
            now=now,
        )
        awards.append(Award(achievement, issued.credential, issued.created))
    return awards


def _learner(db: Session, session: AssessmentSession):
    from learners.models import Learner

    return db.get(Learner, session.learner_id)


def awarded(db: Session, session: AssessmentSession) -> list[Credential]:
    """Credentials already issued for ``session`` (the results page lists them)."""
    prefix = f"session:{session.id}:achievement:"
    return list(
        db.scalars(
            select(Credential)
            .where(Credential.award_key.startswith(prefix, autoescape=True))
            .order_by(Credential.id)
        )
    )
