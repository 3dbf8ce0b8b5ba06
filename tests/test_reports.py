"""Gradebook, exports (CSV and XLSX round trips, formula neutralising), trainee dossiers,
charts, the SQL attainment rule and who may open any of it."""

import csv
import io
import re
import shutil
import zipfile
from datetime import date, datetime

import pytest
import sqlalchemy as sa
import yaml
from flask_babel import force_locale
from openpyxl import load_workbook

from lms import charts
from lms.export_files import csv_chunks, neutralise, xlsx_bytes
from lms.extensions import db
from lms.models import Assessment, Enrollment, Submission, SubmissionState, User
from lms.services.attainment_sql import scores_select
from lms.services.grading import attainment
from tests import report_fixtures as hand
from tests.buffer_fixtures import pass_tiers
from tests.conftest import COURSES_DIR, login
from tests.demo_data import load_demo

INJECTIONS = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


# --- the CSV-injection rule and the two file formats --------------------------------------


def test_cells_that_would_start_a_formula_are_neutralised():
    for text in INJECTIONS:
        assert neutralise(text) == "'" + text
    assert neutralise("王小明") == "王小明" and neutralise(-3) == -3 and neutralise(None) is None
    assert neutralise("a=b") == "a=b"
    for hidden in (" =1+1", "\n=1+1", "  @SUM(A1)", "＝1+1", "＋cmd"):  # spaces before, full-width signs
        assert neutralise(hidden) == "'" + hidden


def test_csv_and_xlsx_round_trip_chinese_names_and_neutralise_injections():
    header = ["姓名", "分数", "日期"]
    rows = [["王小明", 92.5, date(2026, 3, 2)], ["Zoë 李", 70, datetime(2026, 3, 2, 9, 30)]]
    rows += [[text, 1, None] for text in INJECTIONS]
    data = "".join(csv_chunks(header, iter(rows))).encode("utf-8")
    assert data.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[0] == header and read[1] == ["王小明", "92.5", "2026-03-02"] and read[2][0] == "Zoë 李"
    assert [r[0] for r in read[3:]] == ["'" + t for t in INJECTIONS]
    book = load_workbook(io.BytesIO(xlsx_bytes("花名册", header, rows)))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet.title == "花名册" and values[0] == header
    assert values[1][:2] == ["王小明", 92.5] and values[2][0] == "Zoë 李"
    assert [v[0] for v in values[3:]] == ["'" + t.replace("\r", "\n") for t in INJECTIONS]  # XML reads CR as LF
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(1, sheet.max_row + 1))


def test_numbers_and_times_are_written_alike_in_csv_and_xlsx():
    """Decimals lose their trailing zeros, floats show one decimal as the pages do, both formats
    the same; times to the whole minute, naive local, with a number format in XLSX."""
    from decimal import Decimal

    header = ["a", "b", "c", "d", "e", "f"]
    rows = [[Decimal("41.5000"), Decimal("7.0000"), Decimal("0.0125"), 92.55, 83.33333, datetime(2026, 3, 2, 9, 30, 41,
                                                                                                  123456)]]
    read = list(csv.reader(io.StringIO("".join(csv_chunks(header, iter(rows)))[1:], newline="")))
    assert read[1] == ["41.5", "7", "0.0125", "92.6", "83.3", "2026-03-02 09:30"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("t", header, rows))).active
    cells = [c for c in next(sheet.iter_rows(min_row=2))]
    assert [c.value for c in cells[:5]] == [41.5, 7, 0.0125, 92.6, 83.3]
    assert [str(c.value) for c in cells[:5]] == read[1][:5]
    assert cells[5].value == datetime(2026, 3, 2, 9, 30) and cells[5].number_format == "yyyy-mm-dd hh:mm"


def test_names_sort_by_pinyin():
    from lms.services.name_order import name_key

    assert sorted(["张三", "李四", "王五", "阿明"], key=name_key) == ["阿明", "李四", "王五", "张三"]
    assert sorted(["Zoe", "alice", "李四"], key=name_key) == ["alice", "李四", "Zoe"]


