"""The scheduler's own history is pruned after a month: finished runs and delivered messages."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.extensions import db
from lms.models import Delivery, DeliveryChannel, DeliveryState, JobRun, JobRunState, Notification, NotificationKind
from tests.job_helpers import run

NOW = datetime(2026, 6, 10, 2, 0)


def _rows(app, make_user):
    user = make_user("trainee")
    with app.app_context():
        for days, state in ((40, JobRunState.OK), (40, JobRunState.FAILED), (40, JobRunState.RUNNING),
                            (10, JobRunState.OK)):
            when = NOW - timedelta(days=days)
            db.session.add(JobRun(job="deliveries", period=f"{days}-{state.value}", period_start=when, state=state,
                                  owner="test:1", started_at=when,
                                  finished_at=None if state == JobRunState.RUNNING else when))
        for days, state in ((40, DeliveryState.SENT), (40, DeliveryState.FAILED), (40, DeliveryState.PENDING),
                            (10, DeliveryState.SENT)):
            when = NOW - timedelta(days=days)
            note = Notification(user_id=user.id, kind=next(iter(NotificationKind)), params={})
            db.session.add(note)
            db.session.flush()
            db.session.add(Delivery(notification_id=note.id, channel=DeliveryChannel.EMAIL, state=state,
                                    deliver_after=when, created_at=when))
        db.session.commit()


def test_history_older_than_a_month_is_deleted_once(app, make_user):
    _rows(app, make_user)
    result = run(app, "history_purge", NOW)
    assert result.status == "ok" and result.counts == {"job_runs": 2, "deliveries": 2}
    with app.app_context():
        runs = db.session.execute(sa.select(JobRun.period).where(JobRun.job == "deliveries")
                                  .order_by(JobRun.period)).scalars().all()
        assert runs == ["10-ok", "40-running"]  # a running claim is the runner's to take over
        left = db.session.execute(sa.select(Delivery.state).order_by(Delivery.id)).scalars().all()
        assert left == [DeliveryState.PENDING, DeliveryState.SENT]  # a pending message still goes out
    assert run(app, "history_purge", NOW + timedelta(hours=3)).status == "done"
