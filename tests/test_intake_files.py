"""Onboarding a real intake: HR's files in the encodings offices write, with job titles, not codes."""

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.extensions import db
from lms.models import Enrollment, User

NAMES = ["迪丽努尔·阿不都", "O'Brien, Seán", "李娜"] + [f"学员{n:02d}" for n in range(27)]
ROLES = ["学员", "  Trainee ", "ＴＲＡＩＮＥＥ"]  # label, padded English label, full-width code
PEOPLE_HEADER = ["email", "name", "role", "mentor_kind", "capacity", "locale"]


def _people_rows(names=NAMES):
    return [[f"  Person.{n:02d}@Example.COM ", name, ROLES[n % 3], "", "", ["中文", "English", ""][n % 3]]
            for n, name in enumerate(names)]


def _csv(rows, header=PEOPLE_HEADER, newline="\r\n") -> str:
    def cell(value):
        return f'"{value}"' if any(c in value for c in ',"') else value
    return "".join(",".join(cell(v) for v in row) + newline for row in [header, *rows])


def _xlsx(rows, header=PEOPLE_HEADER) -> bytes:
    book = openpyxl.Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES = {
    "gb18030-excel": lambda rows, header=PEOPLE_HEADER: _csv(rows, header).encode("gb18030"),
    "utf-8-bom": lambda rows, header=PEOPLE_HEADER: _csv(rows, header).encode("utf-8-sig"),
    "utf-16": lambda rows, header=PEOPLE_HEADER: _csv(rows, header).encode("utf-16"),
    "xlsx": _xlsx,
}


