"""A file a dry run accepted, kept until the person confirms the import.

The file waits in the instance folder under a random token, per organisation (another
organisation's token finds nothing); the real import (a background job) takes it over, checks it
again in full and removes it.
A file nobody confirmed is deleted once older than ``JALON_PENDING_IMPORT_HOURS`` (24 by default):
at the next dry run of any organisation, and by ``jalon assess purge-imports`` (for a cron job).
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from assessments.content_errors import ContentError

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
GONE = ContentError(
    "",
    "",
    None,
    str(_l("Ce fichier n'est plus disponible : envoyez-le et vérifiez-le de nouveau.")),
)


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "pending-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(organisation_id: int, token: str) -> Path:
    return _folder() / f"{organisation_id}-{token}.json"


def sweep(folder: Path, older_than_hours: float, now: float | None = None) -> int:
    """Delete the kept files (and their names) last written more than ``older_than_hours``
    ago; how many imports were dropped. A file taken meanwhile by another request is skipped."""
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - older_than_hours * 3600
    dropped = 0
    for path in [*folder.glob("*.json"), *folder.glob("*.running")]:
        try:
            if path.stat().st_mtime >= limit:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        path.with_suffix(".name").unlink(missing_ok=True)
        dropped += 1
    for orphan in folder.glob("*.name"):  # a name whose file is gone
        if not orphan.with_suffix(".json").exists():
            orphan.unlink(missing_ok=True)
    return dropped


def sweep_abandoned() -> int:
    """:func:`sweep` with the application's folder and delay."""
    hours = current_app.config["JALON_PENDING_IMPORT_HOURS"]
    return sweep(Path(current_app.instance_path) / "pending-imports", hours)


def keep(organisation_id: int, raw: bytes, name: str) -> str:
    sweep_abandoned()
    token = secrets.token_urlsafe(24)
    _path(organisation_id, token).write_bytes(raw)
    _path(organisation_id, token).with_suffix(".name").write_text(name[:200], encoding="utf-8")
    return token


def hand_over(organisation_id: int, token: str | None) -> tuple[Path, str] | None:
    """The kept file renamed for the import job that will read and remove it (a second click
    on « Importer » finds nothing), with its name; ``None`` when there is none."""
    if not token or not TOKEN.match(token):
        return None
    path = _path(organisation_id, token)
    running = path.with_suffix(".running")
    try:
        path.rename(running)
    except FileNotFoundError:
        return None
    name_path = path.with_suffix(".name")
    name = name_path.read_text(encoding="utf-8") if name_path.is_file() else "import.json"
    name_path.unlink(missing_ok=True)
    return running, name
