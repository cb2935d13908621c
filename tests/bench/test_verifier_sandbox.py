"""Benchmark: what verifying a visitor's file in a limited child process costs.

Prints, for a typical badge and for a large one (a 700 KB image embedded, near the 1 MB
credential limit), the time per verification in the worker itself and through a warm
``VerifierPool`` (the overhead is the round trip to the child), and the smallest memory limit
among a few under which the large badge still verifies. Runs as a quick smoke test in the
normal suite; ``JALON_BENCH_SECONDS=2`` gives steadier numbers.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import time
from collections.abc import Callable

import pytest

from badges.ob3 import data_integrity
from badges.ob3.verify import Verdict, verify_bytes
from badges.verification_sandbox import Limits, VerifierPool
from tests.badges.ob3.credentials import (
    NOW,
    SIGNING_KEY,
    VM_ID,
    local_resolver,
    unsigned_credential,
)

pytestmark = pytest.mark.bench

SECONDS = float(os.environ.get("JALON_BENCH_SECONDS", "0.25"))


def _per_call_ms(fn: Callable[[], object]) -> float:
    fn()
    runs, start = 0, time.perf_counter()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= SECONDS and runs >= 3:
            return elapsed * 1000 / runs


def _signed(image_bytes: int = 0) -> bytes:
    credential = unsigned_credential()
    if image_bytes:
        picture = base64.b64encode(os.urandom(image_bytes * 3 // 4)).decode()
        credential = copy.deepcopy(credential)
        credential["credentialSubject"]["achievement"]["image"] = {
            "id": f"data:image/png;base64,{picture}",
            "type": "Image",
        }
    signed = data_integrity.sign(credential, SIGNING_KEY, VM_ID, created="2026-01-31T12:00:00Z")
    return json.dumps(signed).encode()


def test_verification_in_a_limited_child_costs_little_more_than_in_the_worker(capsys) -> None:
    options = {"resolver": local_resolver()}
    cases = {"typical": _signed(), "large (700 KB image)": _signed(700_000)}
    pool = VerifierPool(Limits())
    try:
        lines = []
        for name, data in cases.items():
            assert verify_bytes(data, now=NOW, **options).verdict is Verdict.VALID
            assert pool.verify(data, None, options).verdict is Verdict.VALID
            inline = _per_call_ms(lambda data=data: verify_bytes(data, **options))
            isolated = _per_call_ms(lambda data=data: pool.verify(data, None, options))
            lines.append(
                f"{name:>22}: {len(data) / 1024:7.0f} KB, in the worker {inline:7.1f} ms, "
                f"in a child {isolated:7.1f} ms (+{isolated - inline:.1f} ms)"
            )
    finally:
        pool.close()
    fits = None
    for memory_mb in (16, 32, 64, 128):
        small = VerifierPool(Limits(memory_mb=memory_mb, children=1))
        try:
            verdict = small.verify(cases["large (700 KB image)"], None, options).verdict
        finally:
            small.close()
        if verdict is Verdict.VALID:
            fits = memory_mb
            break
    with capsys.disabled():
        print("\nverification of a visitor's file, worker vs limited child (warm pool):")
        print("\n".join(lines))
        print(f"  the large badge verifies with JALON_VERIFY_MEMORY_MB={fits} (of 16/32/64/128)")
    assert fits is not None