def _upload(client, url, data, name):
    return client.post_form(url, {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _confirm(client, url, html, encoding=None, button="submit"):
    """Press a button of the preview's form, as the page holds it (optionally another encoding)."""
    fields = dict(re.findall(r'name="(confirm-(?:payload|filename|shown))" type="hidden" value="([^"]*)"', html))
    assert set(fields) == {"confirm-payload", "confirm-filename", "confirm-shown"}, "no preview form"
    chosen = encoding or re.search(r'<option selected value="([^"]+)"', html).group(1)
    data = {**fields, "confirm-csrf_token": client.csrf_token(), "confirm-encoding": chosen, f"confirm-{button}": "x"}
    return client.post(url, data=data)


def _import_via_web(client, url, data, name):
    response = _upload(client, url, data, name)
    if response.status_code == 200 and 'id="import-preview"' in response.get_data(as_text=True):
        response = _confirm(client, url, response.get_data(as_text=True))
    return response


def _names(app):
    with app.app_context():
        return {u.email: u.name for u in db.session.scalars(sa.select(User).where(User.email.like("person.%")))}


def _expected_names(names=NAMES):
    return {f"person.{n:02d}@example.com": name for n, name in enumerate(names)}


@pytest.mark.parametrize("kind", FILES)
def test_thirty_people_import_intact_through_the_web_and_again_change_nothing(app, login_as, kind):
    client, _ = login_as("admin")
    name = "员工名单.xlsx" if kind == "xlsx" else "员工名单.csv"
    data = FILES[kind](_people_rows())
    response = _import_via_web(client, "/admin/people/import", data, name)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert _names(app) == _expected_names()
    with app.app_context():
        locales = [u.locale for u in db.session.scalars(sa.select(User).where(User.email.like("person.%"))
                                                        .order_by(User.email))]
        assert locales[:3] == ["zh_CN", "en", "zh_CN"]
    again = _import_via_web(client, "/admin/people/import", data, name)
    assert again.status_code == 302
    assert "0 created, 0 updated, 30 unchanged" in client.get("/admin/people").get_data(as_text=True)


def test_a_gb18030_file_is_previewed_and_nothing_is_written_before_confirming(app, login_as):
    client, _ = login_as("admin")
    response = _upload(client, "/admin/people/import", FILES["gb18030-excel"](_people_rows()), "名单.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "GB18030" in html and "迪丽努尔·阿不都" in html
    assert "O&#39;Brien, Seán" in html and "person.00@example.com" in html
    assert _names(app) == {}


def test_a_big5_file_is_never_stored_as_mojibake(app, login_as):
    names = ["陳大文", "黃小明", "張美玲"]
    data = _csv([[f"person.{n:02d}@example.com", name, "trainee"] for n, name in enumerate(names)],
                ["email", "name", "role"]).encode("big5")
    client, _ = login_as("admin")
    preview = _upload(client, "/admin/people/import", data, "staff.csv").get_data(as_text=True)
    assert _names(app) == {}
    # Another encoding chosen, then Import pressed without looking: its preview comes first.
    response = _confirm(client, "/admin/people/import", preview, encoding="gb18030")
    assert response.status_code in (200, 400) and _names(app) == {}
    response = _confirm(client, "/admin/people/import", preview, encoding="big5", button="preview")
    assert response.status_code == 200 and "陳大文" in response.get_data(as_text=True) and _names(app) == {}
    response = _confirm(client, "/admin/people/import", response.get_data(as_text=True), encoding="big5")
    assert response.status_code == 302 and _names(app) == _expected_names(names)


def test_an_encoding_that_cannot_read_the_file_says_so_and_keeps_the_file(login_as):
    client, _ = login_as("admin")
    data = FILES["gb18030-excel"](_people_rows())
    preview = _upload(client, "/admin/people/import", data, "名单.csv").get_data(as_text=True)
    response = _confirm(client, "/admin/people/import", preview, encoding="utf-8", button="preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "cannot be read as UTF-8" in html and 'name="confirm-payload"' in html


def test_enrollment_with_chinese_job_titles_through_preview(app, make_cohort, login_as):
    cohort_id, _ = make_cohort(trainees=0)
    titles = ["基础客服", "订单处理专员", "物流信息录入员", "客服", "订单专员", "物流录入"]
    rows = [[f" Person.{n:02d}@Example.com", name, "AI训练师", titles[n % 6]] for n, name in enumerate(NAMES)]
    data = FILES["gb18030-excel"](rows, ["邮箱", "姓名", "目标岗位", "原岗位"])
    client, _ = login_as("admin")
    url = f"/admin/cohorts/{cohort_id}/import"
    preview = _upload(client, url, data, "批次名单.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "迪丽努尔·阿不都" in html and "Logistics data entry" in html
    assert _confirm(client, url, html).status_code == 302
    assert _names(app) == _expected_names()
    with app.app_context():
        sources = db.session.scalars(sa.select(Enrollment.source_role)).all()
        assert sorted({s.value for s in sources}) == ["basic_cs", "logistics_entry", "order_clerk"]
        assert {e.target_role.value for e in db.session.scalars(sa.select(Enrollment))} == {"ai_trainer"}


def test_xlsx_named_by_content_not_by_name(login_as):
    client, _ = login_as("admin")
    response = _upload(client, "/admin/people/import", _csv(_people_rows()).encode(), "people.xlsx")
    assert response.status_code == 400 and "not an Excel workbook" in response.get_data(as_text=True)


# --- command line -----------------------------------------------------------------


def test_cli_refuses_to_guess_names_the_file_then_imports_with_encoding(app, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(FILES["gb18030-excel"](_people_rows()))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["lms", "import-people", str(path), "--lang", "en"])
    assert refused.exit_code == 1
    assert refused.output.startswith(f"{path}: not UTF-8; it looks like gb18030")
    assert "run again with --encoding gb18030" in refused.output and _names(app) == {}
    done = runner.invoke(args=["lms", "import-people", str(path), "--encoding", "gb18030", "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert _names(app) == _expected_names()
    again = runner.invoke(args=["lms", "import-people", str(path), "--encoding", "gb18030", "--lang", "en"])
    assert "0 created, 0 updated, 30 unchanged" in again.output


def test_cli_reads_a_western_excel_file_with_its_encoding(app, tmp_path):
    names = ["Seán O'Connor", "O'Brien, Zoë", "Müller, Jürgen"]
    path = tmp_path / "west.csv"
    path.write_bytes(_csv([[f"person.{n:02d}@example.com", name, "Trainee"] for n, name in enumerate(names)],
                          ["email", "name", "role"]).encode("cp1252"))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["lms", "import-people", str(path)])
    assert refused.exit_code == 1 and str(path) in refused.output and "cp1252" in refused.output
    assert "不是 UTF-8" in refused.output  # the default locale, zh_CN, throughout
    assert runner.invoke(args=["lms", "import-people", str(path), "--encoding", "cp1252"]).exit_code == 0
    assert _names(app) == _expected_names(names)


def test_cli_enrolls_from_a_workbook_in_one_language(app, make_cohort, tmp_path):
    make_cohort(trainees=0, code="HZ-1")
    path = tmp_path / "intake.xlsx"
    path.write_bytes(_xlsx([[f"person.{n:02d}@example.com", name, "人机协同客服", "售前客服"]
                            for n, name in enumerate(NAMES)], ["email", "name", "target_role", "source_role"]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "enroll", "hz-1", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(str(path)) and re.search(r"[a-z]{3,}", result.output.replace(str(path), "")) \
        is None
    assert _names(app) == _expected_names()


def test_cli_cohort_create(app, catalog):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "cohort", "create", "2026-HZ", "--name", "杭州秋季批次",
                                 "--start", "2026-09-07", "--lang", "en"])
    assert result.exit_code == 0 and "Cohort 2026-HZ created" in result.output
    again = runner.invoke(args=["lms", "cohort", "create", "2026-hz", "--name", "x", "--start", "2026-09-07"])
    assert again.exit_code == 1 and "代码" in again.output
    bad = runner.invoke(args=["lms", "cohort", "create", "X!", "--name", "x", "--start", "2026-09-07",
                              "--lang", "en"])
    assert bad.exit_code == 1 and "Code: Use 2–32 letters" in bad.output


def test_cli_help_lists_accepted_values(app):
    runner = app.test_cli_runner()
    text = runner.invoke(args=["lms", "enroll", "--help"]).output
    assert "basic_cs (客服" in text and "订单处理专员" in text and "--encoding" in text
    assert "trainee (学员" in runner.invoke(args=["lms", "import-people", "--help"]).output
    assert "YYYY-MM-DD" in runner.invoke(args=["lms", "cohort", "create", "--help"]).output


# --- what a value may look like ---------------------------------------------------


def test_unknown_value_names_row_column_value_and_labels(app_ctx, session, make_cohort):
    from lms.models import Cohort
    from lms.services.cohorts import import_enrollments

    make_cohort(trainees=0)
    cohort = session.scalar(sa.select(Cohort))
    text = "email,name,target_role,source_role\na@example.com,A,AI训练师,仓库经理\n"
    with force_locale("zh_CN"):
        (error,) = import_enrollments(session, None, cohort, text, apply=False).errors
        assert (error.row, error.field) == (2, "source_role")
        assert "“仓库经理”" in error.message and "基础客服、订单文员、物流数据录入、其他" in error.message
        assert "basic_cs" not in error.message
    with force_locale("en"):
        (error,) = import_enrollments(session, None, cohort, text, apply=False).errors
        assert "Basic customer service, Order clerk, Logistics data entry, Other" in error.message


def test_unknown_value_on_the_page_in_chinese(app, login_as):
    client, _ = login_as("admin", locale="zh_CN")
    text = "email,name,role\na@example.com,A,经理\n"
    html = _upload(client, "/admin/people/import", text.encode(), "p.csv").get_data(as_text=True)
    assert "<td>2</td><td>角色</td>" in html and "“经理”" in html and "管理员、导师、学员" in html


@pytest.mark.parametrize(("column", "written", "code"), [
    ("source_role", "  客服 ", "basic_cs"), ("source_role", "售前客服", "basic_cs"),
    ("source_role", "订单文员", "order_clerk"), ("source_role", "物流录入", "logistics_entry"),
    ("source_role", "Basic Customer Service", "basic_cs"), ("source_role", "ＢＡＳＩＣ＿ＣＳ", "basic_cs"),
    ("role", "管理员", "admin"), ("role", "ｍｅｎｔｏｒ", "mentor"), ("role", "Trainee", "trainee"),
    ("mentor_kind", "AI导师", "ai"), ("mentor_kind", "ＡＩ　导师", "ai"), ("mentor_kind", "业务导师", "business"),
    ("locale", "简体中文", "zh_CN"), ("locale", "英文", "en"), ("locale", "ENGLISH", "en"),
    ("locale", "zh_cn", "zh_CN"),
    ("target_role", "AI训练师", "ai_trainer"), ("target_role", "Intelligent operations specialist", "ops_specialist"),
])
def test_values_match_by_code_label_or_synonym_whatever_the_width(app_ctx, column, written, code):
    from lms.vocabulary import Vocabulary

    roles = {"ai_trainer": {"title": {"zh_CN": "AI训练师", "en": "AI trainer"}},
             "ops_specialist": {"title": {"zh_CN": "智能运营专员", "en": "Intelligent operations specialist"}}}
    assert Vocabulary(roles).code(column, written) == code


def test_no_word_means_two_codes(app_ctx):
    from lms.vocabulary import SYNONYMS, Vocabulary, _labels, key

    words = Vocabulary()
    for column, table in SYNONYMS.items():
        if column == "target_role":
            continue
        for code, synonyms in table.items():
            for word in (*synonyms, *_labels(column)[code].values()):
                assert words.code(column, word) == code, (column, word, key(word))
