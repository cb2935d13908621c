"""Benchmark: eddsa-rdfc-2022 issue/verify time per credential, Jalon vs the Digital Bazaar stack.

Prints figures (one core, same process for each stack, same credentials). Runs as a quick smoke
test in the normal suite; ``JALON_BENCH_SECONDS=2 make bench`` gives steadier numbers.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable

import pytest

from badges.ob3 import data_integrity, fast_rdf, jsonld, keys
from tests.badges.conftest import JsStack, ensure_js_stack
from tests.badges.ob3.samples import ISSUER_ID, ob_credential
from tests.conformance.reference import ob3_reference_folder

pytestmark = [pytest.mark.bench, pytest.mark.interop]

SECONDS = float(os.environ.get("JALON_BENCH_SECONDS", "0.25"))
CREATED = "2026-03-01T09:30:05Z"


def _per_call(fn: Callable[[], object], seconds: float = SECONDS) -> tuple[float, float]:
    """Milliseconds per call by the clock and in CPU time (steadier on a busy machine)."""
    fn()  # warm-up: contexts loaded and processed once
    runs = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and runs >= 3:
            return elapsed * 1000 / runs, (time.process_time() - cpu_start) * 1000 / runs


def _per_call_ms(fn: Callable[[], object], seconds: float = SECONDS) -> float:
    return _per_call(fn, seconds)[0]


@pytest.fixture(scope="module")
def js_stack() -> JsStack:
    return ensure_js_stack()


@pytest.fixture(scope="module")
def cases() -> dict[str, dict]:
    large = json.loads(
        (
            ob3_reference_folder() / "ob3-spec-examples" / "36-complete-openbadgecredential.json"
        ).read_text()
    )
    large["issuer"]["id"] = ISSUER_ID  # the JS verifier checks issuer == key controller
    return {"typical": ob_credential(), "large (spec example 36)": large}


def test_issue_and_verify_speed_against_js_stack(cases, js_stack) -> None:
    private_key = keys.ed25519_from_seed(bytes(range(32)))
    public_key = private_key.public_key()
    multikey = keys.ed25519_to_multikey(private_key)
    method = f"{ISSUER_ID}#{multikey}"
    js = js_stack.run(
        "bench.mjs",
        {
            "cases": cases,
            "verificationMethod": method,
            "controller": ISSUER_ID,
            "publicKeyMultibase": multikey,
            "secretKeyMultibase": keys.ed25519_secret_multikey(private_key),
            "created": CREATED,
            "seconds": SECONDS,
        },
    )
    raw_ms = _per_call_ms(lambda: private_key.sign(bytes(64)))
    lines = [
        f"raw Ed25519 sign: {raw_ms * 1000:.0f} µs",
        f"{'credential':<26}{'bytes':>7}{'py sign':>10}{'py verify':>11}{'py sign/s':>11}"
        f"{'js sign':>10}{'js verify':>11}{'js sign/s':>11}{'sign ×':>8}{'verify ×':>10}",
    ]
    cpu_lines = [
        f"{'credential':<26}{'py sign':>10}{'py verify':>11}{'js sign':>10}{'js verify':>11}"
        f"{'sign ×':>8}{'verify ×':>10}"
    ]
    for name, credential in cases.items():
        signed = data_integrity.sign(credential, private_key, method, created=CREATED)
        # Same key, same options: both stacks must produce the very same proof.
        assert signed["proof"]["proofValue"] == js[name]["proofValue"]
        assert js[name]["verified"], js[name]["error"]
        assert data_integrity.verify(signed, public_key).ok
        sign_ms, sign_cpu = _per_call(
            lambda c=credential: data_integrity.sign(c, private_key, method, created=CREATED)
        )
        verify_ms, verify_cpu = _per_call(lambda s=signed: data_integrity.verify(s, public_key))
        js_sign, js_verify = js[name]["sign_ms"], js[name]["verify_ms"]
        lines.append(
            f"{name:<26}{len(json.dumps(credential)):>7}{sign_ms:>8.2f}ms{verify_ms:>9.2f}ms"
            f"{1000 / sign_ms:>11.0f}{js_sign:>8.2f}ms{js_verify:>9.2f}ms{1000 / js_sign:>11.0f}"
            f"{js_sign / sign_ms:>8.2f}{js_verify / verify_ms:>10.2f}"
        )
        js_sign, js_verify = js[name]["sign_cpu_ms"], js[name]["verify_cpu_ms"]
        cpu_lines.append(
            f"{name:<26}{sign_cpu:>8.2f}ms{verify_cpu:>9.2f}ms{js_sign:>8.2f}ms"
            f"{js_verify:>9.2f}ms{js_sign / sign_cpu:>8.2f}{js_verify / verify_cpu:>10.2f}"
        )
    print("\neddsa-rdfc-2022 on one core (× = JS time / Python time)\n" + "\n".join(lines))
    print("same, CPU time per call (steadier when the machine is busy)\n" + "\n".join(cpu_lines))


def test_where_signing_time_goes(cases) -> None:
    """Split of one canonicalisation: JSON-LD to quads (direct, or pyld's expansion and RDF
    conversion as before), then RDFC-1.0."""
    credential = copy.deepcopy(cases["typical"])
    direct_ms = _per_call_ms(lambda: fast_rdf.quads(credential))
    quads = fast_rdf.quads(credential)
    assert quads is not None  # the typical credential takes the direct path
    expand_ms = _per_call_ms(lambda: jsonld.expand_safe(credential))
    expanded = jsonld.expand_safe(credential)
    to_rdf_ms = _per_call_ms(lambda: jsonld.to_quads(expanded))
    rdfc_ms = _per_call_ms(lambda: jsonld.rdfc.canonicalize_quads(quads))
    canonical_ms = _per_call_ms(lambda: jsonld.canonicalize(credential))
    pyld_ms = _per_call_ms(lambda: jsonld.canonicalize_with_pyld(credential))
    assert jsonld.canonicalize(credential) == jsonld.canonicalize_with_pyld(credential)
    print(
        f"\ntypical credential, one canonicalisation: {canonical_ms:.2f} ms = direct quads "
        f"{direct_ms:.2f} + RDFC-1.0 {rdfc_ms:.2f}; through pyld {pyld_ms:.2f} ms = expansion "
        f"{expand_ms:.2f} + to RDF {to_rdf_ms:.2f} + RDFC-1.0 {rdfc_ms:.2f} "
        "(a signature canonicalises the document and the proof options)"
    )