def test_a_long_csv_streams_in_pieces():
    pieces = list(csv_chunks(["n"], ([i] for i in range(1000))))
    assert len(pieces) > 3 and pieces[0].startswith("\ufeffn")


# --- charts -------------------------------------------------------------------------------


def test_charts_are_plain_svg_with_escaped_labels(app):
    with app.test_request_context():
        from flask import render_template_string

        chart = charts.bars([("<script>alert(1)</script>", 40.0, "40%"), ("数据处理能力", None, "—")], maximum=100,
                            unit="%", reference=(83, "参考 83%"))
        html = render_template_string('{% from "macros/charts.html" import chart %}{{ chart(c, "t", "标题", "说明") }}',
                                      c=chart)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<title id="t-t">标题</title>' in html and '<desc id="t-d">说明</desc>' in html
    assert 'role="img"' in html and 'class="reference"' in html and "http" not in html.replace(
        "http://www.w3.org/2000/svg", "")
    assert charts.fit("一二三四五六七八九十一二三四五六七八九十", 100).endswith("…")


def test_line_chart_leaves_gaps_for_missing_weeks():
    chart = charts.line([1, 2, 3, 4], [("a", [10.0, None, 30.0, 40.0])])
    assert len(chart.paths) == 2 and len(chart.rects) == 3


# --- attainment in SQL is the Python rule -------------------------------------------------------


def test_sql_attainment_equals_the_python_rule_on_the_demo(app):
    load_demo(app)
    with app.app_context():
        trainees = list(db.session.scalars(sa.select(Enrollment.trainee_id)))
        python = attainment(db.session, trainees)
        sql = {}
        for trainee_id, competency, score in db.session.execute(scores_select(sa.select(Enrollment.trainee_id))):
            sql[(trainee_id, competency)] = score
    compared = 0
    for trainee_id, scores in python.items():
        for competency, score in scores.items():
            assert sql.get((trainee_id, competency)) == (None if score is None else pytest.approx(score, abs=0.05))
            compared += score is not None
    assert compared >= 8  # the demo has graded work, dual sign-off and group work


# --- gradebook ----------------------------------------------------------------------------------


def _statements(client, count_queries, url):
    client.get(url)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(counter.statements), response.get_data(as_text=True)


def test_gradebook_cells_link_handed_in_work_and_cost_the_same_at_two_sizes(app, make_cohort, make_user, client,
                                                                          count_queries):
    login(client, make_user("admin"))
    counts = {}
    for n in (3, 60):
        cohort_id, ids = make_cohort(trainees=n, start=date(2026, 1, 5))
        with app.app_context():
            for i in ids[:2]:
                pass_tiers(db.session, db.session.get(Enrollment, i), ["foundation"])
            first = db.session.get(Enrollment, ids[0])
            drill = db.session.scalar(sa.select(Assessment.id).where(Assessment.code == "after-sales-casework"))
            draft = Submission(trainee_id=first.trainee_id, assessment_id=drill, attempt_no=2,
                               state=SubmissionState.DRAFT)
            db.session.add(draft)
            db.session.commit()
            draft_id = draft.id
        counts[n], html = _statements(client, count_queries, f"/admin/cohorts/{cohort_id}/gradebook")
        assert html.count('<th class="trainee" scope="row">') == min(n, 50)
        assert "/admin/submissions/" in html and f"/admin/submissions/{draft_id}\"" not in html
        assert ("of 60" in html) == (n == 60)
    assert counts[3] == counts[60]


