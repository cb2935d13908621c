"""Benchmark: what verifying a visitor's file in a limited child process costs.

Prints, for a typical badge and for a large one (a 700 KB image embedded, near the 1 MB
credential limit), the time per verification in the worker itself and through a warm
``VerifierPool`` (the overhead is the round trip to the child), and the smallest memory limit
among a few under which the large badge still verifies. Then the CPU of a whole
``POST /api/verifier`` (issue 15: at most 30 ms for a typical badge): the worker's own plus its
verifying children's, for the same two kinds of badge. Runs as a quick smoke test in the normal
suite; ``JALON_BENCH_SECONDS=2`` gives steadier numbers, ``make bench`` 100 requests per case.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from badges.ob3 import build, data_integrity, keys
from badges.ob3.verify import Verdict, verify_bytes
from badges.verification_sandbox import Limits, VerifierPool
from tests.badges.ob3.credentials import (
    NOW,
    SIGNING_KEY,
    VM_ID,
    local_resolver,
    unsigned_credential,
)
from tests.bench.test_badge_page_speed import issue_typical_badge, view_count

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


# ------------------------------------------------- POST /api/verifier, worker and children


def _children_cpu_seconds(app: Flask) -> float | None:
    """User + system CPU of the verifier pool's children so far (Linux /proc), or None."""
    pool = app.extensions.get("jalon.verifier_pool")
    if pool is None:
        return 0.0
    total = 0.0
    for child in list(pool._idle):
        try:
            fields = Path(f"/proc/{child.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _external_badge(image_bytes: int) -> bytes:
    """A badge of an issuer unknown to Jalon (did:key: its key resolves offline) carrying an
    embedded image of about ``image_bytes``."""
    key = keys.generate_ed25519()
    did = keys.did_key_for(key)
    unsigned = build.build_achievement_credential(
        credential_id="urn:uuid:6f1d3d6e-1c39-4d6a-9a51-2a3f0e0a0b02",
        issuer=build.IssuerProfile(id=did, name="Lycée Jean Moulin"),
        achievement=build.AchievementDef(
            id="https://partenaire.example/achievements/soudure",
            name="Soudure à l'arc",
            description="Réaliser une soudure conforme.",
            criteria_narrative="Trois soudures contrôlées.",
        ),
        recipient=build.Recipient(identity="a@example.org", salt="0123456789abcdef"),
        valid_from=datetime.now(UTC).replace(microsecond=0) - timedelta(days=1),
    )
    picture = base64.b64encode(os.urandom(image_bytes * 3 // 4)).decode()
    unsigned["credentialSubject"]["achievement"]["image"] = {
        "id": f"data:image/png;base64,{picture}",
        "type": "Image",
    }
    signed = data_integrity.sign(unsigned, key, f"{did}#{did.removeprefix('did:key:')}")
    return json.dumps(signed).encode()


def test_api_verifier_cpu_of_the_worker_and_its_children(app, request, capsys) -> None:
    """CPU per ``POST /api/verifier`` through the Flask test client: the worker's own
    (``process_time``: request handling, database, answering the child's calls) plus its
    verifying children's (from /proc), as in production (``JALON_VERIFY_CPU_SECONDS`` 5,
    the real https fetcher configured, nothing fetched), then with the limits off (in the
    worker). Printed, never asserted; ``make bench`` runs 100 requests per case."""
    app.config["JALON_VERIFIER_RATE_LIMIT"] = "1000000 per minute"
    app.config["JALON_VERIFIER_FETCHER"] = None  # the production fetcher (no fetch happens)
    ours = issue_typical_badge(app, "bench:api").signed_json.encode()
    cases = {"typical (ours)": ours, "large (700 KB image)": _external_badge(700_000)}
    client = app.test_client()
    count = view_count(request.config)
    lines = []
    for mode, cpu_seconds in (("in a child", 5.0), ("in the worker", 0.0)):
        app.config["JALON_VERIFY_CPU_SECONDS"] = cpu_seconds
        for name, body in cases.items():

            def post(body: bytes = body) -> None:
                answer = client.post("/api/verifier", data=body, content_type="application/json")
                assert answer.status_code == 200 and answer.get_json()["verdict"] == "valid"

            post()  # warm-up: the pool started, contexts and schemas loaded
            children, worker = _children_cpu_seconds(app), time.process_time()
            for _ in range(count):
                post()
            worker = (time.process_time() - worker) * 1000 / count
            after = _children_cpu_seconds(app)
            child = None if None in (children, after) else (after - children) * 1000 / count
            shown = "n/a" if child is None else f"{child:6.1f}"
            total = "n/a" if child is None else f"{worker + child:6.1f}"
            lines.append(
                f"  {name:>22} {mode:<14}: {len(body) / 1024:5.0f} KB, worker {worker:6.1f} ms"
                f" + children {shown} ms = {total} ms CPU"
            )
    with capsys.disabled():
        engine = app.config["DATABASE_URL"].split(":", 1)[0]
        print(f"\nPOST /api/verifier, CPU per request ({count} requests, {engine}):")
        print("\n".join(lines))
