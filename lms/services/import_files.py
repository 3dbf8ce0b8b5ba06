"""Import files (CSV in any of the encodings offices use, or an XLSX workbook) read into rows.

Text is decoded only when the encoding is certain (a UTF-8 or UTF-16 byte-order mark,
valid UTF-8) or named by a person; otherwise the candidates found by charset-normalizer
are returned and the caller asks (a preview on the web, --encoding on the command line).
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Optional

import charset_normalizer
from flask_babel import lazy_gettext as _l

from lms.services import DomainError
from lms.services.text import has_control_chars
from lms.vocabulary import header_codes, key

# What the encoding picker offers; detection only considers these.
ENCODINGS = ("utf-8", "gb18030", "big5", "utf-16", "cp1252")
_PYTHON_CODEC = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}  # a BOM is not part of the first heading
_DETECTED = {"gb18030": "gb18030", "big5": "big5", "cp1252": "cp1252", "utf_16": "utf-16"}
XLSX = "xlsx"
MAX_IMPORT_BYTES = 2 * 1024 * 1024  # an intake of ~120 people is a few dozen KB
MAX_XLSX_UNPACKED = 40 * 1024 * 1024  # a workbook is a zip: refuse one that unpacks to more
MAX_ROWS = 2000  # an intake is ~120 people; a file this size imports in seconds
MAX_COLUMNS = 50
MAX_CELL = 1000  # characters: more than any column holds, far below the csv module's 128 KiB


class ImportFileError(DomainError):
    """The file cannot be read at all (its message is about the whole file)."""


@dataclass
class RowError:
    row: int  # line number in the file; the header is line 1
    field: str
    message: str


@dataclass
class Source:
    """An import file as rows of cells, or still undecided text.

    `certain` is False when the encoding was detected, not known: rows are then the
    best guess, shown for a person to confirm before anything is written.
    """

    rows: list[list[str]]
    encoding: str  # one of ENCODINGS, or "xlsx"
    certain: bool = True
    candidates: list[str] = field(default_factory=list)


def is_xlsx(data: bytes) -> bool:
    """A zip holding a workbook part: the content decides, not the file name."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def load(data: bytes, filename: str = "", encoding: Optional[str] = None) -> Source:
    """Rows of a CSV or XLSX file; raises ImportFileError for a file that is neither."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(_l("is larger than %(mb)d MB", mb=MAX_IMPORT_BYTES // (1024 * 1024)))
    if is_xlsx(data):
        return Source(read_xlsx(data), XLSX)
    if data.startswith(b"\xd0\xcf\x11\xe0") or data.startswith(b"PK\x03\x04"):
        # An old .xls, or another zip: neither is text.
        raise ImportFileError(_l("is not a CSV or XLSX file; save it from Excel as .xlsx or CSV"))
    if filename.lower().endswith(".xlsx"):
        raise ImportFileError(_l("is named .xlsx but is not an Excel workbook"))
    return decode(data, encoding)


def decode(data: bytes, encoding: Optional[str] = None) -> Source:
    """CSV rows from bytes: certain for a BOM, valid UTF-8 or a chosen encoding, else detected."""
    if encoding:
        if encoding not in ENCODINGS:
            raise ImportFileError(_l("unknown encoding %(name)s", name=encoding))
        try:
            text = data.decode(_PYTHON_CODEC.get(encoding, encoding))
        except UnicodeDecodeError:
            raise ImportFileError(_l("cannot be read as %(name)s", name=encoding_name(encoding))) from None
        return Source(csv_rows(text), encoding)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return decode(data, "utf-16")
    try:
        return Source(csv_rows(data.decode("utf-8-sig")), "utf-8")
    except UnicodeDecodeError:
        pass  # not UTF-8: detection below decides, and asks when it has to guess
    candidates = detect(data)
    if not candidates:
        raise ImportFileError(_l("is not text in a known encoding (UTF-8, GB18030, Big5, UTF-16, Windows-1252)"))
    best = decode(data, candidates[0])
    return Source(best.rows, candidates[0], certain=False, candidates=candidates)


def detect(data: bytes) -> list[str]:
    """Encodings the bytes may be in, most likely first (only those the picker offers)."""
    matches = charset_normalizer.from_bytes(data, cp_isolation=list(_DETECTED))
    found = [_DETECTED[m.encoding] for m in matches if m.encoding in _DETECTED]
    return list(dict.fromkeys(found))


def encoding_name(encoding: str) -> str:
    return {"utf-8": "UTF-8", "gb18030": "GB18030", "big5": "Big5", "utf-16": "UTF-16",
            "cp1252": "Windows-1252", XLSX: "XLSX"}.get(encoding, encoding)


class _Rows(list):
    """CSV rows read so far, and the line the csv module could not read (if any)."""

    broken_at: Optional[int] = None
    too_long: bool = False


def csv_rows(text: str) -> list[list[str]]:
    rows = _Rows()
    reader = csv.reader(io.StringIO(text))  # a stray carriage return stays an error, as it was
    try:
        for record in reader:
            rows.append(record)
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:  # the reader cannot go on past a line it could not read
        rows.broken_at = len(rows) + 1
        rows.too_long = "field larger than field limit" in str(error)  # the csv module's own wording
    return rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float: capacity 10, not 10.0
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text (read-only mode: rows are streamed, not all loaded)."""
    import openpyxl  # imported here: only workbook uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise ImportFileError(_l("is a workbook too large to read"))
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(_l("is not a readable Excel workbook")) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for record in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append([_cell(v) for v in record])
            if len(rows) > MAX_ROWS + 1:
                break
        while rows and not any(rows[-1]):  # formatting can stretch a sheet past its data
            rows.pop()
        return rows
    finally:
        book.close()


