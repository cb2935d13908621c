"""Issue 14: the public verifier refuses hostile input early and does bounded work.

Hostile inputs are generated here; no assertion is about time: each asserts the verdict, the
refusal, how often the costly steps ran, or how many fetches were made.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import socket
import threading
import tracemalloc
from typing import Any

import pytest

from badges.ob3 import data_integrity, fast_rdf, input_limits, jsonld
from badges.ob3 import resolver as resolver_module
from badges.ob3.errors import Ob3Error
from badges.ob3.multibase import multibase_encode_b58
from badges.ob3.resolver import (
    DocumentCache,
    FetchBudget,
    FetchError,
    Resolver,
    SafeHttpFetcher,
)
from badges.ob3.verify import CheckStatus, Verdict, verify_bytes, verify_credential

from .credentials import NOW, local_resolver, signed_credential


@pytest.fixture
def jsonld_work(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every document JSON-LD expansion was asked for (canonicalisation expands too)."""
    seen: list[dict[str, Any]] = []
    original = jsonld.expand_safe

    def counting(document: dict[str, Any]) -> list:
        seen.append(document)
        return original(document)

    monkeypatch.setattr(jsonld, "expand_safe", counting)
    direct = fast_rdf.quads  # the direct path to quads is JSON-LD work too

    def counting_direct(document: Any) -> Any:
        seen.append(document)
        return direct(document)

    monkeypatch.setattr(fast_rdf, "quads", counting_direct)
    return seen


def _with(path: list[str], value: Any) -> dict[str, Any]:
    credential = copy.deepcopy(signed_credential())
    target = credential
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return credential


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"name": "fond"}
    for _ in range(depth):
        value = {"name": "niveau", "evidence": [value]}
    return value


def _hostile() -> dict[str, dict[str, Any]]:
    proof = signed_credential()["proof"]
    item = {"id": "https://example.org/e", "type": ["Evidence"], "name": "x"}
    entry = {
        "id": "https://status.example/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://status.example/1",
    }
    wide = {f"k{i}": str(i) for i in range(60)}
    return {
        "proofs": _with(["proof"], [proof] * (input_limits.MAX_PROOFS + 1)),
        "many proofs": _with(["proof"], [proof] * 400),
        "status entries": _with(["credentialStatus"], [entry] * 2000),
        "long evidence": _with(["evidence"], [item] * 12_000),
        "array bound": _with(["evidence"], [item] * (input_limits.MAX_ARRAY_ITEMS + 1)),
        "node count": _with(["evidence"], [dict(wide) for _ in range(100)]),
        "depth": _with(["credentialSubject", "achievement", "x"], _nested(40)),
        "inline context": _with(
            ["@context"], [*signed_credential()["@context"], {"ex": "https://example.org/#"}]
        ),
        "nested inline context": _with(
            ["credentialSubject", "achievement", "@context"], {"ex": "https://example.org/#"}
        ),
    }


@pytest.mark.parametrize("case", sorted(_hostile()))
def test_hostile_credentials_are_refused_before_any_jsonld_work(case, jsonld_work):
    credential = _hostile()[case]
    jsonld_work.clear()  # signing the sample expanded it; verifying must not
    for result in (
        verify_credential(credential, resolver=local_resolver(), now=NOW),
        verify_bytes(json.dumps(credential).encode(), resolver=local_resolver(), now=NOW),
    ):
        assert result.verdict is Verdict.MALFORMED
        refused = result.check("format")
        assert refused is not None and refused.status is CheckStatus.FAILED
        assert refused.message_fr.startswith("Fichier refusé : ")
        assert result.check("proof") is None
    assert jsonld_work == []


