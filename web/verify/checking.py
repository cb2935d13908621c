"""Checking what visitors send, for the /verifier page and ``POST /api/verifier`` alike.

Both read their limits from the configuration (``web.config``): how often an address may ask,
how other issuers' keys and status lists are reached, and the CPU and memory one verification
may use (``JALON_VERIFY_CPU_SECONDS``, ``JALON_VERIFY_MEMORY_MB``: the work runs in a child
process of ``badges.verification_sandbox``; 0 seconds runs it in the worker, unguarded). The
verification itself and its count are ``badges.verification.check_sent``; here it gets the
request's database session.
"""

from __future__ import annotations

import os
import weakref

from flask import Flask, current_app
from flask_babel import gettext as _

from badges import verification
from badges.models import VerificationChannel
from badges.ob3.resolver import DocumentSource, SafeHttpFetcher
from badges.verification_sandbox import DEFAULT_MEMORY_MB, Limits, VerifierPool
from web.database import db

VERIFIER_RATE_LIMIT = "20 per minute"
FETCH_TIMEOUT = 3.0  # seconds per request to another issuer's server


def base_url() -> str:
    return current_app.config["JALON_BASE_URL"]


def rate_limit() -> str:
    """Flask-Limiter's limit for one address (``JALON_VERIFIER_RATE_LIMIT``)."""
    return current_app.config.get("JALON_VERIFIER_RATE_LIMIT", VERIFIER_RATE_LIMIT)


def fetcher() -> DocumentSource | None:
    """How other issuers' keys and status lists are read: the guarded https fetcher with a
    short timeout, or what the configuration injects (tests: a fake; ``False``: offline)."""
    configured = current_app.config.get("JALON_VERIFIER_FETCHER")
    if configured is not None:
        return configured or None
    timeout = float(current_app.config.get("JALON_VERIFIER_FETCH_TIMEOUT", FETCH_TIMEOUT))
    return SafeHttpFetcher(timeout=timeout)


def _limits(app: Flask) -> Limits | None:
    cpu_seconds = float(app.config.get("JALON_VERIFY_CPU_SECONDS", 0) or 0)
    if cpu_seconds <= 0:
        return None
    return Limits(cpu_seconds, int(app.config.get("JALON_VERIFY_MEMORY_MB", DEFAULT_MEMORY_MB)))


def sandbox() -> VerifierPool | None:
    """This worker process's pool of verifying children, started at the first verification
    (after a Gunicorn fork, never the master's) and ended with the application."""
    app = current_app._get_current_object()
    limits = _limits(app)
    if limits is None:
        return None
    pool = app.extensions.get("jalon.verifier_pool")
    if pool is None or pool.pid != os.getpid() or pool.limits != limits:
        if pool is not None and pool.pid == os.getpid():
            pool.close()  # the limits changed
        pool = app.extensions["jalon.verifier_pool"] = VerifierPool(limits)
        weakref.finalize(app, pool.close)
    return pool


def check_sent(
    data: bytes, filename: str | None, channel: VerificationChannel
) -> verification.Verification:
    """Verify bytes a visitor sent and count it (committed); the bytes are not kept."""
    checked = verification.check_sent(
        db.session,
        data,
        base_url=base_url(),
        channel=channel,
        filename=filename,
        fetch=fetcher(),
        sandbox=sandbox(),
    )
    db.session.commit()
    return checked


def too_large_message() -> str:
    """What a visitor reads when the badge sent is over the upload limit."""
    return _(
        "Ce fichier est trop volumineux : %(max)s Mo au plus. "
        "Envoyez l'image ou le fichier du badge tel que vous l'avez reçu.",
        max=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
    )
