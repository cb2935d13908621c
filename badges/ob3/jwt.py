"""VC-JWT for OB 3.0 (§8.2): compact JWS with RS256 (required by the 1EdTech validator) or ES256.

Written on ``cryptography`` directly: the format is three base64url parts and the header rules
are OB-specific (only ``alg``, ``kid``/``jwk`` and ``typ`` allowed), which a general JWT library
would not enforce for us, so PyJWT would add a dependency without removing code.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from badges.ob3.credential_fields import parse_date
from badges.ob3.errors import InvalidKey, Ob3Error

ALLOWED_ALGORITHMS = ("RS256", "ES256")
ALLOWED_HEADER_PARAMETERS = {"alg", "kid", "jwk", "typ"}
JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat", "aud")
MIN_RSA_BITS = 2048
MAX_JWS_LENGTH = 1024 * 1024

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class JwtError(Ob3Error):
    """A compact JWS that is malformed, uses a forbidden header, or whose claims disagree."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not isinstance(text, str) or any(c in text for c in "+/= \n"):
        raise JwtError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwtError("not base64url") from exc


def _int_b64(value: int, length: int | None = None) -> str:
    length = length or max(1, math.ceil(value.bit_length() / 8))
    return _b64encode(value.to_bytes(length, "big"))


def _b64_int(text: Any) -> int:
    if not isinstance(text, str) or not text:
        raise InvalidKey("JWK member missing")
    try:
        return int.from_bytes(_b64decode(text), "big")
    except JwtError as exc:
        raise InvalidKey("JWK member is not base64url") from exc


def public_jwk(key: PublicKey | PrivateKey) -> dict[str, str]:
    """The public JWK of an RSA or P-256 key (never the private parts)."""
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        key = key.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"kty": "RSA", "n": _int_b64(numbers.n), "e": _int_b64(numbers.e)}
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        numbers = key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _int_b64(numbers.x, 32),
            "y": _int_b64(numbers.y, 32),
        }
    raise InvalidKey("only RSA and P-256 keys are supported for VC-JWT")


def public_key_from_jwk(jwk: Any) -> PublicKey:
    """An RSA (≥ 2048 bits) or P-256 public key from a JWK; refuses JWKs carrying ``d``."""
    if not isinstance(jwk, dict):
        raise InvalidKey("JWK must be an object")
    if "d" in jwk:
        raise InvalidKey("JWK contains a private key")
    kty = jwk.get("kty")
    try:
        if kty == "RSA":
            key = rsa.RSAPublicNumbers(_b64_int(jwk.get("e")), _b64_int(jwk.get("n"))).public_key()
            if key.key_size < MIN_RSA_BITS:
                raise InvalidKey(f"RSA key shorter than {MIN_RSA_BITS} bits")
            return key
        if kty == "EC" and jwk.get("crv") == "P-256":
            numbers = ec.EllipticCurvePublicNumbers(
                _b64_int(jwk.get("x")), _b64_int(jwk.get("y")), ec.SECP256R1()
            )
            return numbers.public_key()
    except ValueError as exc:
        raise InvalidKey(f"invalid JWK: {exc}") from exc
    raise InvalidKey("JWK must be RSA or EC P-256")


def _algorithm_for(key: PublicKey | PrivateKey) -> str:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) and isinstance(
        key.curve, ec.SECP256R1
    ):
        return "ES256"
    raise InvalidKey("VC-JWT keys must be RSA (RS256) or P-256 (ES256)")


