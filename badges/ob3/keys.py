"""Ed25519 keys as Multikey (``z6Mk…``) and ``did:key`` identifiers, resolved offline."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from badges.ob3.errors import InvalidKey, Ob3Error
from badges.ob3.multibase import multibase_decode, multibase_encode_b58

# Multicodec varint prefixes: ed25519-pub (0xed) and ed25519-priv (0x1300).
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"

DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"


def generate_ed25519() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def _public_of(key: Ed25519PublicKey | Ed25519PrivateKey) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, Ed25519PublicKey):
        return key
    raise InvalidKey(f"expected an Ed25519 key, got {type(key).__name__}")


def public_key_bytes(key: Ed25519PublicKey | Ed25519PrivateKey) -> bytes:
    """The 32 raw bytes of the public key."""
    return _public_of(key).public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """The 32-byte seed of an Ed25519 private key."""
    return private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def ed25519_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """Private key from its 32-byte seed (or the 64-byte seed||public form of JS libraries)."""
    if len(seed) == 64:
        seed = seed[:32]
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes(seed))
    except ValueError as error:
        raise InvalidKey(f"invalid Ed25519 seed: {error}") from None


def ed25519_to_multikey(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """Multikey ``publicKeyMultibase`` (``z6Mk…``): base58btc of 0xed01 || 32 key bytes."""
    return multibase_encode_b58(ED25519_PUB_PREFIX + public_key_bytes(public_key))


def ed25519_from_multikey(text: str) -> Ed25519PublicKey:
    """Public key from a Multikey string; :class:`InvalidKey` if it is anything else."""
    try:
        raw = multibase_decode(text)
    except Ob3Error as error:
        raise InvalidKey(f"not a multibase key: {error}") from None
    if len(raw) != 34 or not raw.startswith(ED25519_PUB_PREFIX):
        raise InvalidKey("not an Ed25519 Multikey (expected multicodec 0xed01 and 32 bytes)")
    try:
        return Ed25519PublicKey.from_public_bytes(raw[2:])
    except ValueError as error:
        raise InvalidKey(f"invalid Ed25519 public key: {error}") from None


def ed25519_secret_multikey(private_key: Ed25519PrivateKey) -> str:
    """``secretKeyMultibase`` (``z3u2…``): base58btc of 0x8026 || 32-byte seed."""
    return multibase_encode_b58(ED25519_PRIV_PREFIX + private_key_bytes(private_key))


def ed25519_from_secret_multikey(text: str) -> Ed25519PrivateKey:
    """Private key from a ``z3u2…`` secret Multikey."""
    try:
        raw = multibase_decode(text)
    except Ob3Error as error:
        raise InvalidKey(f"not a multibase key: {error}") from None
    if len(raw) != 34 or not raw.startswith(ED25519_PRIV_PREFIX):
        raise InvalidKey("not an Ed25519 secret Multikey (expected multicodec 0x8026)")
    return ed25519_from_seed(raw[2:])


def did_key_for(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """``did:key:z6Mk…`` for an Ed25519 key."""
    return "did:key:" + ed25519_to_multikey(public_key)


def did_key_document(did_or_vm: str) -> dict:
    """The DID document of an Ed25519 ``did:key`` (with or without ``#fragment``), built offline."""
    if not isinstance(did_or_vm, str) or not did_or_vm.startswith("did:key:"):
        raise InvalidKey(f"not a did:key identifier: {did_or_vm!r}")
    did, _, fragment = did_or_vm.partition("#")
    multikey = did[len("did:key:") :]
    ed25519_from_multikey(multikey)  # validates
    if fragment and fragment != multikey:
        raise InvalidKey("did:key fragment must repeat the key")
    vm_id = f"{did}#{multikey}"
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey,
            }
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
