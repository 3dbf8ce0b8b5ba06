"""The audit log as sentences in the reader's language, its filters, and UTF-8 JSON."""

import glob
import re
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import force_locale

from lms.extensions import db
from lms.models import AuditEvent, Cohort, Program, User
from lms.services import audit_log
from lms.services import cohorts as cohort_service
from lms.services.audit import record
from tests.conftest import login


def _enroll_qian_qi(app, make_user, catalog):
    admin = make_user("admin", name="王敏")
    trainee = make_user("trainee", name="钱七")
    with app.app_context():
        actor = db.session.get(User, admin.id)
        cohort = cohort_service.create_cohort(db.session, actor, db.session.get(Program, catalog), {
            "code": "DEMO-2026", "name": "演示班", "start_date": date(2026, 9, 7)})
        enrollment, _ = cohort_service.enroll(db.session, actor, cohort, db.session.get(User, trainee.id),
                                              "collab_cs", "basic_cs")
        db.session.commit()
        return admin.id, trainee.id, cohort.id, enrollment.id


def _sentence(line) -> str:
    return line.template % {slot: ref.label for slot, ref in line.refs.items()}


def test_enrollment_reads_as_a_sentence_in_both_languages_with_links(app, make_user, catalog):
    admin_id, trainee_id, cohort_id, enrollment_id = _enroll_qian_qi(app, make_user, catalog)
    with app.test_request_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "enrollment.create"))
        with force_locale("zh_CN"):
            (line,) = audit_log.lines(db.session, [event])
            assert _sentence(line) == "王敏 为 钱七 报名 DEMO-2026"
        with force_locale("en"):
            (line,) = audit_log.lines(db.session, [event])
            assert _sentence(line) == "王敏 enrolled 钱七 in DEMO-2026"
        assert line.refs["actor"] == audit_log.Ref("王敏", "user", admin_id)
        assert line.refs["trainee"] == audit_log.Ref("钱七", "user", trainee_id)
        assert line.refs["cohort"] == audit_log.Ref("DEMO-2026", "cohort", cohort_id)


def test_every_action_the_services_record_has_a_sentence():
    used = set()
    for path in glob.glob("lms/services/*.py"):
        used |= set(re.findall(r'"((?:person|cohort|enrollment|baseline|mentor|submission|grade|catalog'
                               r'|placement|outcome|checkin|coach|agent|handoff|calendar)\.[a-z_]+)"',
                               open(path, encoding="utf-8").read()))
    assert used and used <= audit_log.SENTENCES.keys()


def test_an_unknown_action_reads_as_a_generic_sentence_not_its_code(app, make_user, catalog):
    _, _, cohort_id, _ = _enroll_qian_qi(app, make_user, catalog)
    with app.test_request_context():
        record(db.session, None, "cohort.teleport", "cohort", cohort_id)
        record(db.session, None, "widget.spin", "widget", 7)
        db.session.commit()
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.in_(
            ["cohort.teleport", "widget.spin"])).order_by(AuditEvent.id)).all()
        with force_locale("en"):
            first, second = (_sentence(line) for line in audit_log.lines(db.session, events))
        assert first == "The system changed DEMO-2026"
        assert "teleport" not in first and "widget" not in second and "spin" not in second
        assert second == "The system changed a record #7"


def test_filters_by_actor_action_kind_and_date(app, make_user, catalog):
    admin_id, _, cohort_id, _ = _enroll_qian_qi(app, make_user, catalog)
    with app.app_context():
        old = AuditEvent(actor_id=admin_id, action="cohort.update", subject_type="cohort", subject_id=cohort_id,
                         at=datetime(2026, 1, 10, 20, 0))  # 11 January in Shanghai
        db.session.add(old)
        db.session.commit()

        def actions(**kw):
            f = audit_log.AuditFilter(timezone="Asia/Shanghai", **kw)
            return sorted(e.action for e in db.session.scalars(audit_log.events(f)))

        assert actions(actor_id=admin_id) == ["cohort.create", "cohort.update", "enrollment.create"]
        assert actions(action="enrollment.create") == ["enrollment.create"]
        assert actions(subject_type="cohort") == ["cohort.create", "cohort.update"]
        assert actions(since=date(2026, 1, 11), until=date(2026, 1, 11)) == ["cohort.update"]
        assert actions(until=date(2026, 1, 10)) == []
        assert "cohort.update" not in actions(since=date(2026, 1, 12))


def test_json_is_stored_as_readable_utf8(app, make_user, catalog):
    _enroll_qian_qi(app, make_user, catalog)
    with app.app_context():
        record(db.session, None, "enrollment.withdraw", "enrollment", 1, after={"reason": "转岗"})
        db.session.commit()
        raw = db.session.execute(sa.text(
            "SELECT CAST(after AS TEXT) FROM audit_events WHERE action = 'enrollment.withdraw'")).scalar()
        assert "转岗" in raw and "\\u" not in raw


def test_audit_page_shows_sentences_with_links_and_filters(app, make_user, catalog, client):
    admin_id, trainee_id, cohort_id, enrollment_id = _enroll_qian_qi(app, make_user, catalog)
    with app.app_context():
        login(client, db.session.get(User, admin_id))
    html = client.get("/admin/audit").get_data(as_text=True)
    assert (f'<a href="/admin/people/{admin_id}">王敏</a> enrolled <a href="/admin/people/{trainee_id}">钱七</a> '
            f'in <a href="/admin/cohorts/{cohort_id}">DEMO-2026</a>') in html
    assert "enrollment.create" not in html.split('id="audit-filter"')[1].split("</form>")[1]  # no raw code
    filtered = client.get("/admin/audit?action=cohort.create").get_data(as_text=True)
    assert "created cohort" in filtered and " enrolled " not in filtered.split("</form>")[1]
    assert client.get("/admin/audit?since=not-a-date").status_code == 400
    with app.app_context():
        db.session.get(User, admin_id).locale = "zh_CN"
        db.session.commit()
    assert "为 <a" in client.get("/admin/audit").get_data(as_text=True)


def test_audit_page_query_count_does_not_grow_with_rows(app, make_user, catalog, client, count_queries):
    admin_id, *_ = _enroll_qian_qi(app, make_user, catalog)
    with app.app_context():
        login(client, db.session.get(User, admin_id))
    client.get("/admin/audit")
    with count_queries() as few:
        client.get("/admin/audit")
    for _ in range(5):
        _enroll_more = make_user("trainee")
        with app.app_context():
            cohort = db.session.scalar(sa.select(Cohort))
            cohort_service.enroll(db.session, db.session.get(User, admin_id), cohort,
                                  db.session.get(User, _enroll_more.id), "collab_cs", "basic_cs")
            db.session.commit()
    with count_queries() as many:
        client.get("/admin/audit")
    assert len(many.statements) == len(few.statements)
