"""Factories for the defect tests: a placed trainee and a defect of their agent."""

from datetime import date, datetime

from lms.extensions import db
from lms.models import Placement, Program
from lms.services import defects
from lms.services.defect_rules import DefectSettings
from tests.buffer_fixtures import place

START = date(2026, 3, 2)
EXCERPT = ("[20:31] 顾客：这个保温杯 TC-500-BLU 参加满300减50吗？我电话 138-1234-5678，收货人王小明，"
           "地址：浙江省杭州市西湖区文三路90号3栋2单元501室\n[20:31] 智能体：参加的！满300自动减50哦~")


def values(**extra) -> dict:
    return {"type": "misleading_promo", "intent": "活动咨询", "platform": "千牛", "sku": "TC-500-BLU",
            "excerpt": EXCERPT, "agent_said": "参加满300减50", "should_say": "这款保温杯不参加当前满300减50活动。",
            "reach": 3, "severity": "high", **extra}


def placed(app, trainee_with_mentors) -> int:
    with app.app_context():
        return place(db.session, trainee_with_mentors.enrollment_id, START)


def scale(session) -> list[dict]:
    from sqlalchemy import select

    return session.scalar(select(Program.defect_severity))


def log(session, placement_id: int, now: datetime, settings=None, **extra):
    placement = session.get(Placement, placement_id)
    return defects.log_defect(session, placement.trainee, placement, values(**extra), scale(session),
                              settings or DefectSettings(), now=now)
