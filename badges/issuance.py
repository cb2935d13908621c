"""Issuing a credential: build, sign (Data Integrity and VC-JWT), allocate a status bit, store.

The credential is stored in the caller's transaction and nothing else is committed here, save
the status index on PostgreSQL: it is taken in a short transaction of its own
(``status_lists.reserve_revocation_bits``), so no lock is held while the credential is built,
signed twice and stored, and issues by one issuer run in parallel. If anything fails after that,
the rollback leaves no credential and the index is wasted (a bit nobody points to; harmless).
Issuing is idempotent on ``award_key`` (the award event): the second call returns the first
credential; two concurrent calls for one event both sign, and the unique ``award_key``
constraint keeps one (the other call returns it).

A batch (bulk issuance, a session's badges) opens the issuer's keys once (``signing_keys``) and
passes them to each ``issue``; they also carry what the batch reads once: its status bits,
reserved in blocks (``status_lists.BitPool``), and each achievement's standing endorsements (one
withdrawn while the batch runs still shows in that batch's credentials, as in one issued a
moment before the withdrawal).
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from badges import achievements, endorsements, issuers, keys_store, status_lists
from badges.models import (
    Achievement,
    Credential,
    Issuer,
    KeyAlgorithm,
    SigningKey,
    new_public_id,
)
from badges.ob3 import build, data_integrity, jwt
from learners.database import utcnow
from learners.models import Learner

# A credential's ``INSERT … ON CONFLICT (award_key) DO NOTHING RETURNING``, on each engine Jalon
# runs on: built once, its values given at each execution (building it per badge cost a third of
# the insert).
_INSERTS = {
    name: insert(Credential)
    .on_conflict_do_nothing(index_elements=[Credential.award_key])
    .returning(Credential)
    for name, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}
_ID_BY_AWARD_KEY = select(Credential.id).where(Credential.award_key == bindparam("award_key"))


class CredentialNotFound(LookupError):
    """No credential with that public id."""


class RecipientMissing(ValueError):
    """The credential has nobody to name (no learner and no identifier)."""


@dataclass(frozen=True)
class Issued:
    credential: Credential
    created: bool


@dataclass(frozen=True)
class SigningKeys:
    """An issuer's active keys, opened: unsealing costs a key derivation and a PEM parse per
    key, so bulk issuance opens them once per batch rather than once per badge. With them, what
    the batch reads once (the module's docstring); one batch, one thread."""

    issuer_id: int
    ed25519: SigningKey
    rsa: SigningKey
    ed25519_private: Any
    rsa_private: Any
    bits: status_lists.BitPool = field(default_factory=status_lists.BitPool, repr=False)
    _endorsements: dict[int, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def endorsements(self, db: Session, achievement: Achievement) -> list[dict[str, Any]]:
        """``achievement``'s standing endorsements, as signed (read once per batch)."""
        found = self._endorsements.get(achievement.id)
        if found is None:
            found = self._endorsements[achievement.id] = endorsements.embedded(db, achievement)
        return found


def signing_keys(db: Session, issuer: Issuer, kek: str | bytes) -> SigningKeys:
    """Open ``issuer``'s active keys (a wrong KEK fails here, before anything is written)."""
    ed_key = keys_store.active_key(db, issuer, KeyAlgorithm.ED25519)
    rsa_key = keys_store.active_key(db, issuer, KeyAlgorithm.RSA)
    return SigningKeys(
        issuer_id=issuer.id,
        ed25519=ed_key,
        rsa=rsa_key,
        ed25519_private=keys_store.private_key(ed_key, kek),
        rsa_private=keys_store.private_key(rsa_key, kek),
    )


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months (the 31st becomes the month's last day): the
    validity an achievement gives its credentials (``Achievement.validity_months``)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def credential_iri(public_id: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/c/{public_id}"


def get(db: Session, public_id: str) -> Credential:
    credential = db.scalar(select(Credential).where(Credential.public_id == public_id))
    if credential is None:
        raise CredentialNotFound(public_id)
    return credential


def by_award_key(db: Session, award_key: str) -> Credential | None:
    """The credential of that award event, if any. Its id is asked for first: ``issue`` asks
    about a new event nearly every time, and an id costs less to ask for than a credential."""
    found = db.scalar(_ID_BY_AWARD_KEY, {"award_key": award_key})
    return db.get(Credential, found) if found is not None else None


def recipient(learner: Learner | None, *, email: str | None = None) -> build.Recipient:
    """A hashed IdentityObject (salted SHA-256, fresh salt per credential): of the e-mail when
    the learner asked for it to be named, else of their platform pseudonym (never their name)."""
    if email:
        return build.Recipient(identity=email.strip().lower(), identity_type="emailAddress")
    if learner is None:
        raise RecipientMissing("a credential needs a learner or an e-mail address")
    return build.Recipient(identity=learner.pseudonym, identity_type="systemId")


def _results(achievement: Achievement, results: Sequence[dict[str, Any]]) -> list[build.ResultDef]:
    return [
        build.ResultDef(
            result_description=r["resultDescription"],
            achieved_level=r.get("achievedLevel"),
            value=r.get("value"),
            status=r.get("status"),
        )
        for r in results
    ]


def _evidence(evidence: Sequence[dict[str, Any]]) -> list[build.Evidence]:
    return [
        build.Evidence(
            id=e.get("id"),
            name=e.get("name"),
            description=e.get("description"),
            narrative=e.get("narrative"),
            genre=e.get("genre"),
            audience=e.get("audience"),
        )
        for e in evidence
    ]


def issue(
    db: Session,
    *,
    achievement: Achievement,
    learner: Learner | None,
    award_key: str,
    base_url: str,
    kek: str | bytes,
    recipient_email: str | None = None,
    results: Sequence[dict[str, Any]] = (),
    evidence: Sequence[dict[str, Any]] = (),
    valid_until: datetime | None = None,
    is_public: bool = False,
    action_id: int | None = None,
    awarded_by_id: int | None = None,
    now: datetime | None = None,
    keys: SigningKeys | None = None,
) -> Issued:
    """Issue ``achievement`` to ``learner`` for the award event ``award_key`` (not committed).

    ``results`` and ``evidence`` are OB 3.0 JSON objects (``{"resultDescription": …,
    "achievedLevel": …}``, ``{"narrative": …}``). Without ``valid_until``, the achievement's
    validity (``validity_months``) sets it. A new credential is private (``is_public``) until
    its holder publishes it. ``action_id``: the funded action the badge counts for in the
    département's indicators; ``awarded_by_id``: who awarded it by hand (neither is part of
    the signed credential). ``keys``: the issuer's keys opened by the caller
    (``signing_keys``), with what the batch reads once, else opened here.
    """
    existing = by_award_key(db, award_key)
    if existing is not None:
        return Issued(existing, created=False)
    now = (now or utcnow()).replace(microsecond=0)
    if valid_until is None and achievement.validity_months:
        valid_until = add_months(now, achievement.validity_months)
    issuer = achievement.issuer
    # Open the keys before touching anything: a wrong KEK fails here, cleanly.
    if keys is None or keys.issuer_id != issuer.id:
        keys = signing_keys(db, issuer, kek)
    holder = recipient(learner, email=recipient_email)
    if status_lists.takes_bits_in_transaction(db):
        # One writer at a time here: once it is ours, a concurrent issue of this event has
        # committed, and returning its credential wastes no status bit.
        issuers.lock(db, issuer)
        existing = by_award_key(db, award_key)
        if existing is not None:
            return Issued(existing, created=False)
    reserved, index = keys.bits.take(db, issuer, base_url=base_url, kek=kek)

    public_id = new_public_id()
    unsigned = build.build_achievement_credential(
        credential_id=credential_iri(public_id, base_url),
        issuer=issuers.profile(issuer, base_url),
        achievement=achievements.definition(
            achievement,
            base_url,
            endorsements=keys.endorsements(db, achievement),
            reported=achievements.reported_levels(results),
        ),
        recipient=holder,
        valid_from=now,
        valid_until=valid_until,
        results=_results(achievement, results),
        evidence=_evidence(evidence),
        status=build.StatusEntry(
            status_list_credential=status_lists.url_of(
                issuer.public_id, reserved.list_public_id, base_url
            ),
            index=index,
            purpose="revocation",
        ),
        options=build.CredentialOptions(awarded_date=now),
    )
    signed = data_integrity.sign(
        unsigned,
        keys.ed25519_private,
        issuers.verification_method_id(issuer, keys.ed25519, base_url),
        created=build.format_datetime(now),
    )
    # OB 3.0 (serialization rules, JSON Schema) makes ``proof`` an array; the signature covers
    # the document without its proof, so wrapping it changes nothing that was signed.
    signed["proof"] = [signed["proof"]]
    # The VC-JWT secures the same credential without the embedded proof (one proof per format).
    jws = jwt.sign_vc_jwt(
        unsigned,
        keys.rsa_private,
        kid=issuers.verification_method_id(issuer, keys.rsa, base_url),
    )
    if learner is not None and learner.id is None:  # added, not flushed: the INSERT needs its id
        db.flush()
    fields = dict(
        public_id=public_id,
        award_key=award_key,
        issuer_id=issuer.id,
        achievement_id=achievement.id,
        learner_id=learner.id if learner is not None else None,
        results=[dict(r) for r in results],
        evidence=[dict(e) for e in evidence],
        signed_json=json.dumps(signed, ensure_ascii=False, separators=(",", ":")),
        jws=jws,
        status_list_id=reserved.list_id,
        status_index=index,
        issued_at=now,
        valid_until=valid_until,
        is_public=is_public,
        action_id=action_id,
        awarded_by_id=awarded_by_id,
    )
    return _store(db, award_key, fields)


def _store(db: Session, award_key: str, fields: dict[str, Any]) -> Issued:
    """Insert the credential unless a concurrent issue of the same award event committed first
    (no lock serialises them any more): then return that one. One statement, no savepoint: the
    unique ``award_key`` answers with ``ON CONFLICT DO NOTHING``."""
    statement = _INSERTS.get(db.get_bind().dialect.name, _INSERTS["postgresql"])
    credential = db.scalars(statement, [fields]).first()
    if credential is None:
        existing = by_award_key(db, award_key)
        if existing is None:  # pragma: no cover - the conflict was on award_key
            raise RuntimeError(f"award {award_key!r} neither stored nor found")
        return Issued(existing, created=False)
    return Issued(credential, created=True)


def signed_document(credential: Credential) -> dict[str, Any]:
    return json.loads(credential.signed_json)
