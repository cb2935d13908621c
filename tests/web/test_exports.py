"""Exports: CSV a French Excel opens cleanly, XLSX with the same figures, no formula injection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from web.exports import Column, Table, attachment, csv_bytes, xlsx_bytes

TABLE = Table(
    title="Résultats : campagne/test [A]",
    columns=[
        Column("name", "Participant"),
        Column("score", "Score", "int"),
        Column("rate", "Taux", "percent"),
        Column("mean", "Moyenne", "float"),
        Column("start", "Début", "datetime"),
        Column("day", "Jour", "date"),
    ],
    rows=[
        [
            "Zoé Éléonore",
            512,
            0.755,
            2.5,
            datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
            date(2026, 7, 2),
        ],
        ['=HYPERLINK("http://evil")', 0, 0.0, 0.0, None, None],
        ["-2+3", None, None, None, None, None],
    ],
)


def test_csv_has_bom_semicolons_crlf_and_french_numbers():
    data = csv_bytes(TABLE)
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and text.count("\r\n") == 4
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Participant", "Score", "Taux", "Moyenne", "Début", "Jour"]
    # 22:30 UTC on 1 July is 00:30 on 2 July in Paris (summer time).
    assert rows[1] == ["Zoé Éléonore", "512", "75,5 %", "2,5", "02/07/2026 00:30", "02/07/2026"]


def test_cells_a_spreadsheet_would_run_are_neutralised():
    rows = list(csv.reader(io.StringIO(csv_bytes(TABLE).decode("utf-8-sig")), delimiter=";"))
    assert rows[2][0] == '\'=HYPERLINK("http://evil")'
    assert rows[3][0] == "'-2+3"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(TABLE))).active
    assert sheet["A3"].value == '\'=HYPERLINK("http://evil")'
    assert sheet["A3"].data_type == "s"


def test_xlsx_holds_the_same_figures_typed():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(TABLE))).active
    assert sheet.title == "Résultats   campagne test  A"[:31]
    assert [c.value for c in sheet[1]] == [c.title for c in TABLE.columns]
    assert [c.value for c in sheet[2]] == [
        "Zoé Éléonore",
        512,
        0.755,
        2.5,
        datetime(2026, 7, 2, 0, 30),
        datetime(2026, 7, 2, 0, 0),
    ]
    assert sheet["C2"].number_format == "0.0%"
    assert sheet.freeze_panes == "A2"


def test_rows_must_fit_the_columns():
    with pytest.raises(ValueError, match="row 1 has 1 cells for 2 columns"):
        Table("t", [Column("a", "A"), Column("b", "B")], [["x"]])


def test_download_headers_name_the_file_safely():
    headers = attachment("Résultats « été » 2026.csv")
    assert headers["Content-Disposition"] == 'attachment; filename="Resultats-ete-2026.csv"'
    assert headers["Cache-Control"] == "private, no-store"


def test_as_dicts_keys_rows_by_column():
    assert TABLE.as_dicts()[0]["score"] == 512