def _cell_problem(value: str) -> Optional[str]:
    if has_control_chars(value):
        return str(_l("contains a control character"))
    if len(value) > MAX_CELL:
        return str(_l("is longer than %(max)d characters", max=MAX_CELL))
    return None


def ignored_columns(source: "Source | list[list[str]]", known: tuple[str, ...]) -> list[str]:
    """The headings (as written) of the columns an import does not read, so their values would
    be left out: shown before anything is written, never dropped silently. Empty headings
    are not columns anyone named."""
    records = source.rows if isinstance(source, Source) else source
    if not records:
        return []
    names = header_codes()
    return [h.strip() for h in records[0]
            if h.strip() and names.get(key(h), h.strip().lower()) not in known]


def read_table(
    source: "Source | str | list[list[str]]", required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Rows as (line, cells) keyed by column code, cells stripped, and every problem found.

    Headings may be the code, its label in either language or a synonym (lms/vocabulary.py).
    A cell holding a control character or over MAX_CELL characters is a row error (the
    row is left out); a line the csv module cannot read ends the reading with a row error.
    """
    records = source.rows if isinstance(source, Source) else csv_rows(source) if isinstance(source, str) else source
    if not records:
        return [], [RowError(1, "file", str(_l("no rows to import")))]
    names = header_codes()
    header = [names.get(key(h), h.strip().lower()) for h in records[0]]
    if any(has_control_chars(h) for h in header):  # e.g. a spreadsheet or archive renamed to .csv
        return [], [RowError(1, "file", str(_l("is not a CSV text file")))]
    missing = [c for c in required if c not in header]
    if missing:
        return [], [RowError(1, ", ".join(missing), str(_l("missing column")))]
    rows, errors = [], []
    for line, record in enumerate(records[1:], start=2):
        if line > MAX_ROWS + 1:  # one request must finish well inside a worker's timeout
            errors.append(RowError(line, "file", str(_l("more than %(n)d rows: split the file", n=MAX_ROWS))))
            break
        cells = {name: (value or "").strip() for name, value in zip(header, record, strict=False) if name}
        problems = [(k, p) for k, p in ((k, _cell_problem(v)) for k, v in cells.items()) if p]
        errors.extend(RowError(line, k, p) for k, p in problems)
        if any(cells.values()) and not problems:
            rows.append((line, cells))
    broken_at = getattr(records, "broken_at", None)
    if broken_at is not None:
        errors.append(RowError(broken_at, "file", str(
            _l("a field is too long (over %(kb)d KiB)", kb=csv.field_size_limit() // 1024) if records.too_long
            else _l("cannot be read as CSV (check quotes and line breaks)"))))
    return rows, errors
