"""Builders for journey tests: the beginner diagnostic's content, the one-of-each-type tour,
a campaign, an issuer with the shipped achievements, and the form fields a browser posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments import campaigns, content_io
from assessments.demo import TOUR_ITEMS
from assessments.models import AssessmentMode, Campaign, Framework, Item, ItemType
from badges import issuers
from badges.models import Issuer
from badges.shipped import install_achievement, shipped_achievements
from learners.models import Organisation

KEK = "test-key-encryption-key-0123456789"


def load_premiers_pas(session: Session) -> Framework:
    """The beginner diagnostic (framework and items), as shipped."""
    root = content_io.CONTENT_DIR
    framework = session.scalar(select(Framework).where(Framework.slug == "premiers-pas"))
    if framework is None:
        content_io.import_paths(
            session,
            [root / "frameworks" / "premiers-pas.json", root / "items" / "premiers-pas"],
        )
        framework = session.scalar(select(Framework).where(Framework.slug == "premiers-pas"))
    return framework


def tour_campaign(
    session: Session,
    organisation: Organisation,
    code: str = "TYPE-TEST",
    *,
    items: tuple[str, ...] = TOUR_ITEMS,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    time_limit_minutes: int | None = None,
) -> Campaign:
    """A fixed-list campaign over one item of each type (the demo's « Découverte »)."""
    framework = load_premiers_pas(session)
    assessment = campaigns.create_assessment(
        session,
        framework,
        "Découverte : une question de chaque sorte",
        mode=AssessmentMode.FIXED,
        item_uids=items,
        min_items=len(items),
        max_items=len(items),
        time_limit_minutes=time_limit_minutes,
        organisation_id=organisation.id,
    )
    return campaigns.create_campaign(
        session,
        assessment,
        organisation.id,
        "Tour",
        code=code,
        opens_at=opens_at,
        closes_at=closes_at,
    )


def issuer_with_achievements(
    session: Session, organisation: Organisation, kek: str = KEK
) -> Issuer:
    """The organisation's issuer and the shipped beginner-diagnostic achievements."""
    load_premiers_pas(session)
    issuer = issuers.for_organisation(session, organisation) or issuers.create(
        session, organisation, kek
    )
    for entry in shipped_achievements():
        if entry["framework"] == "premiers-pas":
            install_achievement(session, issuer, entry)
    return issuer


def form_fields(item: Item, response: Any) -> dict[str, Any]:
    """What a browser posts for ``response`` (FORMAT.md shape) on this item's page."""
    kind = ItemType(item.type)
    if kind is ItemType.QCU:
        return {"choice": response}
    if kind in (ItemType.QCM, ItemType.TASK_PHISHING):
        return {"choice": list(response)}
    if kind is ItemType.QROC:
        return {"text": response}
    if kind is ItemType.NUMBER:
        return {"number": response}
    if kind in (ItemType.QROCM_IND, ItemType.QROCM_DEP, ItemType.TASK_FORM):
        return {f"field-{name}": value for name, value in response.items()}
    if kind is ItemType.ORDERING:
        return {f"position-{entry}": str(i) for i, entry in enumerate(response, start=1)}
    if kind is ItemType.MATCHING:
        return {f"pair-{left}": right for left, right in response.items()}
    fields: dict[str, Any] = {
        "mail_action": "done" if response["action"] == "open" else response["action"]
    }
    if "message" in response:
        fields["message"] = response["message"]
    to = response.get("to")
    if not to and response["action"] == "reply":
        # The reply page pre-fills the sender's address, as a browser would post it.
        to = _sender_address(item, response.get("message"))
    if to:
        fields["to"] = ", ".join(to) if isinstance(to, list) else to
    if response.get("attachments"):
        fields["attachment"] = list(response["attachments"])
    if response.get("body"):
        fields["mail_body"] = response["body"]
    return fields


def _sender_address(item: Item, message_id: str | None) -> str | None:
    """The address in the ``From`` of ``message_id``, as the reply page fills it in."""
    for message in item.body.get("mailbox", {}).get("messages", []):
        if message.get("id") == message_id:
            return message["from"].split("<")[-1].rstrip(">").strip()
    return None
