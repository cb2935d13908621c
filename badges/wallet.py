"""The learner's wallet: their credentials, what state each is in, and the files they take away.

Everything here reads what issuance stored; nothing is re-signed. The files handed out (signed
JSON, VC-JWT, baked PNG/SVG, PDF attestation) carry the very bytes that were signed at issuance,
so they verify offline whatever the credential's visibility on the platform.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import quoteattr

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from badges import images, issuance, svg_raster, verification
from badges.attestation import AttestationContent, render_pdf
from badges.models import Achievement, Credential, VerificationEvent
from badges.ob3 import baking
from badges.qr import qr_png
from badges.sharing import linkedin_add_url
from learners.models import Learner

# White text on these keeps WCAG AA contrast (used when an achievement has no image of a format).
FALLBACK_COLOURS = ("#1f6f5c", "#2b4f8a", "#6b3d8f", "#8a4516", "#2f5d1f")
FALLBACK_LABEL_LENGTH = 18


class WalletStatus(enum.StrEnum):
    """What the wallet says about a badge today (from the platform's own records)."""

    VALID = "valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


@dataclass(frozen=True)
class BadgeImages:
    """The achievement's image in both bakeable formats."""

    png: bytes
    svg: bytes


# ------------------------------------------------------------------------------- reading


def credentials_of(db: Session, learner: Learner | None) -> list[Credential]:
    """The learner's credentials, newest first (revoked ones included: they must see them)."""
    if learner is None:
        return []
    return list(
        db.scalars(
            select(Credential)
            .where(Credential.learner_id == learner.id)
            .options(joinedload(Credential.achievement), joinedload(Credential.issuer))
            .order_by(Credential.issued_at.desc(), Credential.id.desc())
        )
    )


def count_of(db: Session, learner: Learner | None) -> int:
    """How many badges the learner holds (for the home page's summary)."""
    if learner is None:
        return 0
    return db.scalar(
        select(func.count()).select_from(Credential).where(Credential.learner_id == learner.id)
    )


def owned(db: Session, learner: Learner | None, public_id: str) -> Credential:
    """The credential ``public_id`` if it belongs to ``learner``; otherwise ``CredentialNotFound``
    (the same answer for someone else's badge and for no badge: existence is not revealed)."""
    credential = db.scalar(select(Credential).where(Credential.public_id == public_id))
    if credential is None or learner is None or credential.learner_id != learner.id:
        raise issuance.CredentialNotFound(public_id)
    return credential


def status(credential: Credential, now: datetime | None = None) -> WalletStatus:
    """What the platform's records say, by the same rule as the verification pages
    (``verification.recorded_verdict``: the gravest state is the one shown)."""
    return WalletStatus(verification.recorded_verdict(credential, now).value)


def verification_counts(db: Session, credentials: Sequence[Credential]) -> dict[int, int]:
    """How many times each credential was verified (one grouped query; 0 when never)."""
    ids = [c.id for c in credentials]
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = db.execute(
        select(VerificationEvent.credential_id, func.count())
        .where(VerificationEvent.credential_id.in_(ids))
        .group_by(VerificationEvent.credential_id)
    )
    for credential_id, count in rows:
        counts[credential_id] = count
    return counts


def results_in_words(credential: Credential) -> list[tuple[str, str]]:
    """``(competence, level)`` pairs named as the achievement describes them."""
    descriptions = {
        d.get("id"): d for d in credential.achievement.result_descriptions or () if d.get("id")
    }
    words = []
    for result in credential.results or ():
        description = descriptions.get(result.get("resultDescription"), {})
        competence = description.get("name") or str(result.get("resultDescription", ""))
        levels = {lv.get("id"): lv for lv in description.get("rubricCriterionLevel", ())}
        achieved = levels.get(result.get("achievedLevel"))
        if achieved is not None:
            level = achieved.get("name") or str(achieved.get("level", ""))
        elif result.get("value") is not None:
            level = str(result["value"])
        else:
            level = str(result.get("achievedLevel") or result.get("status") or "")
        if competence:
            words.append((competence, level))
    return words


# ------------------------------------------------------------------------------- changing


def set_public(db: Session, credential: Credential, public: bool) -> Credential:
    """Show or hide the public page ``/c/<id>`` (not committed). The signed files are unchanged,
    so a copy the holder already gave away still verifies offline."""
    credential.is_public = public
    db.flush()
    return credential


# ------------------------------------------------------------------------------- files


def signed_json(credential: Credential) -> bytes:
    """The credential with its Data Integrity proof, exactly as stored at issuance."""
    return credential.signed_json.encode("utf-8")


def _fallback_design(achievement: Achievement) -> images.BadgeDesign:
    """A medallion for achievements that lack an image in some format: a colour fixed by the
    achievement's id, a star, and the first words of its name."""
    digest = hashlib.sha256(achievement.public_id.encode()).digest()
    label = ""
    for word in achievement.name.split():
        candidate = f"{label} {word}".strip()
        if len(candidate) > FALLBACK_LABEL_LENGTH:
            break
        label = candidate
    label = label or achievement.name[:FALLBACK_LABEL_LENGTH]
    return images.BadgeDesign(
        colour=FALLBACK_COLOURS[digest[0] % len(FALLBACK_COLOURS)], icon="star", label=label
    )


def _svg_around_png(png: bytes, title: str) -> bytes:
    """An SVG showing the PNG at its own size, so both downloads look the same."""
    with Image.open(io.BytesIO(png)) as picture:
        width, height = picture.size
    encoded = base64.b64encode(png).decode("ascii")
    uri = f"data:image/png;base64,{encoded}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="t"><title id="t">{_xml_text(title)}</title>'
        f'<image width="{width}" height="{height}" href="{uri}" xlink:href="{uri}"/></svg>'
    )
    return svg.encode("utf-8")