def _numeric_date(value: Any) -> int:
    """A credential's date as JWT seconds, read as the core reads dates (``Z``, ``z``, offsets)."""
    if not isinstance(value, str):
        raise JwtError("date must be a string")
    parsed = parse_date(value)
    if parsed is None:
        raise JwtError(f"not a date-time: {value!r}")
    return int(parsed.timestamp())


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT registered claims OB 3.0 derives from the credential."""
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = credential.get("credentialSubject")
    claims: dict[str, Any] = {"iss": issuer_id, "jti": credential.get("id")}
    valid_from = credential.get("validFrom") or credential.get("issuanceDate")
    if valid_from is not None:
        claims["nbf"] = _numeric_date(valid_from)
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    valid_until = credential.get("validUntil") or credential.get("expirationDate")
    if valid_until is not None:
        claims["exp"] = _numeric_date(valid_until)
    return {k: v for k, v in claims.items() if v is not None}


def sign_vc_jwt(
    credential: dict[str, Any],
    private_key: PrivateKey,
    *,
    kid: str | None = None,
    embed_jwk: bool = False,
) -> str:
    """Compact JWS: header ``alg`` + ``kid`` (or ``jwk``) + ``typ``, payload = credential + claims.

    The credential must not carry an embedded proof's absence requirement: if it has one, the
    embedded proof stays (OB 3.0 says add the embedded proof first).
    """
    if (kid is None) == (not embed_jwk):
        raise ValueError("give exactly one of kid= or embed_jwk=True")
    header: dict[str, Any] = {"alg": _algorithm_for(private_key), "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    else:
        header["jwk"] = public_jwk(private_key)
    payload = dict(credential)
    payload.update(jwt_claims(credential))
    signing_input = (
        _b64encode(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64encode(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    ).encode("ascii")
    if isinstance(private_key, rsa.RSAPrivateKey):
        signature = private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signing_input.decode("ascii") + "." + _b64encode(signature)


@dataclass(frozen=True)
class DecodedJwt:
    """A parsed compact JWS; ``credential`` is the VC (from ``vc`` for VCDM 1.1 JWTs)."""

    header: dict[str, Any]
    payload: dict[str, Any]
    credential: dict[str, Any]
    signing_input: bytes
    signature: bytes


def looks_like_jws(text: str) -> bool:
    """Three dot-separated base64url segments, the first decoding to a JSON header."""
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2]) and text.strip().startswith("eyJ")


def decode_vc_jwt(token: str) -> DecodedJwt:
    """Parse without verifying (the caller needs the header to find the key)."""
    if not isinstance(token, str) or len(token) > MAX_JWS_LENGTH:
        raise JwtError("not a compact JWS")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JwtError("a compact JWS has three parts")
    try:
        header = json.loads(_b64decode(parts[0]))
        payload = json.loads(_b64decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JwtError("JWS header or payload is not JSON") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JwtError("JWS header and payload must be JSON objects")
    if isinstance(payload.get("vc"), dict):
        credential = dict(payload["vc"])
    else:
        credential = {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
    return DecodedJwt(
        header=header,
        payload=payload,
        credential=credential,
        signing_input=(parts[0] + "." + parts[1]).encode("ascii"),
        signature=_b64decode(parts[2]),
    )


def check_header(header: dict[str, Any]) -> None:
    """OB 3.0 header rules: RS256/ES256, ``kid`` or ``jwk``, ``typ`` JWT, nothing else."""
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise JwtError("alg must be RS256 or ES256")
    extra = set(header) - ALLOWED_HEADER_PARAMETERS
    if extra:
        raise JwtError(f"header parameters not allowed: {', '.join(sorted(extra))}")
    if "typ" in header and header["typ"] != "JWT":
        raise JwtError("typ must be JWT")
    if "kid" not in header and "jwk" not in header:
        raise JwtError("the key must be given by kid or jwk")


def verify_signature(decoded: DecodedJwt, public_key: PublicKey) -> bool:
    """Does the JWS signature verify with this key (and the key fits ``alg``)?"""
    alg = decoded.header.get("alg")
    try:
        if alg == "RS256" and isinstance(public_key, rsa.RSAPublicKey):
            if public_key.key_size < MIN_RSA_BITS:
                return False
            public_key.verify(
                decoded.signature, decoded.signing_input, padding.PKCS1v15(), hashes.SHA256()
            )
            return True
        if (
            alg == "ES256"
            and isinstance(public_key, ec.EllipticCurvePublicKey)
            and isinstance(public_key.curve, ec.SECP256R1)
        ):
            if len(decoded.signature) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(decoded.signature[:32], "big"),
                int.from_bytes(decoded.signature[32:], "big"),
            )
            public_key.verify(der, decoded.signing_input, ec.ECDSA(hashes.SHA256()))
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def check_claims(decoded: DecodedJwt) -> list[str]:
    """Mismatches between the JWT claims and the credential (empty list: consistent)."""
    problems = []
    try:
        expected = jwt_claims(decoded.credential)
    except JwtError as exc:
        return [str(exc)]
    for claim in ("iss", "jti", "sub", "nbf", "exp"):
        if claim in decoded.payload and claim in expected:
            if decoded.payload[claim] != expected[claim]:
                problems.append(f"{claim} does not match the credential")
        elif claim in expected and claim in ("iss", "jti", "nbf", "exp"):
            problems.append(f"{claim} claim is missing")
    return problems
