"""How lenient Jalon is with what a learner types: free text compared the PIX way, numbers read
the French way.

Free text goes through a pre-treatment (Unicode NFC, non-breaking spaces) and up to three
tolerances, each switchable per item (FORMAT.md): **t1** trim, lowercase, strip accents and
every space; **t2** drop punctuation; **t3** accept a few typos (Levenshtein distance at most a
quarter of the expected answer's length).

An accepted answer that is a quantity (a number, optionally followed by one unit word: ``125``,
``125 €``, ``20 heures``) is compared as a number, never as text: t2 would turn ``1,25`` into
``125`` and t3 would take ``135`` for ``125`` (issue 12).
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
    that makes them equal: ``quantity`` (the same number), ``exact`` (only the
    pre-treatment), ``t1``, ``t2``, or ``t3`` with the edit ``distance`` found, the largest one
    ``allowed`` and their ``ratio`` to the variant's length (0 for every other rule)."""

    variant: str
    rule: str
    distance: int = 0
    allowed: int = 0
    ratio: float = 0.0


def match_text(
    answer: str, accepted: Iterable[str], tolerance: Iterable[str] | None = None
) -> TextMatch | None:
    """The accepted variant ``answer`` matches, tolerances applied to both sides, and which
    rule it took (None when none accepts it): the one comparison :func:`text_matches` and
    :func:`text_distance` make, told in full for a trainer checking an item.

    Variants that are quantities are compared as numbers (:func:`same_quantity`); when the
    answer is a quantity too, it is compared with those alone, so no text tolerance can turn a
    wrong number into a right one. An equal variant beats a typo; among typos, the closest."""
    enabled = tuple(DEFAULT_TOLERANCE if tolerance is None else tolerance)
    variants = list(accepted)
    given_quantity = read_quantity(answer)
    quantities = [(v, q) for v in variants if (q := read_quantity(v)) is not None]
    if given_quantity is not None and quantities:
        if not same_quantity(given_quantity, [q for _, q in quantities]):
            return None
        value = given_quantity[0]
        same = next(
            v for v, q in quantities if math.isclose(value, q[0], rel_tol=1e-9, abs_tol=1e-9)
        )
        return TextMatch(same, "quantity")
    texts = [v for v in variants if read_quantity(v) is None]
    given = normalise(answer, enabled)
    if not given:
        return None
    best: TextMatch | None = None
    for variant in texts:
        expected = normalise(variant, enabled)
        if given == expected:
            return TextMatch(variant, _least_rule(answer, variant, enabled))
        if "t3" in enabled and expected:
            distance = levenshtein(given, expected)
            ratio = distance / len(expected)
            if ratio <= T3_RATIO and (best is None or ratio < best.ratio):
                allowed = math.floor(len(expected) * T3_RATIO)
                best = TextMatch(variant, "t3", distance, allowed, ratio)
    return best


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
    """Whether ``answer`` equals one accepted variant, tolerances applied to both sides (and
    quantities compared as numbers, :func:`match_text`)."""
    return match_text(answer, accepted, tolerance) is not None


def text_distance(
    answer: str, accepted: Iterable[str], tolerance: Iterable[str] | None = None
) -> float | None:
    """How far ``answer`` is from the closest accepted variant (0 for an exact match, else the
    t3 typo ratio), ``None`` when it matches none of them."""
    found = match_text(answer, accepted, tolerance)
    return None if found is None else found.ratio


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


# ---------------------------------------------------------------------------------------------
# Quantities in free text: « 125 », « 125,00 € », « 20 heures »

# A number (French or English separators, spaces between thousands) and at most one unit word.
# A number written with a leading zero (« 06 12 34 56 78 », « 09h », « 03 ») is a code, not a
# quantity: it stays text, so « 612345678 » is not taken for a telephone number.
_QUANTITY = re.compile(r"(?P<number>[+\-\u2212]?\d[\d\s.,]*?)\s*(?P<unit>[^\W\d_]+\.?|[€$%°])?")
# Spellings of one unit that are the same answer (compared after t1).
UNIT_SYNONYMS = (
    frozenset({"€", "euro", "euros", "eur"}),
    frozenset({"h", "heure", "heures"}),
    frozenset({"min", "mn", "minute", "minutes"}),
    frozenset({"s", "sec", "seconde", "secondes"}),
    frozenset({"j", "jour", "jours"}),
)


def _unit(text: str) -> str:
    unit = t1(text).rstrip(".")
    for spellings in UNIT_SYNONYMS:
        if unit in spellings:
            return min(spellings)
    return unit


def read_quantity(text: Any, *, zero_led_is_code: bool = True) -> tuple[float, str] | None:
    """``(value, unit)`` when ``text`` is a number with at most one unit word, else ``None``.
    In a box that asks for a number, ``zero_led_is_code=False`` reads « 03 » as 3."""
    if not isinstance(text, str):
        return None
    match = _QUANTITY.fullmatch(pretreat(text).strip())
    if match is None:
        return None
    number = match["number"]
    if zero_led_is_code and re.match(r"[+\-\u2212]?0\d", re.sub(r"\s+", "", number)):
        return None
    try:
        value = parse_number(number)
    except InvalidResponse:
        return None
    return value, _unit(match["unit"] or "")


def same_quantity(given: tuple[float, str], accepted: Iterable[tuple[float, str]]) -> bool:
    """The same number as an accepted quantity, with no unit, the unit the key gives with that
    number, or any unit when the key gives that number with none."""
    value, unit = given
    units = {u for v, u in accepted if math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-9)}
    if not units:
        return False
    return not unit or unit in units or units == {""}
