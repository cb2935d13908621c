"""The badges that assessment sessions earned, for the trainer's results pages and report.

A credential names its award event in ``award_key`` (``session:<id>:achievement:<id>``), so the
badges of a set of sessions are found without any link table. Revoked badges are not counted
as obtained in a campaign's table; a learner's record lists them with their state.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from assessments.models import AssessmentSession
from badges import verification, wallet
from badges.issuance import credential_iri
from badges.models import Credential


@dataclass(frozen=True)
class BadgeLine:
    """One badge a learner earned in the organisation's sessions, and its state today."""

    public_id: str
    name: str
    status: wallet.WalletStatus
    issued_at: datetime
    session_id: int
    url: str  # the public verification page /c/<id>
    qr_url: str  # what its QR code encodes (the same page, counted as a scan)
    is_public: bool = True  # False: the page says the holder has not shared it yet


def session_of(credential: Credential) -> int | None:
    """The session id in a credential's award key, None for another kind of award."""
    parts = credential.award_key.split(":")
    if len(parts) == 4 and parts[0] == "session" and parts[1].isdigit():
        return int(parts[1])
    return None


def _credentials(db: Session, session_ids: Collection[int]) -> list[tuple[int, Credential]]:
    """(session id, credential) for every credential issued for one of ``session_ids``."""
    ids = set(session_ids)
    if not ids:
        return []
    learner_ids = select(AssessmentSession.learner_id).where(AssessmentSession.id.in_(ids))
    credentials = db.scalars(
        select(Credential)
        .where(Credential.learner_id.in_(learner_ids))
        .options(joinedload(Credential.achievement))
        .order_by(Credential.issued_at, Credential.id)
    )
    found = []
    for credential in credentials:
        session_id = session_of(credential)
        if session_id in ids:
            found.append((session_id, credential))
    return found


def names_by_session(db: Session, session_ids: Collection[int]) -> dict[int, list[str]]:
    """Session id → names of the badges it earned and still holds (revoked ones left out)."""
    names: dict[int, list[str]] = {}
    for session_id, credential in _credentials(db, session_ids):
        if not credential.is_revoked:
            names.setdefault(session_id, []).append(credential.achievement.name)
    return names


def lines_of(
    db: Session, session_ids: Collection[int], base_url: str, now: datetime | None = None
) -> list[BadgeLine]:
    """Every badge the sessions earned, newest first, with its state (revoked included)."""
    lines = [
        BadgeLine(
            public_id=credential.public_id,
            name=credential.achievement.name,
            status=wallet.status(credential, now),
            issued_at=credential.issued_at,
            session_id=session_id,
            url=credential_iri(credential.public_id, base_url),
            qr_url=verification.qr_url(credential.public_id, base_url),
            is_public=credential.is_public,
        )
        for session_id, credential in _credentials(db, session_ids)
    ]
    return sorted(lines, key=lambda line: line.issued_at, reverse=True)
