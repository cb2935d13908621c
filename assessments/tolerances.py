"""How lenient Jalon is with what a learner types: free text compared the PIX way, numbers read
the French way.

Free text goes through a pre-treatment (Unicode NFC, non-breaking spaces) and up to three
tolerances, each switchable per item (FORMAT.md): **t1** trim, lowercase, strip accents and
every space; **t2** drop punctuation; **t3** accept a few typos (Levenshtein distance at most a
quarter of the expected answer's length).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assessments.response_errors import InvalidResponse

DEFAULT_TOLERANCE = ("t1", "t2")
TOLERANCES = ("t1", "t2", "t3")
T3_RATIO = 0.25

# ---------------------------------------------------------------------------------------------
# Free text


def pretreat(text: str) -> str:
    """Always applied: Unicode NFC, and the many kinds of non-breaking space become spaces."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[\u00a0\u202f\u2007\u2009\u200a]", " ", text)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def t1(text: str) -> str:
    """Trim, lowercase, strip accents and remove every whitespace."""
    return re.sub(r"\s+", "", strip_accents(text.strip().lower()))


def t2(text: str) -> str:
    """Drop every character that is not a letter, a digit or a space; collapse spaces."""
    kept = "".join(c for c in text if c.isalnum() or c.isspace())
    return re.sub(r"\s+", " ", kept).strip()


def levenshtein(left: str, right: str) -> int:
    """Edit distance (insertions, deletions, substitutions), two-row dynamic programming."""
    if len(left) < len(right):
        left, right = right, left
    previous = list(range(len(right) + 1))
    for i, lc in enumerate(left, 1):
        current = [i]
        for j, rc in enumerate(right, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (lc != rc)))
        previous = current
    return previous[-1]


def normalise(text: str, tolerance: Iterable[str] = DEFAULT_TOLERANCE) -> str:
    """The form of ``text`` that is compared, after pre-treatment and the T1/T2 tolerances."""
    enabled = set(tolerance)
    text = pretreat(text)
    text = t1(text) if "t1" in enabled else text.strip()
    if "t2" in enabled:
        text = t2(text)
    return text


@dataclass(frozen=True)
class TextMatch:
    """Why a text was accepted: the accepted variant it matched and the least lenient rule
    that makes them equal: ``exact`` (only the pre-treatment), ``t1``, ``t2``, or ``t3`` with
    the edit ``distance`` found and the largest one ``allowed``."""

    variant: str
    rule: str
    distance: int = 0
    allowed: int = 0


def match_text(
    answer: str, accepted: Iterable[str], tolerance: Iterable[str] | None = None
) -> TextMatch | None:
    """The accepted variant ``answer`` equals, tolerances applied to both sides, and which
    tolerance it took (None when no variant accepts it). An equal variant is preferred to a
    typo-tolerant one, so a trainer is told the most precise reason."""
    enabled = tuple(DEFAULT_TOLERANCE if tolerance is None else tolerance)
    given = normalise(answer, enabled)
    if not given:
        return None
    variants = list(accepted)
    for variant in variants:
        if given == normalise(variant, enabled):
            return TextMatch(variant, _least_rule(answer, variant, enabled))
    if "t3" not in enabled:
        return None
    for variant in variants:
        expected = normalise(variant, enabled)
        if not expected:
            continue
        distance = levenshtein(given, expected)
        if distance / len(expected) <= T3_RATIO:
            return TextMatch(variant, "t3", distance, math.floor(len(expected) * T3_RATIO))
    return None


def _least_rule(answer: str, variant: str, enabled: tuple[str, ...]) -> str:
    """Of the enabled tolerances, the first that makes two texts equal (in the order they are
    applied): ``exact`` when none is needed."""
    steps = [("exact", ())] + [
        (rule, tuple(r for r in ("t1", "t2") if r in enabled)[: i + 1])
        for i, rule in enumerate(r for r in ("t1", "t2") if r in enabled)
    ]
    for rule, applied in steps:
        if normalise(answer, applied) == normalise(variant, applied):
            return rule
    return steps[-1][0]


def text_matches(
    answer: str, accepted: Iterable[str], tolerance: Iterable[str] | None = None
) -> bool:
    """Whether ``answer`` equals one accepted variant, tolerances applied to both sides."""
    return match_text(answer, accepted, tolerance) is not None


# ---------------------------------------------------------------------------------------------
# Numbers

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: Any, unit: str | None = None) -> float:
    """Read a number typed the French way: ``12,5``, ``1 234,5``, ``1.234,5``, ``12,5 €``."""
    if isinstance(text, bool):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
        return float(text)
    if not isinstance(text, str):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    cleaned = pretreat(text).strip()
    if unit and cleaned.endswith(unit.strip()):
        cleaned = cleaned[: -len(unit.strip())]
    cleaned = re.sub(r"\s+", "", cleaned).replace("\u2212", "-")
    if not cleaned:
        raise InvalidResponse("empty", "Écrivez une réponse ou choisissez « Je ne sais pas ».")
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cleaned = cleaned.replace(thousands, "")
    if cleaned.count(",") + cleaned.count(".") > 1 or not _NUMBER.match(cleaned):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    return value