def test_gradebook_filters_by_track_and_sorts_by_a_column(app, make_cohort, make_user, client):
    cohort_id, ids = make_cohort(trainees=3, start=date(2026, 1, 5))
    with app.app_context():
        e = db.session.get(Enrollment, ids[2])
        pass_tiers(db.session, e, ["foundation"])
        db.session.execute(sa.update(User).where(User.id == e.trainee_id).values(name="Zed Top"))
        db.session.commit()
        drill = db.session.scalar(sa.select(Assessment).where(Assessment.code == "takeover-and-defect-drill"))
        track_id, drill_id = drill.course.track_id, drill.id
    login(client, make_user("admin"))
    html = client.get(f"/admin/cohorts/{cohort_id}/gradebook?track={track_id}").get_data(as_text=True)
    assert html.count('<th class="col"') == 3  # the agent-operations track's three assessments
    html = client.get(f"/admin/cohorts/{cohort_id}/gradebook?sort=score&col={drill_id}&dir=desc").get_data(
        as_text=True)
    names = re.findall(r'<th class="trainee" scope="row"><a href="[^"]+">([^<]+)</a>', html)
    assert names[0] == "Zed Top"
    # no score comes last going up too (the others have none)
    html = client.get(f"/admin/cohorts/{cohort_id}/gradebook?sort=score&col={drill_id}").get_data(as_text=True)
    assert re.findall(r'<th class="trainee" scope="row"><a href="[^"]+">([^<]+)</a>', html)[0] == "Zed Top"
    assert client.get(f"/admin/cohorts/{cohort_id}/gradebook?sort=nope&track=x&page=zz").status_code == 200
    assert client.get("/admin/cohorts/999999/gradebook").status_code == 404


def test_gradebook_sorts_chinese_names_by_pinyin_and_hides_columns_nobody_took(app, make_cohort, make_user, client,
                                                                                 count_queries):
    cohort_id, ids = make_cohort(trainees=4, start=date(2026, 1, 5))
    with app.app_context():
        for i, name in zip(ids, ["张三", "李四", "王五", "阿明"], strict=True):
            db.session.execute(sa.update(User).where(User.id == db.session.get(Enrollment, i).trainee_id)
                               .values(name=name))
        pass_tiers(db.session, db.session.get(Enrollment, ids[0]), ["foundation"])
        db.session.commit()
        live = db.session.scalar(sa.select(sa.func.count(Assessment.id)).where(Assessment.archived_at.is_(None)))
    login(client, make_user("admin"))
    url = f"/admin/cohorts/{cohort_id}/gradebook"
    html = client.get(url).get_data(as_text=True)
    names = re.findall(r'<th class="trainee" scope="row"><a href="[^"]+">([^<]+)</a>', html)
    assert names == ["阿明", "李四", "王五", "张三"]
    shown = html.count('<th class="col"')
    assert 0 < shown < live and f"{live - shown} assessments not yet taken" in html
    html = client.get(url + "?dir=desc").get_data(as_text=True)
    assert re.findall(r'<th class="trainee" scope="row"><a href="[^"]+">([^<]+)</a>', html) == ["张三", "王五",
                                                                                                "李四", "阿明"]
    html = client.get(url + "?sort=passed&dir=desc").get_data(as_text=True)
    assert re.findall(r'<th class="trainee" scope="row"><a href="[^"]+">([^<]+)</a>', html)[:2] == ["张三", "阿明"]
    grades = _csv(client.get(f"/admin/cohorts/{cohort_id}/export/gradebook.csv"))
    assert [r[0] for r in grades[1:]] == ["阿明", "李四", "王五", "张三"]


def test_sorting_by_a_column_puts_no_score_last_both_ways():
    from types import SimpleNamespace as Row

    from lms.services.gradebook import sort_rows

    rows = [Row(id=i, name=n, best_on=b, passed=0) for i, (n, b) in enumerate(
        [("阿明", None), ("李四", 80.0), ("王五", 40.0), ("张三", None), ("Bo", 60.0)], start=1)]
    assert [r.name for r in sort_rows(rows, "score", False)] == ["王五", "Bo", "李四", "阿明", "张三"]
    assert [r.name for r in sort_rows(rows, "score", True)] == ["李四", "Bo", "王五", "阿明", "张三"]


# --- exports of the hand-counted cohort ---------------------------------------------------------------


