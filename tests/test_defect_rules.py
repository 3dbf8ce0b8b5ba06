"""Agent defect rules, without HTTP: masking, the one severity scale, similar defects,
every triage move allowed and refused, duplicate credit, SLA clocks across a weekend and
a 调休 workday, the recurrence window at day 30 / 31."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.models import AgentDefect, AuditEvent, DefectReport, DefectState, Notification, User
from lms.services import Conflict, DomainError, defects
from lms.services.business_calendar import Calendar, WorkingHours
from lms.services.catalog_severity import fill_lesson
from lms.services.defect_rules import ALLOWED, DefectSettings, close_clock, response_clock
from lms.services.masking import mask
from tests.defect_fixtures import EXCERPT, log, placed

T0 = datetime(2026, 3, 9, 2, 0)  # Monday 10:00 in Shanghai (naive UTC)
S = DefectState


def test_masking_hides_a_phone_number_and_an_address_but_keeps_the_order_number():
    text = ("顾客：订单号 2026112712345678 还没到，我手机 139 1234 5678，座机 021-58881234，"
            "寄到上海市浦东新区张江路88弄12号1502室，收件人：李雷")
    masked = mask(text)
    assert "2026112712345678" in masked
    assert "139 1234 5678" not in masked and "139****5678" in masked
    assert "58881234" not in masked
    assert "张江路88弄" not in masked and "[地址已隐去]" in masked
    assert "李雷" not in masked
    assert mask("Customer: name: Li Lei, phone +86 139-1234-5678") == "Customer: name: **, phone 139****5678"


def test_the_unmasked_excerpt_never_reaches_the_database(app, trainee_with_mentors):
    pid = placed(app, trainee_with_mentors)
    with app.app_context():
        defect = log(db.session, pid, T0)
        db.session.commit()
        stored = db.session.execute(sa.text("SELECT excerpt FROM agent_defects WHERE id = :i"),
                                    {"i": defect.id}).scalar()
        assert "138-1234-5678" not in stored and "王小明" not in stored and "文三路" not in stored
        assert "TC-500-BLU" in stored and EXCERPT != stored


def test_severity_must_be_a_level_of_the_programs_scale(app, trainee_with_mentors):
    pid = placed(app, trainee_with_mentors)
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            log(db.session, pid, T0, severity="critical")
        assert refused.value.field == "severity"


def test_lesson_severity_tokens_follow_the_scale_and_an_unknown_level_fails_the_check():
    scale = [{"code": "high", "title": {"zh_CN": "高", "en": "high"}}]
    with_token = fill_lesson("严重程度：{severity:high}", "zh_CN", scale)
    assert with_token == ("严重程度：高", [])
    text, problems = fill_lesson("severity {severity:critical}", "en", scale)
    assert problems and "critical" in problems[0]
    assert fill_lesson("Log it, severity high.", "en", scale)[1]  # a level in words, not by code


def test_the_courses_scale_is_loaded_once_into_the_program(app, trainee_with_mentors):
    from tests.defect_fixtures import scale

    with app.app_context():
        assert [lv["code"] for lv in scale(db.session)] == ["high", "medium", "low"]


def test_similar_open_defects_are_shown_redacted_within_14_days(app, trainee_with_mentors):
    pid = placed(app, trainee_with_mentors)
    with app.app_context():
        first = log(db.session, pid, T0)
        log(db.session, pid, T0, type="wrong_answer")  # another type: not similar
        db.session.commit()
        settings = DefectSettings()
        found = defects.similar(db.session, first.agent_id, "misleading_promo", " 活动咨询 ", T0 + timedelta(days=14),
                                settings)
        assert [s.id for s in found] == [first.id]
        assert not hasattr(found[0], "excerpt")  # redacted: no excerpt of other people's customers
        assert defects.similar(db.session, first.agent_id, "misleading_promo", "活动咨询",
                               T0 + timedelta(days=14, seconds=1), settings) == []


def _defect(app, trainee_with_mentors, **extra):
    pid = placed(app, trainee_with_mentors)
    defect = log(db.session, pid, T0, **extra)
    db.session.commit()
    return defect


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_triage_move_is_allowed_or_refused_by_the_table(app, trainee_with_mentors, make_user, start, target):
    admin = make_user("admin")
    with app.test_request_context():
        defect = _defect(app, trainee_with_mentors)
        original = log(db.session, defect.placement_id, T0)
        defect.state = start
        db.session.flush()
        note = "不是缺陷" if target == S.REJECTED else ""
        dup = original if target == S.DUPLICATE else None
        if target in ALLOWED[start]:
            defects.transition(db.session, db.session.get(User, admin.id), defect, target.value, note,
                               duplicate_of=dup)
            assert defect.state == target
        else:
            with pytest.raises(DomainError):
                defects.transition(db.session, db.session.get(User, admin.id), defect, target.value, note,
                                   duplicate_of=dup)


def test_the_happy_path_and_a_failed_verification_back_to_in_fix(app, trainee_with_mentors, make_user):
    admin = make_user("admin")
    with app.test_request_context():
        defect = _defect(app, trainee_with_mentors)
        actor = db.session.get(User, admin.id)
        for target in ("confirmed", "in_fix", "fixed", "in_fix", "fixed", "verified"):
            defects.transition(db.session, actor, defect, target)
        db.session.commit()
        assert defect.state == S.VERIFIED and defect.verified_at is not None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "defect.transition")) == 6
        notes = db.session.scalars(sa.select(Notification).where(
            Notification.user_id == trainee_with_mentors.trainee.id, Notification.kind == "defect_update")).all()
        assert len(notes) == 6 and notes[-1].params == {"defect_id": defect.id, "state": "verified"}


def test_rejection_needs_a_reason_and_a_stale_page_is_refused(app, trainee_with_mentors, make_user):
    admin = make_user("admin")
    with app.test_request_context():
        defect = _defect(app, trainee_with_mentors)
        actor = db.session.get(User, admin.id)
        with pytest.raises(DomainError) as refused:
            defects.transition(db.session, actor, defect, "rejected", "  ")
        assert refused.value.field == "note"
        with pytest.raises(Conflict):
            defects.transition(db.session, actor, defect, "confirmed", expected="confirmed")


def test_a_duplicate_credits_its_reporters_on_the_original(app, trainee_with_mentors, make_user):
    admin = make_user("admin")
    other, colleague = make_user("trainee"), make_user("trainee")
    with app.test_request_context():
        defect = _defect(app, trainee_with_mentors)
        original = log(db.session, defect.placement_id, T0)
        original.reporter_id = other.id  # the original came from someone else
        defects.co_report(db.session, db.session.get(User, colleague.id), defect, "我也看到了 13812345678")
        db.session.flush()
        done = defects.mark_duplicates(db.session, db.session.get(User, admin.id), [defect.id], original.id)
        db.session.commit()
        assert done == 1 and defect.state == S.DUPLICATE and defect.duplicate_of_id == original.id
        credited = db.session.scalars(sa.select(DefectReport).where(DefectReport.defect_id == original.id)).all()
        assert {r.user_id for r in credited} == (defect.reporter_ids - {other.id})
        assert all(r.from_duplicate_id == defect.id for r in credited)
        assert all("13812345678" not in r.excerpt for r in credited)
        with pytest.raises(DomainError):  # never a duplicate of itself
            defects.transition(db.session, db.session.get(User, admin.id), original, "duplicate",
                               duplicate_of=original)


def test_a_co_reporter_cannot_join_twice(app, trainee_with_mentors, make_user):
    with app.test_request_context():
        defect = _defect(app, trainee_with_mentors)
        with pytest.raises(Conflict):
            defects.co_report(db.session, defect.reporter, defect, "again")


# --- SLA clocks -----------------------------------------------------------------

HOURS = WorkingHours("Asia/Shanghai")
WORKING = DefectSettings(working_hours=True, hours=HOURS)
CAL = Calendar({})


def _utc(local: str) -> datetime:
    return datetime.fromisoformat(local) - timedelta(hours=8)


def test_response_within_30_minutes_is_met_and_31_breached_in_calendar_time():
    created = _utc("2026-03-09 10:00")
    assert not response_clock(created, created + timedelta(minutes=30), created, DefectSettings(), None).breached
    assert response_clock(created, created + timedelta(minutes=31), created, DefectSettings(), None).breached
    running = response_clock(created, None, created + timedelta(minutes=45), DefectSettings(), None)
    assert running.breached and not running.done


def test_response_clock_stops_over_a_weekend_in_working_hours():
    created = _utc("2026-03-06 17:50")  # Friday 17:50; the office opens again Monday 09:00
    answered = _utc("2026-03-09 09:15")
    clock = response_clock(created, answered, answered, WORKING, CAL)
    assert clock.minutes == 25 and not clock.breached
    assert response_clock(created, answered, answered, DefectSettings(), None).breached  # calendar time: 63 h


def test_a_tiaoxiu_saturday_counts_as_a_workday():
    created = _utc("2026-02-13 17:50")  # Friday before the Spring Festival break
    answered = _utc("2026-02-14 09:25")  # Saturday 14 Feb 2026 is a make-up workday (调休)
    assert response_clock(created, answered, answered, WORKING, CAL).minutes == 35
    assert response_clock(created, answered, answered, WORKING, CAL).breached
    closed = _utc("2026-02-24 10:00")  # the holiday runs 15–23 Feb: no working time there
    clock = close_clock(True, created, closed, closed, WORKING, CAL)
    assert clock.minutes == 10 + 9 * 60 + 60 and not clock.breached
    assert close_clock(False, created, None, closed, WORKING, CAL) is None  # not complex: no close clock


def test_close_within_24_hours_at_the_boundary():
    created = _utc("2026-03-09 10:00")
    assert not close_clock(True, created, created + timedelta(hours=24), created, DefectSettings(), None).breached
    assert close_clock(True, created, created + timedelta(hours=24, seconds=1), created, DefectSettings(),
                       None).breached


# --- recurrence -----------------------------------------------------------------

@pytest.mark.parametrize("days,recurs", [(30, True), (31, False)])
def test_a_report_within_30_days_of_a_verified_fix_is_a_recurrence(app, trainee_with_mentors, make_user, days,
                                                                   recurs):
    admin = make_user("admin")
    with app.test_request_context():
        fixed = _defect(app, trainee_with_mentors)
        actor = db.session.get(User, admin.id)
        for target in ("confirmed", "in_fix", "fixed", "verified"):
            defects.transition(db.session, actor, fixed, target, now=T0 + timedelta(hours=1))
        again = log(db.session, fixed.placement_id, T0 + timedelta(days=days))
        other_intent = log(db.session, fixed.placement_id, T0 + timedelta(days=1), intent="退款进度")
        db.session.commit()
        assert again.recurrence_of_id == (fixed.id if recurs else None)
        assert other_intent.recurrence_of_id is None
        rate = defects.recurrence_rates(db.session)[fixed.agent_id]
        assert (rate.verified, rate.recurrences) == (1, 1 if recurs else 0)
        assert db.session.get(AgentDefect, again.id).recurrence_of_id == (fixed.id if recurs else None)


REVIEW_EXCERPT = ("客户张伟 手机 138 1234 5678，收货地址 浙江省杭州市西湖区文三路 90 号 3 单元 502 室，"
                  "订单 T202611200107。收件人：李娜")


def test_masking_hides_names_after_customer_labels_and_whole_address_runs_with_house_numbers():
    assert mask(REVIEW_EXCERPT) == "客户** 手机 138****5678，收货地址 [地址已隐去]，订单 T202611200107。收件人：**"
    assert mask("收件人是李娜") == "收件人是**"
    assert mask("地址 北京朝阳区建国路88号SOHO现代城A座1203") == "地址 [地址已隐去]"
    assert mask("联系人欧阳娜娜手机13812345678") == "联系人**手机138****5678"
    assert mask("顾客王小明来电，买家：赵六") == "顾客**来电，买家：**"
    assert mask("住址：上海市浦东新区张江路 100 弄 5 号 1201 室。") == "住址：[地址已隐去]。"
    assert mask("送货地址浙江省杭州市滨江区江南大道 3 号") == "送货地址[地址已隐去]"
    assert mask("客户说想退货，顾客：我要退货") == "客户说想退货，顾客：我要退货"  # words, not names


def test_masking_applies_to_intent_sku_kb_entry_and_platform_before_the_row_is_written(app, trainee_with_mentors):
    pid = placed(app, trainee_with_mentors)
    with app.app_context():
        defect = log(db.session, pid, T0, intent="客户张伟 138 1234 5678 退款", sku="收件人李娜 TC-500-BLU",
                     kb_entry="联系人王芳 13912345678", platform="千牛 顾客赵六")
        db.session.commit()
        row = db.session.execute(sa.text("SELECT intent, sku, kb_entry, platform, intent_key FROM agent_defects "
                                         "WHERE id = :i"), {"i": defect.id}).one()
        stored = " ".join(row)
        for secret in ("张伟", "1234 5678", "李娜", "王芳", "13912345678", "赵六"):
            assert secret not in stored
        assert "TC-500-BLU" in row.sku and "138****5678" in row.intent
        found = defects.similar(db.session, defect.agent_id, "misleading_promo", "客户张伟 138 1234 5678 退款",
                                T0, DefectSettings())
        assert [s.id for s in found] == [defect.id] and "张伟" not in found[0].intent


def test_a_repeat_of_a_verified_fix_is_a_recurrence_not_a_duplicate_and_the_rate_counts_standing_recurrences(
        app, trainee_with_mentors, make_user):
    admin = make_user("admin")
    with app.test_request_context():
        fixed = _defect(app, trainee_with_mentors)
        actor = db.session.get(User, admin.id)
        for target in ("confirmed", "in_fix", "fixed", "verified"):
            defects.transition(db.session, actor, fixed, target, now=T0 + timedelta(hours=1))
        first, second, third = (log(db.session, fixed.placement_id, T0 + timedelta(days=n)) for n in (2, 3, 4))
        assert first.recurrence_of_id == second.recurrence_of_id == third.recurrence_of_id == fixed.id
        with pytest.raises(DomainError) as refused:
            defects.transition(db.session, actor, first, "duplicate", duplicate_of=fixed)
        assert "复发" in refused.value.message and refused.value.field == "duplicate_of"  # zh: "a recurrence"
        with pytest.raises(DomainError):
            defects.mark_duplicates(db.session, actor, [first.id], fixed.id)
        assert first.state == S.NEW
        defects.transition(db.session, actor, second, "duplicate", duplicate_of=first)
        defects.transition(db.session, actor, third, "rejected", note="不是同一个问题")
        db.session.commit()
        rate = defects.recurrence_rates(db.session)[fixed.agent_id]
        assert (rate.verified, rate.recurrences) == (1, 1)
