"""Operations on an assessment session: start by campaign code, answer, skip, resume, finish.

Every function takes the database session (``db: Session``); the caller commits. The session row
holds the item currently asked (a closed browser resumes there) and a random seed; the adaptive
draw uses ``numpy.random.default_rng([seed, answers so far])``, so the same history (and the same
exposure of items in the campaign, which the selection reads to keep any item under 25 % of
recent test-takers) always leads to the same next item, whichever worker serves the request.

Answers are idempotent: an asked item is a ``Response`` row whose status is empty, and an
answer fills it with a conditional ``UPDATE … WHERE status IS NULL``. A double submit (or two
concurrent requests) therefore counts once; the second gets the outcome recorded by the first.
On PostgreSQL the session row is also locked (``SELECT … FOR UPDATE``) while an answer is
recorded and the next item chosen, so two requests cannot ask two different next items;
SQLite serialises writers.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
from sqlalchemy import bindparam, case, func, inspect, select, update
from sqlalchemy.orm import Session, defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from assessments import engine, exposure, item_pool, path_progress, scoring
from assessments.campaigns import (
    CampaignClosed,
    CampaignNotOpenYet,
    UnknownCampaignCode,
    find_campaign,
)
from assessments.checking import InvalidResponse, check, read_form
from assessments.item_pool import CANDIDATE_COLUMNS as _CANDIDATE_COLUMNS
from assessments.item_pool import Candidate as _Candidate
from assessments.item_pool import to_candidates as _to_candidates
from assessments.item_types import definition
from assessments.models import (
    AnswerStatus,
    Assessment,
    AssessmentMode,
    AssessmentSession,
    Campaign,
    Competence,
    CompetenceResult,
    Framework,
    FrameworkKind,
    Item,
    Referral,
    Response,
    SessionStatus,
)
from learners.database import utcnow
from learners.models import Learner

# A timed item answered this late after its timer ran out still counts (network, slow phone).
TIMER_GRACE = timedelta(seconds=5)

__all__ = [
    "CampaignClosed",
    "CampaignNotOpenYet",
    "CampaignSessions",
    "InvalidResponse",
    "ItemNotAsked",
    "NoItemAvailable",
    "Outcome",
    "SessionFinished",
    "SessionNotFound",
    "SessionSummary",
    "Standing",
    "UnknownCampaignCode",
    "answer",
    "answer_form",
    "current_item",
    "finish",
    "get_owned",
    "in_campaign",
    "of_learner",
    "response_matrix",
    "seconds_left",
    "skip",
    "standing",
    "start",
    "start_in",
    "time_out",
]


class SessionNotFound(LookupError):
    """No such session for this learner (another learner's session looks the same: absent)."""


class SessionFinished(Exception):
    """The session is over; nothing more can be answered."""


class ItemNotAsked(Exception):
    """The item answered was not asked in this session."""


class NoItemAvailable(Exception):
    """The assessment has no item to ask (empty bank after filters)."""


@dataclass(frozen=True)
class Outcome:
    """What an answer did: its status, whether the session is over, what comes next.

    ``repeated`` is true when the item had already been answered (double submit): nothing was
    counted again and ``status`` is the one recorded the first time.
    """

    status: AnswerStatus
    finished: bool
    session: AssessmentSession = field(repr=False, compare=False)
    repeated: bool = False

    @property
    def next_item(self) -> Item | None:
        """The item asked next (None once finished), loaded in full only when read: the web
        answer redirects, and the page that shows it loads it with the session."""
        return None if self.session.finished else self.session.current_item


# ---------------------------------------------------------------------------------------------
# Starting, finding, resuming


def _learner_id(learner: Learner | int) -> int:
    return learner if isinstance(learner, int) else learner.id


def start(
    db: Session, code: str, learner: Learner | int, now: datetime | None = None
) -> AssessmentSession:
    """Join the campaign ``code``; an unfinished session of this learner is resumed instead."""
    now = now or utcnow()
    return start_in(db, find_campaign(db, code, now), learner, now)


def start_in(
    db: Session, campaign: Campaign, learner: Learner | int, now: datetime | None = None
) -> AssessmentSession:
    """Join ``campaign`` (found open, e.g. by ``campaigns.find_campaign_for``); an unfinished
    session of this learner is resumed instead."""
    now = now or utcnow()
    learner_id = _learner_id(learner)
    _serialise_starts(db, learner_id)
    existing = db.scalars(
        select(AssessmentSession).where(
            AssessmentSession.campaign_id == campaign.id,
            AssessmentSession.learner_id == learner_id,
            AssessmentSession.status == SessionStatus.IN_PROGRESS,
        )
    ).first()
    if existing is not None:
        _check_deadline(db, existing, now)
        return existing
    limit = campaign.assessment.time_limit_minutes
    session = AssessmentSession(
        campaign=campaign,
        learner_id=learner_id,
        status=SessionStatus.IN_PROGRESS,
        seed=secrets.randbelow(2**31 - 1),
        started_at=now,
        deadline=now + timedelta(minutes=limit) if limit else None,
    )
    db.add(session)
    db.flush()
    exposure.note_started(db, campaign.id)
    _advance(db, session, now)
    if session.current_item_id is None and not session.finished:
        raise NoItemAvailable(campaign.code)
    return session


def _serialise_starts(db: Session, learner_id: int) -> None:
    """Take the learner's row lock before looking for an unfinished session, so that two
    « Commencer » sent at once (a double click, two tabs) start one session, not two: the second
    waits for the first to commit, then finds and resumes its session. A no-op UPDATE is the lock
    both engines share (a row lock on PostgreSQL, the write lock on SQLite)."""
    db.execute(update(Learner).where(Learner.id == learner_id).values(id=Learner.id))


# Built once: loader options are immutable, and building them costs more than the query.
_SETTINGS = (
    joinedload(AssessmentSession.campaign, innerjoin=True)
    .joinedload(Campaign.assessment, innerjoin=True)
    .joinedload(Assessment.framework, innerjoin=True)
)
_CURRENT_ITEM = joinedload(AssessmentSession.current_item)
# An answer's history needs the statuses, never the answers given (a JSON column each).
_WITHOUT_ANSWERS = defer(Response.answer)


def _with_settings(query: Any, *, current_item: bool = True) -> Any:
    """``query`` of sessions loading, in the same statement, what every page and answer reads:
    the campaign, its assessment and framework (the bank's stamp), and the item asked now."""
    if not current_item:
        return query.options(_SETTINGS)
    return query.options(_SETTINGS, _CURRENT_ITEM)


# Built once (as the queries below): building a statement and its cache key each time cost
# about as much as running it.
_OWNED = _with_settings(
    select(AssessmentSession).where(AssessmentSession.id == bindparam("session_id"))
)
_OWNED_LOCKED = _OWNED.with_for_update(of=AssessmentSession).execution_options(
    populate_existing=True
)


def get_owned(
    db: Session, session_id: int, learner: Learner | int, *, lock: bool = False
) -> AssessmentSession:
    """The session if it belongs to ``learner``; :class:`SessionNotFound` otherwise. With
    ``lock``, read under the row lock an answer takes (one query instead of two)."""
    query = _OWNED_LOCKED if lock else _OWNED
    found = db.scalars(query, {"session_id": session_id}).unique().first()
    session = _owned_by(found, session_id, learner)
    if lock:
        db.info[(_LOCKED, session.id)] = db.get_transaction()
    return session


def _owned_by(
    session: AssessmentSession | None, session_id: int, learner: Learner | int
) -> AssessmentSession:
    """``session`` if it was found and belongs to ``learner``; :class:`SessionNotFound` else."""
    if session is None or session.learner_id != _learner_id(learner):
        raise SessionNotFound(session_id)
    return session


# An item's page reads, with its session, the answers' count and when the item shown was
# asked (correlated to the session's row): one statement for what get_owned, then standing,
# read in two.
_PAGE_COUNTS = (
    select(func.count(Response.status))
    .where(Response.session_id == AssessmentSession.id)
    .scalar_subquery(),
    select(func.max(Response.asked_at))
    .where(
        Response.session_id == AssessmentSession.id,
        Response.item_id == AssessmentSession.current_item_id,
    )
    .scalar_subquery(),
)


_ITEM_PAGE = _with_settings(
    select(AssessmentSession, *_PAGE_COUNTS).where(AssessmentSession.id == bindparam("session_id"))
)


def item_page(
    db: Session, session_id: int, learner: Learner | int, now: datetime | None = None
) -> tuple[AssessmentSession, Item | None, Standing | None]:
    """:func:`get_owned`, :func:`current_item` and :func:`standing` for the page of the item
    asked now, in one statement: the session, its item (None once finished, e.g. by its time
    limit, then nothing stands) and where it stands. :class:`SessionNotFound` as get_owned."""
    now = now or utcnow()
    found = db.execute(_ITEM_PAGE, {"session_id": session_id}).first()
    session, answered, asked = found or (None, 0, None)
    session = _owned_by(session, session_id, learner)
    item = current_item(db, session, now)
    if item is None:
        return session, None, None
    total = _most_asked(session.campaign.assessment)
    return session, item, Standing(answered, total, _timer_left(item, asked, now))


def current_item(
    db: Session, session: AssessmentSession, now: datetime | None = None
) -> Item | None:
    """The item to show now (None once finished); finishes a session past its deadline."""
    _check_deadline(db, session, now or utcnow())
    return None if session.finished else session.current_item


def shown_body(session: AssessmentSession, item: Item) -> dict[str, Any]:
    """``item``'s body as this session's page shows it (an ordering item's steps shuffled with
    the session's seed and the item's id, never in the key's order). Its own random source,
    so the adaptive draw, and so which items are asked, does not change."""
    kind = definition(item.type)
    return kind.shown_body(item.body or {}, item.key, f"{session.seed}:{item.uid}")


def asked_at(db: Session, session: AssessmentSession, item: Item) -> datetime | None:
    """When ``item`` was shown in ``session`` (the page's timer counts from there)."""
    return db.scalar(
        select(Response.asked_at).where(
            Response.session_id == session.id, Response.item_id == item.id
        )
    )


def seconds_left(
    db: Session, session: AssessmentSession, item: Item, now: datetime | None = None
) -> int | None:
    """What remains of a timed item's timer (never below 0); None for an untimed item."""
    asked = asked_at(db, session, item) if item.timer_seconds else None
    return _timer_left(item, asked, now)


def _timer_left(item: Item, asked: datetime | None, now: datetime | None) -> int | None:
    if not item.timer_seconds or asked is None:
        return None
    elapsed = ((now or utcnow()) - asked).total_seconds()
    return max(int(item.timer_seconds - elapsed), 0)


def _most_asked(assessment: Assessment) -> int:
    """The most items a session of ``assessment`` can ask."""
    if assessment.mode == AssessmentMode.FIXED:
        return len(assessment.item_uids or [])
    return assessment.max_items


def progress(db: Session, session: AssessmentSession) -> tuple[int, int]:
    """(items answered, the most the session can ask) for a progress bar (a count, unless
    the session's rows are loaded already)."""
    if "responses" in inspect(session).unloaded:
        answered = db.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.session_id == session.id, Response.status.is_not(None))
        )
    else:
        answered = sum(1 for r in session.responses if r.status is not None)
    return answered, _most_asked(session.campaign.assessment)


