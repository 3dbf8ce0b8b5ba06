"""The pages around the jobs: one's own quiet hours, the programs' webhooks (a secret shown once),
and where a job's notification leads (never to a page that answers 403)."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Notification, NotificationKind, Placement, ProgramWebhook, User
from lms.services.quiet_hours import held_until
from tests.conftest import login
from tests.job_helpers import enrolled_on, notes, twice
from tests.test_job_training import START, at, first_due

ZONE = "Asia/Shanghai"


def test_quiet_hours_that_run_past_midnight_end_the_next_morning():
    evening, morning = time(22), time(7)
    assert held_until(evening, morning, datetime(2026, 11, 27, 13, 59), ZONE) is None  # 21:59 local
    assert held_until(evening, morning, datetime(2026, 11, 27, 14, 0), ZONE) == datetime(2026, 11, 27, 23, 0)
    assert held_until(evening, morning, datetime(2026, 11, 27, 22, 59), ZONE) == datetime(2026, 11, 27, 23, 0)
    assert held_until(evening, morning, datetime(2026, 11, 27, 23, 0), ZONE) is None  # 07:00 local: over
    assert held_until(time(9), time(17), datetime(2026, 11, 27, 3, 0), ZONE) == datetime(2026, 11, 27, 9, 0)
    assert held_until(None, None, datetime(2026, 11, 27, 3, 0), ZONE) is None


def test_a_person_sets_their_quiet_hours_and_bad_input_is_refused(app, client, make_user):
    user = make_user("trainee")
    login(client, user)
    page = client.get("/account/notifications")
    assert page.status_code == 200 and "Quiet hours" in page.get_data(as_text=True)
    assert "Times are China Time." in page.get_data(as_text=True)  # the zone as people name it
    half = client.post_form("/account/notifications", {"quiet_start": "22:00", "quiet_end": ""})
    assert half.status_code == 400 and "Give both the start and the end" in half.get_data(as_text=True)
    same = client.post_form("/account/notifications", {"quiet_start": "08:00", "quiet_end": "08:00"})
    assert same.status_code == 400 and "must differ" in same.get_data(as_text=True)
    junk = client.post_form("/account/notifications", {"quiet_start": "25:99", "quiet_end": "07:00"})
    assert junk.status_code == 400
    saved = client.post_form("/account/notifications", {"quiet_start": "22:00", "quiet_end": "07:30"})
    assert saved.status_code == 302
    with app.app_context():
        person = db.session.get(User, user.id)
        assert (person.quiet_start, person.quiet_end) == (time(22), time(7, 30))
    assert 'value="22:00"' in client.get("/account/notifications").get_data(as_text=True)
    assert client.post_form("/account/notifications", {"quiet_start": "", "quiet_end": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).quiet_start is None


def test_a_webhook_secret_is_shown_once_then_only_its_end(app, client, make_user, catalog):
    login(client, make_user("admin"))
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=bot-key-123"
    bad = client.post_form(f"/admin/webhooks/{catalog}", {"url": "ftp://relay", "active": "y"})
    assert bad.status_code == 400 and "https://" in bad.get_data(as_text=True)
    short = client.post_form(f"/admin/webhooks/{catalog}", {"url": url, "secret": "short", "active": "y"})
    assert short.status_code == 400
    made = client.post_form(f"/admin/webhooks/{catalog}", {"url": url, "active": "y"})
    html = made.get_data(as_text=True)
    with app.app_context():
        hook = db.session.get(ProgramWebhook, catalog)
        secret = hook.secret
        assert hook.url == url and hook.active and len(secret) >= 32
    assert made.status_code == 200 and secret in html and 'id="new-secret"' in html
    later = client.get("/admin/webhooks").get_data(as_text=True)
    assert secret not in later and secret[-4:] in later and "bot-key-123" not in later
    # saved again as shown (the key hidden): the address and the secret stay
    again = client.post_form(f"/admin/webhooks/{catalog}", {"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"})
    assert again.status_code == 200 and secret not in again.get_data(as_text=True)
    with app.app_context():
        hook = db.session.get(ProgramWebhook, catalog)
        assert hook.url == url and hook.secret == secret and not hook.active  # "Send messages" unticked
    typed = client.post_form(f"/admin/webhooks/{catalog}", {"url": url, "secret": "relay-given-secret-0001",
                                                            "active": "y"})
    assert "relay-given-secret-0001" not in typed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ProgramWebhook, catalog).secret == "relay-given-secret-0001"


def test_a_webhook_address_with_markup_spaces_or_a_bad_host_is_refused(app, client, make_user, catalog):
    login(client, make_user("admin"))
    for bad in ('https://relay.example.cn/"><script>alert(1)</script>', "https://relay.example.cn/a b",
                "https://relay.example.cn/'x'", "https://relay.example.cn/<b>", "https://-relay-.cn/hook",
                "https://relay.example.cn:99999/hook", "https:///hook", "https://relay.example.cn/%zz"):
        page = client.post_form(f"/admin/webhooks/{catalog}", {"url": bad, "active": "y"})
        html = page.get_data(as_text=True)
        assert page.status_code == 400, bad
        assert "no spaces, quotes or angle brackets" in html or "starting with https://" in html, bad
        assert "<script>alert(1)" not in html
    for internal in ("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook", "http://0.0.0.0/",
                     "http://224.0.0.1/hook", "http://[::ffff:169.254.169.254]/"):
        page = client.post_form(f"/admin/webhooks/{catalog}", {"url": internal, "active": "y"})
        assert page.status_code == 400 and "cannot be a relay" in page.get_data(as_text=True), internal
    with app.app_context():
        assert db.session.get(ProgramWebhook, catalog) is None
    for good in ("https://relay.example.cn/hook?key=a%20b&x=1", "http://10.0.0.5:8080/relay"):
        assert client.post_form(f"/admin/webhooks/{catalog}", {"url": good, "active": "y"}).status_code == 200


def test_a_job_notification_reads_in_the_readers_language_and_leads_to_its_page(app, client,
                                                                                 trainee_with_mentors):
    t = trainee_with_mentors
    assessment_id, due = first_due(app, t.enrollment_id)
    twice(app, "assessments_due", at(due - timedelta(days=1)))
    enrolled_on(app, t.enrollment_id, at(START - timedelta(days=14)))
    twice(app, "trainees_at_risk", at(START + timedelta(days=21), 8, 15))  # week 3, nothing done: at risk
    login(client, t.trainee)
    listing = client.get("/notifications").get_data(as_text=True)
    assert f"is due on {due.isoformat()}" in listing
    with app.app_context():
        mine = db.session.scalars(sa.select(Notification.id).where(Notification.user_id == t.trainee.id)).all()
    opened = client.get(f"/notifications/{mine[0]}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/me/assessments/{assessment_id}")
    assert client.get(opened.headers["Location"]).status_code == 200
    with client.session_transaction() as sess:
        sess["locale"] = "zh_CN"
    login(client, t.ai)
    with app.app_context():
        db.session.get(User, t.ai.id).locale = "zh_CN"
        db.session.commit()
    zh = client.get("/notifications").get_data(as_text=True)
    assert "可能存在掉队风险" in zh and "两周内无学习记录" in zh
    with app.app_context():
        risk = db.session.scalar(sa.select(Notification.id).where(Notification.user_id == t.ai.id))
    target = client.get(f"/notifications/{risk}").headers["Location"]
    assert target.endswith(f"/mentor/trainees/{t.enrollment_id}") and client.get(target).status_code == 200


def test_a_notification_about_what_is_no_longer_yours_goes_back_to_the_list(app, client, trainee_with_mentors,
                                                                             make_user):
    from tests.buffer_fixtures import place

    t = trainee_with_mentors
    with app.app_context():
        pid = place(db.session, t.enrollment_id, START)
    twice(app, "buffer_checkins", at(START + timedelta(days=7), 9))
    (coach, _, _), = notes(app)
    other = make_user("mentor", mentor_kind="business")
    with app.app_context():  # the person gets another coach
        db.session.get(Placement, pid).coach_id = other.id
        db.session.commit()
        note_id = db.session.scalar(sa.select(Notification.id))
    login(client, t.biz)
    answer = client.get(f"/notifications/{note_id}")
    assert answer.headers["Location"].endswith("/notifications")
    assert "not open to you any more" in client.get("/notifications").get_data(as_text=True)


def test_urgent_notifications_are_marked_in_the_list(app, client, make_user):
    reviewer = make_user("mentor", mentor_kind="ai", reviewer=True)
    with app.app_context():
        common = {"program_id": 1, "defect_id": 7, "clock": "response", "limit": 30}
        db.session.add_all([
            Notification(user_id=reviewer.id, kind=NotificationKind.DEFECT_SLA_BREACHED, params=common),
            Notification(user_id=reviewer.id, kind=NotificationKind.DEFECT_UPDATE,
                         params={"defect_id": 7, "state": "confirmed"})])
        db.session.commit()
    login(client, reviewer)
    listing = client.get("/notifications").get_data(as_text=True)
    assert listing.count(">Urgent</span>") == 1 and "Defect #7 is past its" in listing