@pytest.fixture
def cohort(app, make_cohort, make_user):
    return hand.build(app, make_cohort, make_user)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_exports_round_trip_and_neutralise(app, cohort, client, make_user):
    with app.app_context():
        trainee = db.session.get(Enrollment, cohort.enrollment_ids[0]).trainee
        trainee.name = "=王小明+1"
        db.session.commit()
    login(client, make_user("admin", locale="zh_CN"))
    base = f"/admin/cohorts/{cohort.cohort_id}/export"
    roster = _csv(client.get(f"{base}/roster.csv"))
    assert roster[0][:3] == ["姓名", "邮箱", "目标岗位"] and len(roster) == 10
    names = [r[0] for r in roster[1:]]
    assert "'=王小明+1" in names and "=王小明+1" not in names
    row = {r[0]: r for r in roster[1:]}["'=王小明+1"]
    assert "人机协同客服" in row and "基础客服" in row and "collab_cs" not in row
    seven = next(r for r in roster[1:] if r[1] == db_email(app, cohort.enrollment_ids[6]))
    assert "有风险" in seven and "15" in seven
    book = load_workbook(io.BytesIO(client.get(f"{base}/roster.xlsx").get_data()))
    first_column = [row[0].value for row in book.active.iter_rows()]
    assert book.active.max_row == 10 and "'=王小明+1" in first_column and "王小明" not in first_column
    grades = _csv(client.get(f"{base}/gradebook.csv"))
    with app.app_context():
        live = db.session.scalar(sa.select(sa.func.count(Assessment.id)).where(Assessment.archived_at.is_(None)))
    assert len(grades) == 10 and len(grades[0]) == 3 + 3 * live and "最高分" in grades[0][4]
    defects = _csv(client.get(f"{base}/defects.csv"))
    assert len(defects) == 8 and "138-1234-5678" not in "".join(map("".join, defects))  # stored masked
    contributions = _csv(client.get(f"{base}/contributions.csv"))
    assert len(contributions) == 3 and "已发放" in "".join(contributions[1] + contributions[2])
    audit = _csv(client.get("/admin/audit/export?action=outcome.training"))
    assert len(audit) == 4 and all("结果" in r[2] or r[2] for r in audit[1:])
    assert audit[0] == ["时间（中国时间）", "操作人", "发生了什么", "记录", "变更内容"]
    assert all("{" not in "".join(r) and "returned" not in r[4] and "：" in r[4] for r in audit[1:])
    assert all("原因：" in r[4] and "回到原岗位" not in r[3] and "的报名" in r[3] for r in audit[1:])
    for text in " ".join(map(" ".join, defects[:1] + contributions[:1])).split(","):
        assert "中国时间" in text or "时间" not in text  # every column of times names the zone
    assert defects[0][0] == "缺陷编号" and contributions[0][0] == "贡献编号"
    assert client.get("/admin/audit/export?format=csv&since=notadate").status_code == 400
    assert client.get(f"{base}/roster.pdf").status_code == 404 and client.get(f"{base}/people.csv").status_code == 404
    everyone = load_workbook(io.BytesIO(client.get("/admin/export/defects.xlsx").get_data()))
    assert everyone.active.max_row == 8


# Each hand-counted trainee's status (report_fixtures' table), as enrollment_state says it.
STATUSES = {"zh_CN": ["已完结：缓冲期完成", "缓冲期中", "已完结：已离职", "已完结：回到原岗位", "已完结：调往其他岗位",
                      "已于 2026-02-01 退出", "在训", "在训", "在训"],
            "en": ["Finished: Buffer completed", "In buffer period", "Finished: Left the company",
                   "Finished: Returned to the previous role", "Finished: Redeployed elsewhere", "Withdrawn 2026-02-01",
                   "In training", "In training", "In training"]}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_the_roster_export_says_where_each_enrollment_stands(app, cohort, client, make_user, locale):
    """Not "active" for everyone not withdrawn: in training, in buffer, finished with its outcome,
    withdrawn with its reason; and no two columns share a heading."""
    login(client, make_user("admin", locale=locale))
    base = f"/admin/cohorts/{cohort.cohort_id}/export"
    roster = _csv(client.get(f"{base}/roster.csv"))
    header = roster[0]
    assert len(set(header)) == len(header), header
    status, why = header.index("状态" if locale == "zh_CN" else "Status"), header.index(
        "退出原因" if locale == "zh_CN" else "Why withdrawn")
    by_email = {r[1]: r for r in roster[1:]}
    emails = [db_email(app, i) for i in cohort.enrollment_ids]
    assert [by_email[e][status] for e in emails] == STATUSES[locale]
    assert by_email[emails[5]][why] == "个人原因" and all(by_email[e][why] == "" for e in emails[:5])
    sheet = load_workbook(io.BytesIO(client.get(f"{base}/roster.xlsx").get_data())).active
    cells = {r[1].value: r[status].value for r in sheet.iter_rows(min_row=2)}
    assert [cells[e] for e in emails] == STATUSES[locale]
    if locale == "zh_CN":
        assert {"缓冲期结果原因", "未上岗结果原因", "落后或有风险的原因"} <= set(header) and "原因" not in header


