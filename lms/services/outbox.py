"""What a job tells people: the in-app notification, written once per dedupe key however
often the job runs, and its e-mail and webhook deliveries, held until the end of the
recipient's quiet hours unless urgent (lms/services/sending.py sends them).

The in-app notification shows at once, quiet hours or not: it waits in the list and pings
nobody. E-mail goes out when MAIL_SERVER is set; a webhook when the notification concerns a
program with an active webhook.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms.models import Delivery, DeliveryChannel, Notification, NotificationKind, ProgramWebhook, Role, User
from lms.models.base import utcnow
from lms.services.quiet_hours import held_until

_RECIPIENTS = sa.select(User.id, User.quiet_start, User.quiet_end).where(
    User.id.in_(sa.bindparam("ids", expanding=True)), User.active.is_(True))


@dataclass
class Outbox:
    """One job run's notifications. `notify` returns whether it wrote one (False: the key was
    used before, or the person is inactive). Counts feed the run's record."""

    session: Session
    timezone: str
    email: bool  # MAIL_SERVER is set
    created: int = 0
    held: int = 0  # deliveries deferred to the end of quiet hours
    _people: dict[int, Optional[tuple]] = field(default_factory=dict)
    _webhooks: Optional[set[int]] = None

    def __post_init__(self):
        self._insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert

    def prime(self, user_ids: Iterable[int]) -> None:
        """Read the recipients' quiet hours in one statement (instead of one per person)."""
        wanted = sorted({i for i in user_ids if i not in self._people})
        if not wanted:
            return
        found = {row.id: (row.quiet_start, row.quiet_end) for row in self.session.execute(_RECIPIENTS, {"ids": wanted})}
        for user_id in wanted:
            self._people[user_id] = found.get(user_id)

    def notify(self, user_id: int, kind: NotificationKind, key: str, *, urgent: bool = False,
               program_id: Optional[int] = None, **params) -> bool:
        self.prime([user_id])
        person = self._people[user_id]
        if person is None:  # deactivated: nobody reads it
            return False
        note_id = self.session.scalar(
            self._insert(Notification)
            .values(user_id=user_id, kind=kind, params=params, dedupe_key=f"{kind.value}:{key}"[:160],
                    created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
            .returning(Notification.id))
        if note_id is None:
            return False
        self.created += 1
        now = utcnow()
        after = None if urgent else held_until(person[0], person[1], now, self.timezone)
        channels = []
        if self.email:
            channels.append((DeliveryChannel.EMAIL, None))
        if program_id is not None and program_id in self.webhooks():
            channels.append((DeliveryChannel.WEBHOOK, program_id))
        for channel, program in channels:
            self.session.add(Delivery(notification_id=note_id, channel=channel, program_id=program, urgent=urgent,
                                      deliver_after=after or now, held=after is not None, created_at=now))
            self.held += after is not None
        return True

    def webhooks(self) -> set[int]:
        if self._webhooks is None:
            self._webhooks = set(self.session.scalars(
                sa.select(ProgramWebhook.program_id).where(ProgramWebhook.active.is_(True))))
        return self._webhooks


def admin_ids(session: Session) -> list[int]:
    return list(session.scalars(sa.select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
                                .order_by(User.id)))


def reviewer_ids(session: Session) -> list[int]:
    """The people who triage agent defects: users with the reviewer capability, or, where the
    program has none, its admins (who triage then)."""
    reviewers = list(session.scalars(sa.select(User.id).where(User.reviewer.is_(True), User.active.is_(True))
                                     .order_by(User.id)))
    return reviewers or admin_ids(session)
