"""Fixtures for the badges tests: the Open Badges reference data and the JavaScript verifier."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conformance.reference import ob3_reference_folder

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def ob3_reference() -> Path:
    """W3C and 1EdTech vectors and samples, vendored in ``tests/conformance/data``."""
    return ob3_reference_folder()


INTEROP = REPO / "tests" / "interop"


class JsStack:
    """The Digital Bazaar verifier/signer, run as ``node`` CLIs over JSON on stdin."""

    def __init__(self, node: str) -> None:
        self.node = node

    def run(self, script: str, payload: object) -> object:
        completed = subprocess.run(
            [self.node, str(INTEROP / script)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(f"{script} failed: {completed.stderr[-3000:]}")
        return json.loads(completed.stdout)


def ensure_js_stack() -> JsStack:
    """Node with the interop packages installed (``npm ci`` on first use, offline afterwards).

    Missing node is a failure on CI (``CI=true``), a skip with the reason elsewhere.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        message = (
            "node and npm are needed for the interoperability tests (apt-get install nodejs npm)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # Parallel test processes (pytest-xdist) take turns: one installs, the others wait for it.
    with (INTEROP / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir():
            completed = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=INTEROP,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if completed.returncode != 0:
                message = f"npm ci in {INTEROP} failed:\n{completed.stderr[-3000:]}"
                pytest.fail(message, pytrace=False)
    return JsStack(node)


@pytest.fixture(scope="session")
def js_stack() -> JsStack:
    """The Digital Bazaar stack, ready to run."""
    return ensure_js_stack()
