"""What an achievement can be aligned to, as OB 3.0 ``Alignment`` objects: a competence of a
framework the organisation uses, an ESCO skill or occupation, or a certification registered by
France Compétences (RNCP or RS, with the dates of its registration).

The shapes are checked here without any network look-up (no fetch while input is processed):
an ESCO URI is ``http://data.europa.eu/esco/<skill|occupation|…>/<uuid>``, an RNCP code is
``RNCP`` and 3 to 6 digits, an RS code ``RS`` and 3 to 5 digits; their public pages on France
Compétences are built from the number. The registration dates ride with the stored alignment
(``validFrom``/``validUntil``, read back by the form) and are said in ``targetDescription``
for employers; the credential carries only OB 3.0 fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessments.models import Competence

ESCO_URI = re.compile(
    r"^http://data\.europa\.eu/esco/(skill|occupation|isco|knowledge)/"
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
ESCO_ISCO = re.compile(r"^http://data\.europa\.eu/esco/isco/C\d{1,4}$")
REGISTER_CODE = {"RNCP": re.compile(r"^RNCP(\d{3,6})$"), "RS": re.compile(r"^RS(\d{3,5})$")}
REGISTER_URL = "https://www.francecompetences.fr/recherche/{register}/{number}/"


class AlignmentRefused(ValueError):
    """``code``: ``esco_uri``, ``register_code``, ``dates_missing``, ``dates_order``, ``name``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def is_esco_uri(value: str) -> bool:
    value = value.strip()
    return bool(ESCO_URI.match(value) or ESCO_ISCO.match(value))


def register_number(register: str, code: str) -> str | None:
    """The digits of an RNCP/RS code written the usual way (``RNCP37674``), else None."""
    pattern = REGISTER_CODE.get(register)
    found = pattern.match(code.strip().upper().replace(" ", "")) if pattern else None
    return found.group(1) if found else None


def competence_urn(competence: Competence) -> str:
    """The competence's stable identifier, the one result descriptions use."""
    framework = competence.framework
    return f"urn:jalon:framework:{framework.slug}:{framework.version}:competence:{competence.code}"


def from_competence(competence: Competence) -> dict[str, Any]:
    return {
        "targetName": f"{competence.code} {competence.title_fr}",
        "targetUrl": competence_urn(competence),
        "targetCode": competence.code,
        "targetFramework": competence.framework.title_fr,
        "targetType": "CFItem",
        "jalonCompetenceId": competence.id,
    }


def from_esco(uri: str, name: str) -> dict[str, Any]:
    uri = uri.strip()
    if not is_esco_uri(uri):
        raise AlignmentRefused("esco_uri")
    if not name.strip():
        raise AlignmentRefused("name")
    return {
        "targetName": name.strip(),
        "targetUrl": uri,
        "targetCode": uri.rsplit("/", 1)[-1],
        "targetFramework": "ESCO",
        "targetType": "ceasn:Competency",
    }


@dataclass(frozen=True)
class Registration:
    register: str  # RNCP or RS
    code: str
    name: str
    valid_from: date | None
    valid_until: date | None


def from_register(entry: Registration) -> dict[str, Any]:
    number = register_number(entry.register, entry.code)
    if number is None:
        raise AlignmentRefused("register_code")
    if not entry.name.strip():
        raise AlignmentRefused("name")
    if entry.valid_from is None or entry.valid_until is None:
        raise AlignmentRefused("dates_missing")
    if entry.valid_until < entry.valid_from:
        raise AlignmentRefused("dates_order")
    start, end = (d.strftime("%d/%m/%Y") for d in (entry.valid_from, entry.valid_until))
    return {
        "targetName": entry.name.strip(),
        "targetUrl": REGISTER_URL.format(register=entry.register.lower(), number=number),
        "targetCode": f"{entry.register}{number}",
        "targetFramework": entry.register,
        "targetType": "ceterms:Credential",
        "targetDescription": (
            f"Certification enregistrée au {entry.register} du {start} au {end}."
        ),
        "validFrom": entry.valid_from.isoformat(),
        "validUntil": entry.valid_until.isoformat(),
    }


def kind_of(alignment: dict[str, Any]) -> str:
    """``competence``, ``esco``, ``rncp``, ``rs`` or ``other``: how the form shows it again."""
    if "jalonCompetenceId" in alignment:
        return "competence"
    framework = alignment.get("targetFramework")
    if framework == "ESCO":
        return "esco"
    if framework in REGISTER_CODE:
        return framework.lower()
    return "other"
