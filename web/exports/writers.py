"""CSV and XLSX writers for a ``Table``, and the download response headers."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from web.exports.tables import CellValue, Column, Table

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PARIS = ZoneInfo("Europe/Paris")


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _local(value: datetime) -> datetime:
    """Aware datetimes in French local time, naive for spreadsheets (they have no zone)."""
    return value.astimezone(PARIS).replace(tzinfo=None) if value.tzinfo else value


def _csv_cell(value: CellValue, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if column.kind == "percent":
            return f"{value * 100:.1f}".replace(".", ",") + " %"
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",") or "0"
    if isinstance(value, int):
        return str(value)
    return _safe_text(str(value))


def csv_text(value: CellValue, column: Column) -> str:
    """A cell as the CSV writes it: what a page shows beside its CSV so that both read alike."""
    return _csv_cell(value, column)


def csv_bytes(table: Table) -> bytes:
    """``;``-separated, UTF-8 with BOM, CRLF: opens with accents intact in a French Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_safe_text(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(v, c) for v, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


NUMBER_FORMATS = {
    "percent": "0.0%",
    "float": "0.00",
    "int": "0",
    "date": "DD/MM/YYYY",
    "datetime": "DD/MM/YYYY HH:MM",
}


def _xlsx_cell(value: CellValue):
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, str):
        return _safe_text(value)
    return value


def _sheet_title(title: str) -> str:
    """Excel sheet names: 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip() or "Export"
    return cleaned[:31]


def _fill_sheet(sheet, table: Table) -> None:
    sheet.append([c.title for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_cell(v) for v in row])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        width = max([len(column.title)] + [len(str(r[index - 1] or "")) for r in table.rows[:200]])
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        number_format = NUMBER_FORMATS.get(column.kind)
        if number_format:
            for cell in sheet[letter][1:]:
                cell.number_format = number_format
    sheet.freeze_panes = "A2"


def xlsx_bytes(table: Table, *more: Table) -> bytes:
    """One sheet per table, named after it: a bold header row frozen, typed cells with
    French-friendly formats."""
    book = Workbook()
    titles: set[str] = set()
    for number, each in enumerate((table, *more)):
        sheet = book.active if number == 0 else book.create_sheet()
        title = _sheet_title(each.title)
        if title in titles:  # two tables of one name: their sheets still differ
            title = f"{title[:27]} ({number + 1})"
        titles.add(title)
        sheet.title = title
        _fill_sheet(sheet, each)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ascii_name(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", plain).strip("-") or "export"


def attachment(name: str) -> dict[str, str]:
    """Headers for a download: a safe file name, never cached by shared caches."""
    return {
        "Content-Disposition": f'attachment; filename="{_ascii_name(name)}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
