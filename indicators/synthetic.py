"""Synthetic data at the scale the département's indicators must answer to (``jalon demo
--scale N``): porteurs, actions, beneficiaries with their enrolments, exits and outcomes,
finished assessment sessions with their responses and competence levels, badges and their
verifications.

Why here: it writes what ``indicators`` reads in all three domain packages, and exists to
measure those queries (``tests/bench/test_indicators_bench.py``). Rows are written with Core
``executemany`` in batches, with ids handed out here (no ORM object per row), so 100,000
beneficiaries (~2,000,000 responses, ~200,000 badges) take minutes on SQLite and PostgreSQL.

Nobody in it is real: accounts are « Bénéficiaire fictif n », log in with nothing (their
password hash is not a hash), and porteurs are « Structure fictive n ».

Badges: each row is a real OB 3.0 AchievementCredential built by ``badges.ob3.build`` (its
id, issuer profile, achievement, salted recipient hash and status-list entry), stored without
proofs. Signing is what real issuance spends its time on (an RDFC-1.0 canonicalisation and an
Ed25519 proof, then an RS256 VC-JWT: tens of milliseconds per badge, hours for 200,000); the
indicators read none of the signature, so the bulk path leaves it out and the award keys say
``synthetique:`` so nobody takes these badges for issued ones.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from assessments import campaigns as assessment_campaigns
from assessments import path_progress
from assessments.frameworks import get_framework
from assessments.models import (
    AnswerStatus,
    AssessmentMode,
    AssessmentSession,
    Campaign,
    Competence,
    CompetenceProgress,
    CompetenceResult,
    Item,
    ItemStatus,
    PathProgress,
    Response,
    SessionStatus,
)
from badges import achievements, issuance, issuers, status_lists
from badges.models import (
    Achievement,
    Credential,
    Issuer,
    StatusList,
    StatusPurpose,
    VerificationChannel,
    VerificationEvent,
    new_public_id,
)
from badges.ob3 import build
from badges.ob3 import status_list as bitstring_list
from learners import communes, target_jobs
from learners.database import utcnow
from learners.models import (
    Action,
    Enrolment,
    ExitReason,
    Learner,
    Membership,
    Organisation,
    OrganisationKind,
    Outcome,
    OutcomeMoment,
    PublicStatus,
    Referrer,
    Role,
    Sex,
    Situation,
    Typology,
    User,
)

BATCH = 2_000  # beneficiaries written per round (with all their rows)
PEOPLE_PER_ACTION = 120
PEOPLE_PER_PORTEUR = 2_500
NOT_A_HASH = "!synthetique"  # argon2 refuses it: these accounts cannot log in
FRAMEWORKS = ("crcn", "premiers-pas")  # the first one loaded is assessed
COMPETENCES_PER_ASSESSMENT = 4

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


SEXES = ((Sex.FEMALE, 52), (Sex.MALE, 45), (Sex.NOT_STATED, 3))
STATUSES = (
    (PublicStatus.RSA_CER, 35),
    (PublicStatus.RSA_PPAE, 25),
    (PublicStatus.JOB_SEEKER, 30),
    (PublicStatus.OTHER, 10),
)
RSA_ONLY = ((PublicStatus.RSA_CER, 55), (PublicStatus.RSA_PPAE, 45))
REASONS = (
    (ExitReason.COMPLETED, 55),
    (ExitReason.DROPPED_OUT, 15),
    (ExitReason.REORIENTED, 8),
    (ExitReason.FOUND_JOB, 14),
    (ExitReason.MOVED, 4),
    (ExitReason.OTHER, 4),
)
SITUATIONS = (
    (Situation.CDI, 12),
    (Situation.CDD_6_MONTHS_OR_MORE, 10),
    (Situation.CDD_UNDER_6_MONTHS, 10),
    (Situation.INTERIM, 7),
    (Situation.WORK_STUDY, 5),
    (Situation.BUSINESS_CREATION, 2),
    (Situation.QUALIFYING_TRAINING, 12),
    (Situation.OTHER_TRAINING, 8),
    (Situation.NO_SOLUTION, 24),
    (Situation.UNKNOWN, 10),
)
SESSIONS_PER_PATH = ((0, 12), (1, 23), (2, 50), (3, 15))
CHANNELS = (
    (VerificationChannel.QR, 50),
    (VerificationChannel.LINK, 40),
    (VerificationChannel.API, 10),
)


@dataclass
class _Porteur:
    organisation: Organisation
    issuer: Issuer
    achievements: list[Achievement]
    status_list: StatusList
    assessment_id: int
    allocated: int = 0
    revoked: list[int] = field(default_factory=list)


@dataclass
class _Action:
    id: int
    porteur: _Porteur
    campaign_id: int
    rsa_only: bool
    communes: list[str]
    first_day: date
    last_day: date


@dataclass
class _Ids:
    """The next id of each table, handed out here so rows go in without a round trip."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: Table, count: int = 1) -> int:
        first = self.next[table.name]
        self.next[table.name] = first + count
        return first