@dataclass(frozen=True)
class Standing:
    """Where a session stands on its item's page: items answered, the most it can ask, and
    what remains of the item's timer (None for an untimed item)."""

    answered: int
    total: int
    seconds_left: int | None


# The answers' count and when the item shown was asked, in one statement built once.
_STANDING = select(
    func.count(Response.status),
    func.max(case((Response.item_id == bindparam("item_id"), Response.asked_at))),
).where(Response.session_id == bindparam("session_id"))


def standing(
    db: Session, session: AssessmentSession, item: Item, now: datetime | None = None
) -> Standing:
    """:func:`progress` and :func:`seconds_left` for ``item``'s page, in one statement (none
    when the session's rows are loaded already)."""
    if "responses" in inspect(session).unloaded:
        answered, asked = db.execute(
            _STANDING, {"item_id": item.id, "session_id": session.id}
        ).one()
    else:
        answered = sum(1 for r in session.responses if r.status is not None)
        asked = next((r.asked_at for r in session.responses if r.item_id == item.id), None)
    total = _most_asked(session.campaign.assessment)
    return Standing(answered, total, _timer_left(item, asked, now))


@dataclass(frozen=True)
class SessionSummary:
    """One line of « Mes évaluations »: what it is, where the person is, since when."""

    id: int
    title: str
    finished: bool
    answered: int
    total: int  # the most the session can ask ("about" that many when adaptive)
    adaptive: bool
    when: datetime  # finished at, or started at while in progress


