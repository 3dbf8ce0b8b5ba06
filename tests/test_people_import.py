"""CSV import of people: row-level errors, all or nothing, idempotent."""

import io

import sqlalchemy as sa

from lms.extensions import db
from lms.models import User
from lms.services import people as people_service

GOOD = """email,name,role,mentor_kind,capacity,locale
li.na@example.com,李娜,trainee,,,zh_CN
wang.gang@example.com,王刚,mentor,business,10,zh_CN
amy@example.com,Amy,mentor,ai,,en
"""

BAD_ROW = GOOD + "bad-email,坏行,trainee,,,zh_CN\n"


def _count(session) -> int:
    return session.scalar(sa.select(sa.func.count(User.id)))


def test_import_creates_people_and_defaults_capacity(session):
    report = people_service.import_people(session, None, GOOD)
    assert report.ok and report.created == 3
    amy = people_service.find_by_email(session, "AMY@example.com")
    assert amy.capacity == 8 and amy.mentor_kind.value == "ai" and amy.password_hash is None


def test_one_bad_row_imports_nothing_and_names_row_and_field(session):
    report = people_service.import_people(session, None, BAD_ROW)
    assert not report.ok
    assert [(e.row, e.field) for e in report.errors] == [(5, "email")]
    assert _count(session) == 0


def test_reimport_of_same_file_changes_nothing(session):
    people_service.import_people(session, None, GOOD)
    session.commit()
    report = people_service.import_people(session, None, GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_duplicate_emails_in_file_and_unknown_role(session):
    text = "email,name,role\na@example.com,A,trainee\nA@example.com,B,trainee\nc@example.com,C,boss\n"
    report = people_service.import_people(session, None, text)
    assert {(e.row, e.field) for e in report.errors} == {(3, "email"), (4, "role")}


def test_missing_columns_are_reported(session):
    report = people_service.import_people(session, None, "mail,name\nx@example.com,X\n")
    assert report.errors[0].field == "email, role"


def test_gbk_file_from_excel_is_detected_not_trusted():
    from lms.services.import_files import load

    source = load(GOOD.encode("gb18030"))
    assert not source.certain and source.candidates[0] == "gb18030" and source.rows[1][1] == "李娜"
    assert load("\ufeffemail".encode()).rows == [["email"]]


def test_import_page_shows_row_errors_and_writes_nothing(app, login_as):
    client, _ = login_as("admin")
    response = client.post_form(
        "/admin/people/import",
        {"file": (io.BytesIO(BAD_ROW.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="import-errors"' in html and "<td>5</td><td>Email</td>" in html
    with app.app_context():
        assert _count(db.session) == 1  # only the admin


def test_import_page_good_file(app, login_as):
    client, _ = login_as("admin")
    response = client.post_form(
        "/admin/people/import",
        {"file": (io.BytesIO(GOOD.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        assert _count(db.session) == 4


def test_import_page_refuses_other_file_types(login_as):
    client, _ = login_as("admin")
    response = client.post_form(
        "/admin/people/import",
        {"file": (io.BytesIO(b"\x89PNG"), "photo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and ".csv" in response.get_data(as_text=True)


def test_cli_import_all_or_nothing(app, tmp_path):
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(BAD_ROW, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "import-people", str(bad), "--lang", "en"])
    assert result.exit_code == 1
    assert f"{bad}: line 5: Email:" in result.output and f"{bad}: nothing imported" in result.output
    result = runner.invoke(args=["lms", "import-people", str(good), "--lang", "en"])
    assert result.exit_code == 0 and "3 created" in result.output
    result = runner.invoke(args=["lms", "import-people", str(good), "--lang", "en"])
    assert f"{good}: 0 created, 0 updated, 3 unchanged" in result.output


def test_a_file_over_the_row_limit_is_refused_whole(session):
    from lms.services.import_files import MAX_ROWS as MAX_CSV_ROWS

    rows = "".join(f"p{n}@example.com,P {n},trainee,,,zh_CN\n" for n in range(MAX_CSV_ROWS + 1))
    report = people_service.import_people(session, None, "email,name,role,mentor_kind,capacity,locale\n" + rows)
    assert not report.ok and [e.row for e in report.errors] == [MAX_CSV_ROWS + 2]


def test_a_coaching_mentors_role_changed_by_import_is_a_row_error_and_nothing_is_written(app, trainee_with_mentors):
    """Found by the fuzz (tests/test_fuzz_imports.py): this raised from the middle of the import
    (a 500 on the page) instead of naming the row."""
    mentor = trainee_with_mentors.ai
    text = ("email,name,role,mentor_kind,capacity,locale\nfresh@example.com,新人,trainee,,,zh_CN\n"
            f"{mentor.email},{mentor.name},trainee,,,en\n{trainee_with_mentors.biz.email},B,mentor,ai,10,en\n")
    with app.app_context():
        users = _count(db.session)
        report = people_service.import_people(db.session, None, text)
        assert [(e.row, e.field) for e in report.errors] == [(3, "role"), (4, "role")]
        assert _count(db.session) == users


def test_the_import_page_names_the_coaching_mentors_row(app, trainee_with_mentors, login_as):
    client, _ = login_as("admin")
    mentor = trainee_with_mentors.ai
    text = f"email,name,role\n{mentor.email},{mentor.name},trainee\n"
    response = client.post_form("/admin/people/import", {"file": (io.BytesIO(text.encode()), "people.csv")},
                                content_type="multipart/form-data")
    assert response.status_code == 400
    assert "coaches 1 trainees" in response.get_data(as_text=True)
