"""Fuzz of every import file (people, enrollments, hand-off events) with malformed input.

Whatever the bytes — random, truncated, in GB18030, UTF-16 or with a BOM, ragged rows,
huge or formula cells, a damaged workbook — reading the file either refuses it with an
ImportFileError or yields rows, and each import then answers with row errors or a clean
result: never another exception, and not one write statement when any row is bad.
"""

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lms.admin import imports as web_imports
from lms.extensions import db
from lms.models import Cohort, Enrollment
from lms.services import cohorts, handoffs, import_files, mentoring
from lms.services import people as people_service
from lms.services.buffer_clock import BufferSettings
from lms.services.import_files import ImportFileError, RowError
from tests.buffer_fixtures import place
from tests.fuzzing import fuzz, nasty_text

COLUMNS = ["email", "name", "role", "mentor_kind", "capacity", "locale", "target_role", "source_role",
           "external_id", "trainee", "agent", "flagged_at", "responded_at", "closed_at", "complex", "cross_team",
           "category", "邮箱", "姓名", "角色", "导师类型", "目标岗位", "Trainee email", "Flagged at", "ＥＭＡＩＬ"]
HEADERS = {
    "people": ["email", "name", "role", "mentor_kind", "capacity", "locale"],
    "enrollments": ["邮箱", "姓名", "目标岗位", "原岗位"],
    "handoffs": list(handoffs.COLUMNS),
}
WORDS = ["trainee", "mentor", "admin", "lead", "导师", "学员", "ai", "business", "业务导师", "AI导师", "zh_CN", "en",
         "English", "collab_cs", "人机协同客服", "ai_trainer", "basic_cs", "客服", "是", "否", "yes", "no", "√",
         "cs-bot", "小蜜客服助手", "10", "１０", "²", "0", "101", "-1", "8.0", "E1", "E2", "退款",
         "2026-02-03 10:00", "2026-02-03T10:30:00+08:00", "2026-02-03 09:00Z", "0001-01-01 00:00",
         "9999-12-31 23:59", "0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "2026-02-30 10:00",
         "2026/02/03 10:00", "2099-01-01 10:00", "1970-01-01", "=1+1", "=HYPERLINK(\"http://x\",\"y\")",
         "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "x" * 1001, "名" * 121]


def _emails(world) -> list[str]:
    return [*world["emails"], "new.one@example.com", "NEW.ONE@example.com", "new.two@example.com", "bad-email",
            "a@b", "李娜@例子.中国", " spaced@example.com ", "x" * 64 + "@" + "y" * 63 + "." + "z" * 63 + ".com",
            "x" * 64 + "@" + "y" * 63 + "." + "z" * 63 + "." + "w" * 58 + ".com"]  # 254 and 255 characters


def _cells(world):
    return st.one_of(st.sampled_from(WORDS), st.sampled_from(_emails(world)), nasty_text, st.just(""))


def _good_rows(world, i: int) -> dict[str, list[list[str]]]:
    """Per importer, whole rows that pass (row `i`: its own new email or event ID)."""
    trainee, mentor, enrolled = world["emails"][0], world["emails"][1], world["emails"][-1]
    return {
        "people": [[f"new{i}@example.com", "李娜", "trainee", "", "", "zh_CN"],
                   [f"NEW{i}@Example.com", "Amy", "导师", "AI导师", "１０", "English"],
                   [mentor, "Mentor", "mentor", "ai", "12", "en"],
                   [mentor, "Mentor", "学员", "", "", ""]],  # refused: they coach a trainee
        "enrollments": [[f"new{i}@example.com", "李娜", "人机协同客服", "客服"],
                        [enrolled, "Trainee", "ai_trainer", ""]],
        "handoffs": [[f"E{i}", trainee, "cs-bot", "2026-02-03 10:00", "2026-02-03 10:20", "", "是", "否", "退款"],
                     [f"e-{i}", trainee.upper(), "小蜜客服助手", "2026-02-13T12:00+08:00", "",
                      "2026-02-14 17:00", "no", "√", ""]],
    }


@st.composite
def tables(draw, world) -> list[list[str]]:
    """An importer's table of rows that pass with now and then a hostile cell, or a jumble
    of known and unknown headings with ragged rows."""
    hostile = _cells(world)
    kind = draw(st.sampled_from([*HEADERS, "jumble"]))
    if kind == "jumble":
        header = draw(st.lists(st.sampled_from(COLUMNS) | nasty_text, max_size=8))
        width = st.integers(0, len(header) + 2)
        rows = st.lists(width.flatmap(lambda n: st.lists(hostile, min_size=n, max_size=n)), max_size=6)
        return [header, *draw(rows)]
    rows = [list(draw(st.sampled_from(_good_rows(world, i)[kind]))) for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):  # a few cells go wrong, often none
        cells = rows[draw(st.integers(0, len(rows) - 1))]
        cells[draw(st.integers(0, len(cells) - 1))] = draw(hostile)
    if draw(st.sampled_from([False] * 5 + [True])):  # ragged: a row cut short or running on
        rows[-1] = rows[-1][: draw(st.integers(0, len(HEADERS[kind])))] + draw(st.lists(hostile, max_size=2))
    return [HEADERS[kind], *rows]


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:  # openpyxl will not write control characters; Excel would not either
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


xlsx_values = st.none() | st.booleans() | st.integers(-10**16, 10**16) | st.floats(allow_nan=False) | st.datetimes(
    min_value=datetime(1900, 3, 1), max_value=datetime(9999, 1, 1)) | st.dates(min_value=date(1900, 3, 1))


@st.composite
def files(draw, world) -> tuple[bytes, str]:
    """An import file as it may arrive: (bytes, file name)."""
    rows = draw(tables(world))
    how = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "big5", "cp1252", "xlsx", "xlsx-typed",
                                "bytes", "zip"]))
    if how == "bytes":
        data = draw(st.binary(max_size=300))
    elif how == "zip":  # a zip that claims to be a workbook, with garbage inside
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in draw(st.lists(st.sampled_from(["xl/workbook.xml", "[Content_Types].xml", "xl/_rels/x",
                                                       "xl/worksheets/sheet1.xml"]), min_size=1, unique=True)):
                archive.writestr(name, draw(st.binary(max_size=80)))
        data = buffer.getvalue()
    elif how.startswith("xlsx"):
        if how == "xlsx-typed":
            rows = [rows[0], *[[draw(xlsx_values) for _ in row] for row in rows[1:]]]
        data = _xlsx(rows)
    else:
        data = _csv(rows).encode(how, errors="replace")
    # Positions are drawn independently of the length: a workbook's size varies with the clock.
    mangle, at = draw(st.sampled_from(["none", "none", "truncate", "flip", "insert"])), draw(st.integers(0, 2**20))
    if mangle == "truncate" and data:
        data = data[: at % len(data)]
    elif mangle == "flip" and data:
        at %= len(data)
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    elif mangle == "insert":
        at %= len(data) + 1
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    name = draw(st.sampled_from(["people.csv", "people.xlsx", "名单.CSV", "", "x.xls"]))
    return data, name


