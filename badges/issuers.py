"""Issuers: their public identifiers, their Profile, and the controller document of their keys.

Every public identifier is built from the ``base_url`` the caller passes (``JALON_BASE_URL``), never
from a request: it is printed inside signed credentials and must not change.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badges import keys_store
from badges.models import Issuer, KeyAlgorithm, SigningKey
from badges.ob3 import build, jwt
from badges.ob3.keys import DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT
from learners.models import Organisation, OrganisationKind

JWK_V1_CONTEXT = "https://w3id.org/security/jwk/v1"
PLATFORM_NAME = "Plateforme Jalon"
PLATFORM_DESCRIPTION = "Plateforme d'évaluation et de badges numériques pour l'insertion."


class IssuerNotFound(LookupError):
    """No issuer with that public id."""


def did_web(base_url: str) -> str:
    """``did:web`` identifier for the host of ``base_url`` (port encoded, path as segments)."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise ValueError(f"base URL without a host: {base_url!r}")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def issuer_iri(issuer: Issuer, base_url: str) -> str:
    """The issuer's id: ``did:web:<host>`` for the did:web issuer, else its profile URL."""
    if issuer.uses_did_web:
        return did_web(base_url)
    return profile_url(issuer, base_url)


def profile_url(issuer: Issuer, base_url: str) -> str:
    """Where the issuer's Profile and keys are served (always, even for the did:web issuer)."""
    return f"{base_url.rstrip('/')}/issuers/{issuer.public_id}"


def verification_method_id(issuer: Issuer, key: SigningKey, base_url: str) -> str:
    return f"{issuer_iri(issuer, base_url)}#{key.fragment}"


def get(db: Session, public_id: str) -> Issuer:
    issuer = db.scalar(select(Issuer).where(Issuer.public_id == public_id))
    if issuer is None:
        raise IssuerNotFound(public_id)
    return issuer


def for_organisation(db: Session, organisation: Organisation) -> Issuer | None:
    return db.scalar(select(Issuer).where(Issuer.organisation_id == organisation.id))


def create(
    db: Session,
    organisation: Organisation,
    kek: str | bytes,
    *,
    name: str | None = None,
    url: str | None = None,
    email: str | None = None,
    description: str | None = None,
    image_url: str | None = None,
    uses_did_web: bool = False,
) -> Issuer:
    """The organisation's issuer, with fresh Ed25519 and RSA keys (sealed with ``kek``)."""
    issuer = Issuer(
        organisation=organisation,
        name=name or organisation.name,
        url=url,
        email=email,
        description=description,
        image_url=image_url,
        uses_did_web=uses_did_web,
    )
    db.add(issuer)
    db.flush()
    keys_store.ensure_keys(db, issuer, kek)
    return issuer


def lock(db: Session, issuer: Issuer) -> None:
    """Serialise what an issuer signs with a status bit (issuance, endorsements) until commit:
    a no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite before
    anything is decided."""
    db.execute(
        update(Issuer)
        .where(Issuer.id == issuer.id)
        .values(uses_did_web=Issuer.uses_did_web)
        .execution_options(synchronize_session=False)
    )


def _platform_organisation(db: Session) -> Organisation | None:
    return db.scalar(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.PLATFORM)
        .order_by(Organisation.id)
        .limit(1)
    )


def platform_issuer(db: Session) -> Issuer | None:
    """The platform organisation's issuer, if it has one yet."""
    organisation = _platform_organisation(db)
    return for_organisation(db, organisation) if organisation is not None else None


def ensure_platform_issuer(
    db: Session, base_url: str, kek: str | bytes, *, uses_did_web: bool
) -> Issuer:
    """The platform organisation's issuer, creating the organisation and the issuer with its
    keys on first use. ``uses_did_web`` (``JALON_ISSUER_DID_WEB``) only counts at creation: an
    issuer's identifier is printed in the credentials it signed and never changes."""
    organisation = _platform_organisation(db)
    if organisation is None:
        organisation = Organisation(name=PLATFORM_NAME, kind=OrganisationKind.PLATFORM)
        db.add(organisation)
        db.flush()
    return for_organisation(db, organisation) or create(
        db,
        organisation,
        kek,
        url=base_url,
        description=PLATFORM_DESCRIPTION,
        uses_did_web=uses_did_web,
    )


