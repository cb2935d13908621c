"""How an item has done with one organisation's learners: how often it was answered, how often
right, how long it took, how often « Je ne sais pas », its current ``a``/``b`` and what the
organisation's last calibration said of it (the misfit flag, stored in :class:`ItemFit`).

Only answers to the item's current version count (an edited item is a new question), as in
calibration (:func:`assessments.sessions.response_matrix`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from assessments.models import (
    AnswerStatus,
    AssessmentSession,
    Campaign,
    Item,
    ItemFit,
    Response,
)


@dataclass(frozen=True)
class ItemStatistics:
    """Figures over the organisation's answers to the item's current version."""

    version: int
    answers: int
    correct: int
    skipped: int
    timed_out: int
    mean_seconds: float | None
    a: float
    b: float
    calibrated_at: datetime | None
    fit: ItemFit | None

    @property
    def success_rate(self) -> float | None:
        """Share of answers that were right (« Je ne sais pas » and time-outs count as not)."""
        return self.correct / self.answers if self.answers else None

    @property
    def skipped_share(self) -> float | None:
        return self.skipped / self.answers if self.answers else None

    @property
    def misfit(self) -> bool | None:
        """The last calibration's verdict for this version, ``None`` when none has judged it."""
        if self.fit is None or self.fit.item_version != self.version:
            return None
        return self.fit.misfit


def _count(status: AnswerStatus):
    return func.coalesce(func.sum(case((Response.status == status, 1), else_=0)), 0)


def item_statistics(db: Session, organisation_id: int, item: Item) -> ItemStatistics:
    """The item's figures over ``organisation_id``'s campaigns."""
    answers, correct, skipped, timed_out, mean_ms = db.execute(
        select(
            func.count(Response.id),
            _count(AnswerStatus.OK),
            _count(AnswerStatus.SKIPPED),
            _count(AnswerStatus.TIMED_OUT),
            func.avg(Response.time_spent_ms),
        )
        .join(AssessmentSession, AssessmentSession.id == Response.session_id)
        .join(Campaign, Campaign.id == AssessmentSession.campaign_id)
        .where(
            Campaign.organisation_id == organisation_id,
            Response.item_id == item.id,
            Response.item_version == item.version,
            Response.status.is_not(None),
        )
    ).one()
    fit = db.scalar(
        select(ItemFit).where(
            ItemFit.organisation_id == organisation_id, ItemFit.item_id == item.id
        )
    )
    return ItemStatistics(
        version=item.version,
        answers=int(answers),
        correct=int(correct),
        skipped=int(skipped),
        timed_out=int(timed_out),
        mean_seconds=None if mean_ms is None else float(mean_ms) / 1000,
        a=item.a,
        b=item.b,
        calibrated_at=item.calibrated_at,
        fit=fit,
    )
