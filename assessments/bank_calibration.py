"""Calibrating an organisation's items from its learners' answers, as a background job.

The same calibration as ``jalon assess calibrate`` (:func:`assessments.calibration.calibrate`
on :func:`assessments.sessions.response_matrix`, the current ``a``/``b`` as known parameters),
over the answers of the organisation's campaigns. Each item calibrated gets an :class:`ItemFit`
row for the organisation (its estimate and the misfit flag shown on the item's page); the new
``a`` and ``b`` are saved only on items the organisation owns and that fit the model, as
``--apply`` does: shipped items are read-only and shared by every organisation.

Shipped items are therefore the **anchors**: held at their parameters, they set the scale, so
an organisation whose learners are beginners does not re-centre its own items on them
(``assessments/calibration.py``). Their fit to the organisation's answers is still computed.
Without shipped items among the answers, the group sets the scale (the summary says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.bank import owned_by, usable_by
from assessments.calibration import CalibrationReport, calibrate
from assessments.item_parameters import apply_calibration, current_parameters
from assessments.models import Item, ItemFit
from assessments.sessions import response_matrix
from learners import audit
from learners.database import utcnow
from learners.models import User

JOB_KIND = "items.calibrate"
DEFAULT_MIN_ANSWERS = 200
MAX_ITERATIONS = 500


@dataclass(frozen=True)
class CalibrationSummary:
    """What a run did, small enough for the job's result (no personal data)."""

    answers: int
    persons: int
    calibrated: int
    applied: int
    converged: bool
    iterations: int
    misfits: list[str] = field(default_factory=list)
    too_few_answers: int = 0
    anchors: int = 0
    scale: str = "group"
    population_mean: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _store_fits(db: Session, organisation_id: int, report: CalibrationReport, applied: set[str]):
    items = {
        item.uid: item
        for item in db.scalars(select(Item).where(Item.uid.in_([r.item_id for r in report.items])))
    }
    existing = {
        fit.item_id: fit
        for fit in db.scalars(select(ItemFit).where(ItemFit.organisation_id == organisation_id))
    }
    now = utcnow()
    for result in report.items:
        item = items[result.item_id]
        fit = existing.get(item.id) or ItemFit(organisation_id=organisation_id, item_id=item.id)
        fit.item_version, fit.calibrated_at, fit.answers = item.version, now, result.answers
        fit.a, fit.b, fit.se_a, fit.se_b = result.a, result.b, result.se_a, result.se_b
        fit.fit_p, fit.misfit = result.fit_p, result.misfit
        fit.applied = result.item_id in applied
        db.add(fit)
    db.flush()


def calibrate_organisation(
    db: Session,
    organisation_id: int,
    *,
    min_answers: int = DEFAULT_MIN_ANSWERS,
    max_iterations: int = MAX_ITERATIONS,
    progress: Callable[[int, int], None] | None = None,
) -> CalibrationSummary:
    """Calibrate the items the organisation's learners answered; store each item's fit and
    save ``a``/``b`` of the fitting items it owns (flushed; the caller commits)."""
    usable = set(db.scalars(select(Item.uid).where(usable_by(organisation_id))))
    answers = [
        row for row in response_matrix(db, organisation_id=organisation_id) if row[1] in usable
    ]
    owned = set(db.scalars(select(Item.uid).where(owned_by(organisation_id))))
    report = calibrate(
        answers,
        min_answers=min_answers,
        anchors=current_parameters(db),
        max_iterations=max_iterations,
        progress=progress,
        fixed=usable - owned,
    )
    mine = CalibrationReport(items=[r for r in report.calibrated if r.item_id in owned])
    applied = {r.item_id for r in mine.items if not r.misfit}
    apply_calibration(db, mine)
    _store_fits(db, organisation_id, report, applied)
    return CalibrationSummary(
        answers=len(answers),
        persons=report.persons,
        calibrated=len(report.calibrated),
        applied=len(applied),
        converged=report.converged,
        iterations=report.iterations,
        misfits=[r.item_id for r in report.misfitting],
        too_few_answers=len(report.skipped),
        anchors=len(report.items) - len(report.calibrated),
        scale=report.scale,
        population_mean=round(report.population_mean, 2),
    )


def calibration_job(
    db: Session,
    progress: Callable[..., None],
    *,
    org_id: int,
    actor_id: int | None,
    min_answers: int = DEFAULT_MIN_ANSWERS,
) -> dict[str, Any]:
    """The background job (``web.jobs``): calibrate, then record it in the journal."""
    organisation_id = org_id
    summary = calibrate_organisation(
        db,
        organisation_id,
        min_answers=int(min_answers),
        progress=lambda done, total: progress(done, total),
    )
    audit.record(
        db,
        "items.calibrated",
        actor=db.get(User, actor_id) if actor_id is not None else None,
        organisation_id=organisation_id,
        target_type="organisation",
        target_id=organisation_id,
        detail={
            "calibrated": summary.calibrated,
            "misfits": len(summary.misfits),
            "applied": summary.applied,
        },
    )
    return summary.as_dict()
