"""Configuration from environment variables, with the defaults the README documents."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from badges.retention import Policy
from indicators.figures import DEFAULT_MASK_THRESHOLD

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
# Above every form's own limit (evidence files: 5 MB; badge images: 512 KB) with room for the
# other fields, so that a form refuses a too-large file itself, in French, keeping what was
# typed; only a body over this limit gets the 413 page.
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# A framework file imported in the studio (the largest shipped bundle is under 1 MB).
MAX_CONTENT_IMPORT_BYTES = 2 * 1024 * 1024


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def did_web_enabled(config: Any) -> bool:
    """Whether issuers are named by ``did:web`` (``JALON_ISSUER_DID_WEB``): one reading for the
    pages and the CLI, whether the value came from the environment (a bool) or a test's config."""
    value = config.get("JALON_ISSUER_DID_WEB")
    return value if isinstance(value, bool) else _bool(None if value is None else str(value))


def instance_secret(instance_path: Path) -> str:
    """The app's secret key: generated once into the instance folder, never in the repository."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def load(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment (``environ`` defaults to ``os.environ``)."""
    env = os.environ if environ is None else environ
    sqlite_path = instance_path / "jalon.sqlite3"
    base_url = env.get("JALON_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    secure = base_url.startswith("https://")
    secret = env.get("SECRET_KEY") or instance_secret(instance_path)
    return {
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "SECRET_KEY": secret,
        # Signing keys are encrypted with this key-encryption key; by default derived from the
        # secret key, in production set it apart (and keep it out of the database backups).
        "JALON_KEY_ENCRYPTION_KEY": env.get("JALON_KEY_ENCRYPTION_KEY") or secret,
        "JALON_BASE_URL": base_url,
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), True),
        "MAIL_FROM": env.get("MAIL_FROM", "Jalon <no-reply@jalon.invalid>"),
        "MAIL_OUTBOX": env.get("MAIL_OUTBOX", str(instance_path / "outbox")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "MAX_CONTENT_LENGTH": int(env.get("JALON_MAX_UPLOAD_BYTES", str(MAX_UPLOAD_BYTES))),
        "JALON_MAX_CONTENT_IMPORT_BYTES": int(
            env.get("JALON_MAX_CONTENT_IMPORT_BYTES", str(MAX_CONTENT_IMPORT_BYTES))
        ),
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "JALON_ISSUER_DID_WEB": _bool(env.get("JALON_ISSUER_DID_WEB")),
        "JALON_VERIFIER_RATE_LIMIT": env.get("JALON_VERIFIER_RATE_LIMIT", "20 per minute"),
        "JALON_VERIFIER_FETCH_TIMEOUT": float(env.get("JALON_VERIFIER_FETCH_TIMEOUT", "3")),
        # What verifying one visitor's file may use, in a child process (0 seconds: in the
        # worker itself, without limits).
        "JALON_VERIFY_CPU_SECONDS": float(env.get("JALON_VERIFY_CPU_SECONDS", "5")),
        "JALON_VERIFY_MEMORY_MB": int(env.get("JALON_VERIFY_MEMORY_MB", "128")),
        # Where background jobs run: "thread" (same process), "sync" (in the request) or "rq"
        # (the queue on JALON_REDIS_URL, run by `jalon worker`; a thread without that URL).
        "JALON_JOBS": env.get("JALON_JOBS", "thread"),
        "JALON_REDIS_URL": env.get("JALON_REDIS_URL", ""),
        "JALON_JOBS_QUEUE": env.get("JALON_JOBS_QUEUE", "jalon"),
        # A queued job is stopped after running this long (seconds), dropped after waiting this
        # long; a job whose worker died is then shown as interrupted.
        "JALON_JOB_TIMEOUT": int(env.get("JALON_JOB_TIMEOUT", "3600")),
        "JALON_JOB_QUEUED_TIMEOUT": int(env.get("JALON_JOB_QUEUED_TIMEOUT", "86400")),
        # Parts a bulk award is split into, for parallel queue workers (0: 4 with RQ, else 1).
        "JALON_JOB_PARTS": int(env.get("JALON_JOB_PARTS", "0")),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_SUPPORTED_LOCALES": ["fr", "en"],
        # Dates and times are shown in the département's time zone (stored in UTC).
        "BABEL_DEFAULT_TIMEZONE": env.get("JALON_TIMEZONE", "Europe/Paris"),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # A signed-in session ends after this long without a request, and this long after login
        # whatever happens (a shared computer left signed in).
        # Reverse proxies in front of Jalon that set X-Forwarded-For/-Proto/-Host (0: none, the
        # client's address is the connection's; 1 behind the one proxy the README recommends).
        "JALON_TRUSTED_PROXIES": int(env.get("JALON_TRUSTED_PROXIES", "0")),
        # A one-time access code printed for a learner stops working after this many days unused.
        "JALON_ACCESS_CODE_DAYS": int(env.get("JALON_ACCESS_CODE_DAYS", "30")),
        "JALON_SESSION_IDLE_MINUTES": int(env.get("JALON_SESSION_IDLE_MINUTES", "120")),
        "JALON_SESSION_MAX_HOURS": int(env.get("JALON_SESSION_MAX_HOURS", "12")),
        # The employer's page keeps each badge's verification result this long, for this many
        # badges per worker (0 turns the cache off); a change to the badge is seen at once.
        "JALON_VERIFICATION_CACHE_SECONDS": float(
            env.get("JALON_VERIFICATION_CACHE_SECONDS", "300")
        ),
        "JALON_VERIFICATION_CACHE_SIZE": int(env.get("JALON_VERIFICATION_CACHE_SIZE", "2048")),
        # A visitor opening the same badge again within this many hours is not counted again.
        "JALON_VERIFICATION_COUNT_HOURS": int(env.get("JALON_VERIFICATION_COUNT_HOURS", "24")),
        # A checked import file nobody confirmed is deleted after this many hours.
        "JALON_PENDING_IMPORT_HOURS": float(env.get("JALON_PENDING_IMPORT_HOURS", "24")),
        # Retention periods in days (docs/RGPD.md; ``jalon rgpd purge`` applies them).
        "JALON_RETENTION_ENROLMENT_DETAILS_DAYS": int(
            env.get("JALON_RETENTION_ENROLMENT_DETAILS_DAYS", str(3 * 365))
        ),
        "JALON_RETENTION_ANSWERS_DAYS": int(env.get("JALON_RETENTION_ANSWERS_DAYS", str(2 * 365))),
        "JALON_RETENTION_JOURNAL_DAYS": int(env.get("JALON_RETENTION_JOURNAL_DAYS", str(5 * 365))),
        "JALON_RETENTION_JOBS_DAYS": int(env.get("JALON_RETENTION_JOBS_DAYS", "90")),
        "JALON_RETENTION_REVOKED_EVIDENCE_DAYS": int(
            env.get("JALON_RETENTION_REVOKED_EVIDENCE_DAYS", "365")
        ),
        # Any indicator cell computed from fewer people than this is masked, in every output.
        "JALON_INDICATORS_MASK_THRESHOLD": int(
            env.get("JALON_INDICATORS_MASK_THRESHOLD", str(DEFAULT_MASK_THRESHOLD))
        ),
    }


def retention_policy(config: Any) -> Policy:
    """The retention periods of the configuration, as the domain's ``Policy``."""
    return Policy(
        enrolment_details_days=int(config["JALON_RETENTION_ENROLMENT_DETAILS_DAYS"]),
        answers_days=int(config["JALON_RETENTION_ANSWERS_DAYS"]),
        journal_days=int(config["JALON_RETENTION_JOURNAL_DAYS"]),
        jobs_days=int(config["JALON_RETENTION_JOBS_DAYS"]),
        revoked_evidence_days=int(config["JALON_RETENTION_REVOKED_EVIDENCE_DAYS"]),
    )
