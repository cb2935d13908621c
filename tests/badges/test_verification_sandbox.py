"""The verifier's child processes: the same result as in the worker, the worker's callbacks
answered over the pipe (their failures included), a dead child replaced. The hostile inputs and
the limits are tested through the pages in tests/web/test_verify_pages.py."""

from __future__ import annotations

import json
import os
import select
import signal
from collections.abc import Iterator

import pytest

from badges.ob3.errors import Ob3Error
from badges.ob3.resolver import Resolver
from badges.ob3.verify import Verdict, verify_bytes
from badges.verification_sandbox import Limits, VerifierPool
from tests.badges.ob3.credentials import ISSUER_ID, local_resolver, signed_credential


@pytest.fixture
def pool() -> Iterator[VerifierPool]:
    found = VerifierPool(Limits(children=1))
    yield found
    found.close()


def test_a_child_gives_the_result_the_worker_gives(pool):
    signed = signed_credential()
    cases = [
        json.dumps(signed).encode(),
        json.dumps(dict(signed, validFrom="2020-01-01T00:00:00Z")).encode(),
        b"\x00\x01 no badge",
    ]
    options = {"resolver": local_resolver(), "is_known_issuer": lambda i: i == ISSUER_ID}
    verdicts = []
    for data in cases:
        isolated = pool.verify(data, None, options)
        inline = verify_bytes(data, **options)
        assert isolated.to_dict() == inline.to_dict()
        verdicts.append(isolated.verdict)
    assert verdicts == [Verdict.VALID, Verdict.INVALID_SIGNATURE, Verdict.MALFORMED]


def test_a_failing_callback_reads_as_it_does_in_the_worker(pool):
    def unreachable(url: str) -> dict:
        raise Ob3Error(f"offline: {url}")

    data = json.dumps(signed_credential()).encode()
    options = {"resolver": Resolver(fetch=unreachable)}
    isolated = pool.verify(data, None, options)
    assert isolated.to_dict() == verify_bytes(data, **options).to_dict()
    assert isolated.check("key").status.value == "unknown"


def test_a_child_that_died_is_replaced_before_the_next_verification(pool):
    data = json.dumps(signed_credential()).encode()
    options = {"resolver": local_resolver()}
    assert pool.verify(data, None, options).verdict is Verdict.VALID
    [child] = pool._idle
    os.kill(child.process.pid, signal.SIGKILL)
    child.process.join(5)
    assert pool.verify(data, None, options).verdict is Verdict.VALID
    [replacement] = pool._idle
    assert replacement is not child and replacement.alive()


def test_a_child_keeps_none_of_the_workers_descriptors(pool):
    """A pipe the worker had open when the child was forked (a browser driver's stdin, a
    database socket) must see its end when the worker closes it: the child holds no copy."""
    read_end, write_end = os.pipe()
    try:
        data = json.dumps(signed_credential()).encode()
        assert pool.verify(data, None, {"resolver": local_resolver()}).verdict is Verdict.VALID
        os.close(write_end)
        readable, _, _ = select.select([read_end], [], [], 5)
        assert readable and os.read(read_end, 1) == b""  # the end, not a child holding it open
    finally:
        os.close(read_end)