@dataclass(frozen=True)
class Context:
    """What building the badges needs from the caller: where the platform answers, and the key
    that opens the issuers' signing keys (to sign their status lists)."""

    base_url: str
    kek: str | bytes


def _tables() -> list[Table]:
    models = (
        User,
        Membership,
        Learner,
        Action,
        Campaign,
        Enrolment,
        Outcome,
        AssessmentSession,
        Response,
        CompetenceResult,
        Credential,
        VerificationEvent,
    )
    return [model.__table__ for model in models]  # type: ignore[misc]


def _start_ids(db: Session) -> _Ids:
    ids = _Ids()
    for table in _tables():
        ids.next[table.name] = (db.scalar(select(func.max(table.c.id))) or 0) + 1
    return ids


def _advance_sequences(db: Session) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move: set them past
    what was written, so the next ordinary insert does not collide."""
    if db.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        db.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"
            )
        )


def _write(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 10_000):
        db.execute(insert(table), rows[start : start + 10_000])


# --- porteurs, actions and what they assess and award (few rows: plain ORM) ------------------


def _framework_items(db: Session) -> tuple[Any, dict[int, list[tuple[int, int]]]]:
    """The first shipped framework loaded, with its validated items per competence."""
    for slug in FRAMEWORKS:
        try:
            framework = get_framework(db, slug)
        except LookupError:
            continue
        rows = db.execute(
            select(Item.competence_id, Item.id, Item.version)
            .join(Competence, Competence.id == Item.competence_id)
            .where(Competence.framework_id == framework.id, Item.status == ItemStatus.VALIDATED)
        )
        items: dict[int, list[tuple[int, int]]] = {}
        for competence_id, item_id, version in rows:
            items.setdefault(competence_id, []).append((item_id, version))
        if len(items) >= 2:
            return framework, items
    raise LookupError("no shipped framework with items: load the content first (jalon demo)")


def _porteur(db: Session, n: int, framework: Any, codes: list[str], context: Context) -> _Porteur:
    organisation = Organisation(
        name=f"Structure fictive {n:03d}", kind=OrganisationKind.ASSOCIATION
    )
    db.add(organisation)
    db.flush()
    issuer = issuers.create(
        db,
        organisation,
        context.kek,
        description="Structure fictive : ses badges ne certifient rien.",
    )
    awarded = [
        achievements.create(
            db,
            issuer,
            name=f"Compétences numériques — {label}",
            description=f"Badge fictif ({label}) des données de démonstration à grande échelle.",
            criteria_narrative="Terminer l'évaluation de l'action (données fictives).",
            tags=["fictif"],
        )
        for label in ("parcours suivi", "niveau atteint")
    ]
    status_list = status_lists.create(
        db, issuer, StatusPurpose.REVOCATION, base_url=context.base_url, kek=context.kek
    )
    assessment = assessment_campaigns.create_assessment(
        db,
        framework,
        f"Évaluation des compétences numériques ({organisation.name})",
        mode=AssessmentMode.ADAPTIVE,
        competence_codes=codes,
        organisation_id=organisation.id,
    )
    return _Porteur(organisation, issuer, awarded, status_list, assessment.id)


def _actions(
    db: Session, rng: random.Random, ids: _Ids, porteurs: list[_Porteur], count: int, today: date
) -> list[_Action]:
    jobs = list(target_jobs.target_jobs())
    insee = [c.code for c in communes.all_communes()]
    typologies = [t.value for t in Typology]
    action_rows, campaign_rows, made = [], [], []
    now = utcnow()
    for n in range(count):
        porteur = porteurs[n % len(porteurs)]
        year = rng.choice((today.year - 1, today.year))
        kinds = rng.sample(typologies, rng.choice((1, 1, 2)))
        where = rng.sample(insee, min(3, len(insee)))
        action_id, campaign_id = ids.take(Action.__table__), ids.take(Campaign.__table__)
        action_rows.append(
            {
                "id": action_id,
                "public_id": secrets.token_hex(16),
                "organisation_id": porteur.organisation.id,
                "title": f"Action fictive {n + 1:04d}",
                "typologies": kinds,
                "target_jobs": rng.sample(jobs, rng.choice((1, 2))),
                "first_year": year,
                "last_year": today.year,
                "communes": where,
                "planned_beneficiaries": rng.randint(
                    PEOPLE_PER_ACTION - 20, PEOPLE_PER_ACTION + 30
                ),
                "planned_completion_rate": rng.choice((60, 70, 75, 80)),
                "planned_success_rate": rng.choice((50, 60, 70)),
                "planned_employment_rate": rng.choice((30, 40, 50)),
                "created_at": now,
                "archived_at": None,
            }
        )
        campaign_rows.append(
            {
                "id": campaign_id,
                "assessment_id": porteur.assessment_id,
                "organisation_id": porteur.organisation.id,
                "name": f"Évaluation de l'action fictive {n + 1:04d}",
                "code": f"Z{secrets.token_hex(5).upper()}",
                "opens_at": datetime(year, 1, 1, tzinfo=UTC),
                "closes_at": None,
                "archived_at": None,
                "action_id": action_id,
                "created_at": now,
            }
        )
        last_day = today - timedelta(days=7)
        made.append(
            _Action(
                action_id,
                porteur,
                campaign_id,
                Typology.DIGITAL_INCLUSION.value in kinds,
                where,
                date(year, 1, 1),
                last_day,
            )
        )
    _write(db, Action.__table__, action_rows)
    _write(db, Campaign.__table__, campaign_rows)
    return made


# --- people, paths, sessions, badges (batched Core inserts) ----------------------------------


@dataclass
class _Batch:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows.setdefault(table.name, []).append(row)

    def write(self, db: Session) -> None:
        for table in _tables():  # in foreign-key order
            rows = self.rows.get(table.name)
            if rows:
                _write(db, table, rows)


@dataclass
class _World:
    rng: random.Random
    ids: _Ids
    tag: str
    today: date
    now: datetime
    items: dict[int, list[tuple[int, int]]]
    competences: list[int]
    context: Context
    badges: list[dict[str, Any]] = field(default_factory=list)  # per porteur: built pieces


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), UTC)


def _person(world: _World, batch: _Batch, n: int, action: _Action) -> tuple[int, str]:
    """A fictitious beneficiary's account and profile: (learner id, pseudonym)."""
    rng, ids = world.rng, world.ids
    user_id, learner_id = ids.take(User.__table__), ids.take(Learner.__table__)
    name = f"Bénéficiaire fictif {n:06d}"
    pseudonym = f"{rng.getrandbits(128):032x}"
    created = world.now
    batch.add(
        User.__table__,
        {
            "id": user_id,
            "username": f"fictif-{world.tag}-{n:06d}",
            "email": None,
            "display_name": name,
            "password_hash": NOT_A_HASH,
            "must_change_password": False,
            "is_active": True,
            "locale": None,
            "created_at": created,
            "password_changed_at": created,
            "session_version": 0,
        },
    )
    batch.add(
        Membership.__table__,
        {
            "id": ids.take(Membership.__table__),
            "user_id": user_id,
            "organisation_id": action.porteur.organisation.id,
            "role": Role.LEARNER,
            "created_at": created,
        },
    )
    batch.add(
        Learner.__table__,
        {
            "id": learner_id,
            "user_id": user_id,
            "pseudonym": pseudonym,
            "display_name": name,
            "created_at": created,
        },
    )
    return learner_id, pseudonym