def of_learner(db: Session, learner: Learner | int) -> list[SessionSummary]:
    """The learner's sessions: in progress first (to resume), then finished; newest first."""
    rows = db.scalars(
        select(AssessmentSession)
        .where(AssessmentSession.learner_id == _learner_id(learner))
        .options(
            joinedload(AssessmentSession.campaign).joinedload(Campaign.assessment),
            selectinload(AssessmentSession.responses),
        )
        .order_by(AssessmentSession.started_at.desc())
    )
    summaries = []
    for row in rows:
        answered, total = progress(db, row)
        summaries.append(
            SessionSummary(
                id=row.id,
                title=row.campaign.assessment.title,
                finished=row.finished,
                answered=answered,
                total=total,
                adaptive=row.campaign.assessment.mode == AssessmentMode.ADAPTIVE,
                when=row.finished_at or row.started_at,
            )
        )
    return sorted(summaries, key=lambda summary: summary.finished)


@dataclass(frozen=True)
class CampaignSessions:
    """A learner's latest session of one campaign still in progress, and latest finished."""

    in_progress: AssessmentSession | None
    finished: AssessmentSession | None


def in_campaign(db: Session, campaign: Campaign, learner: Learner | int) -> CampaignSessions:
    """What the campaign page offers: « Reprendre », or the last results and « Recommencer »."""
    mine = db.scalars(
        select(AssessmentSession)
        .where(
            AssessmentSession.campaign_id == campaign.id,
            AssessmentSession.learner_id == _learner_id(learner),
        )
        .order_by(AssessmentSession.started_at.desc())
    ).all()
    return CampaignSessions(
        in_progress=next((s for s in mine if not s.finished), None),
        finished=next((s for s in mine if s.finished), None),
    )


