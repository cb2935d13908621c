"""Enrolling many learners in an action from a spreadsheet (CSV): read the file, check every
line against the same rules as the form, report line by line (a dry run writes nothing), then
enrol the good lines as a background job, each line on its own so a bad one never blocks the
others.

The columns are :data:`COLUMNS` (header on the first line, in any order; ``;`` or ``,``;
UTF-8 with or without BOM). A learner is named by their login (``identifiant``).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from learners import audit
from learners.accounts import find_by_login
from learners.action_problems import Problem
from learners.actions import get_action
from learners.communes import all_communes, by_code
from learners.enrolments import EnrolmentSpec, enrol, enrolment_problems, spec_problems
from learners.jobs import JobError, Progress
from learners.models import PublicStatus, Referrer, Sex, User

JOB_KIND = "learners.enrolment_import"
# The file's columns (the import page says what each holds, in the visitor's language).
COLUMNS = (
    "identifiant",
    "orienteur",
    "date_entree",
    "statut",
    "sexe",
    "annee_naissance",
    "commune",
    "seances_prevues",
)
# The domain's field names → the file's columns.
COLUMN_OF = {
    "learner": "identifiant",
    "referrer": "orienteur",
    "entry_date": "date_entree",
    "public_status": "statut",
    "sex": "sexe",
    "birth_year": "annee_naissance",
    "commune_code": "commune",
    "sessions_planned": "seances_prevues",
}
REQUIRED = ("identifiant", "orienteur", "date_entree", "statut")
MAX_ROWS = 5000
EXAMPLE = {
    "identifiant": "sdupont",
    "orienteur": "france_travail",
    "date_entree": "15/03/2026",
    "statut": "rsa_cer",
    "sexe": "f",
    "annee_naissance": "1985",
    "commune": "",
    "seances_prevues": "12",
}


FILE_MESSAGES = {
    "too_big": "Le fichier est trop gros : {limit} octets au plus.",
    "not_utf8": "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 ».",
    "empty": "Le fichier est vide.",
    "missing_columns": "Colonnes manquantes dans la première ligne : {columns}.",
    "too_many_rows": "Trop de lignes : {max} au plus par fichier.",
}


class FileRefused(ValueError):
    """The file as a whole cannot be read (``code`` and ``params`` say why); nothing was done."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(FILE_MESSAGES[code].format(**params))
        self.code, self.params = code, params


@dataclass(frozen=True)
class Row:
    line: int  # in the file, the header being line 1
    values: dict[str, str]

    @property
    def login(self) -> str:
        return self.values.get("identifiant", "")


