"""Keep verifiers' addresses out of the application's logs.

Verification events store no trace of the verifier (``badges.models.VerificationEvent``); the
logs must not either. The one place our stack would write an address is Flask-Limiter, whose
"rate limit exceeded" line names the limit's key — the client's IP address. That line keeps its
limit and endpoint, and the key is replaced. (The access logs of a front web server or of
Gunicorn are configured where they run.)
"""

from __future__ import annotations

import logging

LIMITER_LOGGER = "flask-limiter"
REDACTED = "[adresse masquée]"


class DropLimitKey(logging.Filter):
    """Replace the rate-limit key (an IP address) in Flask-Limiter's breach message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg.__class__ is str and record.msg.startswith("ratelimit ") and record.args:
            args = tuple(record.args) if isinstance(record.args, tuple) else (record.args,)
            if len(args) >= 2:
                record.args = (args[0], REDACTED, *args[2:])
        return True


def keep_addresses_out_of_logs() -> None:
    """Install the filter once, whatever the number of apps built in this process."""
    logger = logging.getLogger(LIMITER_LOGGER)
    if not any(isinstance(f, DropLimitKey) for f in logger.filters):
        logger.addFilter(DropLimitKey())
