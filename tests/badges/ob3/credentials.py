"""Builders for the OB 3.0 core tests: one issuer with Ed25519 and RSA keys, one credential."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from badges.ob3 import data_integrity, keys
from badges.ob3 import jwt as vcjwt
from badges.ob3.build import (
    AchievementDef,
    Alignment,
    Evidence,
    Image,
    IssuerProfile,
    Recipient,
    ResultDef,
    ResultDescriptionDef,
    RubricLevel,
    StatusEntry,
    build_achievement_credential,
)
from badges.ob3.resolver import Resolver

ISSUER_ID = "https://jalon.example/issuers/7"
VM_ID = f"{ISSUER_ID}#key-1"
RSA_VM_ID = f"{ISSUER_ID}#rsa-1"
STATUS_URL = "https://jalon.example/status/7/1"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SIGNING_KEY = keys.ed25519_from_seed(bytes(range(32)))


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


ISSUER = IssuerProfile(
    id=ISSUER_ID,
    name="Association Tremplin Numérique",
    url="https://tremplin.example",
    email="contact@tremplin.example",
    image=Image("https://jalon.example/issuers/7/logo.png", caption="Logo"),
)

LEVELS = [
    RubricLevel(id=f"{ISSUER_ID}/levels/{n}", name=f"Niveau {n}", level=str(n)) for n in (1, 2, 3)
]

ACHIEVEMENT = AchievementDef(
    id="https://jalon.example/achievements/42",
    name="Utiliser une souris",
    description="Sait pointer, cliquer et faire glisser.",
    criteria_narrative="Réussir l'évaluation « souris » au niveau 2.",
    image=Image("https://jalon.example/achievements/42/image.png"),
    achievement_type="Competency",
    alignments=[
        Alignment(
            target_name="Pix 1.1",
            target_url="https://pix.example/competences/1.1",
            target_code="1.1",
            target_framework="Pix",
        )
    ],
    result_descriptions=[
        ResultDescriptionDef(
            id=f"{ISSUER_ID}/rd/souris",
            name="Souris",
            result_type="RubricCriterionLevel",
            levels=LEVELS,
            required_level=LEVELS[1].id,
        )
    ],
)


def controller_document() -> dict[str, Any]:
    """The issuer's published key document (Multikey for proofs, JWK for VC-JWT)."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ISSUER_ID,
        "verificationMethod": [
            {
                "id": VM_ID,
                "type": "Multikey",
                "controller": ISSUER_ID,
                "publicKeyMultibase": keys.ed25519_to_multikey(SIGNING_KEY),
            },
            {
                "id": RSA_VM_ID,
                "type": "JsonWebKey",
                "controller": ISSUER_ID,
                "publicKeyJwk": vcjwt.public_jwk(rsa_key()),
            },
        ],
        "assertionMethod": [VM_ID, RSA_VM_ID],
    }


def local_resolver() -> Resolver:
    """What the web layer passes for Jalon's own issuers: documents from the database."""
    return Resolver(local=lambda url: controller_document() if url == ISSUER_ID else None)


def unsigned_credential(
    *,
    valid_from: datetime = NOW - timedelta(days=30),
    valid_until: datetime | None = None,
    status: StatusEntry | None = None,
    name: str | None = None,
    narrative: str | None = None,
    salt: str = "sel-fixe",
) -> dict[str, Any]:
    achievement = ACHIEVEMENT
    if name is not None or narrative is not None:
        achievement = AchievementDef(
            **{
                **ACHIEVEMENT.__dict__,
                "name": name if name is not None else ACHIEVEMENT.name,
                "criteria_narrative": narrative or ACHIEVEMENT.criteria_narrative,
            }
        )
    return build_achievement_credential(
        credential_id="urn:uuid:0f3e5b1c-8a5d-4c3e-9a41-6f1d2c3b4a59",
        issuer=ISSUER,
        achievement=achievement,
        recipient=Recipient(identity="camille@example.org", salt=salt),
        valid_from=valid_from,
        valid_until=valid_until,
        results=[
            ResultDef(result_description=f"{ISSUER_ID}/rd/souris", achieved_level=LEVELS[1].id)
        ],
        evidence=[Evidence(id="https://jalon.example/sessions/99", name="Évaluation souris")],
        status=status,
    )


def signed_credential(**kwargs: Any) -> dict[str, Any]:
    return data_integrity.sign(
        unsigned_credential(**kwargs), SIGNING_KEY, VM_ID, created="2026-01-31T12:00:00Z"
    )
