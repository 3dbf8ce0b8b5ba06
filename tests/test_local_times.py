"""Times are stored in UTC and shown in the program's time zone, with its label."""

from datetime import datetime

from flask_babel import force_locale

from lms.templating import localtime


def test_a_stored_utc_time_shows_in_program_time_with_the_zone_label(app_ctx):
    moment = datetime(2026, 11, 26, 17, 30)  # 01:30 the next day in Shanghai
    with force_locale("zh_CN"):
        zh = str(localtime(moment))
    with force_locale("en"):
        en = str(localtime(moment))
    assert "2026-11-27 01:30" in zh and "中国时间" in zh
    assert "2026-11-27 01:30" in en and "China Time" in en
    assert 'datetime="2026-11-26T17:30:00Z"' in en


def test_no_template_formats_a_time_by_hand():
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    offenders = [str(p) for p in templates.rglob("*.html") if "strftime" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_audit_log_shows_local_time_not_utc(app, login_as):
    client, _ = login_as("admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "UTC" not in page
