"""Demo agent defects for `flask lms demo`, on the placed demo cohort: a dozen defects of
the demo agent across every triage state (two breaching the SLA, one recurrence after a
verified fix, one duplicate credited to the original with a co-reporter), the agent's
responsibility list with its history, and contributions in several states with one
approved award. A reviewer account (ops@example.com) triages. Same services as the
pages; idempotent."""
# ruff: noqa: E501  (the demo's conversation lines read best whole)

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Agent, AgentDefect, Placement, User
from lms.models.base import utcnow
from lms.services import contributions, defects, responsibility
from lms.services import people as people_service
from lms.services.award_rules import AwardSettings
from lms.services.defect_pages import scale_for
from lms.services.defect_rules import DefectSettings
from lms.services.demo import DEMO_PASSWORD

REVIEWER = {"email": "ops@example.com", "name": "王磊", "role": "mentor", "mentor_kind": "ai", "capacity": 1}
AGENT_CODE = "qianniu-cs-01"
REVIEW_ON = 90  # days from today to the quarterly review

# title, [(mode, boundary, why)...] — the e-commerce split: the agent answers the standard,
# people keep commitments, compensation, risk control, emotions and policy exceptions.
LIST = [
    ("标准咨询（商品、物流、售后政策）", [("ai_primary", "", "首版清单")]),
    ("订单状态查询", [("ai_primary", "物流超过48小时无更新转人工", "首版清单")]),
    ("商品参数查询", [("ai_primary", "", "首版清单")]),
    ("活动规则解释", [("ai_primary", "", "首版清单"),
                ("ai_drafts", "大促期间所有满减、叠券答复", "活动/SKU误导缺陷集中，改为AI生成—人工复核")]),
    ("退款与补偿", [("ai_drafts", "退款金额 > 500 元", "首版清单"),
               ("human_fallback", "退款金额 > 200 元或任何补偿", "大额退款误答两次，边界下调并改为人工兜底")]),
    ("承诺类答复（时效、赔付）", [("human_fallback", "任何承诺", "首版清单")]),
    ("风控（疑似欺诈、账号安全）", [("human_fallback", "全部", "首版清单")]),
    ("情绪安抚与投诉", [("human_fallback", "识别到负面情绪即转人工", "首版清单")]),
    ("政策例外", [("human_fallback", "全部", "首版清单")]),
]

