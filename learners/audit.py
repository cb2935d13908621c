"""The organisation's journal: every change to content, campaigns and badges, and every look at
personal data by staff, recorded as it happens in the same transaction.

Actions are dotted codes (``campaign.created``, ``credential.revoked``, ``learner.viewed``); the
web layer turns them into sentences. ``detail`` holds small non-personal facts only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learners.models import AuditEvent, User
from learners.pagination import Page, paginate

MAX_DETAIL_TEXT = 300


def _small(detail: dict[str, Any] | None) -> dict[str, Any]:
    """Keep the journal light: long texts are cut, nested values kept as they are."""
    out: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if isinstance(value, str) and len(value) > MAX_DETAIL_TEXT:
            value = value[: MAX_DETAIL_TEXT - 1] + "…"
        out[str(key)] = value
    return out


def record(
    db: Session,
    action: str,
    *,
    actor: User | None,
    organisation_id: int | None,
    target_type: str,
    target_id: int | str,
    detail: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add one journal line (flushed with the caller's transaction, never committed here)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        organisation_id=organisation_id,
        target_type=target_type,
        target_id=str(target_id),
        detail=_small(detail),
        reason=(reason or None),
    )
    db.add(event)
    db.flush()
    return event


def journal(
    db: Session,
    organisation_id: int,
    *,
    page: int | None = 1,
    per_page: int | None = None,
    action_prefix: str | None = None,
) -> Page[AuditEvent]:
    """The organisation's journal, newest first, optionally one family of actions."""
    query = select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return paginate(db, query, page, per_page)


def actions_of(db: Session, organisation_id: int) -> list[str]:
    """The action codes that occur in this organisation's journal (for the filter)."""
    return sorted(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.organisation_id == organisation_id)
            .distinct()
        )
    )
