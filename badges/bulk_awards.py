"""Awarding one achievement to many learners from a CSV file: a dry run, then the real run.

The file holds one learner per line, by login (username or e-mail), optionally followed by a
narrative for that person's evidence; ``;`` or ``,`` separated, UTF-8 with or without a BOM, a
header line allowed. ``review`` says what would happen to each line without writing anything
(the dry run the page and ``jalon badges award-csv --dry-run`` show); ``run`` awards the lines
that are ready, each in its own transaction, so a bad line never blocks nor half-writes the
others, and re-checks every line first (the file may have been reviewed an hour ago).

A large file is awarded in parallel by the queue's workers: ``plan`` reviews it once (so a
person named twice is awarded once) and splits the ready lines into batches, each run by
``run`` as a part; ``merge`` puts the parts' reports back together, line by line.
"""

from __future__ import annotations

import csv
import enum
import io
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from badges import issuance, manual_awards
from badges.models import Achievement
from learners import accounts
from learners.models import Learner, Organisation, Role, User

MAX_BYTES = 512 * 1024
MAX_ROWS = 2000
MAX_LOGIN = 254
# A part of a file awarded in parallel holds at least this many lines (fewer: not worth a job).
MIN_BATCH_ROWS = 25
log = logging.getLogger(__name__)
HEADER_WORDS = {"identifiant", "login", "email", "e-mail", "courriel", "nom d'utilisateur"}


class CsvRefusal(enum.StrEnum):
    TOO_LARGE = "too_large"
    NOT_UTF8 = "not_utf8"
    TOO_MANY_ROWS = "too_many_rows"
    NO_ROWS = "no_rows"


class CsvRefused(ValueError):
    def __init__(self, refusal: CsvRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


class RowStatus(enum.StrEnum):
    """What happens to a line (``READY`` only is awarded)."""

    READY = "ready"
    EMPTY = "empty"
    UNKNOWN = "unknown"
    OTHER_ORGANISATION = "other_organisation"
    ALREADY_HOLDS = "already_holds"
    DUPLICATE = "duplicate"
    AWARDED = "awarded"  # after the real run
    FAILED = "failed"  # the real run could not award it (a transient fault): try again


@dataclass(frozen=True)
class Row:
    line: int
    login: str
    narrative: str = ""


@dataclass(frozen=True)
class RowReport:
    line: int
    login: str
    status: RowStatus
    name: str = ""  # the learner's name, only for this organisation's learners


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") >= first_line.count(",") else ","


def parse(data: bytes) -> list[Row]:
    """The file's lines (empty ones kept, to be reported), or ``CsvRefused``."""
    if len(data) > MAX_BYTES:
        raise CsvRefused(CsvRefusal.TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused(CsvRefusal.NOT_UTF8) from None
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise CsvRefused(CsvRefusal.TOO_MANY_ROWS)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0] if lines else ""))
    rows: list[Row] = []
    for cells in reader:
        cells = [c.strip() for c in cells]
        login = cells[0][:MAX_LOGIN] if cells else ""
        narrative = cells[1][: manual_awards.MAX_NARRATIVE] if len(cells) > 1 else ""
        if reader.line_num == 1 and login.lower() in HEADER_WORDS:
            continue  # a header line (later lines keep their numbers in the file)
        rows.append(Row(reader.line_num, login, narrative))
    if not any(r.login for r in rows):
        raise CsvRefused(CsvRefusal.NO_ROWS)
    return rows


def _learner_in(user: User | None, organisation_id: int) -> tuple[RowStatus, Learner | None]:
    if user is None or user.learner is None:
        return RowStatus.UNKNOWN, None
    member = any(
        m.organisation_id == organisation_id and m.role is Role.LEARNER for m in user.memberships
    )
    return (RowStatus.READY, user.learner) if member else (RowStatus.OTHER_ORGANISATION, None)


def review(
    db: Session, organisation_id: int, achievement: Achievement, rows: list[Row]
) -> list[tuple[Row, RowReport, Learner | None]]:
    """What would happen to each line (nothing written)."""
    seen: set[int] = set()
    reviewed = []
    for row in rows:
        learner = None
        if not row.login:
            status = RowStatus.EMPTY
        else:
            status, learner = _learner_in(accounts.find_by_login(db, row.login), organisation_id)
        if learner is not None:
            if learner.id in seen:
                status = RowStatus.DUPLICATE
            elif manual_awards.current_credential(db, achievement, learner) is not None:
                status = RowStatus.ALREADY_HOLDS
            seen.add(learner.id)
        name = learner.display_name if learner is not None else ""
        reviewed.append((row, RowReport(row.line, row.login, status, name), learner))
    return reviewed


def dry_run(
    db: Session, organisation_id: int, achievement: Achievement, rows: list[Row]
) -> list[RowReport]:
    return [report for _, report, _ in review(db, organisation_id, achievement, rows)]


def ready_count(reports: list[RowReport]) -> int:
    return sum(1 for r in reports if r.status is RowStatus.READY)


def rows_to_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


