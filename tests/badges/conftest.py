"""Fixtures shared by the badges tests: the read-only Open Badges reference data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_OB3 = (REPO.parent / "shared" / "ob3").resolve()


@pytest.fixture(scope="session")
def shared_ob3() -> Path:
    """``<repo>/../shared/ob3``: W3C and 1EdTech vectors and examples (kept beside the clone)."""
    if not (SHARED_OB3 / "vectors").is_dir():
        pytest.fail(
            f"Open Badges reference data not found at {SHARED_OB3}: the conformance tests need "
            "the shared/ directory beside the repository clone (shared/ob3/vectors, examples).",
            pytrace=False,
        )
    return SHARED_OB3
