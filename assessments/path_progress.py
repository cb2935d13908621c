"""Each path's first and last level per competence (``CompetenceProgress``) and whether it went
up in any (``PathProgress``), kept as they change.

« Compétences acquises » compares, for each path (enrolment) and competence measured at least
twice, the level of the first and of the last finished session that counts for the path: the
sessions of the learner in the action's campaigns, or in the porteur's campaigns tied to no action
taken during the path (from entry to exit, or until now). Computing that at read time walks every
result of every session (656,000 rows at 100,000 beneficiaries, over a second); it is stored
instead, one row per path and competence and one per path, recomputed for a learner whenever
something it rests on changes: a session of theirs finishes (``assessments.sessions.finish``),
one of their paths starts or its exit is recorded (``learners.enrolments`` calls
:func:`refresh` through ``on_paths_changed``, as learners sits below this package). Results
are never rescored and a campaign's action is set once, at creation, before any session; purge
and erasure keep sessions, results and paths (they blank answers and details), and deleting a
learner or a path deletes its rows by cascade. ``jalon demo --scale`` and the migration that
created the tables fill them.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from assessments.models import (
    AssessmentSession,
    Campaign,
    CompetenceProgress,
    CompetenceResult,
    PathProgress,
    SessionStatus,
)
from learners import enrolments
from learners.models import Action, Enrolment, Learner

LEVELS = 100  # levels are 0–8: a level fits under this in the (end time, level) sort key
BATCH = 500  # learners refreshed per statement


def _day(db: Session, column) -> ColumnElement:
    """The calendar day (UTC) of a datetime column, comparable with a date column."""
    if db.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _epoch(db: Session, column) -> ColumnElement:
    """Whole seconds since 1970 of a datetime column, as an integer, on either engine."""
    if db.get_bind().dialect.name == "postgresql":
        return cast(extract("epoch", column), BigInteger)
    return cast(func.strftime("%s", column), BigInteger)


def measures(db: Session, paths: ColumnElement) -> Select:
    """(enrolment, competence, first level, last level) of the paths ``paths`` keeps, for every
    competence measured twice or more among the sessions that count for the path."""
    finished_day = _day(db, AssessmentSession.finished_at)
    during_path = and_(
        Campaign.action_id.is_(None),
        Campaign.organisation_id == Action.organisation_id,
        finished_day >= Enrolment.entry_date,
        or_(Enrolment.exit_date.is_(None), finished_day <= Enrolment.exit_date),
    )
    # The level rides on the end time: the smallest (end time, level) key is the first
    # session's level, the largest the last one's. Two aggregates, no window to sort.
    ordered = _epoch(db, AssessmentSession.finished_at) * LEVELS + CompetenceResult.level
    return (
        select(
            Enrolment.id,
            CompetenceResult.competence_id,
            func.min(ordered) % LEVELS,
            func.max(ordered) % LEVELS,
        )
        .select_from(Enrolment)
        .join(Action, Action.id == Enrolment.action_id)
        .join(
            AssessmentSession,
            and_(
                AssessmentSession.learner_id == Enrolment.learner_id,
                AssessmentSession.status == SessionStatus.FINISHED,
            ),
        )
        .join(
            Campaign,
            and_(
                Campaign.id == AssessmentSession.campaign_id,
                or_(Campaign.action_id == Enrolment.action_id, during_path),
            ),
        )
        .join(CompetenceResult, CompetenceResult.session_id == AssessmentSession.id)
        .where(paths)
        .group_by(Enrolment.id, CompetenceResult.competence_id)
        .having(func.count() >= 2)
    )


_COLUMNS = ("enrolment_id", "competence_id", "first_level", "last_level")


def _write(db: Session, paths: ColumnElement) -> None:
    """The rows of the paths ``paths`` (a condition on enrolments) keeps, which have none."""
    db.execute(insert(CompetenceProgress).from_select(_COLUMNS, measures(db, paths)))
    went_up = case((CompetenceProgress.last_level > CompetenceProgress.first_level, 1), else_=0)
    summaries = (
        select(CompetenceProgress.enrolment_id, func.max(went_up) == 1)
        .where(CompetenceProgress.enrolment_id.in_(select(Enrolment.id).where(paths)))
        .group_by(CompetenceProgress.enrolment_id)
    )
    db.execute(insert(PathProgress).from_select(("enrolment_id", "progressed"), summaries))


def refresh(db: Session, learner_ids: Iterable[int]) -> None:
    """Recompute the rows of every path of these learners (flushed, not committed)."""
    ids = sorted(set(learner_ids))
    db.flush()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        # The learners' row locks, in id order, so two refreshes of one learner (two sessions
        # finishing at once) follow each other instead of inserting the same rows twice.
        db.execute(update(Learner).where(Learner.id.in_(chunk)).values(id=Learner.id))
        paths = select(Enrolment.id).where(Enrolment.learner_id.in_(chunk))
        for model in (PathProgress, CompetenceProgress):
            db.execute(
                delete(model)
                .where(model.enrolment_id.in_(paths))
                .execution_options(synchronize_session=False)
            )
        _write(db, Enrolment.learner_id.in_(chunk))


def fill(db: Session, paths: ColumnElement) -> None:
    """Write the rows of the paths ``paths`` (a condition on enrolments) keeps, which have none
    yet (after a bulk load that went around the refreshes: ``jalon demo --scale``)."""
    db.flush()
    _write(db, paths)


enrolments.on_paths_changed(refresh)
