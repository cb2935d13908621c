"""Evidence files of manual awards: checked by their content, kept privately, opened by few.

A trainer may attach a PDF or a photo to a badge awarded by hand (a practical test, a
placement report). The file is personal: it is kept in the database (never under ``static``)
and the credential's ``evidence`` names it by a URL that opens only for the holder and the staff
of the awarding organisation. It is attached only when the award form says the person agreed;
the holder may later hide it, after which it opens for them alone (and show it again).

Checks, without trusting the name or the declared type: at most ``MAX_BYTES``; an image is
recognised by its magic bytes, decoded by Pillow (bounded in pixels) and re-encoded, which drops
its metadata (GPS position…) and anything hidden after the picture; a PDF must start with
``%PDF-``, be read by pypdf, have a page, not be encrypted and carry no script, launch action or
embedded file.
"""

from __future__ import annotations

import enum
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.models import EvidenceFile
from learners.models import Learner, Role, User

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_FILENAME = 120
# Active PDF content a viewer might run or open: refused rather than cleaned.
PDF_FORBIDDEN = (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/png", "WEBP": "image/png"}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
STAFF_ROLES = (Role.TRAINER, Role.ORG_ADMIN)


class Refusal(enum.StrEnum):
    """Why a file is refused (the web layer words it in French and English)."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_ALLOWED = "not_allowed"
    BROKEN_IMAGE = "broken_image"
    BROKEN_PDF = "broken_pdf"
    ACTIVE_PDF = "active_pdf"


class EvidenceRefused(ValueError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, in the bytes that will be stored."""

    filename: str
    media_type: str
    data: bytes


def safe_filename(name: str | None, media_type: str) -> str:
    """A plain name to show and to offer on download (no path, no control character)."""
    base = unicodedata.normalize("NFKC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" ._")[:MAX_FILENAME]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg"}.get(media_type, "png")
    return f"{stem or 'preuve'}.{extension}"


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _reencode(data: bytes) -> tuple[str, bytes]:
    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.format not in IMAGE_FORMATS:
                raise EvidenceRefused(Refusal.NOT_ALLOWED)
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise EvidenceRefused(Refusal.BROKEN_IMAGE)
            media_type = IMAGE_FORMATS[picture.format]
            picture.load()
            # A phone photo stands the right way up once its orientation tag is dropped.
            picture = ImageOps.exif_transpose(picture)
            out = io.BytesIO()
            if media_type == "image/jpeg":
                picture.convert("RGB").save(out, "JPEG", quality=90)
            else:
                mode = "RGBA" if picture.mode in ("RGBA", "LA", "P", "PA") else "RGB"
                picture.convert(mode).save(out, "PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise EvidenceRefused(Refusal.BROKEN_IMAGE) from None
    return media_type, out.getvalue()


def _runs_something(reader: PdfReader) -> bool:
    """Actions hidden in compressed object streams, where the raw bytes do not show them: a
    script or launch on opening, additional actions, named scripts or embedded files."""
    root = reader.trailer["/Root"].get_object()
    action = root.get("/OpenAction")
    action = action.get_object() if action is not None else None
    if isinstance(action, dict) and action.get("/S") in ("/JavaScript", "/Launch"):
        return True
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    return "/AA" in root or "/JavaScript" in names or "/EmbeddedFiles" in names


def _check_pdf(data: bytes) -> None:
    if any(token in data for token in PDF_FORBIDDEN):
        raise EvidenceRefused(Refusal.ACTIVE_PDF)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            raise EvidenceRefused(Refusal.BROKEN_PDF)
        if _runs_something(reader):
            raise EvidenceRefused(Refusal.ACTIVE_PDF)
    except EvidenceRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise EvidenceRefused(Refusal.BROKEN_PDF) from None


def check(data: bytes, filename: str | None) -> CheckedFile:
    """The file as it will be stored, or ``EvidenceRefused`` saying why not."""
    if not data:
        raise EvidenceRefused(Refusal.EMPTY)
    if len(data) > MAX_BYTES:
        raise EvidenceRefused(Refusal.TOO_LARGE)
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        return CheckedFile(safe_filename(filename, "application/pdf"), "application/pdf", data)
    if data.startswith(IMAGE_MAGIC) or _is_webp(data):
        media_type, stored = _reencode(data)
        return CheckedFile(safe_filename(filename, media_type), media_type, stored)
    raise EvidenceRefused(Refusal.NOT_ALLOWED)


def store(
    db: Session,
    checked: CheckedFile,
    *,
    organisation_id: int,
    learner: Learner,
    uploaded_by: User | None,
) -> EvidenceFile:
    """Keep the file (flushed, not committed); the credential is linked once issued."""
    stored = EvidenceFile(
        organisation_id=organisation_id,
        learner_id=learner.id,
        filename=checked.filename,
        media_type=checked.media_type,
        data=checked.data,
        sha256=hashlib.sha256(checked.data).hexdigest(),
        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None,
    )
    db.add(stored)
    db.flush()
    return stored


def url(public_id: str, base_url: str) -> str:
    """Where the credential's evidence points (the route of ``web/evidence.py``)."""
    return f"{base_url.rstrip('/')}/preuves/{public_id}"


def get(db: Session, public_id: str) -> EvidenceFile | None:
    return db.scalar(select(EvidenceFile).where(EvidenceFile.public_id == public_id[:36]))


def is_holder(file: EvidenceFile, user: User) -> bool:
    return user.learner is not None and user.learner.id == file.learner_id


def readable_by(file: EvidenceFile | None, user: User) -> bool:
    """The holder always; the staff of the awarding organisation while the file is not hidden;
    nobody else (the platform admin included: it is a beneficiary's personal document)."""
    if file is None:
        return False
    if is_holder(file, user):
        return True
    if file.hidden:
        return False
    return any(
        m.organisation_id == file.organisation_id and m.role in STAFF_ROLES
        for m in user.memberships
    )


def files_of(db: Session, credential_id: int) -> list[EvidenceFile]:
    return list(
        db.scalars(
            select(EvidenceFile)
            .where(EvidenceFile.credential_id == credential_id)
            .order_by(EvidenceFile.id)
        )
    )


def set_hidden(db: Session, file: EvidenceFile, hidden: bool) -> EvidenceFile:
    """The holder's choice (not committed)."""
    file.hidden = hidden
    db.flush()
    return file
