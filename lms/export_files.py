"""Files for HR: CSV (UTF-8 with a BOM, so Excel reads Chinese as such) streamed row by row,
and XLSX (openpyxl, write-only). Every text cell a spreadsheet could run as a formula is
neutralised first (CSV injection): one rule for every export.
"""

import csv
import io
import math
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; tab and carriage return hide such a start from a reader's eye.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
BOM = "\ufeff"
CHUNK_ROWS = 200  # rows per piece of a streamed CSV

Cell = str | int | float | Decimal | date | datetime | None
# One rule for numbers in both formats: a float is a computed percentage or score, shown to one
# decimal as the pages show it; a Decimal keeps the places it is stored with (Numeric(14, 4)) but
# no trailing zeros: 41.5000 → 41.5, 7.0000 → 7.
FLOAT_PLACES = 1
DECIMAL_PLACES = 4
DATETIME_FORMAT = "%Y-%m-%d %H:%M"  # whole minutes, local time, as the pages show times
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"


def neutralise(value: Cell) -> Cell:
    """Text that starts like a formula (after any leading spaces, which spreadsheets skip; full-width
    signs too), prefixed with a single quote; numbers and dates as they are."""
    if isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)):
        return "'" + value
    return value


def number(value: float | Decimal) -> int | Decimal | None:
    """A float or Decimal as both formats write it: rounded (half up) to its places, trailing
    zeros dropped, a whole number as an int (None for a NaN or an infinity)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        exact, places = Decimal(repr(value)), FLOAT_PLACES
    else:
        if not value.is_finite():
            return None
        exact, places = value, DECIMAL_PLACES
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return rounded.normalize()


def minute(moment: datetime) -> datetime:
    """A datetime to the whole minute (the stored microseconds mean nothing to a reader)."""
    return moment.replace(second=0, microsecond=0)


def _csv_value(value: Cell):
    value = neutralise(value)
    if isinstance(value, datetime):
        return minute(value).strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (float, Decimal)):
        value = number(value)
        if value is None:
            return ""
        return format(value, "f") if isinstance(value, Decimal) else str(value)
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
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) else _plain(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
    return cell


def _plain(sheet, value: Cell):
    """Numbers by the CSV's rule; a datetime naive local to the minute, a date, each with a format."""
    if isinstance(value, (float, Decimal)):
        value = number(value)
        return float(value) if isinstance(value, Decimal) else value
    if isinstance(value, (date, datetime)):
        is_time = isinstance(value, datetime)
        if is_time:
            value = minute(value.replace(tzinfo=None))  # the exports pass local times; Excel has no zones
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME if is_time else XLSX_DATE
        return cell
    return value


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)
    return clean[:31] or "Sheet"


CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
