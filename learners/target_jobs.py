"""The jobs in tension an action prepares for (stable codes; French names in the data file)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("content") / "target_jobs.json"


@cache
def target_jobs() -> dict[str, str]:
    """Code → French name, in the file's order."""
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return {job["code"]: job["name"] for job in document["jobs"]}
