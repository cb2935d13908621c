"""VC-JWT (OB 3.0 §8.2): RS256/ES256 signing, header rules, claims, key binding to the issuer."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from badges.ob3 import baking
from badges.ob3 import jwt as vcjwt
from badges.ob3.errors import InvalidKey
from badges.ob3.resolver import Resolver
from badges.ob3.verify import verify_credential

from .credentials import (
    ISSUER_ID,
    NOW,
    RSA_VM_ID,
    controller_document,
    local_resolver,
    rsa_key,
    unsigned_credential,
)


def _b64(obj: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _parts(token: str) -> list[str]:
    return token.split(".")


def test_rs256_token_with_kid_verifies_and_carries_the_claims():
    credential = unsigned_credential()
    token = vcjwt.sign_vc_jwt(credential, rsa_key(), kid=RSA_VM_ID)
    decoded = vcjwt.decode_vc_jwt(token)
    assert decoded.header == {"alg": "RS256", "typ": "JWT", "kid": RSA_VM_ID}
    assert decoded.payload["iss"] == ISSUER_ID
    assert decoded.payload["jti"] == credential["id"]
    assert decoded.payload["nbf"] == int(NOW.timestamp()) - 30 * 86400
    assert decoded.credential == credential
    result = verify_credential(token, resolver=local_resolver(), now=NOW)
    assert result.verdict.value == "valid", result.to_dict()
    assert result.source_format == "jws"


def test_exp_claim_follows_valid_until():
    from datetime import timedelta

    credential = unsigned_credential(valid_until=NOW + timedelta(days=1))
    payload = vcjwt.decode_vc_jwt(vcjwt.sign_vc_jwt(credential, rsa_key(), kid=RSA_VM_ID)).payload
    assert payload["exp"] == int((NOW + timedelta(days=1)).timestamp())


def test_embedded_jwk_verifies_only_when_the_issuer_publishes_that_key():
    token = vcjwt.sign_vc_jwt(unsigned_credential(), rsa_key(), embed_jwk=True)
    assert "d" not in vcjwt.decode_vc_jwt(token).header["jwk"]
    assert verify_credential(token, resolver=local_resolver(), now=NOW).valid
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = vcjwt.sign_vc_jwt(unsigned_credential(), stranger, embed_jwk=True)
    result = verify_credential(forged, resolver=local_resolver(), now=NOW)
    assert result.verdict.value == "invalid_signature"
    assert result.check("key").status.value == "failed"


def test_es256_round_trip():
    key = ec.generate_private_key(ec.SECP256R1())
    document = controller_document()
    document["verificationMethod"].append(
        {
            "id": f"{ISSUER_ID}#ec-1",
            "type": "JsonWebKey",
            "controller": ISSUER_ID,
            "publicKeyJwk": vcjwt.public_jwk(key),
        }
    )
    document["assertionMethod"].append(f"{ISSUER_ID}#ec-1")
    resolver = Resolver(documents={ISSUER_ID: document})
    token = vcjwt.sign_vc_jwt(unsigned_credential(), key, kid=f"{ISSUER_ID}#ec-1")
    assert vcjwt.decode_vc_jwt(token).header["alg"] == "ES256"
    assert verify_credential(token, resolver=resolver, now=NOW).valid


def test_tampered_payload_fails_the_signature():
    token = vcjwt.sign_vc_jwt(unsigned_credential(), rsa_key(), kid=RSA_VM_ID)
    header, payload, signature = _parts(token)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["name"] = "Développeur senior"
    tampered = ".".join([header, _b64(claims), signature])
    result = verify_credential(tampered, resolver=local_resolver(), now=NOW)
    assert result.verdict.value == "invalid_signature"
    assert result.check("proof").status.value == "failed"


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "none", "kid": RSA_VM_ID},
        {"alg": "HS256", "kid": RSA_VM_ID},
        {"alg": "RS256", "kid": RSA_VM_ID, "x5u": "https://evil.example/cert"},
        {"alg": "RS256", "kid": RSA_VM_ID, "typ": "vc+jwt"},
        {"alg": "RS256"},
    ],
)
def test_headers_outside_the_ob_rules_are_refused(header):
    token = vcjwt.sign_vc_jwt(unsigned_credential(), rsa_key(), kid=RSA_VM_ID)
    _, payload, signature = _parts(token)
    result = verify_credential(
        ".".join([_b64(header), payload, signature]), resolver=local_resolver(), now=NOW
    )
    assert result.check("proof").status.value == "failed"
    assert not result.valid


def test_claims_that_contradict_the_credential_fail():
    credential = unsigned_credential()
    decoded = vcjwt.decode_vc_jwt(vcjwt.sign_vc_jwt(credential, rsa_key(), kid=RSA_VM_ID))
    payload = dict(decoded.payload, iss="https://other.example/issuer")
    header_b64 = decoded.signing_input.decode().split(".")[0]
    signing_input = (header_b64 + "." + _b64(payload)).encode()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = rsa_key().sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    token = signing_input.decode() + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assert vcjwt.check_claims(vcjwt.decode_vc_jwt(token)) == ["iss does not match the credential"]
    result = verify_credential(token, resolver=local_resolver(), now=NOW)
    assert result.check("proof").status.value == "failed"


def test_jwk_with_private_part_or_short_rsa_key_is_refused():
    jwk = vcjwt.public_jwk(rsa_key())
    with pytest.raises(InvalidKey):
        vcjwt.public_key_from_jwk(dict(jwk, d="AAAA"))
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - must be refused
    with pytest.raises(InvalidKey):
        vcjwt.public_key_from_jwk(vcjwt.public_jwk(small))


def test_unsupported_signing_key_is_refused():
    from cryptography.hazmat.primitives.asymmetric import ed25519

    with pytest.raises(InvalidKey):
        vcjwt.sign_vc_jwt(unsigned_credential(), ed25519.Ed25519PrivateKey.generate(), kid="x")


def test_1edtech_baked_jwt_signatures_verify_with_their_jwk(ob3_reference):
    folder = ob3_reference / "1edtech-validator/ob30"
    for name in ("simple-jwt.png", "simple-jwt.svg", "simple-jwt_v1.png", "simple-jwt_v1.svg"):
        decoded = vcjwt.decode_vc_jwt(baking.unbake((folder / name).read_bytes()))
        vcjwt.check_header(decoded.header)
        key = vcjwt.public_key_from_jwk(decoded.header["jwk"])
        assert vcjwt.verify_signature(decoded, key), name
        assert vcjwt.check_claims(decoded) == [], name


def test_malformed_tokens_raise_jwt_error():
    for token in ("a.b", "eyJ.eyJ.", "!!!.???.***", "e30.e30.e30x" * 2):
        with pytest.raises(vcjwt.JwtError):
            vcjwt.decode_vc_jwt(token)


def test_jwt_dates_are_read_as_the_core_reads_them_lowercase_z_included():
    upper = {"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2027-01-01T00:00:00Z"}
    lower = {"validFrom": "2026-01-01T00:00:00z", "validUntil": "2027-01-01T00:00:00z"}
    assert vcjwt.jwt_claims(lower)["nbf"] == vcjwt.jwt_claims(upper)["nbf"] == 1767225600
    assert vcjwt.jwt_claims(lower)["exp"] == vcjwt.jwt_claims(upper)["exp"]
    with pytest.raises(vcjwt.JwtError):
        vcjwt.jwt_claims({"validFrom": "hier"})
