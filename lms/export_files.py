"""Files for HR: CSV (UTF-8 with a BOM, so Excel reads Chinese as such) streamed row by row,
and XLSX (openpyxl, write-only). Every text cell a spreadsheet could run as a formula is
neutralised first (CSV injection): one rule for every export.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; tab and carriage return hide such a start from a reader's eye.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_ROWS = 200  # rows per piece of a streamed CSV

Cell = str | int | float | Decimal | date | datetime | None


def neutralise(value: Cell) -> Cell:
    """Text that starts like a formula, prefixed with a single quote; numbers and dates as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_value(value: Cell):
    value = neutralise(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}" if value != int(value) else str(int(value))
    return "" if value is None else value


def csv_chunks(header: list[str], rows: Iterable[list[Cell]]) -> Iterator[str]:
    """The CSV in pieces of CHUNK_ROWS rows, the BOM first: a response streams it as the rows come."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow([_csv_value(h) for h in header])
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(v) for v in row])
        if n % CHUNK_ROWS == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def xlsx_bytes(title: str, header: list[str], rows: Iterable[list[Cell]]) -> bytes:
    """One sheet, header row bold-free and frozen; text always stored as text, never a formula."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, h) for h in header])
    for row in rows:
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) else _plain(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
    return cell


def _plain(value: Cell):
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return clean[:31] or "Sheet"


CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
