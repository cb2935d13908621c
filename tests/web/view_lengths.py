"""How long each view function is, in source lines (``def`` line to last line, decorators out).

The rule "no view function over ~25 lines" (DEVELOPERS.md) keeps logic in the domain packages;
``test_view_lengths.py`` holds the rule, and this module prints the table for a review::

    .venv/bin/python -m tests.web.view_lengths            # every view, longest first
    .venv/bin/python -m tests.web.view_lengths learner.   # only endpoints starting so
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class ViewLength:
    endpoint: str
    module: str
    name: str
    lines: int


def _body_lines(function) -> int:
    """Lines from ``def`` to the end: the decorators (routing, access rule) are not the body."""
    source, _start = inspect.getsourcelines(inspect.unwrap(function))
    first_def = next(
        k for k, line in enumerate(source) if line.lstrip().startswith(("def ", "async def "))
    )
    return len(source) - first_def


def view_lengths(app: Flask) -> list[ViewLength]:
    """Every view of ``app`` written in Jalon (views from a library are left out)."""
    found = []
    for endpoint, function in app.view_functions.items():
        target = inspect.unwrap(function)
        module = getattr(target, "__module__", "") or ""
        if not module.startswith("web"):
            continue
        found.append(ViewLength(endpoint, module, target.__name__, _body_lines(target)))
    return sorted(found, key=lambda v: (-v.lines, v.endpoint))


def main(argv: list[str]) -> None:
    from web import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "view-lengths"})
    prefix = argv[0] if argv else ""
    for view in view_lengths(app):
        if view.endpoint.startswith(prefix):
            print(f"{view.lines:4d}  {view.endpoint:<40} {view.module}")


if __name__ == "__main__":
    main(sys.argv[1:])
