"""From a finished assessment session to the badges it earns, issued at once.

The glue between ``assessments`` and the Open Badges engine: the session's results become an
``award_rules.Outcome``; every achievement of the campaign's organisation whose rule speaks of
this framework and is met is issued through ``badges.issuance`` under the award key
``session:<id>:achievement:<id>``, so calling this twice (a double submit, the results page
opened again) never issues twice.

Badges are issued once, by the POST that finishes the session (never by a page view), through
``award_with_retry``: a transient failure (a lock, a lost connection, a concurrent issue of the
same award) is retried a bounded number of times; a session whose awarding still failed stays
*pending* (``AssessmentSession.badges_awarded_at`` empty) until a later POST (« Réessayer » on the
results page) or ``jalon badges award-pending`` issues its badges.

Credentials carry the results per competence as OB 3.0 ``Result`` objects when the achievement
describes them with the identifiers built here (``result_descriptions``): a stable URN per
framework edition and competence, one rubric level per framework level.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, load_only, object_session, selectinload

from assessments import scoring
from assessments.models import (
    AnswerStatus,
    AssessmentSession,
    Competence,
    Framework,
    FrameworkKind,
    Item,
    Response,
    SessionStatus,
)
from badges import award_rules, issuance
from badges.models import Achievement, Credential, Issuer
from learners.database import utcnow

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
        answered=real_answers(session),
        answers={r.competence.code: r.answered for r in session.results},
        **_evidence(session),
    )


def _evidence(session: AssessmentSession) -> dict[str, Any]:
    """The evidence award rules may ask (``award_rules.Outcome``), from the session's answers
    in one query: each competence's own ability and standard error, the practice tasks done."""
    db = object_session(session)
    rows = (
        db.execute(
            select(Competence.code, Item.a, Item.b, Item.type, Response.status)
            .join(Item, Item.id == Response.item_id)
            .join(Competence, Competence.id == Item.competence_id)
            .where(Response.session_id == session.id, Response.status.is_not(None))
            .order_by(Response.position)
        ).all()
        if db is not None and session.id is not None
        else []
    )
    own = scoring.own_estimates(
        [scoring.Answered(r.code, r.a, r.b, AnswerStatus(r.status)) for r in rows]
    )
    return {
        "theta": {code: found.theta for code, found in own.items()},
        "se": {code: found.se for code, found in own.items()},
        "cut_points": tuple(session.campaign.assessment.framework.cut_points or ()),
        "practice": frozenset(
            r.type.value
            for r in rows
            if r.status == AnswerStatus.OK and r.type.value in award_rules.PRACTICE_TYPES
        ),
    }


def candidates(db: Session, session: AssessmentSession) -> list[Achievement]:
    """Achievements the campaign's organisation issues for this framework (published: neither
    a draft nor an archived or replaced version), save those given by hand only."""
    return _candidates(db, session)[1]


def _candidates(db: Session, session: AssessmentSession) -> tuple[Issuer | None, list[Achievement]]:
    """The campaign's issuer and its candidate achievements (``candidates``): the caller keeps
    the issuer, so that each achievement's ``issuer`` is found without another query."""
    issuer = db.scalar(
        select(Issuer).where(Issuer.organisation_id == session.campaign.organisation_id)
    )
    if issuer is None:
        return None, []
    slug = session.campaign.assessment.framework.slug
    found = db.scalars(
        select(Achievement)
        .where(
            Achievement.issuer_id == issuer.id,
            Achievement.is_archived.is_(False),
            Achievement.is_draft.is_(False),
        )
        .order_by(Achievement.id)
    )
    return issuer, [
        a
        for a in found
        if (a.award_rules or {}).get("framework") == slug
        and not award_rules.is_manual(a.award_rules)
    ]


def credential_results(achievement: Achievement, session: AssessmentSession) -> list[dict]:
    """The session's results the achievement describes: levels reached (≥ 1) per competence.
    The beginner diagnostic's orientation is advice for the trainer, never written in a badge
    anyone may read."""
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
    return results


def evidence(session: AssessmentSession) -> list[dict[str, Any]]:
    """What the badge rests on: the assessment taken, when, and how many questions (never how
    many were answered « Je ne sais pas »: that stays between the learner and the trainer)."""
    assessment = session.campaign.assessment
    asked = sum(1 for r in session.responses if r.status is not None)
    day = (session.finished_at or session.started_at).date()
    return [
        {
            "name": assessment.title,
            "description": f"Évaluation « {assessment.framework.title_fr} » passée sur Jalon.",
            "narrative": f"Évaluation terminée le {day.strftime('%d/%m/%Y')} : {asked} questions.",
            "genre": "Assessment",
        }
    ]


