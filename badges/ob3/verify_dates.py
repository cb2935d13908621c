"""The ``valid_from`` and ``valid_until`` checks, with dates shown the French way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from badges.ob3.credential_fields import parse_date, raw_valid_until, valid_from_of
from badges.ob3.verification_result import CheckRun


def _french_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%d/%m/%Y")


def check_dates(credential: dict[str, Any], now: datetime, run: CheckRun) -> None:
    valid_from = valid_from_of(credential)
    if valid_from is None:
        run.fail(
            "valid_from",
            "La date de délivrance du badge manque ou est illisible.",
            "validFrom (issuanceDate) is missing or not a date-time.",
        )
    elif valid_from > now:
        run.fail(
            "valid_from",
            f"Ce badge n'est valable qu'à partir du {_french_date(valid_from)}.",
            f"The credential is not valid before {valid_from.isoformat()}.",
        )
    else:
        run.ok(
            "valid_from",
            f"Délivré le {_french_date(valid_from)}.",
            f"Valid from {valid_from.isoformat()}.",
        )
    raw_until = raw_valid_until(credential)
    if raw_until is None:
        run.ok("valid_until", "Ce badge n'expire pas.", "The credential does not expire.")
        return
    valid_until = parse_date(raw_until)
    if valid_until is None:
        run.fail(
            "valid_until",
            "La date d'expiration du badge est illisible.",
            "validUntil (expirationDate) is not a date-time.",
        )
    elif valid_until < now:
        run.fail(
            "valid_until",
            f"Ce badge a expiré le {_french_date(valid_until)}.",
            f"The credential expired on {valid_until.isoformat()}.",
        )
    else:
        run.ok(
            "valid_until",
            f"Valable jusqu'au {_french_date(valid_until)}.",
            f"Valid until {valid_until.isoformat()}.",
        )