def _xml_text(text: str) -> str:
    return quoteattr(text)[1:-1]


def badge_images(achievement: Achievement) -> BadgeImages:
    """PNG and SVG of the badge: the stored image in its own format; the other format drawn
    from it (a PNG wrapped in SVG, or the SVG drawn as PNG), else a generated medallion."""
    title = achievement.image_alt or achievement.name
    data, media = achievement.image_data, achievement.image_media_type
    if data is not None and media == "image/png":
        return BadgeImages(png=data, svg=_svg_around_png(data, title))
    design = _fallback_design(achievement)
    if data is not None and media == "image/svg+xml":
        return BadgeImages(png=svg_raster.to_png(data) or images.render_png(design), svg=data)
    return BadgeImages(png=images.render_png(design), svg=images.render_svg(design, title))


def baked_png(credential: Credential) -> bytes:
    """The badge PNG carrying the signed credential (OB 3.0 baking)."""
    document = json.loads(credential.signed_json)
    return baking.bake_png(badge_images(credential.achievement).png, document)


def baked_svg(credential: Credential) -> bytes:
    """The badge SVG carrying the signed credential (OB 3.0 baking)."""
    document = json.loads(credential.signed_json)
    return baking.bake_svg(badge_images(credential.achievement).svg, document)


def attestation_pdf(credential: Credential, base_url: str) -> bytes:
    """The printable attestation: badge, holder, criteria, issuer, date, results, QR code."""
    if credential.learner is None:
        raise issuance.RecipientMissing("an attestation names the holder")
    url = issuance.credential_iri(credential.public_id, base_url)
    return render_pdf(
        AttestationContent(
            holder_name=credential.learner.display_name,
            badge_name=credential.achievement.name,
            criteria=credential.achievement.criteria_narrative,
            issuer_name=credential.issuer.name,
            issued=credential.issued_at,
            verification_url=url,
            credential_id=credential.public_id,
            badge_png=badge_images(credential.achievement).png,
            qr_png=qr_png(verification.qr_url(credential.public_id, base_url)),
            valid_until=credential.valid_until,
            results=tuple(results_in_words(credential)),
        )
    )


def file_name(credential: Credential, extension: str, kind: str = "badge") -> str:
    """``badge-utiliser-une-messagerie-1a2b3c4d.png``: readable, ASCII, unique per credential."""
    ascii_name = (
        unicodedata.normalize("NFKD", credential.achievement.name)
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    parts = [kind, slug, credential.public_id[:8]]
    return "-".join(p for p in parts if p) + "." + extension


# ------------------------------------------------------------------------------- announcing


@dataclass(frozen=True)
class BadgeCard:
    """A badge as the results page announces it: the picture inline, so that the page needs no
    other request to show it."""

    name: str
    description: str
    image: str | None  # a ``data:`` URI of the achievement's own image, if it has one
    alt: str
    public_id: str


def image_data_uri(achievement: Achievement) -> str | None:
    """The achievement's stored image as a ``data:`` URI (None when it has none)."""
    if achievement.image_data is None:
        return None
    encoded = base64.b64encode(achievement.image_data).decode("ascii")
    return f"data:{achievement.image_media_type};base64,{encoded}"


def badge_card(credential: Credential) -> BadgeCard:
    achievement = credential.achievement
    return BadgeCard(
        name=achievement.name,
        description=achievement.description,
        image=image_data_uri(achievement),
        alt=achievement.image_alt or "",
        public_id=credential.public_id,
    )


# ------------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class WalletEntry:
    """One badge of « Mes badges »: the credential, its state today, how often it was checked."""

    credential: Credential
    status: WalletStatus
    verifications: int


def entries_of(db: Session, learner: Learner | None) -> list[WalletEntry]:
    """The learner's badges with their state and verification counts (newest first)."""
    credentials = credentials_of(db, learner)
    counts = verification_counts(db, credentials)
    return [WalletEntry(c, status(c), counts[c.id]) for c in credentials]


@dataclass(frozen=True)
class BadgeSheet:
    """What a badge's own page says beside the credential: its state, checks, results in
    words, the public address, what its QR code opens, and the LinkedIn link."""

    status: WalletStatus
    verifications: int
    results: list[tuple[str, str]]
    public_url: str
    qr_url: str
    linkedin_url: str


def sheet(db: Session, credential: Credential, base_url: str) -> BadgeSheet:
    public_url = issuance.credential_iri(credential.public_id, base_url)
    return BadgeSheet(
        status=status(credential),
        verifications=verification_counts(db, [credential])[credential.id],
        results=results_in_words(credential),
        public_url=public_url,
        qr_url=verification.qr_url(credential.public_id, base_url),
        linkedin_url=linkedin_add_url(
            name=credential.achievement.name,
            organisation=credential.issuer.name,
            issued=credential.issued_at,
            credential_url=public_url,
            credential_id=credential.public_id,
            expires=credential.valid_until,
        ),
    )