# ---------------------------------------------------------------------------------------------
# Answering


def answer(
    db: Session,
    session: AssessmentSession,
    item_id: int,
    response: Any,
    *,
    time_spent_ms: int | None = None,
    now: datetime | None = None,
    timer_paused: bool = False,
) -> Outcome:
    """Check and record the answer to ``item_id``; :class:`InvalidResponse` if malformed.

    ``timer_paused``: the learner has the "more time / pause" adjustment, so an item's timer
    running out does not make the answer ``timed_out``."""
    return _record(
        db, session, item_id, response, None, time_spent_ms, now or utcnow(), timer_paused
    )


def answer_form(
    db: Session,
    session: AssessmentSession,
    item_id: int,
    form: Any,
    *,
    time_spent_ms: int | None = None,
    now: datetime | None = None,
    timer_paused: bool = False,
) -> Outcome:
    """:func:`answer` with the fields the item's page posted (read by its type: a MultiDict or
    a mapping of field name → value(s)). The form is read only once the item is known to await
    an answer, so a double submit is a repeated outcome whatever it holds."""
    return _record(
        db,
        session,
        item_id,
        None,
        None,
        time_spent_ms,
        now or utcnow(),
        timer_paused,
        posted=form,
    )


def skip(
    db: Session,
    session: AssessmentSession,
    item_id: int,
    *,
    time_spent_ms: int | None = None,
    now: datetime | None = None,
) -> Outcome:
    """ "Je ne sais pas": a normal answer, counted as not (yet) mastered."""
    return _record(db, session, item_id, None, AnswerStatus.SKIPPED, time_spent_ms, now or utcnow())


def time_out(
    db: Session, session: AssessmentSession, item_id: int, *, now: datetime | None = None
) -> Outcome:
    """The page's timer ran out before an answer."""
    return _record(db, session, item_id, None, AnswerStatus.TIMED_OUT, None, now or utcnow())


_LOCKED = "jalon.session_locked_in"


_RELOCK = (
    _with_settings(
        select(AssessmentSession).where(AssessmentSession.id == bindparam("session_id")),
        current_item=False,
    )
    .with_for_update(of=AssessmentSession)
    .execution_options(populate_existing=True)
)


def _lock(db: Session, session: AssessmentSession) -> AssessmentSession:
    """Re-read the session under a row lock (PostgreSQL; SQLite serialises writers), unless
    :func:`get_owned` read it locked in this very transaction."""
    if db.info.get((_LOCKED, session.id)) is db.get_transaction():
        return session
    return db.scalars(_RELOCK, {"session_id": session.id}).unique().one()


