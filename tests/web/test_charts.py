"""Chart macros: the figures are in the SVG's description and in a data table, in words."""

from __future__ import annotations

from flask import render_template_string

BAR = """{% from "macros/charts.html" import bar_chart %}{{ bar_chart("c1", "Taux", rows, 1) }}"""
STACKED = """{% from "macros/charts.html" import stacked_chart %}
{{ stacked_chart("c2", "Niveaux", ["1.1", "4.1"], series, [[3, 1], [0, 0]]) }}"""


def test_bar_chart_says_its_figures(app):
    rows = [
        {"label": "Participation", "value": 0.75, "text": "75 %"},
        {"label": "Parcours complets", "value": 0, "text": "0 %"},
    ]
    with app.test_request_context():
        html = render_template_string(BAR, rows=rows)
    assert 'role="img"' in html and 'aria-labelledby="c1-title c1-desc"' in html
    assert "Participation : 75 %. Parcours complets : 0 %." in html
    assert '<th scope="row">Participation</th><td>75 %</td>' in html
    assert html.count('fill="#1f5fa8"') == 1  # a zero draws no bar


def test_stacked_chart_has_a_table_and_survives_an_empty_category(app):
    series = [
        {"label": "Niveau 1", "colour": "#111111"},
        {"label": "Niveau 2", "colour": "#222222"},
    ]
    with app.test_request_context():
        html = render_template_string(STACKED, series=series)
    assert "1.1 : Niveau 1 3, Niveau 2 1." in html
    assert "4.1 : Niveau 1 0, Niveau 2 0." in html
    assert '<th scope="row">4.1</th><td>0</td><td>0</td>' in html
    assert html.count('class="chart-segment"') == 2
