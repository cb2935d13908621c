"""Issuer key pairs: generation, encryption at rest, rotation.

Private keys are stored sealed with AES-256-GCM under a key derived by HKDF-SHA256 from the
key-encryption key (KEK) the caller passes in (the web layer gives ``JALON_KEY_ENCRYPTION_KEY``,
kept outside the database). Each sealed blob has its own random salt and nonce, and is bound to
its key's public id as associated data, so a blob copied onto another row does not open.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.models import Issuer, KeyAlgorithm, KeyState, SigningKey, new_public_id
from badges.ob3.keys import ed25519_to_multikey
from learners.database import utcnow

_FORMAT = b"JK1"
_SALT_BYTES = 16
_NONCE_BYTES = 12
_HKDF_INFO = b"jalon signing key encryption v1"
RSA_KEY_BITS = 3072

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


class KeyStoreError(Exception):
    """A signing key cannot be used."""


class KeyDecryptionError(KeyStoreError):
    """The sealed private key does not open: wrong key-encryption key, or a damaged row."""


class NoActiveKey(KeyStoreError):
    """The issuer has no active key of the requested algorithm."""


def _kek_bytes(kek: str | bytes) -> bytes:
    if isinstance(kek, str):
        kek = kek.encode("utf-8")
    if len(kek) < 16:
        raise KeyStoreError("the key-encryption key must be at least 16 bytes long")
    return kek


def _derive(kek: str | bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_INFO).derive(
        _kek_bytes(kek)
    )


def seal(plaintext: bytes, kek: str | bytes, *, associated_data: bytes) -> bytes:
    """Encrypt ``plaintext``; the result carries format tag, salt and nonce."""
    salt = os.urandom(_SALT_BYTES)
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(_derive(kek, salt)).encrypt(nonce, plaintext, associated_data)
    return _FORMAT + salt + nonce + ciphertext


def unseal(blob: bytes, kek: str | bytes, *, associated_data: bytes) -> bytes:
    """Decrypt what ``seal`` produced; a wrong KEK raises ``KeyDecryptionError``."""
    if not blob.startswith(_FORMAT):
        raise KeyDecryptionError("unknown sealed-key format")
    body = blob[len(_FORMAT) :]
    salt, nonce = body[:_SALT_BYTES], body[_SALT_BYTES : _SALT_BYTES + _NONCE_BYTES]
    ciphertext = body[_SALT_BYTES + _NONCE_BYTES :]
    try:
        return AESGCM(_derive(kek, salt)).decrypt(nonce, ciphertext, associated_data)
    except InvalidTag:
        raise KeyDecryptionError(
            "cannot decrypt the signing key: JALON_KEY_ENCRYPTION_KEY is not the key it was "
            "encrypted with (or the stored key is damaged)"
        ) from None


def _private_pem(private_key: PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_pem(private_key: PrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def new_key(issuer: Issuer, algorithm: KeyAlgorithm, kek: str | bytes) -> SigningKey:
    """Generate a key pair for ``issuer`` and return it as an unsaved, active ``SigningKey``."""
    private_key: PrivateKey
    if algorithm is KeyAlgorithm.ED25519:
        private_key = ed25519.Ed25519PrivateKey.generate()
        multibase = ed25519_to_multikey(private_key.public_key())
    else:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
        multibase = None
    public_id = new_public_id()
    key = SigningKey(
        public_id=public_id,
        algorithm=algorithm,
        state=KeyState.ACTIVE,
        public_key_pem=_public_pem(private_key),
        public_key_multibase=multibase,
        encrypted_private_key=seal(
            _private_pem(private_key), kek, associated_data=public_id.encode("ascii")
        ),
        created_at=utcnow(),
    )
    key.issuer = issuer
    return key


def private_key(key: SigningKey, kek: str | bytes) -> PrivateKey:
    """Open the sealed private key of ``key``."""
    pem = unseal(key.encrypted_private_key, kek, associated_data=key.public_id.encode("ascii"))
    # The blob is authenticated (AES-GCM) and holds the key we generated, so the costly RSA
    # consistency check (~140 ms for 3072 bits) would only re-prove what the tag proves.
    loaded = serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    if not isinstance(loaded, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise KeyStoreError("unexpected private key type")
    return loaded


def public_key(key: SigningKey) -> ed25519.Ed25519PublicKey | rsa.RSAPublicKey:
    loaded = serialization.load_pem_public_key(key.public_key_pem.encode("ascii"))
    if not isinstance(loaded, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
        raise KeyStoreError("unexpected public key type")
    return loaded


def active_key(db: Session, issuer: Issuer, algorithm: KeyAlgorithm) -> SigningKey:
    """The key that signs from now on for ``algorithm`` (the newest active one)."""
    key = db.scalars(
        select(SigningKey)
        .where(
            SigningKey.issuer_id == issuer.id,
            SigningKey.algorithm == algorithm,
            SigningKey.state == KeyState.ACTIVE,
        )
        .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
        .limit(1)
    ).first()
    if key is None:
        raise NoActiveKey(f"issuer {issuer.public_id} has no active {algorithm.value} key")
    return key


def published_keys(db: Session, issuer: Issuer) -> list[SigningKey]:
    """Every key a verifier may still need: active and retired, never compromised ones."""
    return list(
        db.scalars(
            select(SigningKey)
            .where(SigningKey.issuer_id == issuer.id, SigningKey.state != KeyState.COMPROMISED)
            .order_by(SigningKey.id)
        )
    )


def ensure_keys(db: Session, issuer: Issuer, kek: str | bytes) -> list[SigningKey]:
    """Give ``issuer`` an active Ed25519 and RSA key when it lacks one; return the new keys."""
    created = []
    for algorithm in KeyAlgorithm:
        try:
            active_key(db, issuer, algorithm)
        except NoActiveKey:
            key = new_key(issuer, algorithm, kek)
            db.add(key)
            created.append(key)
    db.flush()
    return created


@dataclass(frozen=True)
class Rotation:
    retired: list[SigningKey]
    created: list[SigningKey]


def rotate(
    db: Session,
    issuer: Issuer,
    kek: str | bytes,
    *,
    algorithms: tuple[KeyAlgorithm, ...] = (KeyAlgorithm.ED25519, KeyAlgorithm.RSA),
    compromised: bool = False,
) -> Rotation:
    """New keys sign from now on; the old ones are retired (still published, so earlier badges
    keep verifying) or, when ``compromised``, withdrawn."""
    # Opening a current key first proves the KEK is right before anything is changed.
    for algorithm in algorithms:
        with contextlib.suppress(NoActiveKey):
            private_key(active_key(db, issuer, algorithm), kek)
    now = utcnow()
    retired = list(
        db.scalars(
            select(SigningKey).where(
                SigningKey.issuer_id == issuer.id,
                SigningKey.algorithm.in_(algorithms),
                SigningKey.state == KeyState.ACTIVE,
            )
        )
    )
    for key in retired:
        key.state = KeyState.COMPROMISED if compromised else KeyState.RETIRED
        key.retired_at = now
    created = []
    for algorithm in algorithms:
        key = new_key(issuer, algorithm, kek)
        db.add(key)
        created.append(key)
    db.flush()
    return Rotation(retired=retired, created=created)