BASE = {"platform": "千牛", "severity": "medium"}
# (hours ago, values, moves [(target, note, hours after logging)])
DEFECTS = [
    (3, {"type": "wrong_answer", "intent": "价保咨询", "excerpt": "[14:02] 顾客：买了3天降价了能价保吗？\n[14:02] 智能体：本店不支持价保哦",
         "agent_said": "本店不支持价保", "should_say": "本店支持15天价保，请在订单页申请。", "severity": "high"}, []),
    (0.2, {"type": "missed_answer", "intent": "运费与退款时效", "excerpt": "[16:40] 顾客：退货运费谁出？退款几天到？\n[16:40] 智能体：退货运费由本店承担~",
           "agent_said": "只回答了运费", "should_say": "退货运费由本店承担；退款在收到退货后1–3个工作日原路退回。"}, []),
    (5, {"type": "slow_response", "intent": "活动咨询", "excerpt": "[20:00] 顾客：满300减50还有吗？（40秒后智能体才回复）",
         "agent_said": "（40秒无回复）", "should_say": "大促高峰应在5秒内给出建议回复。", "severity": "low"},
     [("confirmed", "", 0.3)]),
    (30, {"type": "misleading_promo", "intent": "满减规则", "sku": "TC-500-BLU",
          "excerpt": "[20:31] 顾客：这个保温杯 TC-500-BLU 参加满300减50吗？电话 13812345678\n[20:31] 智能体：参加的！",
          "agent_said": "参加满300减50", "should_say": "这款保温杯不参加当前满300减50活动。", "severity": "high"},
     [("confirmed", "", 0.4), ("in_fix", "知识库活动表缺少品类排除", 1)]),
    (50, {"type": "bad_handoff", "intent": "要求人工", "excerpt": "[11:02] 顾客：转人工！\n[11:03] 智能体：亲亲有什么可以帮您~",
          "agent_said": "继续发送套话", "should_say": "好的，马上为您转接人工客服。"},
     [("confirmed", "", 0.2), ("in_fix", "", 2), ("fixed", "转人工关键词表已更新", 20)]),
    (24 * 20, {"type": "wrong_answer", "intent": "发票开具", "excerpt": "[10:10] 顾客：能开专票吗？\n[10:10] 智能体：只能开普票",
               "agent_said": "只能开普票", "should_say": "可以开增值税专用发票，请在订单页提交开票信息。"},
     [("confirmed", "", 0.3), ("in_fix", "", 1), ("fixed", "知识库发票条目已更新", 10), ("verified", "抽查20条会话无误", 30)]),
    (24 * 12, {"type": "misleading_promo", "intent": "优惠券叠加", "excerpt": "[21:15] 顾客：店铺券和平台券能一起用吗？\n[21:15] 智能体：不能叠加哦",
               "agent_said": "不能叠加", "should_say": "店铺券和平台券可以叠加使用，以结算页为准。", "severity": "high"},
     [("confirmed", "", 0.2), ("in_fix", "", 1), ("fixed", "", 8), ("in_fix", "复核仍有误答，回到修复", 12),
      ("fixed", "活动规则表补全", 20), ("verified", "复核通过", 26)]),
    (24 * 2, {"type": "misleading_promo", "intent": "优惠券叠加",
              "excerpt": "[19:40] 顾客：平台券和店铺券可以一起用吗\n[19:40] 智能体：只能用一张",
              "agent_said": "只能用一张", "should_say": "店铺券和平台券可以叠加使用，以结算页为准。"},
     [("confirmed", "修复后再次出现，计为复发", 0.4)]),
    (24 * 4, {"type": "other", "intent": "闲聊", "excerpt": "[09:00] 顾客：你是机器人吗\n[09:00] 智能体：我是您的专属客服小蜜",
              "agent_said": "我是您的专属客服小蜜", "should_say": "我是智能助手小蜜，需要时可以为您转人工。", "severity": "low"},
     [("rejected", "按平台规范可如此自称，不属于缺陷", 0.5)]),
    (24 * 3, {"type": "wrong_answer", "intent": "保修期限", "excerpt": "[15:20] 顾客：保修多久？\n[15:20] 智能体：保修半年",
              "agent_said": "保修半年", "should_say": "整机保修一年，电池保修半年。"},
     [("confirmed", "", 0.3)]),
    (24 * 3 - 2, {"type": "wrong_answer", "intent": "保修期限", "excerpt": "[17:05] 顾客：这个保修几年\n[17:05] 智能体：半年哦",
                  "agent_said": "半年", "should_say": "整机保修一年，电池保修半年。"},
     "duplicate"),
    (24 * 6, {"type": "missed_answer", "intent": "尺码推荐", "excerpt": "[13:30] 顾客：身高170体重65穿什么码？\n[13:30] 智能体：请参考尺码表",
              "agent_said": "请参考尺码表", "should_say": "建议选 M 码；偏好宽松可选 L 码。"},
     [("confirmed", "", 0.2), ("in_fix", "", 3)]),
]


def _reviewer(session: Session, hash_method: str) -> User:
    user = people_service.find_by_email(session, REVIEWER["email"])
    if user is None:
        user = people_service.create_person(session, None, {"locale": "zh_CN", **REVIEWER},
                                            password=DEMO_PASSWORD, hash_method=hash_method)
        user.reviewer = True
    return user