def real_answers(session: AssessmentSession) -> int | None:
    """Questions given an answer, right or wrong (« Je ne sais pas » and time-outs are not);
    None for a session whose results were not recorded question by question."""
    if not session.responses:
        return None
    return sum(1 for r in session.responses if r.status in (AnswerStatus.OK, AnswerStatus.KO))


_SKIPPED_COUNT = re.compile(r",? dont \d+ avec la réponse « Je ne sais pas »")


def _is_referral(result: Any) -> bool:
    return isinstance(result, dict) and str(result.get("resultDescription", "")).endswith(
        ":referral"
    )


def without_private_details(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of one of our signed credentials fit for its public page: without the
    orientation result and the « Je ne sais pas » count that badges issued before they were
    left out still carry (their signed files cannot change)."""
    shown = copy.deepcopy(document)
    subject = shown.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("result"), list):
        subject["result"] = [r for r in subject["result"] if not _is_referral(r)]
    for item in shown.get("evidence") or ():
        if isinstance(item, dict) and isinstance(item.get("narrative"), str):
            item["narrative"] = _SKIPPED_COUNT.sub("", item["narrative"])
    return shown


def earned(db: Session, session: AssessmentSession) -> list[Achievement]:
    """The candidate achievements whose award rule the finished ``session`` meets (an invalid
    rule is logged and skipped: it awards nothing)."""
    return _earned(db, session)[1]


def _earned(db: Session, session: AssessmentSession) -> tuple[Issuer | None, list[Achievement]]:
    """``earned``, with the issuer of the achievements (kept by the caller: see ``_candidates``)."""
    _load_competences_of_results(db, session)
    achieved = outcome(session)
    issuer, achievements = _candidates(db, session)
    found = []
    for achievement in achievements:
        try:
            if award_rules.is_met(achievement.award_rules or {}, achieved):
                found.append(achievement)
        except award_rules.InvalidRule as error:
            log.warning("achievement %s has an invalid rule: %s", achievement.id, error)
    return issuer, found


def _load_competences_of_results(db: Session, session: AssessmentSession) -> None:
    """Load the competences of the session's results in one query (``result.competence`` would
    send one each), then link each result to its own (found in the identity map)."""
    missing = {r.competence_id for r in session.results if "competence" in inspect(r).unloaded}
    if not missing:
        return
    found = {c.id: c for c in db.scalars(select(Competence).where(Competence.id.in_(missing)))}
    for result in session.results:
        if result.competence_id in found:
            result.competence  # noqa: B018 (the many-to-one finds it loaded: no query)


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
    issuer, found = _earned(db, session)
    if not found:
        return []
    # Once for all the badges: the learner, the evidence, the issuer's keys.
    learner = _learner(db, session)
    shown = evidence(session)
    keys = _keys(db, issuer, kek)
    awards = []
    for achievement in found:
        issued = issuance.issue(
            db,
            achievement=achievement,
            learner=learner,
            award_key=award_key(session.id, achievement.id),
            base_url=base_url,
            kek=kek,
            results=credential_results(achievement, session),
            evidence=shown,
            action_id=session.campaign.action_id,  # badges count for the campaign's action
            now=now,
            keys=keys,
        )
        awards.append(Award(achievement, issued.credential, issued.created))
    return awards


def _keys(db: Session, issuer: Issuer | None, kek: str | bytes) -> issuance.SigningKeys | None:
    """The issuer's keys opened once for all the badges of a session; None when they do not
    open (no active key, a wrong KEK): ``issuance.issue`` then fails exactly as it would have,
    only for a badge not issued yet (one already issued is returned without its keys)."""
    if issuer is None:
        return None
    try:
        return issuance.signing_keys(db, issuer, kek)
    except DBAPIError:
        raise
    except Exception:  # issue() opens them again and raises where a badge needs them
        return None


def _learner(db: Session, session: AssessmentSession):
    from learners.models import Learner

    return db.get(Learner, session.learner_id)


def awarded(db: Session, session: AssessmentSession) -> list[Credential]:
    """Credentials already issued for ``session`` (the results page lists them)."""
    prefix = f"session:{session.id}:achievement:"
    # Found through the learner's index (a session's badges are issued to its learner); the
    # prefix alone is a LIKE that neither engine answers from the award-key index: it read
    # every credential of the platform.
    # The page shows each badge's achievement (one query for all, not one each) and never the
    # signed documents (tens of KB each): they load only if asked for.
    return list(
        db.scalars(
            select(Credential)
            .where(
                Credential.learner_id == session.learner_id,
                Credential.award_key.startswith(prefix, autoescape=True),
            )
            .options(
                load_only(
                    Credential.public_id,
                    Credential.award_key,
                    Credential.achievement_id,
                    Credential.learner_id,
                ),
                selectinload(Credential.achievement),
            )
            .order_by(Credential.id)
        )
    )


# ---------------------------------------------------------------------------------------------
# Awarding once, with a bounded retry; pending sessions

# Pauses before the second and third attempts: short, as a person waits for the results page.
RETRY_DELAYS: tuple[float, ...] = (0.05, 0.25)


@dataclass(frozen=True)
class Awarding:
    """One awarding run: the awards (issued now or found issued), or ``pending`` when it failed
    (the session keeps its badges to issue later); ``attempts`` made (0: nothing was due)."""

    awards: list[Award]
    pending: bool
    attempts: int


def is_transient(error: BaseException) -> bool:
    """A failure another attempt may not meet: a lock or deadlock, a lost connection, or the
    award key taken by a concurrent request (the next attempt finds that credential)."""
    if isinstance(error, OperationalError | IntegrityError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def award_with_retry(
    db: Session,
    session: AssessmentSession,
    *,
    base_url: str,
    kek: str | bytes,
    delays: Sequence[float] | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Awarding:
    """Issue the badges of a finished ``session`` whose awarding is pending, and mark it awarded.

    Unlike the rest of this module it commits: each attempt is one transaction, committed when
    it succeeds and rolled back when it fails, so call it with nothing else pending in ``db``
    (the session's end already committed). A transient failure is retried ``len(delays)``
    times (``RETRY_DELAYS`` by default); any other (a wrong key, a bug) is logged and not
    retried. A session not finished, or already awarded, is left alone.
    """
    delays = RETRY_DELAYS if delays is None else delays
    sleep = sleep or time.sleep
    session_id = session.id
    total = len(delays) + 1
    for attempt in range(1, total + 1):
        if attempt > 1:
            sleep(delays[attempt - 2])
        try:
            if not session.badges_pending:  # re-read after a rolled back attempt
                return Awarding([], pending=False, attempts=attempt - 1)
            awards = award_session(db, session, base_url=base_url, kek=kek, now=now)
            session.badges_awarded_at = now or utcnow()
            db.commit()
            return Awarding(awards, pending=False, attempts=attempt)
        except Exception as error:  # the results are saved: the badges wait, never a 500
            db.rollback()
            if not is_transient(error):
                log.exception("badge issuance failed for session %s; left pending", session_id)
                return Awarding([], pending=True, attempts=attempt)
            log.warning(
                "badge issuance for session %s failed (attempt %s of %s): %s",
                session_id,
                attempt,
                total,
                type(error).__name__,
            )
    log.error("badge issuance for session %s failed %s times; left pending", session_id, total)
    return Awarding([], pending=True, attempts=total)


def pending_session_ids(db: Session) -> list[int]:
    """Finished sessions whose badges are not issued yet, oldest first."""
    return list(
        db.scalars(
            select(AssessmentSession.id)
            .where(
                AssessmentSession.status == SessionStatus.FINISHED,
                AssessmentSession.badges_awarded_at.is_(None),
            )
            .order_by(AssessmentSession.finished_at, AssessmentSession.id)
        )
    )


def award_pending(
    db: Session,
    session_ids: Sequence[int],
    *,
    base_url: str,
    kek: str | bytes,
    delays: Sequence[float] | None = None,
) -> Iterator[tuple[int, Awarding]]:
    """Award each pending session in turn (committing each), yielding what happened to it, so
    that a command can show its progress; one session's failure does not stop the others."""
    for session_id in session_ids:
        session = db.get(AssessmentSession, session_id)
        if session is None:
            continue
        yield session_id, award_with_retry(db, session, base_url=base_url, kek=kek, delays=delays)


def badges_due(db: Session, session: AssessmentSession) -> list[Achievement]:
    """Achievements a pending session earns and has not received: the results page offers to
    issue them (« Réessayer ») without issuing anything itself."""
    if not session.badges_pending:
        return []
    issued = {c.award_key for c in awarded(db, session)}
    return [a for a in earned(db, session) if award_key(session.id, a.id) not in issued]
