"""The dependency rule of DEVELOPERS.md: domain packages never import Flask or ``web``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOMAIN_PACKAGES = ("assessments", "badges", "indicators", "learners")
FORBIDDEN = ("flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter", "web")


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_package_imports_neither_flask_nor_web(package):
    offenders = [
        f"{path.relative_to(REPO)}: {module}"
        for path in sorted((REPO / package).rglob("*.py"))
        for module in _imported_modules(path)
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []
