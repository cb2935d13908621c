"""Faults of our own during a verification: logged for us, reported as such to the visitor.

A bug, or an input no step foresaw, must neither crash the page (never a 500) nor pass for a
finding about the badge: the step that raised gets an ``error`` check, and the verdict says
« Vérification impossible (erreur interne) », never "forged" or "malformed".

The log line names the step, the exception's type and where it was raised — not the
exception's message or arguments, which may quote the credential (a name, an identifier).
"""

from __future__ import annotations

import logging
import traceback

from badges.ob3.verification_result import CheckRun

LOGGER_NAME = "badges.ob3.verify"
MESSAGE_FR = "Vérification impossible (erreur interne)."
MESSAGE_EN = "Verification impossible (internal error)."

logger = logging.getLogger(LOGGER_NAME)


def _where(error: BaseException) -> str:
    """The frames the exception went through, innermost last, without any values."""
    frames = traceback.extract_tb(error.__traceback__)
    return "\n".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames)


def log(step: str, error: BaseException) -> None:
    """One ERROR line for the operators: step, exception type, frames.

    Running out of memory is no fault of a step: it is raised again, to whoever set the limit
    (``badges.verification_sandbox`` refuses the file), never reported as a check."""
    if isinstance(error, MemoryError):
        raise error
    logger.error(
        "verification step %r failed with %s (message withheld: it may quote the credential)\n%s",
        step,
        type(error).__qualname__,
        _where(error),
    )


def report(run: CheckRun, step: str, error: BaseException) -> None:
    """Log the fault and record the step as not carried out (out of memory: raised, see
    ``log``)."""
    log(step, error)
    run.error(step, MESSAGE_FR, MESSAGE_EN)