def test_an_oversized_credential_text_is_refused(jsonld_work):
    credential = _with(["name"], "x" * (input_limits.MAX_CREDENTIAL_TEXT_BYTES + 1))
    jsonld_work.clear()
    result = verify_bytes(json.dumps(credential).encode(), resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.MALFORMED
    assert result.check("format").message_fr.startswith("Fichier refusé : le badge")
    assert jsonld_work == []


def test_a_badge_at_the_limits_is_still_verified():
    proof = signed_credential()["proof"]
    credential = _with(["proof"], [proof] * input_limits.MAX_PROOFS)
    result = verify_credential(credential, resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.VALID


def _bad_copy(proof: dict[str, Any], byte: int) -> dict[str, Any]:
    return {**proof, "proofValue": multibase_encode_b58(bytes([byte]) * 64)}


def test_several_proofs_canonicalise_the_document_once(monkeypatch):
    proof = signed_credential()["proof"]
    proofs = [_bad_copy(proof, 1), _bad_copy(proof, 2), _bad_copy(proof, 3), proof]
    credential = _with(["proof"], proofs)
    documents: list[dict[str, Any]] = []
    original = jsonld.canonicalize

    def counting(document: dict[str, Any], **options: Any) -> str:
        if "cryptosuite" not in document:  # not a proof configuration
            documents.append(document)
        return original(document, **options)

    monkeypatch.setattr(jsonld, "canonicalize", counting)
    result = verify_credential(credential, resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.VALID
    assert len(documents) == 1


@pytest.mark.parametrize("path", ["direct", "pyld"])
def test_the_document_is_expanded_once_for_the_jsonld_check_and_the_proof(monkeypatch, path):
    """The ``jsonld`` check's dataset is the one the proof canonicalises (it was made twice)."""
    credential = signed_credential()  # signing expands it too
    expanded: list[dict[str, Any]] = []
    direct, through_pyld = fast_rdf.quads, jsonld.expand_safe

    def counted(walk: Any) -> Any:
        def run(document: Any) -> Any:
            if isinstance(document, dict) and "cryptosuite" not in document:
                expanded.append(document)  # not a proof configuration
            return walk(document)

        return run

    if path == "pyld":
        monkeypatch.setattr(fast_rdf, "quads", lambda document: None)
        monkeypatch.setattr(jsonld, "expand_safe", counted(through_pyld))
    else:
        monkeypatch.setattr(fast_rdf, "quads", counted(direct))
    result = verify_credential(credential, resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.VALID
    assert result.check("jsonld").status is CheckStatus.PASSED
    assert len(expanded) == 1


def test_a_tampered_document_still_fails_its_proof_with_the_dataset_shared():
    credential = signed_credential()
    credential["credentialSubject"]["achievement"]["name"] = "Autre badge"
    result = verify_credential(credential, resolver=local_resolver(), now=NOW)
    assert result.check("jsonld").status is CheckStatus.PASSED
    assert result.verdict is Verdict.INVALID_SIGNATURE


def test_a_proof_set_checked_in_one_call_canonicalises_once(monkeypatch):
    proof = signed_credential()["proof"]
    credential = _with(["proof"], [_bad_copy(proof, 1), _bad_copy(proof, 2), proof])
    public_key = local_resolver().resolve(proof["verificationMethod"]).public_key
    calls: list[str] = []
    original = jsonld.canonicalize
    monkeypatch.setattr(
        jsonld,
        "canonicalize",
        lambda doc, **options: (
            calls.append("doc" if "cryptosuite" not in doc else "cfg") or original(doc, **options)
        ),
    )
    assert data_integrity.verify(credential, public_key).ok
    assert calls.count("doc") == 1


def test_a_malformed_document_is_not_signature_checked_nor_its_issuer_asked(monkeypatch):
    asked: list[str] = []
    verified: list[Any] = []
    monkeypatch.setattr(
        data_integrity, "verify", lambda *a, **k: verified.append(a) or pytest.fail("verified")
    )
    credential = signed_credential()
    credential["issuer"] = "https://jalon.example/issuers/7"  # the OB 3.0 schema wants a Profile
    web = Resolver(fetch=lambda url: asked.append(url) or {})
    result = verify_credential(credential, resolver=web, status_fetcher=asked.append, now=NOW)
    assert result.verdict is Verdict.MALFORMED
    assert result.check("schema").status is CheckStatus.FAILED
    assert result.check("proof").status is CheckStatus.UNKNOWN
    assert verified == [] and asked == []


def test_big_inline_contexts_leave_the_caches_within_their_byte_bound():
    base = signed_credential()
    del base["proof"]
    jsonld.expand_safe(base)  # the vendored contexts, cached once
    resolved_before = jsonld.cache_sizes()["resolved_entries"]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for tag in range(6):
            terms = {f"t{tag}x{i}": f"https://example.org/{tag}/{i}" for i in range(20_000)}
            with contextlib.suppress(Ob3Error):
                jsonld.expand_safe({**base, "@context": [*base["@context"], terms]})
        gc.collect()
        retained = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    bound = 2 * jsonld.PROCESSED_CONTEXTS_BYTES
    assert jsonld.cache_sizes()["processed_bytes"] <= bound
    assert jsonld.cache_sizes()["resolved_entries"] == resolved_before  # inline ones not kept
    assert retained < bound


def _status_entry(host: str) -> dict[str, Any]:
    return {
        "id": f"https://{host}/list#1",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "1",
        "statusListCredential": f"https://{host}/list",
    }


def test_a_verification_fetches_at_most_its_budget():
    asked: list[str] = []

    def fetcher(url: str) -> dict[str, Any]:
        asked.append(url)
        raise FetchError("unreachable")

    budget = FetchBudget(fetcher, max_fetches=3)
    for index in range(2_000):
        with pytest.raises(FetchError):
            budget(f"https://h{index}.example/did.json")
    with pytest.raises(FetchError):
        budget("https://h0.example/did.json")  # asked again: not fetched again
    assert len(asked) == 3


def test_a_slow_fetcher_stops_at_the_deadline():
    clock = [0.0]
    asked: list[str] = []

    def slow(url: str) -> dict[str, Any]:
        asked.append(url)
        clock[0] += 3.0  # each answer takes three (fake) seconds
        return {"id": url}

    budget = FetchBudget(slow, max_fetches=100, seconds=8.0, clock=lambda: clock[0])
    answers = 0
    for index in range(50):
        with contextlib.suppress(FetchError):
            budget(f"https://h{index}.example/x")
            answers += 1
    assert answers == len(asked) == 3


def test_hosts_in_every_proof_and_status_entry_cost_a_bounded_number_of_fetches():
    asked: list[str] = []

    def fetcher(url: str) -> dict[str, Any]:
        asked.append(url)
        raise FetchError("unreachable")

    credential = signed_credential()
    proof = credential["proof"]
    credential["proof"] = [
        {**proof, "verificationMethod": f"did:web:k{i}.example#key"}
        for i in range(input_limits.MAX_PROOFS)
    ]
    credential["credentialStatus"] = _status_entry("s.example")
    budget = FetchBudget(fetcher, max_fetches=3)
    result = verify_credential(
        credential, resolver=Resolver(fetch=budget), status_fetcher=budget, now=NOW
    )
    assert len(asked) == 3
    assert result.verdict is not Verdict.MALFORMED, result.checks
    assert result.check("schema").status is CheckStatus.PASSED
    assert result.check("key").status is CheckStatus.UNKNOWN
    assert result.check("key").message_fr.startswith("Clé introuvable")
    assert "Statut inconnu" in result.check("status").message_fr


def test_name_resolution_is_bounded_by_the_deadline(monkeypatch):
    release = threading.Event()

    def stuck_dns(*args: Any, **kwargs: Any) -> list:
        release.wait(30)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]

    monkeypatch.setattr(socket, "getaddrinfo", stuck_dns)
    try:
        with pytest.raises(FetchError) as refused:
            SafeHttpFetcher(timeout=60, cache=None).fetch_within("https://slow.example/x", 0.2)
    finally:
        release.set()
    assert "10.1.2.3" not in str(refused.value)


def test_a_server_that_never_answers_is_cut_at_the_deadline(monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
    )
    monkeypatch.setattr(resolver_module, "_forbidden_address", lambda address: False)
    try:  # the connection is accepted by the kernel, and nothing is ever sent back
        with pytest.raises(FetchError) as refused:
            SafeHttpFetcher(timeout=60, cache=None).fetch_within(
                f"https://drip.example:{port}/x", 0.5
            )
    finally:
        listener.close()
    assert "127.0.0.1" not in str(refused.value)


def test_fetchers_share_one_tls_context_built_at_the_first_connection(monkeypatch):
    """Building a TLS context reads every CA certificate of the system (~20 ms of CPU): the
    public verifier makes a fetcher per request and most requests fetch nothing."""
    built = []
    create = resolver_module.ssl.create_default_context

    def counted(*args: Any, **kwargs: Any):
        built.append(1)
        return create(*args, **kwargs)

    monkeypatch.setattr(resolver_module.ssl, "create_default_context", counted)
    resolver_module._tls_context.cache_clear()
    fetchers = [SafeHttpFetcher(timeout=60, cache=None) for _ in range(3)]
    assert built == []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(2)
    port = listener.getsockname()[1]
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
    )
    monkeypatch.setattr(resolver_module, "_forbidden_address", lambda address: False)
    try:  # accepted by the kernel, never answered: each fetch reaches the TLS handshake
        for fetcher in fetchers[:2]:
            with pytest.raises(FetchError):
                fetcher.fetch_within(f"https://silent.example:{port}/x", 0.3)
    finally:
        listener.close()
    assert built == [1]


def test_fetched_documents_are_cached_briefly_within_a_byte_bound():
    clock = [0.0]
    cache = DocumentCache(max_bytes=10_000, seconds=300, clock=lambda: clock[0])
    for index in range(100):
        cache.put(f"https://h{index}.example/x", json.dumps({"n": "x" * 500}).encode())
    assert cache.size_in_bytes <= 10_000
    cache.put("https://big.example/x", b"{}" + b" " * 20_000)
    assert cache.get("https://big.example/x") is None
    assert cache.get("https://h99.example/x") == {"n": "x" * 500}
    clock[0] += 301
    assert cache.get("https://h99.example/x") is None


@pytest.mark.parametrize("answer", [["10.0.0.5"], ["127.0.0.1"], None])
def test_failures_read_the_same_however_the_host_resolved(monkeypatch, answer):
    def dns(*args: Any, **kwargs: Any) -> list:
        if answer is None:
            raise OSError("no such host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer[0], 443))]

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    with pytest.raises(FetchError) as refused:
        SafeHttpFetcher(cache=None).fetch_within("https://h.example/x", 5)
    assert str(refused.value) == "h.example cannot be reached"
    credential = signed_credential()
    credential["proof"] = {**credential["proof"], "verificationMethod": "did:web:h.example#k"}
    web = Resolver(fetch=FetchBudget(SafeHttpFetcher(cache=None)))
    key = verify_credential(credential, resolver=web, now=NOW).check("key")
    assert key.status is CheckStatus.UNKNOWN
    assert key.message_en == (
        "The issuer's key could not be retrieved: the issuer's key document could not be fetched."
    )