def _path(world: _World, batch: _Batch, learner_id: int, action: _Action) -> dict[str, Any]:
    rng, today = world.rng, world.today
    span = (action.last_day - action.first_day).days
    entry = action.first_day + timedelta(days=rng.randint(0, max(span, 0)))
    exit_day = None
    if (today - entry).days > 45 and rng.random() < 0.75:
        exit_day = min(entry + timedelta(days=rng.randint(30, 200)), today - timedelta(days=1))
    planned = rng.randint(8, 20)
    attended = min(planned, max(0, round(rng.gauss(planned * 0.8, planned * 0.2))))
    row = {
        "id": world.ids.take(Enrolment.__table__),
        "action_id": action.id,
        "learner_id": learner_id,
        "referrer": rng.choice(list(Referrer)),
        "entry_date": entry,
        "exit_date": exit_day,
        "exit_reason": _weighted(rng, REASONS) if exit_day else None,
        "sessions_attended": attended,
        "sessions_planned": planned,
        "public_status": _weighted(rng, RSA_ONLY if action.rsa_only else STATUSES),
        "sex": _weighted(rng, SEXES),
        "birth_year": rng.randint(today.year - 64, today.year - 18)
        if rng.random() < 0.97
        else None,
        "commune_code": rng.choice(action.communes) if action.communes else None,
        "created_at": world.now,
    }
    batch.add(Enrolment.__table__, row)
    _outcomes(world, batch, row)
    return row


