"""Reading what was submitted (bytes, baked PNG or SVG, JSON text, compact JWS) into a credential.

A failure here is a failed ``format`` check, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from badges.ob3 import baking, input_limits
from badges.ob3 import jwt as vcjwt
from badges.ob3.verification_result import CheckRun

MAX_INPUT_BYTES = baking.MAX_IMAGE_BYTES


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(text: str) -> dict[str, Any]:
    value = json.loads(text, parse_constant=_reject_constant)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


@dataclass
class ParsedCredential:
    credential: dict[str, Any]
    jws: vcjwt.DecodedJwt | None


def parse_text(text: str, run: CheckRun) -> ParsedCredential | None:
    refusal = input_limits.text_refusal(len(text.encode("utf-8", "surrogatepass")))
    if refusal is not None:
        run.fail("format", f"Fichier refusé : {refusal.reason_fr}", f"Refused: {refusal.reason_en}")
        return None
    stripped = text.strip().lstrip("\ufeff")
    if stripped.startswith("{"):
        try:
            return ParsedCredential(_parse_json(stripped), None)
        except (ValueError, RecursionError):
            run.fail(
                "format",
                "Le contenu n'est pas un document JSON lisible.",
                "The content is not a readable JSON document.",
            )
            return None
    if vcjwt.looks_like_jws(stripped):
        try:
            decoded = vcjwt.decode_vc_jwt(stripped)
        except (vcjwt.JwtError, RecursionError):
            run.fail(
                "format",
                "Le jeton signé (JWT) est mal formé.",
                "The signed token (JWT) is malformed.",
            )
            return None
        return ParsedCredential(decoded.credential, decoded)
    run.fail(
        "format",
        "Ce contenu n'est ni un badge JSON ni un jeton signé.",
        "This content is neither a JSON badge nor a signed token.",
    )
    return None


def decode_bytes(data: bytes, filename: str | None, run: CheckRun) -> tuple[str, str] | None:
    """(text, format) from raw bytes; records a failed ``format`` check otherwise."""
    if len(data) > MAX_INPUT_BYTES:
        run.fail(
            "format",
            "Le fichier est trop volumineux (5 Mo au plus).",
            "The file is too large (5 MB at most).",
        )
        return None
    kind = baking.sniff(data)
    name = (filename or "").lower()
    if kind is None and name.endswith(".svg"):
        kind = "svg"
    if kind in ("png", "svg"):
        try:
            return baking.unbake(data) if kind == "png" else baking.unbake_svg(data), kind
        except baking.BakingError as exc:
            run.fail(
                "format",
                "Aucun badge lisible dans cette image "
                f"({'PNG' if kind == 'png' else 'SVG'}) : {_fr_baking(exc)}",
                f"No readable badge in this image: {exc}",
            )
            return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        run.fail(
            "format",
            "Le fichier n'est ni une image de badge (PNG, SVG) ni un texte lisible.",
            "The file is neither a badge image (PNG, SVG) nor readable text.",
        )
        return None
    stripped = text.strip()
    return text, "json" if stripped.startswith("{") else "jws"


def _fr_baking(exc: Exception) -> str:
    message = str(exc)
    if "entities" in message:
        return "l'image contient des entités XML, refusées par sécurité."
    if "no Open Badges credential" in message:
        return "elle ne contient pas de badge."
    if "larger" in message:
        return "elle est trop volumineuse."
    return "le fichier est abîmé ou mal formé."