def profile(issuer: Issuer, base_url: str) -> build.IssuerProfile:
    """The issuer as embedded in the credentials it signs."""
    return build.IssuerProfile(
        id=issuer_iri(issuer, base_url),
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        image=build.Image(id=issuer.image_url) if issuer.image_url else None,
    )


def _verification_method(issuer: Issuer, key: SigningKey, base_url: str) -> dict[str, Any]:
    method: dict[str, Any] = {
        "id": verification_method_id(issuer, key, base_url),
        "controller": issuer_iri(issuer, base_url),
    }
    if key.algorithm is KeyAlgorithm.ED25519:
        method["type"] = "Multikey"
        method["publicKeyMultibase"] = key.public_key_multibase
    else:
        method["type"] = "JsonWebKey"
        method["publicKeyJwk"] = {
            **jwt.public_jwk(keys_store.public_key(key)),  # type: ignore[arg-type]
            "alg": "RS256",
            "use": "sig",
            "kid": verification_method_id(issuer, key, base_url),
        }
    return method


def _key_sections(db: Session, issuer: Issuer, base_url: str) -> dict[str, Any]:
    methods = [
        _verification_method(issuer, key, base_url) for key in keys_store.published_keys(db, issuer)
    ]
    return {
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def profile_document(db: Session, issuer: Issuer, base_url: str) -> dict[str, Any]:
    """``/issuers/<id>``: the OB 3.0 Profile, which is also the controller document of the
    issuer's keys — every non-compromised key, so badges signed before a rotation still verify."""
    document: dict[str, Any] = {
        "@context": [
            build.VC_V2_CONTEXT,
            build.OB_CONTEXT,
            DID_V1_CONTEXT,
            MULTIKEY_V1_CONTEXT,
            JWK_V1_CONTEXT,
        ],
        **build.profile_json(profile(issuer, base_url)),
    }
    if issuer.uses_did_web:
        # The Profile lives at this URL while its id is the DID; say so for crawlers.
        document["url"] = issuer.url or profile_url(issuer, base_url)
    document.update(_key_sections(db, issuer, base_url))
    return document


def did_document(db: Session, issuer: Issuer, base_url: str) -> dict[str, Any]:
    """``/.well-known/did.json`` for the did:web issuer: its keys, retired ones included."""
    return {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT, JWK_V1_CONTEXT],
        "id": did_web(base_url),
        **_key_sections(db, issuer, base_url),
    }


def did_web_issuer(db: Session) -> Issuer | None:
    return db.scalar(select(Issuer).where(Issuer.uses_did_web.is_(True)).limit(1))


def is_local_issuer(db: Session, issuer_id: str, base_url: str) -> bool:
    """Is ``issuer_id`` one of the issuers this platform runs?"""
    if issuer_id == did_web(base_url):
        return did_web_issuer(db) is not None
    prefix = f"{base_url.rstrip('/')}/issuers/"
    if not issuer_id.startswith(prefix):
        return False
    public_id = issuer_id[len(prefix) :]
    return db.scalar(select(Issuer.id).where(Issuer.public_id == public_id)) is not None


def document_source(db: Session, base_url: str):
    """For ``ob3.resolver.Resolver(local=…)``: our issuers' key documents, read from the
    database instead of the network (document URL → document, or None when not ours)."""
    from badges.ob3.resolver import did_web_url

    prefix = f"{base_url.rstrip('/')}/issuers/"
    did_url = did_web_url(did_web(base_url))

    def local(url: str) -> dict[str, Any] | None:
        if url == did_url:
            issuer = did_web_issuer(db)
            return did_document(db, issuer, base_url) if issuer else None
        if url.startswith(prefix):
            try:
                issuer = get(db, url[len(prefix) :])
            except IssuerNotFound:
                return None
            return profile_document(db, issuer, base_url)
        return None

    return local


def _comparable(name: str) -> str:
    """A name without case, accents, spacing or punctuation: « Mission  Locale-Sud » and
    « mission locale sud » compare equal."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed.casefold() if c.isalnum())


def known_name_like(db: Session, claimed: str | None) -> str | None:
    """The name of an organisation Jalon knows (or of its issuer profile) that ``claimed``,
    the name a badge from an unknown issuer gives itself, copies; None when it copies none."""
    wanted = _comparable(claimed or "")
    if not wanted:
        return None
    names = db.scalars(select(Issuer.name)).all() + db.scalars(select(Organisation.name)).all()
    return next((name for name in names if _comparable(name) == wanted), None)
