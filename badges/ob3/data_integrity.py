"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EdDSA 1.0).

Signing: canonicalise (RDFC-1.0) the proof options — carrying the document's ``@context`` — and
the document without its proof, hash each with SHA-256, sign ``hash(options) || hash(document)``
with Ed25519 and store the signature as base58btc multibase ``proofValue``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from badges.ob3 import jsonld
from badges.ob3.errors import InvalidKey, Ob3Error, UnknownContext
from badges.ob3.keys import ed25519_from_multikey
from badges.ob3.multibase import multibase_decode, multibase_encode_b58

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"

# XML Schema dateTime (XMLSCHEMA11-2), as VC Data Integrity requires for ``created``/``expires``.
_DATETIME = re.compile(
    r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]\d{2}:\d{2})?\Z"
)


@dataclass(frozen=True)
class ProofResult:
    """Outcome of a proof check, with the reason in French (shown to users) and English."""

    ok: bool
    reason_fr: str
    reason_en: str

    def __bool__(self) -> bool:
        return self.ok


def utc_timestamp() -> str:
    """Now, to the second, as ``YYYY-MM-DDThh:mm:ssZ``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash(canonical: str) -> bytes:
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def proof_configuration(options: dict, context: Any) -> dict:
    """The proof options with the secured document's ``@context`` (VC-DI-EdDSA §3.3.5)."""
    config = {key: value for key, value in options.items() if key != "proofValue"}
    if context is None:
        config.pop("@context", None)
    else:
        config["@context"] = context
    return config


def hash_data(document: dict, proof_options: dict) -> tuple[str, str, bytes]:
    """Canonical proof configuration, canonical document and the 64 bytes to sign."""
    context = document.get("@context")
    canonical_config = jsonld.canonicalize(proof_configuration(proof_options, context))
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    canonical_document = jsonld.canonicalize(unsecured)
    return canonical_config, canonical_document, _hash(canonical_config) + _hash(canonical_document)


class DocumentDigests:
    """The unsecured document's canonical hash, computed once per ``@context`` for one document.

    Several proofs over the same document (a proof set, or the proofs tried one after the other
    by the verifier) share its canonical form: expanding and canonicalising it again for each
    proof is what made a badge repeating its proof hundreds of times slow. A failure is kept too,
    so a document that cannot be canonicalised is tried once. Use one instance per document.
    """

    def __init__(self) -> None:
        self._by_context: dict[str, bytes | Ob3Error] = {}
        self._datasets: dict[str, jsonld.Dataset] = {}

    @staticmethod
    def _key(unsecured: dict) -> str:
        return json.dumps(unsecured.get("@context"), sort_keys=True, default=str)

    def know(self, unsecured: dict, dataset: jsonld.Dataset) -> None:
        """The unsecured document's dataset, already made (``jsonld.check_safe`` in the
        verifier's ``jsonld`` check): the digest canonicalises it without expanding again."""
        self._datasets.setdefault(self._key(unsecured), dataset)

    def digest(self, unsecured: dict) -> bytes:
        key = self._key(unsecured)
        if key not in self._by_context:
            try:
                known = self._datasets.pop(key, None)
                self._by_context[key] = _hash(jsonld.canonicalize(unsecured, known=known))
            except Ob3Error as error:
                self._by_context[key] = error
        found = self._by_context[key]
        if isinstance(found, Ob3Error):
            raise found
        return found


def sign(
    document: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    *,
    created: str | None = None,
    proof_purpose: str = ASSERTION_METHOD,
) -> dict:
    """A new document carrying an ``eddsa-rdfc-2022`` DataIntegrityProof.

    Raises :class:`~badges.ob3.errors.JsonLdSafeModeError` (or another ``Ob3Error``) when the
    document cannot be signed faithfully, e.g. a claim whose term no context defines.
    """
    if not isinstance(private_key, Ed25519PrivateKey):
        raise InvalidKey("eddsa-rdfc-2022 signs with an Ed25519 private key")
    if "proof" in document:
        raise Ob3Error("document already carries a proof (proof sets are not issued by Jalon)")
    created = created or utc_timestamp()
    if not _DATETIME.match(created):
        raise Ob3Error(f"'created' is not an XML Schema dateTime: {created!r}")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    _, _, data = hash_data(document, proof)
    try:
        signature = private_key.sign(data)
    except Exception as error:  # pragma: no cover - cryptography raises only on broken keys
        raise InvalidKey(str(error)) from error
    signed = dict(document)
    signed["proof"] = {**proof, "proofValue": multibase_encode_b58(signature)}
    return signed


def _fail(reason_fr: str, reason_en: str) -> ProofResult:
    return ProofResult(False, reason_fr, reason_en)


def _candidate_proofs(document: dict, proof: dict | None) -> list[Any]:
    if proof is not None:
        return [proof]
    found = document.get("proof")
    if isinstance(found, list):
        return found
    return [] if found is None else [found]