def _record(
    db: Session,
    session: AssessmentSession,
    item_id: int,
    response: Any,
    forced: AnswerStatus | None,
    time_spent_ms: int | None,
    now: datetime,
    timer_paused: bool = False,
    posted: Any = None,
) -> Outcome:
    """The one place an answer is recorded: an item answered already gives the outcome
    recorded the first time (``repeated``), a finished session :class:`SessionFinished`, an item
    not asked :class:`ItemNotAsked`; only then is ``posted`` (a page's form) read and checked."""
    session = _lock(db, session)
    # Held before the rows are re-read: re-reading them drops their reference to the item, and
    # the identity map would forget an item the page has just loaded to read the form.
    item = db.get(Item, item_id) if forced is None else None
    # Every row of the session, read once under the lock: the one answered and the history
    # the next item is chosen from.
    rows = _reload_responses(db, session)
    row = next((r for r in rows if r.item_id == item_id), None)
    if row is not None and row.status is not None:
        return _repeat(session, row)
    if session.finished:
        raise SessionFinished(session.id)
    if row is None:
        raise ItemNotAsked(item_id)
    if _check_deadline(db, session, now):
        raise SessionFinished(session.id)
    status = forced
    stored_answer = None
    if status is None:
        if posted is not None:
            response = read_form(item, posted)  # InvalidResponse: nothing written
        status = check(item, response)  # InvalidResponse: nothing written, nothing counted
        stored_answer = response
        if (
            item.timer_seconds
            and not timer_paused
            and now - row.asked_at > timedelta(seconds=item.timer_seconds) + TIMER_GRACE
        ):
            status = AnswerStatus.TIMED_OUT
    spent = time_spent_ms
    if spent is None or spent < 0:
        spent = max(int((now - row.asked_at).total_seconds() * 1000), 0)
    written = db.execute(
        _WRITE_ANSWER,
        {
            "b_id": row.id,
            "b_status": status,
            "b_answer": stored_answer,
            "b_at": now,
            "b_spent": spent,
        },
    ).rowcount
    if written == 0:  # another request answered it between our read and our write
        db.refresh(row)
        return _repeat(session, row)
    # What was just written, without reading it back (the other rows were read under the lock).
    for name, value in (
        ("status", status),
        ("answer", stored_answer),
        ("answered_at", now),
        ("time_spent_ms", spent),
    ):
        set_committed_value(row, name, value)
    _advance(db, session, now, responses_read=True)
    return Outcome(status=status, finished=session.finished, session=session)


def _repeat(session: AssessmentSession, row: Response) -> Outcome:
    return Outcome(
        status=AnswerStatus(row.status),
        finished=session.finished,
        session=session,
        repeated=True,
    )


def _check_deadline(db: Session, session: AssessmentSession, now: datetime) -> bool:
    """Finish a session whose time limit has passed; True when that happened now."""
    if session.finished or session.deadline is None or now < session.deadline:
        return False
    for row in session.responses:
        if row.status is None:
            row.status, row.answered_at = AnswerStatus.TIMED_OUT, now
    db.flush()
    finish(db, session, now=now)
    return True


# ---------------------------------------------------------------------------------------------
# Choosing the next item


@dataclass
class _Pool:
    items: list[_Candidate]
    allowed: np.ndarray
    targets: list[str]
    max_level: dict[str, int]

    # Built once per pool: a cached pool serves every answer of its bank.
    @cached_property
    def bank(self) -> engine.ItemBank:
        bank = engine.ItemBank.from_items(
            [i.uid for i in self.items],
            [i.a for i in self.items],
            [i.b for i in self.items],
            [i.code for i in self.items],
        )
        for array in (bank.a, bank.b, bank.competence):
            array.flags.writeable = False
        return bank

    @cached_property
    def index(self) -> dict[int, int]:
        """Item id → its place in the bank."""
        return {item.id: k for k, item in enumerate(self.items)}


_CANDIDATES = select(*_CANDIDATE_COLUMNS).join(Competence, Competence.id == Item.competence_id)


def _pool(db: Session, session: AssessmentSession) -> _Pool:
    """Items the assessment may ask, plus those already asked (for the replay): for an
    adaptive assessment from this worker's cache of its bank (``assessments.item_pool``), else
    one query over a few columns joined to the competences."""
    assessment = session.campaign.assessment
    asked = {r.item_id for r in session.responses}
    if assessment.mode == AssessmentMode.FIXED:
        uids = assessment.item_uids or []
        rows = db.execute(_CANDIDATES.where(Item.uid.in_(uids))).all()
        by_uid = {c.uid: c for c in _to_candidates(rows, accessible_only=False)}
        items = [by_uid[uid] for uid in uids if uid in by_uid]
        allowed = np.ones(len(items), dtype=bool)
        targets = list(dict.fromkeys(i.code for i in items))
    else:
        candidates = item_pool.adaptive_candidates(db, assessment)
        usable = item_pool.cached(
            ("usable", *item_pool.bank_key(assessment)),
            lambda: frozenset(i.id for i in candidates if i.usable),
        )
        if asked <= usable:  # the usual case: the same pool for every session of the bank
            return item_pool.cached(
                ("pool", *item_pool.bank_key(assessment)),
                lambda: _adaptive_pool(assessment, candidates, asked),
            )
        return _adaptive_pool(assessment, candidates, asked)
    return _with_levels(items, allowed, targets)


