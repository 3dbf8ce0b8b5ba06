"""The demo data set behind `flask lms demo`: safe to run again and again."""

from sqlalchemy.orm import Session

from lms.models import User
from lms.services import people as people_service

DEMO_PASSWORD = "reskill-demo"

DEMO_PEOPLE = [
    {"email": "admin@example.com", "name": "王敏 (Admin)", "role": "admin"},
    {"email": "mentor.ai@example.com", "name": "李思远 (AI mentor)", "role": "mentor",
     "mentor_kind": "ai", "capacity": 8},
    {"email": "mentor.biz@example.com", "name": "陈静 (Business mentor)", "role": "mentor",
     "mentor_kind": "business", "capacity": 8},
    *[
        {"email": f"trainee{i}@example.com", "name": name, "role": "trainee"}
        for i, name in enumerate(["张伟", "刘洋", "赵丽", "孙强", "周婷", "吴磊"], start=1)
    ],
]


def ensure_demo(session: Session, hash_method: str) -> list[User]:
    """Create the demo accounts that are missing; leave existing ones as they are."""
    accounts = []
    for values in DEMO_PEOPLE:
        user = people_service.find_by_email(session, values["email"])
        if user is None:
            user = people_service.create_person(
                session,
                None,
                {"mentor_kind": None, "capacity": None, "locale": "zh_CN", **values},
                password=DEMO_PASSWORD,
                hash_method=hash_method,
            )
        accounts.append(user)
    return accounts
