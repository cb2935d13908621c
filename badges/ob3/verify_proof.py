"""Proof checks: an embedded eddsa-rdfc-2022 proof or a VC-JWT, and whether its key is the issuer's.

Two checks come out of each: ``key`` (found, and controlled by the issuer) and ``proof``.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from badges.ob3 import data_integrity
from badges.ob3 import jwt as vcjwt
from badges.ob3.credential_fields import as_list, issuer_id_of
from badges.ob3.errors import InvalidKey
from badges.ob3.resolver import AnyPublicKey, KeyResolutionError, Resolver
from badges.ob3.verification_result import CheckRun, CheckStatus
from badges.ob3.verify_input import ParsedCredential


def _same_key(a: AnyPublicKey, b: AnyPublicKey) -> bool:
    if isinstance(a, ed25519.Ed25519PublicKey) and isinstance(b, ed25519.Ed25519PublicKey):
        return a.public_bytes(Encoding.Raw, PublicFormat.Raw) == b.public_bytes(
            Encoding.Raw, PublicFormat.Raw
        )
    try:
        return vcjwt.public_jwk(a) == vcjwt.public_jwk(b)  # type: ignore[arg-type]
    except InvalidKey:
        return False


def _key_failure(exc: KeyResolutionError, run: CheckRun) -> None:
    if exc.unreachable:
        run.unknown(
            "key",
            f"Clé introuvable : la clé de l'émetteur n'a pas pu être consultée ({exc.reason_fr}).",
            f"The issuer's key could not be retrieved: {exc.reason_en}.",
        )
        run.unknown(
            "proof",
            "La signature ne peut pas être vérifiée sans la clé de l'émetteur.",
            "The signature cannot be checked without the issuer's key.",
        )
    else:
        run.fail(
            "key",
            f"La clé de signature n'est pas valable : {exc.reason_fr}.",
            f"The signing key is not usable: {exc.reason_en}.",
        )
        run.unknown(
            "proof",
            "La signature n'a pas pu être vérifiée faute de clé valable.",
            "The signature could not be checked without a usable key.",
        )


def _controller_mismatch(run: CheckRun) -> None:
    run.fail(
        "key",
        "La clé de signature n'appartient pas à l'émetteur indiqué sur le badge.",
        "The signing key's controller is not the credential's issuer.",
    )


def _check_embedded_proofs(
    credential: dict[str, Any],
    resolver: Resolver,
    run: CheckRun,
    digests: data_integrity.DocumentDigests | None = None,
) -> None:
    proofs = [p for p in as_list(credential.get("proof")) if isinstance(p, dict)]
    if not proofs:
        run.fail("proof", "Le badge n'est pas signé.", "The credential carries no proof.")
        return
    issuer_id = issuer_id_of(credential)
    supported = _supported_proofs(proofs)
    if not supported:
        kinds = ", ".join(sorted({str(p.get("cryptosuite") or p.get("type")) for p in proofs}))
        run.fail(
            "proof",
            f"Type de signature non pris en charge ({kinds}) : eddsa-rdfc-2022 attendu.",
            f"Unsupported proof type ({kinds}); eddsa-rdfc-2022 is expected.",
        )
        return
    first_failure: tuple[str, Any] | None = None
    # The document is canonicalised once, whatever the number of proofs.
    digests = digests if digests is not None else data_integrity.DocumentDigests()
    for proof in supported:
        try:
            resolved = resolver.resolve(proof.get("verificationMethod"))
        except KeyResolutionError as exc:
            first_failure = first_failure or ("key", exc)
            continue
        outcome = data_integrity.verify(
            credential, resolved.public_key, proof=proof, digests=digests
        )
        if not outcome.ok:
            first_failure = first_failure or ("proof", outcome)
            continue
        if issuer_id is None or resolved.controller != issuer_id:
            first_failure = first_failure or ("controller", resolved)
            continue
        run.ok(
            "key",
            "La clé de signature appartient bien à l'émetteur.",
            "The signing key is controlled by the issuer.",
        )
        run.ok(
            "proof",
            "La signature est valide : le badge n'a pas été modifié.",
            "The signature is valid: the credential has not been altered.",
        )
        return
    assert first_failure is not None
    _report_first_failure(*first_failure, run)


def _supported_proofs(proofs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The proofs Jalon can check (eddsa-rdfc-2022 Data Integrity); others are skipped."""
    return [
        p
        for p in proofs
        if p.get("type") == data_integrity.PROOF_TYPE
        and p.get("cryptosuite") == data_integrity.CRYPTOSUITE
    ]