def _adaptive_pool(assessment: Assessment, candidates: list[_Candidate], asked: set[int]) -> _Pool:
    """The usable items, and those already asked (retired since, or not accessible) so that
    the history replays."""
    items = [i for i in candidates if i.id in asked or i.usable]
    allowed = np.array([i.usable for i in items], dtype=bool)
    allowed.flags.writeable = False  # shared between sessions when cached
    # Framework order (Framework.competences); a competence without items is never a target.
    order = sorted({(i.order, i.code) for i in items})
    chosen = assessment.competence_codes
    present = {i.code for i in items if i.usable}
    targets = [code for _, code in order if (not chosen or code in chosen) and code in present]
    return _with_levels(items, allowed, targets)


def _with_levels(items: list[_Candidate], allowed: np.ndarray, targets: list[str]) -> _Pool:
    max_level: dict[str, int] = defaultdict(int)
    for item in items:
        max_level[item.code] = max(max_level[item.code], item.level)
    return _Pool(items, allowed, targets, dict(max_level))


def _bands(framework: Framework, pool: _Pool) -> engine.Bands | None:
    if framework.kind != FrameworkKind.REFERRAL or not pool.items:
        return None
    thresholds = (framework.referral or {}).get("thresholds")
    if not thresholds:
        return None
    return engine.referral_bands(
        thresholds,
        np.array([i.a for i in pool.items]),
        np.array([i.b for i in pool.items]),
        lowest=Referral.ATELIER_INITIATION.value,
    )


def _answered(session: AssessmentSession) -> list[Response]:
    return [r for r in session.responses if r.status is not None]


def _asked_items(db: Session, rows: list[Response]) -> dict[int, _Candidate]:
    """The items of ``rows`` by id, in one query (not one per answer)."""
    if not rows:
        return {}
    query = _CANDIDATES.where(Item.id.in_({r.item_id for r in rows}))
    return {c.id: c for c in _to_candidates(db.execute(query).all(), accessible_only=False)}


_CAMPAIGN_SETTINGS = [joinedload(Campaign.assessment).joinedload(Assessment.framework)]


def _load_settings(db: Session, session: AssessmentSession) -> Assessment:
    """The session's campaign, assessment and framework in one query rather than three lazy
    loads (nothing is queried when the campaign is already in the session)."""
    _held = db.get(Campaign, session.campaign_id, options=_CAMPAIGN_SETTINGS)
    # Read through the relationship while ``_held`` references the campaign (the identity map
    # holds objects weakly): the lazy load then finds it there without a query.
    return session.campaign.assessment


_SESSION_ROWS = (
    select(Response)
    .where(Response.session_id == bindparam("session_id"))
    .order_by(Response.position)
    .options(_WITHOUT_ANSWERS)
    .execution_options(populate_existing=True)
)


def _reload_responses(db: Session, session: AssessmentSession) -> list[Response]:
    """Re-read ``session.responses`` from the database, as ``db.refresh(session,
    ["responses"])`` would, in one query instead of two."""
    rows = list(db.scalars(_SESSION_ROWS, {"session_id": session.id}).all())
    set_committed_value(session, "responses", rows)
    return rows


def _advance(
    db: Session, session: AssessmentSession, now: datetime, *, responses_read: bool = False
) -> None:
    """Ask the next item, or finish when the stopping rule says so. ``responses_read``: the
    caller holds the session's rows as they are now (read under the lock, plus its answer)."""
    db.flush()
    if not responses_read:
        _reload_responses(db, session)
    assessment = _load_settings(db, session)
    answered = _answered(session)
    pool = _pool(db, session)
    if assessment.mode == AssessmentMode.FIXED:
        asked = {r.item_id for r in session.responses}
        following = next((i for i in pool.items if i.id not in asked), None)
    else:
        following = _adaptive_next(db, session, pool, answered)
    if following is None:
        finish(db, session, now=now)
        return
    _ask(db, session, following, now)