def test_the_cohort_roster_shows_and_filters_where_each_enrollment_stands(app, cohort, client, make_user):
    login(client, make_user("admin"))
    url = f"/admin/cohorts/{cohort.cohort_id}"
    html = client.get(url).get_data(as_text=True)
    for text in STATUSES["en"]:
        assert text in html
    assert ">Active<" not in html
    names = {}
    with app.app_context():
        for i in cohort.enrollment_ids:
            names[i] = db.session.get(Enrollment, i).trainee.name
    for status, expected in (("in_training", [6, 7, 8]), ("in_buffer", [1]), ("finished", [0, 2, 3, 4]),
                             ("withdrawn", [5]), ("active", [0, 1, 2, 3, 4, 6, 7, 8])):
        page = client.get(f"{url}?status={status}").get_data(as_text=True).split('id="roster"', 1)[1]
        shown = {n for i, n in names.items() if f"/admin/enrollments/{i}\"" in page}
        assert shown == {names[cohort.enrollment_ids[k]] for k in expected}, status


def _gradebook_rows(html: str) -> list[str]:
    return html.split('<th class="trainee" scope="row">')[1:]


def test_training_over_is_not_overdue_in_the_gradebook_and_its_export(app, cohort, client, make_user):
    """Trainee 4 returned to her role with only foundation passed: her advanced work is not
    overdue; trainee 7 (training extended) and 8 (one assessment missing) are still training."""
    login(client, make_user("admin"))
    html = client.get(f"/admin/cohorts/{cohort.cohort_id}/gradebook").get_data(as_text=True)
    emails = [db_email(app, i) for i in cohort.enrollment_ids]
    with app.app_context():
        names = [db.session.get(Enrollment, i).trainee.name for i in cohort.enrollment_ids]
    rows = {next(n for n in names if f">{n}</a>" in r): r.split("</tr>", 1)[0] for r in _gradebook_rows(html)}
    for index in (0, 1, 2, 3, 4, 5):  # placed, finished or withdrawn
        assert "Overdue" not in rows[names[index]], index
    assert "Not taken (training over)" in rows[names[3]] and "Finished: Returned to the previous role" in rows[
        names[3]]
    assert "Overdue" in rows[names[7]] and "In training" not in rows[names[7]]
    assert "1 attempt<" in html or "1 attempt ·" in html
    assert not re.search(r"\b1 attempts\b", html)
    login(client, make_user("admin", locale="zh_CN"))
    grades = _csv(client.get(f"/admin/cohorts/{cohort.cohort_id}/export/gradebook.csv"))
    assert grades[0][5].endswith("提交次数") and "提交记录" not in "".join(grades[0])
    by_email = {r[1]: r for r in grades[1:]}
    assert "已逾期" not in by_email[emails[3]] and "未参加（培训已结束）" in by_email[emails[3]]
    assert "已逾期" in by_email[emails[7]]
    statuses = [cell for r in grades[1:] for cell in r[3::3]]
    assert any("（逾期提交）" in c for c in statuses) and not any("(" in c for c in statuses)


def db_email(app, enrollment_id):
    with app.app_context():
        return db.session.get(Enrollment, enrollment_id).trainee.email