def _outcomes(world: _World, batch: _Batch, path: dict[str, Any]) -> None:
    rng, exit_day = world.rng, path["exit_date"]
    if exit_day is None:
        return
    moments = [(OutcomeMoment.EXIT, exit_day, 0.85)]
    six_months = exit_day + timedelta(days=183)
    if six_months <= world.today:
        moments.append((OutcomeMoment.SIX_MONTHS, six_months, 0.7))
    for moment, day, chance in moments:
        if rng.random() < chance:
            batch.add(
                Outcome.__table__,
                {
                    "id": world.ids.take(Outcome.__table__),
                    "enrolment_id": path["id"],
                    "moment": moment,
                    "situation": _weighted(rng, SITUATIONS),
                    "observed_on": day,
                    "recorded_at": _at(day, rng),
                },
            )


def _session_days(world: _World, path: dict[str, Any], count: int) -> list[date]:
    end = path["exit_date"] or world.today
    span = max((end - path["entry_date"]).days, 0)
    return sorted(
        path["entry_date"] + timedelta(days=world.rng.randint(0, span)) for _ in range(count)
    )


def _sessions(
    world: _World, batch: _Batch, path: dict[str, Any], action: _Action
) -> list[tuple[int, datetime]]:
    """The path's finished sessions (id, end), with their responses and levels; levels rise a
    little from one session to the next, as practice does."""
    rng = world.rng
    count = _weighted(rng, SESSIONS_PER_PATH)
    levels = {c: rng.randint(1, 4) for c in world.competences}
    finished = []
    for n, day in enumerate(_session_days(world, path, count)):
        session_id = world.ids.take(AssessmentSession.__table__)
        started = _at(day, rng)
        done = n < count - 1 or rng.random() < 0.95
        ended = started + timedelta(minutes=rng.randint(15, 45)) if done else None
        asked = _responses(world, batch, session_id, started)
        batch.add(
            AssessmentSession.__table__,
            {
                "id": session_id,
                "campaign_id": action.campaign_id,
                "learner_id": path["learner_id"],
                "status": SessionStatus.FINISHED if done else SessionStatus.IN_PROGRESS,
                "seed": rng.getrandbits(31),
                "current_item_id": None,
                "started_at": started,
                "deadline": None,
                "finished_at": ended,
                "theta": rng.gauss(0, 1) if done else None,
                "se": rng.uniform(0.3, 0.6) if done else None,
                "total_score": sum(ok for _c, ok in asked) * 8 if done else None,
                "referral": None,
                "badges_awarded_at": ended,
            },
        )
        if not done:
            continue
        for competence in world.competences:
            if n and rng.random() < 0.45:
                levels[competence] = min(8, levels[competence] + rng.choice((1, 1, 2)))
            answered = [ok for c, ok in asked if c == competence]
            batch.add(
                CompetenceResult.__table__,
                {
                    "id": world.ids.take(CompetenceResult.__table__),
                    "session_id": session_id,
                    "competence_id": competence,
                    "theta": rng.gauss(levels[competence] / 2 - 2, 0.5),
                    "se": rng.uniform(0.3, 0.7),
                    "level": levels[competence],
                    "score": levels[competence] * 8,
                    "answered": len(answered),
                    "correct": sum(answered),
                },
            )
        finished.append((session_id, ended))
    return finished


