"""The one spreadsheet writer: every CSV/XLSX export goes through ``spreadsheet_response``.

Exported cells are data, never formulas (STYLE.md §11). A spreadsheet program evaluates a cell that starts
with ``=``, ``+``, ``-``, ``@`` (or a tab / line break before one), and some do so for the full-width forms
typed with an East Asian input method. We treat as a trigger any cell whose first character — after
leading spaces and invisible characters (zero-width, BOM, direction marks), which an import may strip — is
a tab, CR or LF, or folds (NFKC) to ``=``, ``+``, ``-`` or ``@``: the full-width (＝＋－＠), small (﹦﹢﹣﹫),
superscript and subscript forms, and the minus sign (−, U+2212). So:

* CSV has no cell types: such a cell is written with a leading apostrophe (OWASP's advice), which the
  spreadsheet shows as text;
* XLSX: every string is stored as a string cell (openpyxl would otherwise store "=1+1" as a formula), and a
  cell starting with a trigger also gets Excel's "quote prefix" style — exactly what typing an apostrophe
  in Excel does — so the value stays what was entered and stays text when someone edits it.

Numbers and dates are written as such; characters XLSX cannot hold (C0 controls) are dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from motcua.core.downloads import download_response

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FOLDED_TRIGGERS = frozenset("=+-@\t\r\n\u2212")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _first_significant(value: str) -> str:
    """The first character a spreadsheet would look at: past spaces (any Unicode space but tab/CR/LF, which
    are triggers themselves) and format characters (category Cf: zero-width, BOM, direction marks)."""
    for char in value:
        if char in "\t\r\n":
            return char
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        return char
    return ""


def is_formula_like(value) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if value.startswith(FORMULA_TRIGGERS):
        return True
    first = _first_significant(value)
    return bool(first) and (first in _FOLDED_TRIGGERS or unicodedata.normalize("NFKC", first)[:1] in _FOLDED_TRIGGERS)


def csv_cell(value):
    """A cell as CSV text that no spreadsheet evaluates."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        value = str(value)
        return "'" + value if is_formula_like(value) else value
    return value


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(c) for c in header])
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    # The BOM makes Excel read UTF-8 (Vietnamese names) instead of the system code page.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: none of \\ / * ? : [ ], not blank, at most 31 characters (a report's
    title holds dates like 01/01/2026, which openpyxl would refuse)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", str(title or ""))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cs")
    cleaned = re.sub(r"[\\/*?:\[\]]", "-", text).strip(" '")[:31].strip(" '")
    return cleaned or "Dữ liệu"


def xlsx_bytes(header: Sequence, rows: Iterable[Sequence], *, sheet_title: str = "Dữ liệu") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(sheet_title)
    for row_index, row in enumerate([header, *rows], start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column)
            if value is None:
                continue
            if isinstance(value, (bool, int, float, dt.date, dt.datetime)):
                cell.value = value
                if isinstance(value, dt.datetime):
                    cell.number_format = "DD/MM/YYYY HH:MM"
                elif isinstance(value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
                continue
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell.value = text
            cell.data_type = "s"  # a string, whatever it starts with (openpyxl guessed "f" for "=…")
            if is_formula_like(text):
                cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(
    *, filename: str, header: Sequence, rows: Iterable[Sequence], fmt: str = "csv", sheet_title: str = "Dữ liệu"
) -> HttpResponse:
    """An export download: ``fmt`` "xlsx" or "csv" (anything else is CSV); ``filename`` without extension.
    Served as an attachment through `download_response` (safe file name, never sniffed, never cached)."""
    if fmt == "xlsx":
        content, content_type, ext = xlsx_bytes(header, rows, sheet_title=sheet_title), XLSX_TYPE, "xlsx"
    else:
        content, content_type, ext = csv_bytes(header, rows), "text/csv; charset=utf-8", "csv"
    return download_response(content, filename=f"{filename}.{ext}", content_type=content_type, inline=False)
