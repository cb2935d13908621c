"""Exports: one ``Table`` (the columns and rows a page shows), written as CSV, XLSX or PDF.

A page and its exports are built from the same ``Table`` so that their figures cannot differ.
CSV follows what a French Excel opens cleanly: ``;`` separators, UTF-8 with a BOM, CRLF lines.
Cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) are neutralised.
"""

from web.exports.tables import Column, Table
from web.exports.writers import attachment, csv_bytes, csv_text, xlsx_bytes

__all__ = ["Column", "Table", "attachment", "csv_bytes", "csv_text", "xlsx_bytes"]