# --- dossier ------------------------------------------------------------------------------------------


def test_dossier_page_has_the_whole_record(app, cohort, client, make_user):
    login(client, make_user("admin", locale="zh_CN"))
    nine = cohort.enrollment_ids[8]
    html = client.get(f"/admin/enrollments/{nine}/dossier").get_data(as_text=True)
    assert "好" in html and html.count('class="attempt') == 15 and "/admin/submissions/" in html
    two = client.get(f"/admin/enrollments/{cohort.enrollment_ids[1]}/dossier").get_data(as_text=True)
    assert 'id="dossier-checkins"' in two and "情绪化客户" in two and "售后二组" in two
    three = client.get(f"/admin/enrollments/{cohort.enrollment_ids[2]}/dossier").get_data(as_text=True)
    assert "离职" in three.split('id="dossier-outcome"', 1)[1][:400]
    five = client.get(f"/admin/enrollments/{cohort.enrollment_ids[4]}/dossier").get_data(as_text=True)
    assert "暂无岗位" in five and "调往其他岗位" in five.split('id="dossier-outcome"', 1)[1][:300]
    assert client.get("/admin/enrollments/999999/dossier").status_code == 404
    assert "入营时间" in html and "入营人数" not in html and "时间均为中国时间" in html


def test_the_dossier_says_where_the_enrollment_stands(app, cohort, client, make_user):
    """A returned trainee, one in her buffer period and a withdrawn one are not "在训"."""
    login(client, make_user("admin", locale="zh_CN"))
    for index, expected in enumerate(STATUSES["zh_CN"]):
        html = client.get(f"/admin/enrollments/{cohort.enrollment_ids[index]}/dossier").get_data(as_text=True)
        status = html.split('id="dossier-status">', 1)[1].split("</td>", 1)[0]
        assert status.startswith(expected), (index, status)
        assert ("个人原因" in status) == (index == 5)  # the withdrawn one's reason



def test_the_audit_export_reads_like_the_audit_page_on_the_demo(app, client):
    """Every event of the demo: no JSON, no stored code, record by name, times with the zone."""
    load_demo(app)
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.com"))
    login(client, admin)
    for locale in ("zh_CN", "en"):
        with app.app_context():
            db.session.execute(sa.update(User).where(User.email == "admin@example.com").values(locale=locale))
            db.session.commit()
        rows = _csv(client.get("/admin/audit/export"))
        book = load_workbook(io.BytesIO(client.get("/admin/audit/export?format=xlsx").get_data())).active
        assert [c.value for c in book[1]] == rows[0] and book.max_row == len(rows) > 20
        assert ("中国时间" if locale == "zh_CN" else "China") in rows[0][0]
        assert isinstance(book.cell(row=2, column=1).value, datetime) and book.cell(row=2, column=1).value.second == 0
        for row in rows[1:]:
            assert not re.search(r"[{}\[\]]|\"\w+\":", row[4]), row  # no JSON
            assert not re.search(r"\b[a-z]+_[a-z_]+\b|a record|一条记录", " ".join(row[2:])), row  # no code
            assert not re.search(r"#(\d+)\D+#\1\b|#(\d+) #\2\b", row[3]), row  # a record's number once
        if locale == "zh_CN":  # a person's name is 姓名, a cohort's, an agent's or a group's 名称
            people = [r for r in rows[1:] if "创建了账号" in r[2]]
            things = [r for r in rows[1:]
                      if any(word in r[2] for word in ("添加了一个智能体", "创建了批次", "结业项目小组"))]
            assert people and all("姓名：" in r[4] and "名称：" not in r[4] for r in people)
            assert len(things) >= 4 and all("名称：" in r[4] and "姓名：" not in r[4] for r in things), things
            assert any(r[3].startswith("贡献 #") for r in rows[1:])


