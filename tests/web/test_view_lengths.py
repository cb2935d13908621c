"""Views stay thin: no view function over ``LIMIT`` lines (DEVELOPERS.md: views parse,
authorise, call the domain and render). ``python -m tests.web.view_lengths`` prints them all."""

from __future__ import annotations

from tests.web.view_lengths import view_lengths

LIMIT = 25


def test_no_view_function_is_longer_than_the_limit(app):
    found = view_lengths(app)
    assert found, "no view found: the walk over app.view_functions is broken"
    too_long = [
        f"{v.endpoint} ({v.module}.{v.name}): {v.lines} lines" for v in found if v.lines > LIMIT
    ]
    assert not too_long, "thin these views (move the logic to a domain function):\n" + "\n".join(
        too_long
    )


def test_lengths_count_the_body_from_def_without_the_decorators(app):
    lengths = {v.endpoint: v.lines for v in view_lengths(app)}
    assert lengths["learner.home"] == 2  # ``def home():`` and its one return line
    # Jalon serves its static files itself (web/static_files.py): measured like any view.
    assert lengths["static"] < LIMIT