def _public_key(key: Any) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, Ed25519PrivateKey):
        return key.public_key()
    if isinstance(key, str):
        return ed25519_from_multikey(key)
    raise InvalidKey("expected an Ed25519 public key")


def verify(
    document: dict,
    public_key: Any,
    *,
    proof: dict | None = None,
    digests: DocumentDigests | None = None,
) -> ProofResult:
    """Check an ``eddsa-rdfc-2022`` proof of ``document`` against ``public_key``; never raises.

    ``proof`` selects one proof of a proof set; by default the document's (single) proof is used
    and, for a proof set, the check passes when one of its proofs verifies with this key.
    ``digests``, shared by the calls about one document, canonicalises that document only once.
    """
    try:
        if not isinstance(document, dict):
            return _fail(
                "Le document n'est pas un objet JSON.", "The document is not a JSON object."
            )
        key = _public_key(public_key)
        candidates = _candidate_proofs(document, proof)
        if not candidates:
            return _fail("Le document ne porte aucune preuve.", "The document carries no proof.")
        digests = digests if digests is not None else DocumentDigests()
        results = [_verify_one(document, key, candidate, digests) for candidate in candidates]
        for result in results:
            if result.ok:
                return result
        return results[0]
    except InvalidKey as error:
        return _fail(
            f"Clé de vérification invalide : {error}", f"Invalid verification key: {error}"
        )
    except MemoryError:  # a limit of the process, not a finding about the credential
        raise
    except Exception as error:  # never raise to the caller: report the credential as invalid
        return _fail(
            f"Vérification impossible : {type(error).__name__}.",
            f"Verification failed unexpectedly: {type(error).__name__}: {error}",
        )


def _verify_one(
    document: dict, key: Ed25519PublicKey, proof: Any, digests: DocumentDigests
) -> ProofResult:
    if not isinstance(proof, dict):
        return _fail("La preuve n'est pas un objet JSON.", "The proof is not a JSON object.")
    if proof.get("type") != PROOF_TYPE:
        return _fail(
            "Type de preuve non pris en charge (DataIntegrityProof attendu).",
            f"Unsupported proof type {proof.get('type')!r} (expected DataIntegrityProof).",
        )
    if proof.get("cryptosuite") != CRYPTOSUITE:
        return _fail(
            "Suite cryptographique non prise en charge (eddsa-rdfc-2022 attendue).",
            f"Unsupported cryptosuite {proof.get('cryptosuite')!r} (expected eddsa-rdfc-2022).",
        )
    if proof.get("proofPurpose") != ASSERTION_METHOD:
        return _fail(
            "La preuve n'a pas pour objet « assertionMethod ».",
            f"Proof purpose {proof.get('proofPurpose')!r} is not assertionMethod.",
        )
    for field in ("created", "expires"):
        if field in proof and not (isinstance(proof[field], str) and _DATETIME.match(proof[field])):
            return _fail(
                f"Date « {field} » de la preuve invalide.",
                f"Proof '{field}' is not an XML Schema dateTime.",
            )
    if not isinstance(proof.get("verificationMethod"), str):
        return _fail(
            "La preuve n'indique pas de méthode de vérification.",
            "The proof has no verificationMethod.",
        )
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return _fail(
            "Valeur de preuve absente ou mal encodée (base58btc attendu).",
            "proofValue missing or not base58btc multibase.",
        )
    try:
        signature = multibase_decode(proof_value)
    except Ob3Error:
        return _fail("Valeur de preuve mal encodée.", "proofValue is not valid base58btc.")
    if len(signature) != 64:
        return _fail(
            "Valeur de preuve de longueur incorrecte.", "proofValue is not a 64-byte signature."
        )
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        # VC-DI-EdDSA §3.3.2: the document's contexts must start with the proof's, in order.
        proof_context = options["@context"]
        proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
        doc_context = document.get("@context")
        doc_list = doc_context if isinstance(doc_context, list) else [doc_context]
        if doc_list[: len(proof_list)] != proof_list:
            return _fail(
                "Le contexte de la preuve ne correspond pas à celui du document.",
                "The proof @context does not prefix the document @context.",
            )
        unsecured["@context"] = proof_context
        options.pop("@context")
    try:
        config = proof_configuration(options, unsecured.get("@context"))
        data = _hash(jsonld.canonicalize(config)) + digests.digest(unsecured)
    except UnknownContext as error:
        return _fail(
            f"Contexte JSON-LD inconnu : {error.url}",
            f"Unknown JSON-LD context: {error.url}",
        )
    except Ob3Error as error:
        return _fail(
            "Le document n'est pas du JSON-LD valide en mode sûr "
            "(terme non défini ou IRI relative).",
            f"The document is not valid JSON-LD in safe mode: {error}",
        )
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return _fail(
            "La signature ne correspond pas : le document a été modifié ou la clé est incorrecte.",
            "Signature mismatch: the document was altered or the key is wrong.",
        )
    return ProofResult(True, "La preuve est valide.", "The proof is valid.")