# Asking an item writes two rows with two prepared Core statements rather than through a
# unit-of-work flush, which cost more than the rest of an answer's choosing.
_RESPONSES = Response.__table__
_SESSIONS = AssessmentSession.__table__
_SET_CURRENT = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("b_session"))
    .values(current_item_id=bindparam("b_item"))
)
# Named as the session's update names them, so that one set of values serves both.
_INSERT_ASKED = _RESPONSES.insert().values(
    session_id=bindparam("b_session"),
    item_id=bindparam("b_item"),
    item_version=bindparam("b_version"),
    position=bindparam("b_position"),
    asked_at=bindparam("b_at"),
)
# PostgreSQL writes both in one statement, the row inserted by a data-modifying CTE (SQLite
# has none): one round trip fewer per answer.
_ASK_IN_ONE = _SET_CURRENT.add_cte(_INSERT_ASKED.cte("asked"))
_WRITE_ANSWER = (
    update(_RESPONSES)
    .where(_RESPONSES.c.id == bindparam("b_id"), _RESPONSES.c.status.is_(None))
    .values(
        status=bindparam("b_status"),
        answer=bindparam("b_answer"),
        answered_at=bindparam("b_at"),
        time_spent_ms=bindparam("b_spent"),
    )
)


def _ask(db: Session, session: AssessmentSession, item: _Candidate, now: datetime) -> None:
    """Make ``item`` the one asked now: the session points to it and a row records when (one
    statement on PostgreSQL, two on SQLite). The item's light row is enough: its body, key
    and texts are loaded by the page showing it. The session's rows are read again by
    whoever needs them next (an answer reads them under its lock anyway); a rolled-back
    transaction leaves nothing of them in the identity map."""
    values = {
        "b_session": session.id,
        "b_item": item.id,
        "b_version": item.version,
        "b_position": len(session.responses) + 1,
        "b_at": now,
    }
    if db.get_bind().dialect.name == "postgresql":
        db.execute(_ASK_IN_ONE, values)
    else:
        db.execute(_SET_CURRENT, values)
        db.execute(_INSERT_ASKED, values)
    set_committed_value(session, "current_item_id", item.id)
    db.expire(session, ["responses", "current_item"])
    exposure.note_asked(db, session.campaign_id, item.id)


def _campaign_exposure(
    db: Session, session: AssessmentSession, pool: _Pool
) -> engine.ExposureCounts:
    """How often each pool item was asked in the campaign's last sessions (this one included),
    as this worker last read them plus its own asks since (:mod:`assessments.exposure`)."""
    counts = exposure.read(db, session.campaign_id)
    uses = np.zeros(len(pool.items), dtype=np.intp)
    index = pool.index
    for item_id, count in counts.uses.items():
        place = index.get(item_id)
        if place is not None:
            uses[place] = count
    return engine.ExposureCounts(uses=uses, takers=counts.takers)


def _adaptive_test(
    session: AssessmentSession,
    pool: _Pool,
    answered: list[Response],
    exposure: engine.ExposureCounts | None = None,
) -> engine.AdaptiveTest | None:
    if not pool.targets:
        return None
    assessment = session.campaign.assessment
    bank, index = pool.bank, pool.index
    framework = assessment.framework
    evidence = scoring.orientation_evidence(framework)
    stopping = engine.StoppingRule(
        max_items=assessment.max_items,
        min_items=min(assessment.min_items, assessment.max_items),
        se_threshold=assessment.target_se,
        bands=_bands(framework, pool),
        min_per_competence=evidence.min_per_competence,
        evidence_from=evidence.evidence_from,
    )
    return engine.AdaptiveTest.replay(
        bank,
        [(index[r.item_id], r.status.value) for r in answered],
        stopping,
        targets=pool.targets,
        allowed=pool.allowed,
        rules=engine.CAMPAIGN_RULES,
        exposure=exposure,
        required=scoring.required_groups(framework, [i.kind for i in pool.items]),
    )


def _adaptive_next(
    db: Session, session: AssessmentSession, pool: _Pool, answered: list[Response]
) -> _Candidate | None:
    if not pool.targets:
        return None
    test = _adaptive_test(session, pool, answered, _campaign_exposure(db, session, pool))
    if test is None:
        return None
    rng = np.random.default_rng([session.seed, len(answered)])
    chosen = test.next_item(rng)
    return None if chosen is None else pool.items[chosen]