def rows_from_json(data: list[dict[str, Any]]) -> list[Row]:
    return [Row(int(d["line"]), str(d["login"]), str(d.get("narrative") or "")) for d in data]


def default_narrative(organisation: Organisation) -> str:
    return f"Compétence constatée par {organisation.name}."


def run(
    db: Session,
    progress: Callable[..., None],
    *,
    organisation_id: int,
    achievement_id: int,
    actor_id: int | None,
    rows: list[dict[str, Any]],
    base_url: str,
    kek: str | bytes,
) -> dict[str, Any]:
    """Award the ready lines, committing each one; the summary lists every line's outcome.

    Shaped as a job's work (``learners.jobs``): ``progress(done, total)`` as it goes."""
    parsed = rows_from_json(rows)
    organisation = db.get(Organisation, organisation_id)
    achievement = db.get(Achievement, achievement_id)
    if organisation is None or achievement is None:
        return {"awarded": 0, "rows": []}
    actor = db.get(User, actor_id) if actor_id is not None else None
    fallback = default_narrative(organisation)
    reviewed = review(db, organisation_id, achievement, parsed)
    # Opened once for the file, not once per line (a key derivation and a PEM parse per key).
    keys = issuance.signing_keys(db, achievement.issuer, kek)
    # End the reading transaction (each line writes in its own) without a rollback, which
    # would expire what it read: every learner would be read again.
    db.commit()
    reports: list[dict[str, Any]] = []
    progress(0, len(reviewed))
    for done, (row, report, learner) in enumerate(reviewed, start=1):
        if report.status is RowStatus.READY and learner is not None:
            evidence = manual_awards.Evidence(narrative=row.narrative or fallback)
            report = _award_row(
                db,
                achievement,
                learner,
                report,
                evidence,
                actor,
                **{"organisation_id": organisation_id, "base_url": base_url, "kek": kek},
                keys=keys,
            )
        reports.append(_report_json(report))
        progress(done, len(reviewed))
    awarded = sum(1 for r in reports if r["status"] == RowStatus.AWARDED.value)
    return {"awarded": awarded, "rows": reports}


@dataclass(frozen=True)
class Plan:
    """A file split for parallel awarding: the lines already settled (not awarded, whatever
    happens) and the ready lines in batches (``rows_to_json``), one per part."""

    settled: list[dict[str, Any]]
    batches: list[list[dict[str, Any]]]


def _report_json(report: RowReport) -> dict[str, Any]:
    return {**asdict(report), "status": report.status.value}


def plan(
    db: Session, organisation_id: int, achievement_id: int, rows: list[dict[str, Any]], parts: int
) -> Plan:
    """Review the whole file once (nothing written) and split its ready lines into at most
    ``parts`` batches of at least ``MIN_BATCH_ROWS`` lines."""
    achievement = db.get(Achievement, achievement_id)
    if achievement is None:
        return Plan([], [])
    reviewed = review(db, organisation_id, achievement, rows_from_json(rows))
    db.rollback()
    ready = [row for row, report, _ in reviewed if report.status is RowStatus.READY]
    settled = [_report_json(r) for _, r, _ in reviewed if r.status is not RowStatus.READY]
    size = max(MIN_BATCH_ROWS, math.ceil(len(ready) / max(parts, 1)))
    batches = [rows_to_json(ready[start : start + size]) for start in range(0, len(ready), size)]
    return Plan(settled, batches)


def merge(planned: Plan, results: list[dict[str, Any] | None]) -> dict[str, Any]:
    """One summary from the parts' (``run``'s) summaries, in the file's order; a part that
    failed as a whole (None) reports its lines failed, to be tried again."""
    reports = list(planned.settled)
    for batch, result in zip(planned.batches, results, strict=True):
        if result is None:
            reports += [
                _report_json(RowReport(r.line, r.login, RowStatus.FAILED))
                for r in rows_from_json(batch)
            ]
        else:
            reports += result["rows"]
    reports.sort(key=lambda report: report["line"])
    awarded = sum(1 for r in reports if r["status"] == RowStatus.AWARDED.value)
    return {"awarded": awarded, "rows": reports}


def _award_row(
    db: Session,
    achievement: Achievement,
    learner: Learner,
    report: RowReport,
    evidence: manual_awards.Evidence,
    actor: User | None,
    **context: Any,
) -> RowReport:
    """One line in its own transaction: awarded and committed, or rolled back."""
    try:
        manual_awards.award(
            db,
            achievement=achievement,
            learner=learner,
            evidence=evidence,
            actor=actor,
            source="csv",
            **context,
        )
        db.commit()
        return RowReport(report.line, report.login, RowStatus.AWARDED, report.name)
    except manual_awards.AlreadyHolds:
        db.rollback()
        return RowReport(report.line, report.login, RowStatus.ALREADY_HOLDS, report.name)
    except Exception:  # one line's fault never stops the others
        db.rollback()
        log.exception("bulk award: line %s failed", report.line)
        return RowReport(report.line, report.login, RowStatus.FAILED, report.name)
