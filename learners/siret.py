"""SIRET numbers: 14 digits whose Luhn checksum is valid (La Poste's establishments excepted)."""

from __future__ import annotations

import re

_LA_POSTE_SIREN = "356000000"


class InvalidSiret(ValueError):
    """The value is not a valid SIRET number."""


def normalise_siret(value: str) -> str:
    """Strip the spaces people type ("123 456 789 00012") and check the number."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not re.fullmatch(r"\d{14}", digits):
        raise InvalidSiret("Un numéro SIRET compte 14 chiffres.")
    if not is_valid_siret(digits):
        raise InvalidSiret("Ce numéro SIRET n'est pas valide : vérifiez les chiffres.")
    return digits


def is_valid_siret(digits: str) -> bool:
    """Luhn check; La Poste's SIRETs use a digit-sum rule instead (INSEE's documented exception)."""
    if not re.fullmatch(r"\d{14}", digits):
        return False
    if digits.startswith(_LA_POSTE_SIREN) and digits != "35600000000048":
        return sum(int(d) for d in digits) % 5 == 0
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0
