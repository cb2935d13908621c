"""The items' IRT parameters in the database: what calibration starts from, and saving what it
found (``assessments/calibration.py`` is pure and never touches the database)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.calibration import CalibrationReport
from assessments.models import Item
from learners.database import utcnow


def current_parameters(db: Session) -> dict[str, tuple[float, float]]:
    """``a`` and ``b`` of every item, by uid: the anchors calibration starts from."""
    return {uid: (float(a), float(b)) for uid, a, b in db.execute(select(Item.uid, Item.a, Item.b))}


def apply_calibration(db: Session, report: CalibrationReport) -> int:
    """Save the new ``a`` and ``b`` of the items that fit the model (misfits keep theirs, for a
    person to review; anchors keep theirs); returns how many items changed. The caller
    commits."""
    fitting = {item.item_id: item for item in report.calibrated if not item.misfit}
    updated = 0
    for item in db.scalars(select(Item).where(Item.uid.in_(list(fitting)))):
        new = fitting[item.uid]
        item.a, item.b, item.calibrated_at = round(new.a, 4), round(new.b, 4), utcnow()
        updated += 1
    db.flush()
    return updated
