"""The channels: a weekly digest received through a real SMTP socket, a webhook whose signature
a local HTTP server checks, and quiet hours holding a reminder and releasing it after."""

import json
import threading
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from lms.extensions import db
from lms.models import DeliveryState, ProgramWebhook, User
from lms.services.sending import sign
from tests.job_helpers import deliveries, run
from tests.test_job_training import START, at, first_due

MONDAY = START + timedelta(days=21)  # week 3 of training


def test_the_weekly_digest_reaches_mentors_and_admins_by_email(app, mail_app, smtp_sink, trainee_with_mentors,
                                                                make_user):
    t = trainee_with_mentors
    admin = make_user("admin", name="Program Admin")
    result = run(mail_app, "weekly_digest", at(MONDAY, 7, 30))
    assert result.status == "ok" and result.counts["notifications"] == 3
    assert run(mail_app, "weekly_digest", at(MONDAY, 9)).status == "done"  # the same week's period
    sent = run(mail_app, "deliveries", at(MONDAY, 7, 31))
    assert sent.counts == {"sent": 3}, [d.last_error for d in deliveries(app)]
    messages = smtp_sink.wait(3)
    by_rcpt = {m["To"]: m for m in messages}
    assert set(by_rcpt) == {t.ai.email, t.biz.email, admin.email}
    mentor_mail = by_rcpt[t.ai.email]
    assert mentor_mail["Subject"].startswith("Reskill: Your week: 1 trainee")
    body = mentor_mail.get_content()
    assert "Trainees you coach: 1" in body and "Waiting for your grade: 0" in body
    admin_body = by_rcpt[admin.email].get_content()
    assert "C1 Cohort 1" in admin_body and "1 active" in admin_body
    assert all(d.state == DeliveryState.SENT for d in deliveries(app))
    assert run(mail_app, "deliveries", at(MONDAY, 7, 32)).counts == {}  # nothing sent twice
    assert len(smtp_sink.messages) == 3


class _Relay(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def relay():
    _Relay.received = []
    server = HTTPServer(("127.0.0.1", 0), _Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook?key=bot-key", _Relay.received
    server.shutdown()
    server.server_close()


SECRET = "s3cret-shared-with-the-relay"


def test_a_webhook_message_is_signed_over_the_timestamp_and_the_raw_body(app, relay, trainee_with_mentors,
                                                                          catalog):
    url, received = relay
    t = trainee_with_mentors
    with app.app_context():
        db.session.add(ProgramWebhook(program_id=catalog, url=url, secret=SECRET, active=True))
        db.session.commit()
    assessment_id, due = first_due(app, t.enrollment_id)
    now = at(due - timedelta(days=1))
    assert run(app, "assessments_due", now).counts["notifications"] >= 1
    assert run(app, "deliveries", now + timedelta(minutes=1)).counts["sent"] >= 1
    headers, body = received[0]
    stamp = headers["X-Reskill-Timestamp"]
    assert headers["X-Reskill-Signature"] == sign(SECRET, stamp, body)
    assert headers["X-Reskill-Signature"] != sign("another-secret-of-16+", stamp, body)
    assert headers["X-Reskill-Signature"] != sign(SECRET, str(int(stamp) + 1), body)  # the timestamp is signed
    payload = json.loads(body)
    assert payload["event"] == "assessment_due" and payload["urgent"] is False
    assert payload["recipient"]["email"] == t.trainee.email and "is due on" in payload["title"]
    assert payload["id"] == int(headers["X-Reskill-Delivery"])


def test_a_webhook_that_refuses_is_tried_again_later(app, trainee_with_mentors, catalog):
    t = trainee_with_mentors
    with app.app_context():
        db.session.add(ProgramWebhook(program_id=catalog, url="http://127.0.0.1:9/closed", secret=SECRET))
        db.session.commit()
    assessment_id, due = first_due(app, t.enrollment_id)
    now = at(due - timedelta(days=1))
    run(app, "assessments_due", now)
    assert run(app, "deliveries", now).counts.get("failed", 0) >= 1
    first = deliveries(app)[0]
    assert first.state == DeliveryState.PENDING and first.last_error and first.deliver_after > now


def test_quiet_hours_hold_a_reminder_and_release_it_after(app, mail_app, smtp_sink, trainee_with_mentors):
    t = trainee_with_mentors
    with app.app_context():
        trainee = db.session.get(User, t.trainee.id)
        trainee.quiet_start, trainee.quiet_end = time(22), time(9)  # on shift overnight
        db.session.commit()
    assessment_id, due = first_due(app, t.enrollment_id)
    morning = due - timedelta(days=1)
    assert run(mail_app, "assessments_due", at(morning, 8)).counts["held"] >= 1
    held = deliveries(app)
    assert held and all(d.held and d.deliver_after == at(morning, 9) for d in held)
    assert run(mail_app, "deliveries", at(morning, 8, 59)).counts == {}
    assert smtp_sink.messages == []
    assert run(mail_app, "deliveries", at(morning, 9)).counts["sent"] == len(held)
    assert smtp_sink.wait(len(held))[0]["To"] == t.trainee.email


def test_quiet_hours_set_after_queuing_hold_the_message_at_sending(app, mail_app, smtp_sink, trainee_with_mentors):
    t = trainee_with_mentors
    assessment_id, due = first_due(app, t.enrollment_id)
    morning = due - timedelta(days=1)
    run(mail_app, "assessments_due", at(morning, 8))
    with app.app_context():
        trainee = db.session.get(User, t.trainee.id)
        trainee.quiet_start, trainee.quiet_end = time(7), time(12)
        db.session.commit()
    assert run(mail_app, "deliveries", at(morning, 8, 1)).counts["held"] >= 1
    assert smtp_sink.messages == [] and all(d.deliver_after == at(morning, 12) for d in deliveries(app))


class _Redirecting(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        self.send_response(307)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("where", ["link-local", "redirect"])
def test_a_webhook_never_reaches_a_link_local_address_nor_follows_a_redirect(app, trainee_with_mentors, catalog,
                                                                             where):
    """A stored address that resolves to the metadata service, or a relay that redirects there:
    the message fails and waits for another try; nothing is sent there."""
    server = HTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = {"link-local": "http://169.254.169.254/latest/meta-data/",
           "redirect": f"http://127.0.0.1:{server.server_port}/hook"}[where]
    try:
        with app.app_context():
            db.session.add(ProgramWebhook(program_id=catalog, url=url, secret=SECRET, active=True))
            db.session.commit()
        assessment_id, due = first_due(app, trainee_with_mentors.enrollment_id)
        now = at(due - timedelta(days=1))
        run(app, "assessments_due", now)
        assert run(app, "deliveries", now).counts.get("sent", 0) == 0
        failed = [d for d in deliveries(app) if d.last_error]
        assert failed and all(d.state == DeliveryState.PENDING for d in failed)
        assert ("cannot be a relay" if where == "link-local" else "redirect") in failed[0].last_error
    finally:
        server.shutdown()
        server.server_close()
