"""Criteria are Markdown, rendered with raw HTML off and links to http(s) only."""

from __future__ import annotations

import pytest

from web.markdown import render


def test_markdown_is_rendered():
    html = str(render("Savoir **accueillir** :\n\n- saluer\n- orienter\n\n[Fiche](https://a.fr/f)"))
    assert "<strong>accueillir</strong>" in html
    assert "<li>saluer</li>" in html
    assert '<a href="https://a.fr/f" rel="noopener noreferrer nofollow">Fiche</a>' in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](data:text/html;base64,PHNjcmlwdD4=)",
        "[clic](vbscript:msgbox)",
        "[mail](mailto:a@b.fr)",
        "<a href='javascript:alert(1)'>x</a>",
        "![pixel](https://tracker.example/p.png)",
    ],
)
def test_html_scripts_and_other_schemes_never_come_through(source):
    html = str(render(source))
    assert "<script" not in html and "<img" not in html and 'onerror="' not in html
    assert 'href="javascript' not in html.lower() and 'href="data' not in html
    assert 'href="vbscript' not in html and 'href="mailto' not in html


def test_nothing_gives_nothing():
    assert str(render(None)) == "" and str(render("")) == ""
