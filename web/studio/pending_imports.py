"""A file a dry run accepted, kept until the person confirms the import.

The file waits in the instance folder under a random token, per organisation (another
organisation's token finds nothing); the real import checks it again in full, and takes it away.
"""

from __future__ import annotations

import re
import secrets
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


def keep(organisation_id: int, raw: bytes, name: str) -> str:
    token = secrets.token_urlsafe(24)
    _path(organisation_id, token).write_bytes(raw)
    _path(organisation_id, token).with_suffix(".name").write_text(name[:200], encoding="utf-8")
    return token


def keep_for_job(organisation_id: int, raw: bytes) -> Path:
    """Hand a confirmed file to a background job: the job reads it from this path and removes
    it, so the file's personal data live no longer than the import (not in the job's row)."""
    path = _folder() / f"{organisation_id}-job-{secrets.token_urlsafe(24)}.csv"
    path.write_bytes(raw)
    return path


def take(organisation_id: int, token: str | None) -> tuple[bytes, str] | None:
    """The kept file and its name (removed from the folder), ``None`` when there is none."""
    if not token or not TOKEN.match(token):
        return None
    path = _path(organisation_id, token)
    if not path.is_file():
        return None
    raw = path.read_bytes()
    name_path = path.with_suffix(".name")
    name = name_path.read_text(encoding="utf-8") if name_path.is_file() else "import.json"
    path.unlink(missing_ok=True)
    name_path.unlink(missing_ok=True)
    return raw, name
