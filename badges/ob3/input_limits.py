"""What the public verifier accepts before any JSON-LD work: the bounds of a real badge.

JSON-LD expansion and canonicalisation cost far more than the size of their input suggests:
node-map work grows with the square of an array's length, every proof re-reads the document,
every status entry or key may cost a request to another server. So a credential sent to the
verifier is first measured here, in one pass over the parsed JSON that stops at the first bound
crossed, and refused (« Fichier refusé : … ») when it holds what no real badge needs.

Each bound is far above what Open Badges 3.0 badges carry (the 1EdTech and W3C vectors in
``tests/conformance/data``, Jalon's own badges) and far below what makes verification slow.
Pure: no I/O, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A badge carries one proof; proof sets of two or three (issuer + endorser, key rotation) exist.
# Each proof costs a key resolution (maybe a request to another server) and a signature check.
MAX_PROOFS = 4
# A credential has one revocation entry, at most one more for suspension; each entry may cost a
# request for a status list and the check of that list's own signature.
MAX_STATUS_ENTRIES = 4
# Longest array a real badge carries (evidence, alignments, results, achievement tags): tens of
# items. JSON-LD node-map work on an array grows with the square of its length; 100 items keep
# the worst case to a fraction of a second.
MAX_ARRAY_ITEMS = 100
# Every JSON value counts (objects, arrays, strings, numbers). The complete OB 3.0 example of the
# specification has about 300; a richly described badge stays under 1,000.
MAX_NODES = 5_000
# The OB 3.0 model nests about 8 levels deep (credential → subject → achievement → alignment…);
# deeper documents only serve to exhaust recursion in the JSON-LD processor.
MAX_DEPTH = 32
# The JSON text of the credential once read out of its file (a baked PNG may be larger: its
# picture does not count). An embedded image as a data URL fits comfortably.
MAX_CREDENTIAL_TEXT_BYTES = 1024 * 1024

CONTEXT_KEY = "@context"


@dataclass(frozen=True)
class Refusal:
    """Why a credential is refused before verification, in French and English."""

    reason_fr: str
    reason_en: str


def _refusal(reason_fr: str, reason_en: str) -> Refusal:
    return Refusal(reason_fr, reason_en)


def text_refusal(size_in_bytes: int) -> Refusal | None:
    """Refusal of a credential text too long to be a real badge, or None."""
    if size_in_bytes > MAX_CREDENTIAL_TEXT_BYTES:
        return _refusal(
            f"le badge qu'il contient est trop long ({MAX_CREDENTIAL_TEXT_BYTES // 1024} Ko au "
            "plus, image à part).",
            f"the credential is too long ({MAX_CREDENTIAL_TEXT_BYTES // 1024} KB at most).",
        )
    return None


def _count(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def _top_level_refusal(credential: dict[str, Any]) -> Refusal | None:
    if _count(credential.get("proof")) > MAX_PROOFS:
        return _refusal(
            f"il porte plus de {MAX_PROOFS} signatures.",
            f"it carries more than {MAX_PROOFS} proofs.",
        )
    if _count(credential.get("credentialStatus")) > MAX_STATUS_ENTRIES:
        return _refusal(
            f"il porte plus de {MAX_STATUS_ENTRIES} indications de statut.",
            f"it carries more than {MAX_STATUS_ENTRIES} status entries.",
        )
    return None


def _inline_context(value: Any) -> bool:
    """An ``@context`` that is not only context URLs (an object defining terms inline)."""
    values = value if isinstance(value, list) else [value]
    return any(not isinstance(item, str) for item in values)


def _shape_refusal(credential: dict[str, Any]) -> Refusal | None:
    """One iterative pass: node count, depth, array lengths, inline contexts; stops early."""
    nodes = 0
    stack: list[tuple[Any, int]] = [(credential, 1)]
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return _refusal(
                f"il contient plus de {MAX_NODES} valeurs.",
                f"it holds more than {MAX_NODES} JSON values.",
            )
        if depth > MAX_DEPTH:
            return _refusal(
                f"il est imbriqué sur plus de {MAX_DEPTH} niveaux.",
                f"it is nested more than {MAX_DEPTH} levels deep.",
            )
        if isinstance(value, list):
            if len(value) > MAX_ARRAY_ITEMS:
                return _refusal(
                    f"une de ses listes compte plus de {MAX_ARRAY_ITEMS} éléments.",
                    f"one of its arrays has more than {MAX_ARRAY_ITEMS} items.",
                )
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            if CONTEXT_KEY in value and _inline_context(value[CONTEXT_KEY]):
                return _refusal(
                    "il définit son propre vocabulaire (@context en ligne) au lieu de citer "
                    "les contextes publiés.",
                    "it defines its own vocabulary (inline @context) instead of citing the "
                    "published contexts.",
                )
            stack.extend((item, depth + 1) for item in value.values())
    return None


def refusal(credential: Any) -> Refusal | None:
    """Why the verifier refuses this parsed credential before any JSON-LD work, or None."""
    if not isinstance(credential, dict):
        return None
    return _top_level_refusal(credential) or _shape_refusal(credential)