def _responses(
    world: _World, batch: _Batch, session_id: int, started: datetime
) -> list[tuple[int, int]]:
    """10 to 15 items across the assessed competences; (competence, 1 if right) per item."""
    rng = world.rng
    pool = [(c, item) for c in world.competences for item in world.items[c]]
    asked = rng.sample(pool, min(len(pool), rng.randint(10, 15)))
    at, marks = started, []
    for position, (competence, (item_id, version)) in enumerate(asked, start=1):
        spent = rng.randint(8_000, 90_000)
        status = _weighted(
            rng, ((AnswerStatus.OK, 60), (AnswerStatus.KO, 32), (AnswerStatus.SKIPPED, 8))
        )
        batch.add(
            Response.__table__,
            {
                "id": world.ids.take(Response.__table__),
                "session_id": session_id,
                "item_id": item_id,
                "item_version": version,
                "position": position,
                "asked_at": at,
                "answered_at": at + timedelta(milliseconds=spent),
                "status": status,
                "answer": None,
                "time_spent_ms": spent,
            },
        )
        at += timedelta(milliseconds=spent + 1_500)
        marks.append((competence, 1 if status is AnswerStatus.OK else 0))
    return marks


def _badge_pieces(porteur: _Porteur, base_url: str) -> dict[str, Any]:
    """What every badge of a porteur shares, built once: its issuer profile, achievements,
    status-list address."""
    return {
        "issuer": issuers.profile(porteur.issuer, base_url),
        "achievements": [(a, achievements.definition(a, base_url)) for a in porteur.achievements],
        "list_url": status_lists.list_url(porteur.status_list, base_url),
    }


def _badges(
    world: _World,
    batch: _Batch,
    pieces: dict[str, Any],
    porteur: _Porteur,
    path: dict[str, Any],
    pseudonym: str,
    finished: list[tuple[int, datetime]],
) -> None:
    """Badges for finished sessions (1.35 per session on average) and their verifications."""
    rng = world.rng
    for session_id, ended in finished:
        for (achievement, definition), chance in zip(
            pieces["achievements"], (0.8, 0.55), strict=True
        ):
            if rng.random() >= chance:
                continue
            credential_id = world.ids.take(Credential.__table__)
            public_id = new_public_id()
            counter = porteur.allocated
            porteur.allocated += 1
            index = status_lists.permuted_index(porteur.status_list, counter)
            issued = ended.replace(microsecond=0)
            document = build.build_achievement_credential(
                credential_id=issuance.credential_iri(public_id, world.context.base_url),
                issuer=pieces["issuer"],
                achievement=definition,
                recipient=build.Recipient(identity=pseudonym, identity_type="systemId"),
                valid_from=issued,
                status=build.StatusEntry(
                    status_list_credential=pieces["list_url"], index=index, purpose="revocation"
                ),
                options=build.CredentialOptions(awarded_date=issued),
            )
            revoked = rng.random() < 0.01
            if revoked:
                porteur.revoked.append(index)
            batch.add(
                Credential.__table__,
                {
                    "id": credential_id,
                    "public_id": public_id,
                    "award_key": f"synthetique:session:{session_id}:achievement:{achievement.id}",
                    "issuer_id": porteur.issuer.id,
                    "achievement_id": achievement.id,
                    "learner_id": path["learner_id"],
                    "results": [],
                    "evidence": [],
                    "signed_json": json.dumps(document, ensure_ascii=False),
                    "jws": None,
                    "status_list_id": porteur.status_list.id,
                    "status_index": index,
                    "issued_at": issued,
                    "valid_until": None,
                    "revoked_at": issued + timedelta(days=30) if revoked else None,
                    "revocation_reason": "Données fictives : révocation d'exemple."
                    if revoked
                    else None,
                    "suspended": False,
                    "is_public": True,
                    "action_id": path["action_id"],
                    "created_at": issued,
                },
            )
            _verifications(world, batch, credential_id, issued)


