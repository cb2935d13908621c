"""Retention periods (RGPD art. 5-1-e): what is removed, and when, once its purpose is served.

Each rule empties or deletes the personal part of old rows and keeps what the indicators count
(an enrolment keeps its dates, status, sex and outcomes; a response keeps whether it was right).
Here rather than in one package because the rules span the three; the periods come from the
configuration (``docs/RGPD.md`` lists them and their defaults).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from assessments.models import AssessmentSession, Response
from badges.models import Credential, EvidenceFile
from learners.database import utcnow
from learners.models import AuditEvent, Enrolment, Job, JobStatus


@dataclass(frozen=True)
class Policy:
    """How long each kind of personal data is kept (days, counted from the event named)."""

    enrolment_details_days: int = 3 * 365  # birth year, commune: after the exit date
    answers_days: int = 2 * 365  # answers' content: after the session started
    journal_days: int = 5 * 365  # journal lines: after they were written
    jobs_days: int = 90  # finished jobs (their arguments): after they finished
    revoked_evidence_days: int = 365  # evidence files of a revoked badge: after revocation


@dataclass(frozen=True)
class Rule:
    key: str
    label: str  # French, for the CLI's progress and summary
    ids: Callable[[Session, Policy, datetime], Select]
    apply: Callable[[Session, list[int]], None]


def _enrolments(db: Session, policy: Policy, now: datetime) -> Select:
    limit: date = (now - timedelta(days=policy.enrolment_details_days)).date()
    return select(Enrolment.id).where(
        Enrolment.exit_date.is_not(None),
        Enrolment.exit_date < limit,
        (Enrolment.birth_year.is_not(None)) | (Enrolment.commune_code.is_not(None)),
    )


def _blank_enrolments(db: Session, ids: list[int]) -> None:
    db.execute(
        update(Enrolment).where(Enrolment.id.in_(ids)).values(birth_year=None, commune_code=None)
    )


def _responses(db: Session, policy: Policy, now: datetime) -> Select:
    sessions = select(AssessmentSession.id).where(
        AssessmentSession.started_at < now - timedelta(days=policy.answers_days)
    )
    return select(Response.id, Response.answer).where(Response.session_id.in_(sessions))


def _blank_responses(db: Session, ids: list[int]) -> None:
    for response in db.scalars(select(Response).where(Response.id.in_(ids))):
        response.answer = None


def _journal(db: Session, policy: Policy, now: datetime) -> Select:
    return select(AuditEvent.id).where(AuditEvent.at < now - timedelta(days=policy.journal_days))


def _delete(model) -> Callable[[Session, list[int]], None]:
    def apply(db: Session, ids: list[int]) -> None:
        for row in db.scalars(select(model).where(model.id.in_(ids))):
            db.delete(row)

    return apply


def _jobs(db: Session, policy: Policy, now: datetime) -> Select:
    return select(Job.id).where(
        Job.status.in_((JobStatus.DONE, JobStatus.FAILED)),
        Job.finished_at < now - timedelta(days=policy.jobs_days),
    )


def _revoked_evidence(db: Session, policy: Policy, now: datetime) -> Select:
    revoked = select(Credential.id).where(
        Credential.revoked_at < now - timedelta(days=policy.revoked_evidence_days)
    )
    return select(EvidenceFile.id).where(EvidenceFile.credential_id.in_(revoked))


RULES = (
    Rule(
        "enrolments", "Inscriptions : année de naissance et commune", _enrolments, _blank_enrolments
    ),
    Rule("answers", "Réponses aux évaluations : contenu", _responses, _blank_responses),
    Rule("journal", "Journal : lignes anciennes", _journal, _delete(AuditEvent)),
    Rule("jobs", "Tâches terminées", _jobs, _delete(Job)),
    Rule(
        "evidence",
        "Pièces justificatives de badges révoqués",
        _revoked_evidence,
        _delete(EvidenceFile),
    ),
)

BATCH = 500


def due(db: Session, policy: Policy, now: datetime | None = None) -> dict[str, list[int]]:
    """The ids each rule would purge now (for ``--dry-run`` and for the progress total)."""
    now = now or utcnow()
    return {rule.key: _ids(db, rule.ids(db, policy, now)) for rule in RULES}


def _ids(db: Session, query: Select) -> list[int]:
    """The first column's ids; with a second column, only rows where it holds something (an
    emptied JSON column reads None whether the database holds SQL NULL or JSON null)."""
    rows = db.execute(query).all()
    return [row[0] for row in rows if len(row) == 1 or row[1] is not None]


def purge(db: Session, policy: Policy, now: datetime | None = None) -> Iterator[tuple[Rule, int]]:
    """Purge what is due, rule by rule in batches, yielding (rule, rows done) after each batch
    so that the caller can show progress. Commits after each batch: a long purge interrupted
    keeps what it did, and the next run carries on."""
    for rule, ids in zip(RULES, due(db, policy, now).values(), strict=True):
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            rule.apply(db, batch)
            db.commit()
            yield rule, len(batch)
