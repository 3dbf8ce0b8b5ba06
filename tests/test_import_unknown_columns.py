"""A column an import does not read (a misspelt 邮相, an extra "Phone") is never dropped
silently: the file is previewed first, naming the column in the reader's language, and is
imported only when the admin confirms; missing required columns are still refused."""

import io

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import Enrollment, User
from lms.services import cohorts as cohort_service
from lms.services import people as people_service
from lms.services.import_files import csv_rows, ignored_columns
from tests.conftest import login
from tests.test_intake_files import _confirm

PEOPLE = """邮箱,姓名,角色,Phone,邮相
li.na@example.com,李娜,学员,13800000000,x
"""
ROSTER = """email,name,target_role,Phone
new.one@example.com,新学员一,collab_cs,13800000000
"""


def _upload(client, url, text, name="file.csv"):
    return client.post_form(url, {"file": (io.BytesIO(text.encode()), name)}, content_type="multipart/form-data")


def _people(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "li.na@example.com"))


def test_ignored_columns_are_the_headings_no_import_column_matches():
    rows = csv_rows(PEOPLE)
    assert ignored_columns(rows, people_service.IMPORT_COLUMNS) == ["Phone", "邮相"]
    assert ignored_columns(csv_rows("email,name,role,,容量\n"), people_service.IMPORT_COLUMNS) == []  # 容量: capacity
    assert ignored_columns(csv_rows(ROSTER), cohort_service.IMPORT_COLUMNS) == ["Phone"]


@pytest.mark.parametrize("locale, warning", [
    ("en", "This import does not read the columns “Phone”, “邮相”: their values would be left out."),
    ("zh_CN", "本次导入不读取列“Phone”, “邮相”，其中的值不会被导入。"),
])
def test_people_import_names_unknown_columns_before_importing(app, make_user, client, locale, warning):
    login(client, make_user("admin", locale=locale))
    response = _upload(client, "/admin/people/import", PEOPLE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="ignored-columns"' in html and warning in html
    assert "This file is not UTF-8" not in html and "此文件不是 UTF-8" not in html  # the encoding was certain
    assert _people(app) == 0  # nothing written until the admin confirms
    response = _confirm(client, "/admin/people/import", html)
    assert response.status_code == 302 and _people(app) == 1  # importing without the column is possible


def test_a_file_whose_columns_are_all_known_imports_at_once(app, make_user, client):
    login(client, make_user("admin"))
    response = _upload(client, "/admin/people/import", "email,name,role\nli.na@example.com,李娜,trainee\n")
    assert response.status_code == 302 and _people(app) == 1


def test_missing_required_columns_are_still_refused_with_the_unknown_named(app, make_user, client):
    login(client, make_user("admin", locale="zh_CN"))
    response = _upload(client, "/admin/people/import", "邮相,姓名,角色\nli.na@example.com,李娜,学员\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="import-errors"' in html and "缺少列" in html
    assert "“邮相”" in html and _people(app) == 0


@pytest.mark.parametrize("locale, warning", [
    ("en", "This import does not read the column “Phone”"),
    ("zh_CN", "本次导入不读取列“Phone”"),
])
def test_cohort_csv_import_names_unknown_columns(app, make_cohort, make_user, client, locale, warning):
    cohort_id, _ = make_cohort(trainees=0)
    login(client, make_user("admin", locale=locale))
    url = f"/admin/cohorts/{cohort_id}/import"
    response = _upload(client, url, ROSTER)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and warning in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 0
    assert _confirm(client, url, html).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Enrollment.id))) == 1
