"""In-app notifications: written by services, read in the navbar and a list page."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Notification, NotificationKind
from lms.models.base import utcnow


def notify(session: Session, user_id: int, kind: NotificationKind, submission_id: int | None = None,
           **params) -> Notification:
    note = Notification(user_id=user_id, kind=kind, submission_id=submission_id, params=params)
    session.add(note)
    return note


def unread_count_of(user_id) -> sa.ScalarSelect:
    """The unread count as a column expression, for a user id or a column holding one."""
    return sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).scalar_subquery()


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(sa.select(unread_count_of(user_id)))


def recent(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return list(session.scalars(sa.select(Notification).where(Notification.user_id == user_id)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user_id: int, notification_id: int | None = None) -> None:
    """Mark one (or, without an id, every) notification of the user as read."""
    query = sa.update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    session.execute(query.values(read_at=utcnow()))