@dataclass(frozen=True)
class RowReport:
    line: int
    login: str
    problems: list[Problem] = field(default_factory=list)
    learner_name: str | None = None

    @property
    def accepted(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportReport:
    rows: list[RowReport]

    @property
    def accepted(self) -> int:
        return sum(r.accepted for r in self.rows)

    @property
    def refused(self) -> int:
        return len(self.rows) - self.accepted


def template_csv() -> str:
    """The model file offered for download: the header and one example line (``;``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(EXAMPLE[c] for c in COLUMNS)
    return "\ufeff" + out.getvalue()


def read_rows(raw: bytes, limit: int) -> list[Row]:
    """The file's lines as column → value; raises :class:`FileRefused`."""
    if len(raw) > limit:
        raise FileRefused("too_big", limit=limit)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("not_utf8") from None
    text = text.replace("\x00", "")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise FileRefused("empty")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileRefused("missing_columns", columns=", ".join(missing))
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileRefused("too_many_rows", max=MAX_ROWS)
        values = {
            name: (cells[i].strip() if i < len(cells) else "")
            for i, name in enumerate(header)
            if name in COLUMNS
        }
        rows.append(Row(number, values))
    return rows


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _commune_code(value: str) -> str | None:
    if not value or value in by_code():
        return value or None
    wanted = _plain(value)
    return next((c.code for c in all_communes() if _plain(c.name) == wanted), value)


def parse_date(value: str) -> date | None:
    """``JJ/MM/AAAA`` or ``AAAA-MM-JJ``; ``None`` when it is neither."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _choice(enum, value: str, column: str, problems: list[Problem], default=None):
    if not value:
        return default
    try:
        return enum(value.strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        problems.append(Problem(column, "unknown_value", {"value": value, "allowed": allowed}))
        return default


def _int(value: str, column: str, problems: list[Problem]) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append(Problem(column, "unknown_value", {"value": value, "allowed": "1, 2, 3…"}))
        return None


def spec_of_row(row: Row) -> tuple[EnrolmentSpec, list[Problem]]:
    """The row as an enrolment, with the problems of reading it (bad date, unknown value…)."""
    v, problems = row.values, []
    entry = parse_date(v.get("date_entree", "")) if v.get("date_entree") else None
    if v.get("date_entree") and entry is None:
        problems.append(Problem("date_entree", "bad_date"))
    referrer = _choice(Referrer, v.get("orienteur", ""), "orienteur", problems)
    status = _choice(PublicStatus, v.get("statut", ""), "statut", problems)
    sex = _choice(Sex, v.get("sexe", ""), "sexe", problems, Sex.NOT_STATED)
    spec = EnrolmentSpec(
        referrer=referrer,
        entry_date=entry,
        public_status=status,
        sex=sex,
        birth_year=_int(v.get("annee_naissance", ""), "annee_naissance", problems),
        commune_code=_commune_code(v.get("commune", "")),
        sessions_planned=_int(v.get("seances_prevues", ""), "seances_prevues", problems),
    )
    return spec, problems


def check_row(db: Session, action, row: Row, today: date, seen: set[str]):
    """(learner, spec, report) for one row: everything that would refuse it."""
    spec, problems = spec_of_row(row)
    user = find_by_login(db, row.login) if row.login else None
    learner = user.learner if user is not None else None
    if learner is None:
        problems.insert(0, Problem("identifiant", "unknown_learner"))
        found = spec_problems(action, spec, today)
    else:
        found = enrolment_problems(db, action, learner, spec, today)
        if row.login.casefold() in seen:
            found.insert(0, Problem("identifiant", "duplicate_in_file"))
    seen.add(row.login.casefold())
    # Named by the file's columns; a value that could not be read is reported once.
    read = {p.field for p in problems}
    found = [Problem(COLUMN_OF.get(p.field, p.field), p.code, p.params) for p in found]
    found = [p for p in found if p.field not in read]
    name = learner.display_name if learner is not None else None
    report = RowReport(row.line, row.login, problems + found, name)
    return learner, spec, report


def dry_run(db: Session, action, rows: list[Row], today: date) -> ImportReport:
    """What importing ``rows`` would do, line by line; writes nothing."""
    seen: set[str] = set()
    return ImportReport([check_row(db, action, row, today, seen)[2] for row in rows])


def import_rows(
    db: Session, action, rows: list[Row], today: date, progress: Progress | None = None
) -> ImportReport:
    """Enrol every accepted row, each in its own savepoint (flushed, not committed)."""
    seen: set[str] = set()
    reports = []
    for done, row in enumerate(rows, start=1):
        learner, spec, report = check_row(db, action, row, today, seen)
        if report.accepted:
            with db.begin_nested():
                enrol(db, action, learner, spec, today)
        reports.append(report)
        if progress is not None:
            progress(done, len(rows))
    return ImportReport(reports)


def _take_file(path: str, limit: int) -> list[Row]:
    """The rows of the file handed to the job, which is removed whatever happens."""
    file = Path(path)
    try:
        return read_rows(file.read_bytes(), limit)
    except FileRefused as refused:
        raise JobError(str(refused)) from None
    except OSError:
        raise JobError("Ce fichier n'est plus disponible : envoyez-le de nouveau.") from None
    finally:
        file.unlink(missing_ok=True)


def import_job(
    db: Session,
    progress: Progress,
    *,
    org_id: int,
    action_id: int,
    actor_id: int | None,
    path: str,
    limit: int,
    today: str,
) -> dict[str, Any]:
    """The real import, run by ``web.jobs`` on the file at ``path`` (removed once read): its
    summary is what the page shows afterwards."""
    rows = _take_file(path, limit)
    try:
        action = get_action(db, org_id, action_id)
    except LookupError:
        raise JobError("Cette action n'existe plus.") from None

    def step(done: int, total: int | None = None) -> None:
        # Each line stands on its own: committed before progress is written (SQLite allows one
        # writer at a time, and the progress goes through a second connection).
        db.commit()
        progress(done, total)

    report = import_rows(db, action, rows, date.fromisoformat(today), step)
    audit.record(
        db,
        "enrolments.imported",
        actor=db.get(User, actor_id) if actor_id else None,
        organisation_id=org_id,
        target_type="action",
        target_id=action.id,
        detail={"title": action.title, "enrolled": report.accepted, "refused": report.refused},
    )
    return {
        "enrolled": report.accepted,
        "refused": [
            {"line": r.line, "login": r.login, "problems": [p.as_dict() for p in r.problems]}
            for r in report.rows
            if not r.accepted
        ],
    }