def _list(session: Session, reviewer: User, agent: Agent, today: date) -> None:
    for title, versions in LIST:
        base = {"approver": "智能客服组 王磊", "escalation": "企业微信「售后升级」群", "review_on": today + timedelta(
            days=REVIEW_ON)}
        mode, boundary, why = versions[0]
        item = responsibility.add_item(session, reviewer, agent.id, title, {**base, "mode": mode,
                                                                           "boundary": boundary}, why)
        for mode, boundary, why in versions[1:]:
            responsibility.change_item(session, reviewer, item, {**base, "mode": mode, "boundary": boundary}, why)


def ensure_demo_defects(session: Session, hash_method: str, today: date, now: datetime | None = None) -> None:
    agent = session.scalar(sa.select(Agent).where(Agent.code == AGENT_CODE))
    if agent is None or session.scalar(sa.select(AgentDefect.id).where(AgentDefect.agent_id == agent.id).limit(1)):
        return
    placement = session.scalar(sa.select(Placement).where(Placement.agent_id == agent.id))
    colleague = people_service.find_by_email(session, "trainee8@example.com")
    admin = people_service.find_by_email(session, "admin@example.com")
    if placement is None or colleague is None or admin is None:
        return
    now = now or utcnow()
    reviewer = _reviewer(session, hash_method)
    _list(session, reviewer, agent, today)
    scale, settings = scale_for(session, placement), DefectSettings()
    logged = []
    for hours, values, moves in sorted(DEFECTS, key=lambda d: -d[0]):
        at = now - timedelta(hours=hours)
        reporter = colleague if moves == "duplicate" else placement.trainee
        defect = defects.log_defect(session, reporter, placement, {**BASE, **values}, scale, settings, now=at)
        logged.append(defect)
        if moves == "duplicate":
            original = next(d for d in logged if d.intent == values["intent"] and d.id != defect.id)
            if colleague.id not in original.reporter_ids:
                defects.co_report(session, colleague, original, "[16:00] 顾客：保修几年？ 智能体：半年（同样的误答）")
            defects.transition(session, reviewer, defect, "duplicate", duplicate_of=original, now=at + timedelta(
                minutes=20))
            continue
        for target, note, after in moves:
            defects.transition(session, reviewer, defect, target, note, now=at + timedelta(hours=after))
    _contributions(session, reviewer, admin, placement, today)


def _contributions(session: Session, reviewer: User, admin: User, placement: Placement, today: date) -> None:
    from lms.models import Contribution, ContributionState

    adopted = list(session.scalars(sa.select(Contribution).where(Contribution.state == ContributionState.ADOPTED)
                                   .order_by(Contribution.id)))
    rule = AwardSettings()
    if adopted:
        contributions.measure(session, reviewer, adopted[0], {
            "release_on": today - timedelta(days=40), "window_days": 14, "before_samples": 1240,
            "after_samples": 1198, "efficiency_before": "41.5", "efficiency_after": "38.2",
            "efficiency_higher_better": False, "error_before": "6.2", "error_after": "4.9"}, rule)
        contributions.approve_award(session, admin, adopted[0], 1000)
    if len(adopted) > 1:
        contributions.measure(session, reviewer, adopted[1], {
            "release_on": today - timedelta(days=30), "window_days": 14, "before_samples": 860,
            "after_samples": 845, "efficiency_before": "40", "efficiency_after": "39.5",
            "efficiency_higher_better": False, "error_before": "5.0", "error_after": "4.9"}, rule)
    trainee = placement.trainee
    contributions.suggest(session, trainee, placement, "handoff_strategy", "连续两次要求人工即转接",
                          "顾客连续两次说“转人工”时智能体仍发套话，建议第二次直接转接。")
    declined = contributions.suggest(session, trainee, placement, "kb_update", "补充退货地址",
                                     "知识库缺少退货地址。")
    contributions.adopt(session, reviewer, declined, False)
    session.flush()