def _verifications(world: _World, batch: _Batch, credential_id: int, issued: datetime) -> None:
    rng = world.rng
    if rng.random() >= 0.35:
        return
    for _n in range(rng.choice((1, 1, 2, 3))):
        at = issued + timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1_000))
        batch.add(
            VerificationEvent.__table__,
            {
                "id": world.ids.take(VerificationEvent.__table__),
                "credential_id": credential_id,
                "occurred_at": min(at, world.now),
                "channel": _weighted(rng, CHANNELS),
                "result": "valid",
            },
        )


def _assignments(rng: random.Random, actions: list[_Action], people: int) -> Iterator[_Action]:
    """Each beneficiary's action, actions filling unevenly as real ones do."""
    weights = [rng.uniform(0.5, 1.5) for _ in actions]
    return iter(rng.choices(actions, weights, k=people))


def _close_status_lists(db: Session, porteurs: list[_Porteur], context: Context) -> None:
    """Count the indexes taken, set the revoked badges' bits and sign each list again."""
    for porteur in porteurs:
        status_list = porteur.status_list
        bits = bytearray(status_list.bits)
        for index in porteur.revoked:
            bitstring_list.set_bit(bits, index, True)
        status_list.bits = bytes(bits)
        status_list.allocated = porteur.allocated
        db.flush()
        status_lists.sign(db, status_list, base_url=context.base_url, kek=context.kek)


def generate(
    db: Session,
    beneficiaries: int,
    *,
    context: Context,
    seed: int | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write ``beneficiaries`` fictitious people and everything around them (flushed, not
    committed: the caller commits). Returns how many rows each table received."""
    if beneficiaries < 1:
        raise ValueError("beneficiaries must be at least 1")
    progress = progress or (lambda _stage, _done, _total: None)
    rng = random.Random(seed)
    today = today or utcnow().date()
    framework, items = _framework_items(db)
    competence_ids = sorted(items)[:COMPETENCES_PER_ASSESSMENT]
    codes = list(db.scalars(select(Competence.code).where(Competence.id.in_(competence_ids))))
    porteur_count = max(2, min(60, round(beneficiaries / PEOPLE_PER_PORTEUR)))
    porteurs = []
    for n in range(porteur_count):
        porteurs.append(_porteur(db, n + 1, framework, codes, context))
        progress("structures", n + 1, porteur_count)
    ids = _start_ids(db)
    before = dict(ids.next)
    action_count = max(2, beneficiaries // PEOPLE_PER_ACTION)
    actions = _actions(db, rng, ids, porteurs, action_count, today)
    world = _World(rng, ids, secrets.token_hex(3), today, utcnow(), items, competence_ids, context)
    pieces = {id(p): _badge_pieces(p, context.base_url) for p in porteurs}
    assigned = _assignments(rng, actions, beneficiaries)
    first_number = ids.next[User.__table__.name]
    first_learner = ids.next[Learner.__table__.name]
    for start in range(0, beneficiaries, BATCH):
        batch = _Batch()
        for n in range(start, min(start + BATCH, beneficiaries)):
            action = next(assigned)
            learner_id, pseudonym = _person(world, batch, first_number + n, action)
            path = _path(world, batch, learner_id, action)
            finished = _sessions(world, batch, path, action)
            porteur = action.porteur
            _badges(world, batch, pieces[id(porteur)], porteur, path, pseudonym, finished)
        batch.write(db)
        progress("bénéficiaires", min(start + BATCH, beneficiaries), beneficiaries)
    _close_status_lists(db, porteurs, context)
    _advance_sequences(db)
    db.flush()
    # After a bulk load, as after any: fresh statistics, so the planner picks the indexes.
    db.execute(text("ANALYZE"))
    # The paths' first and last levels, which the batched inserts went around.
    progress("niveaux par parcours", 0, 1)
    path_progress.fill(db, Enrolment.learner_id >= first_learner)
    for table in (CompetenceProgress, PathProgress):
        db.execute(text(f"ANALYZE {table.__tablename__}"))
    progress("niveaux par parcours", 1, 1)
    counts = {name: ids.next[name] - before[name] for name in before}
    counts["organisations"] = porteur_count
    return counts