# ---------------------------------------------------------------------------------------------
# Finishing and results


def finish(db: Session, session: AssessmentSession, now: datetime | None = None) -> scoring.Results:
    """End the session (an unanswered item shown last is dropped) and store its results."""
    now = now or utcnow()
    db.flush()
    db.refresh(session, ["responses", "results"])
    if session.finished:
        return stored_results(session)
    for row in list(session.responses):
        if row.status is None:
            session.responses.remove(row)
            db.delete(row)
    db.flush()
    assessment = session.campaign.assessment
    framework = assessment.framework
    pool = _pool(db, session)
    answered = _answered(session)
    asked = _asked_items(db, answered)
    tracker = engine.AbilityTracker()
    for row in answered:
        tracker.update(row.status == AnswerStatus.OK, asked[row.item_id].a, asked[row.item_id].b)
    answers = [
        scoring.Answered(
            asked[r.item_id].code,
            asked[r.item_id].a,
            asked[r.item_id].b,
            AnswerStatus(r.status),
            kind=asked[r.item_id].kind,
        )
        for r in answered
    ]
    assessed = pool.targets or list(dict.fromkeys(asked[r.item_id].code for r in answered))
    estimates = scoring.competence_estimates(answers, tracker.estimate, assessed)  # once
    referral = None
    if framework.kind == FrameworkKind.REFERRAL and assessment.mode == AssessmentMode.ADAPTIVE:
        bands = _bands(framework, pool)
        if bands is not None and answered:
            referral = scoring.orientation(
                framework, answers, tracker.estimate, bands, pool.targets, estimates
            )
    results = scoring.score(
        framework,
        answers,
        assessed=assessed,
        max_level=pool.max_level,
        estimate=tracker.estimate,
        referral=referral,
        estimates=estimates,
    )
    competences = {
        c.code: c
        for c in db.scalars(select(Competence).where(Competence.framework_id == framework.id))
    }
    session.results.clear()
    db.flush()
    for found in results.competences:
        session.results.append(
            CompetenceResult(
                competence=competences[found.competence],  # no query when awarding reads it
                theta=found.theta,
                se=found.se,
                level=found.level,
                score=found.score,
                answered=found.answered,
                correct=found.correct,
            )
        )
    session.status = SessionStatus.FINISHED
    session.finished_at = now
    session.current_item_id = None
    session.current_item = None
    session.theta, session.se = results.theta, results.se
    session.total_score = results.total_score
    session.referral = results.referral
    db.flush()
    path_progress.refresh(db, [session.learner_id])
    return results


def stored_results(session: AssessmentSession) -> scoring.Results:
    """The results stored when the session finished."""
    return scoring.Results(
        theta=session.theta if session.theta is not None else 0.0,
        se=session.se if session.se is not None else 0.0,
        competences=[
            scoring.CompetenceScore(
                competence=r.competence.code,
                theta=r.theta,
                se=r.se,
                level=r.level,
                score=r.score,
                answered=r.answered,
                correct=r.correct,
            )
            for r in session.results
        ],
        total_score=session.total_score or 0,
        referral=session.referral,
    )


def response_matrix(
    db: Session, framework_slug: str | None = None, organisation_id: int | None = None
) -> list[tuple[str, str, bool]]:
    """(person, item uid, right?) for every answer given to an item's *current* version; the
    person is the session (ability is assumed constant within one session). Calibration input;
    with ``organisation_id``, only the answers of that organisation's campaigns."""
    query = (
        select(Response.session_id, Item.uid, Response.status)
        .join(Item, Item.id == Response.item_id)
        .where(Response.status.is_not(None), Response.item_version == Item.version)
        .order_by(Response.session_id, Response.position)
    )
    if organisation_id is not None:
        query = (
            query.join(AssessmentSession, AssessmentSession.id == Response.session_id)
            .join(Campaign, Campaign.id == AssessmentSession.campaign_id)
            .where(Campaign.organisation_id == organisation_id)
        )
    if framework_slug is not None:
        query = (
            query.join(Competence, Competence.id == Item.competence_id)
            .join(Framework, Framework.id == Competence.framework_id)
            .where(Framework.slug == framework_slug)
        )
    return [
        (f"session-{session_id}", uid, status == AnswerStatus.OK)
        for session_id, uid, status in db.execute(query)
    ]
