"""Vendored 1EdTech JSON Schemas and JSON-LD contexts (data only; see MANIFEST.md)."""

from pathlib import Path

ROOT = Path(__file__).parent
CONTEXTS = ROOT / "contexts"
SCHEMAS = ROOT / "schemas"