def _report_first_failure(kind: str, detail: Any, run: CheckRun) -> None:
    """When no proof verified, the first proof's failure is the one the page explains."""
    if kind == "key":
        _key_failure(detail, run)
    elif kind == "proof":
        run.ok("key", "La clé de signature a été trouvée.", "The signing key was found.")
        run.fail(
            "proof",
            f"Signature invalide : {detail.reason_fr}",
            f"Invalid signature: {detail.reason_en}",
        )
    else:
        _controller_mismatch(run)
        run.ok(
            "proof",
            "La signature correspond au contenu, mais avec une clé qui n'est pas celle de "
            "l'émetteur.",
            "The signature matches the content, but with a key that is not the issuer's.",
        )


def _check_jws(
    decoded: vcjwt.DecodedJwt, credential: dict[str, Any], resolver: Resolver, run: CheckRun
) -> bool:
    """Check a VC-JWT's header, claims, key and signature; True when it verified."""
    try:
        vcjwt.check_header(decoded.header)
    except vcjwt.JwtError as exc:
        run.fail(
            "proof",
            "L'en-tête du jeton signé ne respecte pas Open Badges 3.0 "
            "(algorithme RS256 ou ES256 et clé attendus).",
            f"The JWT header breaks OB 3.0 rules: {exc}",
        )
        return False
    issuer_id = issuer_id_of(credential)
    try:
        key, controller = _jws_key(decoded, issuer_id, resolver)
    except KeyResolutionError as exc:
        _key_failure(exc, run)
        return False
    except InvalidKey as exc:
        run.fail(
            "key",
            "La clé jointe au jeton est inutilisable.",
            f"The key given in the token is unusable: {exc}",
        )
        run.unknown(
            "proof",
            "La signature n'a pas pu être vérifiée faute de clé valable.",
            "The signature could not be checked without a usable key.",
        )
        return False
    if not vcjwt.verify_signature(decoded, key):  # type: ignore[arg-type]
        run.ok("key", "La clé de signature a été trouvée.", "The signing key was found.")
        run.fail(
            "proof",
            "Signature invalide : le jeton a été modifié ou la clé est incorrecte.",
            "Invalid signature: the token was altered or the key is wrong.",
        )
        return False
    if issuer_id is None or controller != issuer_id:
        _controller_mismatch(run)
        return False
    problems = vcjwt.check_claims(decoded)
    if problems:
        run.ok("key", "La clé de signature appartient bien à l'émetteur.", "Key is the issuer's.")
        run.fail(
            "proof",
            "Le jeton signé contredit le badge qu'il contient.",
            f"The JWT claims contradict the credential: {'; '.join(problems)}",
        )
        return False
    run.ok(
        "key",
        "La clé de signature appartient bien à l'émetteur.",
        "The signing key is controlled by the issuer.",
    )
    run.ok(
        "proof",
        "La signature est valide : le badge n'a pas été modifié.",
        "The signature (VC-JWT) is valid: the credential has not been altered.",
    )
    return True


def _jws_key(
    decoded: vcjwt.DecodedJwt, issuer_id: str | None, resolver: Resolver
) -> tuple[AnyPublicKey, str | None]:
    """The token's key and its controller: by ``kid``, or an embedded ``jwk`` the issuer publishes.

    Raises ``KeyResolutionError`` or ``InvalidKey`` when there is no usable key of the issuer.
    """
    if "kid" in decoded.header:
        resolved = resolver.resolve(decoded.header["kid"])
        return resolved.public_key, resolved.controller
    key = vcjwt.public_key_from_jwk(decoded.header["jwk"])
    published = resolver.keys_of(issuer_id) if issuer_id else []
    controller = issuer_id if any(_same_key(key, k.public_key) for k in published) else None
    if controller is None:
        raise KeyResolutionError(
            "the key embedded in the token is not published by the issuer",
            "la clé jointe au jeton n'est pas publiée par l'émetteur",
        )
    return key, controller


def check_proof(
    parsed: ParsedCredential,
    resolver: Resolver,
    run: CheckRun,
    digests: data_integrity.DocumentDigests | None = None,
) -> None:
    """``key`` and ``proof`` checks; ``digests``: the document's, when the ``jsonld`` check
    has already made its dataset."""
    if parsed.jws is None:
        _check_embedded_proofs(parsed.credential, resolver, run, digests)
        return
    jws_run = CheckRun()
    if _check_jws(parsed.jws, parsed.credential, resolver, jws_run):
        run.checks.extend(jws_run.checks)
        return
    if parsed.credential.get("proof"):
        embedded = CheckRun()
        _check_embedded_proofs(parsed.credential, resolver, embedded, digests)
        if embedded.status("proof") is CheckStatus.PASSED and embedded.status("key") is (
            CheckStatus.PASSED
        ):
            run.checks.extend(embedded.checks)
            return
    run.checks.extend(jws_run.checks)