@pytest.fixture
def world(app, make_cohort, trainee_with_mentors, make_user):
    """A placed trainee (hand-offs), mentors coaching a trainee, an admin, an open and a closed cohort."""
    t = trainee_with_mentors
    admin = make_user("admin")
    open_id, _ = make_cohort(trainees=1)
    closed_id, _ = make_cohort(trainees=1)
    with app.app_context():
        place(db.session, t.enrollment_id, date(2026, 2, 2))
        mentoring.auto_assign(db.session, None, db.session.get(Cohort, open_id))  # the mentors coach again
        cohorts.close_cohort(db.session, None, db.session.get(Cohort, closed_id))
        db.session.commit()
        enrolled = [e.trainee.email for e in db.session.query(Enrollment)]
    return {"emails": [t.trainee.email, t.ai.email, t.biz.email, admin.email, *enrolled],
            "open": open_id, "closed": closed_id}


def _read(data: bytes, name: str, encoding) -> "import_files.Source | None":
    try:
        return import_files.load(data, name, encoding)
    except ImportFileError as error:
        assert str(error.message)  # a message about the whole file
        return None


def _well_formed(errors: list) -> None:
    for error in errors:
        assert isinstance(error, RowError)
        assert isinstance(error.row, int) and isinstance(error.field, str) and str(error.message)


def _import_all(world, count_queries, source) -> None:
    """Each import on the same rows: row errors and no write, or a clean result; rolled back."""
    session = db.session
    runs = {
        "people": lambda: people_service.import_people(session, None, source),
        "enrollments": lambda: cohorts.import_enrollments(session, None, session.get(Cohort, world["open"]), source),
        "closed cohort": lambda: cohorts.import_enrollments(session, None, session.get(Cohort, world["closed"]),
                                                            source),
        "hand-offs": lambda: handoffs.import_events(session, None, source, BufferSettings()),
        "hand-offs in working hours": lambda: handoffs.import_events(session, None, source,
                                                                     BufferSettings(working_hours=True)),
    }
    for name, run in runs.items():
        try:
            with count_queries() as counter:
                report = run()
            _well_formed(report.errors)
            event(f"{name}: {'row errors' if report.errors else 'imported'}")
            if report.errors:
                assert counter.writes == [], (name, report.errors, counter.writes)
        finally:
            session.rollback()


@fuzz(60)
@given(data=st.data())
def test_any_import_file_gives_row_errors_or_a_clean_import_never_an_exception(app_ctx, world, count_queries, data):
    raw, name = data.draw(files(world))
    encoding = data.draw(st.none() | st.sampled_from([*import_files.ENCODINGS, "latin-1"]))
    source = _read(raw, name, encoding)
    if source is not None:
        assert all(isinstance(cell, str) for row in source.rows for cell in row)
        _import_all(world, count_queries, source)


@fuzz(40)
@given(data=st.data())
def test_any_table_of_cells_gives_row_errors_or_a_clean_import(app_ctx, world, count_queries, data):
    """The rows themselves (as the CLI and the web pass them after reading), with no file in the way."""
    _import_all(world, count_queries, data.draw(tables(world)))


@fuzz(40)
@given(events=st.lists(st.dictionaries(st.sampled_from([*handoffs.COLUMNS, "x"]),
                                       st.none() | st.booleans() | st.integers() | st.floats() | nasty_text
                                       | st.sampled_from(WORDS) | st.lists(st.integers(), max_size=2)),
                       max_size=4) | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2))
def test_any_json_hand_off_events_give_row_errors_or_a_clean_ingest(app_ctx, world, count_queries, events):
    try:
        with count_queries() as counter:
            report = handoffs.ingest(db.session, None, events, BufferSettings(working_hours=True))
        _well_formed(report.errors)
        if report.errors:
            assert counter.writes == []
    finally:
        db.session.rollback()


@fuzz(60)
@given(packed=st.text(max_size=60) | st.binary(max_size=200).map(lambda b: __import__("base64").b64encode(
    b).decode()) | st.binary(max_size=200).map(lambda b: web_imports.pack(b) or ""))
def test_a_preview_payload_sent_back_is_bytes_or_refused(packed):
    """The confirm form carries the file back from the browser: whatever comes back, no exception."""
    assert web_imports.unpack(packed) is None or isinstance(web_imports.unpack(packed), bytes)