def test_cohort_dossiers_zip_holds_a_page_per_trainee(app, cohort, client, make_user):
    login(client, make_user("admin", locale="zh_CN"))
    response = client.get(f"/admin/cohorts/{cohort.cohort_id}/dossiers.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    assert len(names) == 10 and "H1/index.html" in names
    page = archive.read(next(n for n in names if n.endswith(".html") and "index" not in n)).decode()
    assert "<style>" in page and "/static/" not in page and "/admin/" not in page and "<script" not in page


# --- who may open reports ---------------------------------------------------------------------------


def test_only_admins_open_reports(app, make_cohort, make_user, client):
    cohort_id, (enrollment_id,) = make_cohort(trainees=1)
    urls = ["/admin/reports", f"/admin/cohorts/{cohort_id}/dashboard", f"/admin/cohorts/{cohort_id}/gradebook",
            f"/admin/cohorts/{cohort_id}/export/roster.csv", f"/admin/cohorts/{cohort_id}/export/gradebook.xlsx",
            "/admin/export/defects.csv", f"/admin/enrollments/{enrollment_id}/dossier",
            f"/admin/cohorts/{cohort_id}/dossiers.zip", "/admin/audit/export?format=xlsx"]
    for role, extra in (("mentor", {}), ("mentor", {"reviewer": True}), ("trainee", {}), ("lead", {})):
        login(client, make_user(role, **extra))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
    client.post_form("/auth/logout")
    for url in urls:
        assert "/auth/login" in client.get(url).headers.get("Location", "")
    login(client, make_user("admin"))
    assert all(client.get(url).status_code == 200 for url in urls)


def test_admin_home_and_cohort_page_link_to_the_reports(app, make_cohort, make_user, client):
    cohort_id, _ = make_cohort(trainees=1)
    login(client, make_user("admin"))
    assert 'href="/admin/reports"' in client.get("/admin/").get_data(as_text=True)
    html = client.get(f"/admin/cohorts/{cohort_id}").get_data(as_text=True)
    assert f'href="/admin/cohorts/{cohort_id}/dashboard"' in html and f"/admin/cohorts/{cohort_id}/gradebook" in html


# --- the program's reference figures --------------------------------------------------------------


def test_reference_figures_are_checked(app, tmp_path):
    from lms.services.catalog_files import load_catalog

    root = tmp_path / "courses"
    shutil.copytree(COURSES_DIR, root)
    path = root / "program.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["reference"] = {"transition_success_pct": 183, "colour": 1,
                         "baseline_attainment": {"charisma": {"below": 5}, "tool_use": {"around": 30}}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with app.app_context(), force_locale("en"):
        _spec, problems = load_catalog(root)
    text = "\n".join(map(str, problems))
    assert "reference.transition_success_pct: must be a whole number from 0 to 100" in text
    assert "reference.colour: unknown key" in text
    assert "reference.baseline_attainment.charisma: unknown competency" in text
    assert "reference.baseline_attainment.tool_use: must be {below: N} or {about: N}" in text


def test_a_cohort_code_in_chinese_or_with_a_path_names_downloads_safely(app, cohort, client, make_user):
    from lms.models import Cohort

    with app.app_context():
        db.session.get(Cohort, cohort.cohort_id).code = '../杭州 "Q4"'
        db.session.commit()
    login(client, make_user("admin", locale="zh_CN"))
    response = client.get(f"/admin/cohorts/{cohort.cohort_id}/export/roster.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.isascii() and 'filename="roster-.._' in disposition and ".csv\"" in disposition
    assert "filename*=UTF-8''roster-..%2F%E6%9D%AD%E5%B7%9E%20%22Q4%22.csv" in disposition
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/admin/cohorts/{cohort.cohort_id}/dossiers.zip").get_data()))
    for name in archive.namelist():  # one folder level, never "..", "/" or "\\" from the code
        folder, _, file = name.partition("/")
        assert folder not in ("", "..") and "/" not in file and "\\" not in name and folder.isascii()


def test_a_cohort_filter_out_of_range_is_not_found(app, cohort, client, make_user):
    """Not a 500 (an integer overflow), nor every cohort's figures under a cohort's name: 404."""
    login(client, make_user("admin"))
    assert client.get("/admin/reports?cohort=99999999999999999999999").status_code == 404
