"""Which openings of a badge's page count as a verification, and the page's cached parts.

« Vérifié N fois » tells a holder how often *others* checked their badge, so an opening counts
once per visitor and period: a counted opening leaves a cookie scoped to that badge's page
alone (``Path=/c/<id>``, nothing in it but « already counted »), and openings that carry it are
not counted again until it expires (``JALON_VERIFICATION_COUNT_HOURS``). Nothing about the
visitor is stored on our side; a visitor who refuses cookies is counted at each opening, as
before. The verification result itself comes from a per-worker cache
(``badges.verification_cache``) sized and timed by ``JALON_VERIFICATION_CACHE_SIZE`` and
``JALON_VERIFICATION_CACHE_SECONDS``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, request
from flask_login import current_user

from badges.models import Credential, VerificationChannel
from badges.ob3.verify import VerificationResult
from badges.verification_cache import StampedCache

SEEN_COOKIE = "jalon_vu"
CACHE_EXTENSION = "jalon_verification_cache"


def result_cache() -> StampedCache[VerificationResult]:
    """This worker's cache of verification results (made at first use, from the settings)."""
    cache = current_app.extensions.get(CACHE_EXTENSION)
    if cache is None:
        config = current_app.config
        cache = current_app.extensions.setdefault(
            CACHE_EXTENSION,
            StampedCache(
                max_entries=int(config["JALON_VERIFICATION_CACHE_SIZE"]),
                ttl_seconds=float(config["JALON_VERIFICATION_CACHE_SECONDS"]),
            ),
        )
    return cache


def channel(found: Credential) -> VerificationChannel | None:
    """The channel to count this opening under, or None when it is not a new verification.

    A GET counts, but not a HEAD (link checkers), nor a visitor who was counted on this page
    within the period (a reload, coming back), nor the page coming back to itself (a language
    switch, whose referrer is this very page), nor the holder looking at their own badge."""
    if request.method != "GET" or request.cookies.get(SEEN_COOKIE):
        return None
    if is_holder(found):
        return None
    if urlsplit(request.referrer or "").path == request.path:
        return None
    return VerificationChannel.QR if request.args.get("via") == "qr" else VerificationChannel.LINK


def is_holder(found: Credential) -> bool:
    """The signed-in learner the badge was issued to (who may preview it while private)."""
    learner = getattr(current_user, "learner", None) if current_user.is_authenticated else None
    return learner is not None and learner.id == found.learner_id


def remember(response: Response) -> None:
    """This visitor was counted on this page: not again within the period."""
    response.set_cookie(
        SEEN_COOKIE,
        "1",
        max_age=int(current_app.config["JALON_VERIFICATION_COUNT_HOURS"]) * 3600,
        path=f"{request.script_root}{request.path}",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
