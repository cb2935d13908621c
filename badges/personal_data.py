"""What Jalon holds about one person, handed back to them (RGPD art. 15 and 20), and erasure
(art. 17): badges revoked, personal rows removed or anonymised, aggregates kept.

Here rather than in ``learners`` because a person's data spans the three domain packages and
``badges`` is the one that already sees the other two. Plain data in, plain data out.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from assessments.models import AssessmentSession, Campaign, CompetenceResult, Response
from badges import revocation
from badges.models import Credential, EvidenceFile
from learners import audit
from learners.database import utcnow
from learners.models import AuditEvent, Enrolment, Learner, Membership, User

ERASURE_REASON = "effacement à la demande de la personne"
ERASED_NAME = "Personne effacée"
# Journal actions: the person erased their own account, or their organisation's admin did, on
# a request the person made otherwise (they can no longer log in).
ERASED = "learner.erased"
ERASED_BY_STAFF = "learner.erased_by_staff"
# An unusable hash: no password ever checks against it.
ERASED_PASSWORD_HASH = "!effacé"  # noqa: S105  (not a secret: matches nothing)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _sessions(db: Session, learner_id: int) -> list[dict[str, Any]]:
    out = []
    sessions = db.scalars(
        select(AssessmentSession)
        .where(AssessmentSession.learner_id == learner_id)
        .order_by(AssessmentSession.id)
    )
    for session in sessions:
        campaign = db.get(Campaign, session.campaign_id)
        row = _row(
            session,
            ("id", "status", "started_at", "finished_at", "theta", "se", "total_score"),
        )
        row["campaign"] = campaign.name if campaign else None
        row["responses"] = [
            _row(r, ("position", "item_id", "asked_at", "answered_at", "status", "answer"))
            for r in db.scalars(
                select(Response)
                .where(Response.session_id == session.id)
                .order_by(Response.position)
            )
        ]
        row["results"] = [
            _row(c, ("competence_id", "level", "score", "answered", "correct"))
            for c in db.scalars(
                select(CompetenceResult).where(CompetenceResult.session_id == session.id)
            )
        ]
        out.append(row)
    return out


def _credentials(db: Session, learner_id: int) -> list[dict[str, Any]]:
    out = []
    for credential in db.scalars(
        select(Credential).where(Credential.learner_id == learner_id).order_by(Credential.id)
    ):
        row = _row(
            credential,
            (
                "public_id",
                "issued_at",
                "valid_until",
                "revoked_at",
                "revocation_reason",
                "is_public",
            ),
        )
        row["badge"] = credential.achievement.name
        row["signed_credential"] = json.loads(credential.signed_json)
        out.append(row)
    return out


def _journal_about(db: Session, learner: Learner) -> list[AuditEvent]:
    """Journal lines whose target is this person (as a learner or as a user)."""
    return list(
        db.scalars(
            select(AuditEvent)
            .where(
                or_(
                    (AuditEvent.target_type == "learner")
                    & (AuditEvent.target_id == str(learner.id)),
                    (AuditEvent.target_type == "user")
                    & (AuditEvent.target_id == str(learner.user_id)),
                )
            )
            .order_by(AuditEvent.id)
        )
    )


def export(db: Session, learner: Learner) -> dict[str, Any]:
    """Everything Jalon holds about this learner, as JSON-ready plain data; nothing of anyone else
    (a staff member who acted on them is not named: the journal lines give the action only)."""
    user = learner.user
    memberships = db.scalars(select(Membership).where(Membership.user_id == user.id))
    enrolments = db.scalars(
        select(Enrolment).where(Enrolment.learner_id == learner.id).order_by(Enrolment.id)
    )
    files = db.scalars(
        select(EvidenceFile).where(EvidenceFile.learner_id == learner.id).order_by(EvidenceFile.id)
    )
    return {
        "generated_at": utcnow().isoformat(),
        "profile": {
            **_row(user, ("username", "email", "display_name", "locale", "created_at")),
            "pseudonym": learner.pseudonym,
            "learner_display_name": learner.display_name,
        },
        "memberships": [
            {
                "organisation": m.organisation.name,
                "role": m.role.value,
                "since": _plain(m.created_at),
            }
            for m in memberships
        ],
        "sessions": _sessions(db, learner.id),
        "credentials": _credentials(db, learner.id),
        "evidence_files": [
            _row(f, ("public_id", "filename", "media_type", "sha256", "hidden", "created_at"))
            for f in files
        ],
        "enrolments": [
            {
                "action": e.action.title,
                **_row(
                    e,
                    (
                        "referrer",
                        "entry_date",
                        "exit_date",
                        "exit_reason",
                        "sessions_attended",
                        "sessions_planned",
                        "public_status",
                        "sex",
                        "birth_year",
                        "commune_code",
                    ),
                ),
                "outcomes": [_row(o, ("moment", "situation", "observed_on")) for o in e.outcomes],
            }
            for e in enrolments
        ],
        "journal": [
            _row(event, ("at", "action", "target_type", "reason"))
            for event in _journal_about(db, learner)
        ],
    }


def erasable_by_organisation(db: Session, user: User, organisation_id: int) -> bool:
    """Whether an organisation's admin may erase this learner: only when the person belongs to
    that organisation alone (another organisation's data is not theirs to remove)."""
    return organisations_of(db, user) == [organisation_id]


def organisations_of(db: Session, user: User) -> list[int]:
    return sorted(
        set(db.scalars(select(Membership.organisation_id).where(Membership.user_id == user.id)))
    )


def erase(
    db: Session,
    learner: Learner,
    *,
    actor: User | None,
    base_url: str,
    kek: str | bytes,
    reason: str | None = None,
) -> dict[str, int]:
    """Erase a learner (not committed): their badges are revoked with the status lists re-signed,
    their name, login, e-mail, password, evidence files and enrolment quasi-identifiers (birth
    year, commune) removed, their answers' content emptied. Rows that the indicators count
    (enrolments with status, sex, dates and outcomes; sessions and scores; credentials) stay,
    attached to an anonymous profile, so the département's figures do not change."""
    user = learner.user
    organisation_ids = organisations_of(db, user)
    revoked = 0
    for credential in db.scalars(
        select(Credential).where(
            Credential.learner_id == learner.id, Credential.revoked_at.is_(None)
        )
    ):
        revocation.revoke(db, credential, ERASURE_REASON, base_url=base_url, kek=kek)
        # Its page names nobody now; whoever was given the link learns it no longer holds,
        # rather than meeting a 404 that looks like a broken link.
        credential.is_public = True
        revoked += 1
    files = list(db.scalars(select(EvidenceFile).where(EvidenceFile.learner_id == learner.id)))
    for file in files:
        db.delete(file)
    for response in db.scalars(
        select(Response)
        .join(AssessmentSession, AssessmentSession.id == Response.session_id)
        .where(AssessmentSession.learner_id == learner.id)
    ):
        response.answer = None
    for enrolment in db.scalars(select(Enrolment).where(Enrolment.learner_id == learner.id)):
        enrolment.birth_year = None
        enrolment.commune_code = None
    learner.display_name = ERASED_NAME
    user.display_name = ERASED_NAME
    user.username = f"efface-{secrets.token_hex(8)}"
    user.email = None
    user.password_hash = ERASED_PASSWORD_HASH
    user.is_active = False
    user.must_change_password = False
    user.session_version = (user.session_version or 0) + 1
    by_self = actor is None or actor.id == user.id
    for organisation_id in organisation_ids:
        audit.record(
            db,
            ERASED if by_self else ERASED_BY_STAFF,
            actor=None if by_self else actor,
            organisation_id=organisation_id,
            target_type="learner",
            target_id=learner.id,
            reason=reason,
            detail={
                "requested_by": "self" if by_self else "staff",
                "badges_revoked": revoked,
                "files_removed": len(files),
            },
        )
    db.flush()
    return {"badges_revoked": revoked, "files_removed": len(files)}
