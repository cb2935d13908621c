"""Where the vendored Open Badges reference data lives: tests/conformance/data (see MANIFEST.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

OB3_REFERENCE = Path(__file__).resolve().parent / "data"
MANIFEST = OB3_REFERENCE / "MANIFEST.md"


def ob3_reference_folder() -> Path:
    """The reference folder, or a test failure (never a skip): the data ships with the repo."""
    if not MANIFEST.is_file():
        pytest.fail(
            f"Open Badges reference data not found at {OB3_REFERENCE}: it is committed with the "
            "repository (restore it with `git checkout -- tests/conformance/data`).",
            pytrace=False,
        )
    return OB3_REFERENCE
