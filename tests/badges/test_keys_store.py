"""Signing keys are sealed at rest, open only with the right key-encryption key, and rotate."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from badges import keys_store
from badges.models import KeyAlgorithm, KeyState, SigningKey
from tests.badges.factories import KEK, make_issuer


def test_seal_round_trip_and_wrong_kek_is_a_clear_error():
    blob = keys_store.seal(b"secret key bytes", KEK, associated_data=b"key-1")
    assert b"secret key bytes" not in blob
    assert keys_store.unseal(blob, KEK, associated_data=b"key-1") == b"secret key bytes"
    with pytest.raises(keys_store.KeyDecryptionError, match="JALON_KEY_ENCRYPTION_KEY"):
        keys_store.unseal(blob, "another-key-encryption-key", associated_data=b"key-1")


def test_sealed_key_is_bound_to_its_row():
    blob = keys_store.seal(b"secret", KEK, associated_data=b"key-1")
    with pytest.raises(keys_store.KeyDecryptionError):
        keys_store.unseal(blob, KEK, associated_data=b"key-2")


def test_same_plaintext_seals_differently_each_time():
    assert keys_store.seal(b"x", KEK, associated_data=b"a") != keys_store.seal(
        b"x", KEK, associated_data=b"a"
    )


def test_short_kek_is_refused():
    with pytest.raises(keys_store.KeyStoreError):
        keys_store.seal(b"x", "short", associated_data=b"a")


def test_new_issuer_gets_encrypted_ed25519_and_rsa_keys(dbsession):
    issuer = make_issuer(dbsession)
    dbsession.commit()
    ed = keys_store.active_key(dbsession, issuer, KeyAlgorithm.ED25519)
    rs = keys_store.active_key(dbsession, issuer, KeyAlgorithm.RSA)
    assert ed.public_key_multibase.startswith("z6Mk")
    assert b"PRIVATE KEY" not in ed.encrypted_private_key
    assert b"PRIVATE KEY" not in rs.encrypted_private_key
    ed_private = keys_store.private_key(ed, KEK)
    rsa_private = keys_store.private_key(rs, KEK)
    assert isinstance(ed_private, ed25519.Ed25519PrivateKey)
    assert isinstance(rsa_private, rsa.RSAPrivateKey)
    assert rsa_private.key_size >= 2048
    assert ed_private.public_key() == keys_store.public_key(ed)
    with pytest.raises(keys_store.KeyDecryptionError):
        keys_store.private_key(ed, "not-the-key-encryption-key")


def test_rotation_retires_old_keys_and_keeps_them_published(dbsession):
    issuer = make_issuer(dbsession)
    old = keys_store.active_key(dbsession, issuer, KeyAlgorithm.ED25519)
    rotation = keys_store.rotate(dbsession, issuer, KEK)
    dbsession.commit()
    new = keys_store.active_key(dbsession, issuer, KeyAlgorithm.ED25519)
    assert new.id != old.id
    assert old.state is KeyState.RETIRED and old.retired_at is not None
    assert len(rotation.created) == 2 and len(rotation.retired) == 2
    published = {key.id for key in keys_store.published_keys(dbsession, issuer)}
    assert {old.id, new.id} <= published


def test_compromised_keys_are_withdrawn(dbsession):
    issuer = make_issuer(dbsession)
    old = keys_store.active_key(dbsession, issuer, KeyAlgorithm.ED25519)
    keys_store.rotate(dbsession, issuer, KEK, compromised=True)
    assert old.state is KeyState.COMPROMISED
    assert old.id not in {key.id for key in keys_store.published_keys(dbsession, issuer)}


def test_rotation_with_wrong_kek_changes_nothing(dbsession):
    issuer = make_issuer(dbsession)
    with pytest.raises(keys_store.KeyDecryptionError):
        keys_store.rotate(dbsession, issuer, "wrong-key-encryption-key")
    assert dbsession.query(SigningKey).filter_by(state=KeyState.ACTIVE).count() == 2
