"""Every scheduled job, declared once: name (for the command line), label (for people),
schedule, and the function that does the work. Adding a job is one line here; the scheduler,
`flask lms jobs list / run` and the admin's Scheduled jobs page all read this list.

A job function takes a `JobContext` (lms/jobs/context.py) and calls services; it must be
idempotent for its period: what it writes carries a key (notifications: their dedupe key),
so running it again, after a crash or by hand, writes nothing twice.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from lms.jobs import buffer, data, defects, delivery, digests, improvement, mentors, training
from lms.jobs.context import JobContext
from lms.jobs.schedule import Daily, EveryMinutes, Schedule, Weekly


@dataclass(frozen=True)
class Job:
    name: str
    label: object  # a lazy string
    schedule: Schedule
    run: Callable[[JobContext], None]


JOBS: tuple[Job, ...] = (
    Job("assessments_due", _l("Assessments due within 48 hours"), Daily(8), training.assessments_due),
    Job("overdue_work", _l("Work past its due date"), Daily(8, 5), training.overdue_work),
    Job("attempts_exhausted", _l("All attempts used without passing"), EveryMinutes(30), training.attempts_exhausted),
    Job("grading_waiting", _l("Submissions waiting more than 48 hours"), Daily(8, 10), mentors.grading_waiting),
    Job("trainees_at_risk", _l("Trainees at risk"), Daily(8, 15), mentors.trainees_at_risk),
    Job("buffer_checkins", _l("Missing weekly check-ins"), Daily(9), buffer.buffer_checkins),
    Job("buffer_end", _l("Buffer periods ending, outcomes to record"), Daily(9, 5), buffer.buffer_end),
    Job("defect_sla", _l("Defect service levels and escalation"), EveryMinutes(5), defects.defect_sla),
    Job("measure_effect", _l("Contributions to measure"), Daily(9, 10), improvement.measure_effect),
    Job("awards_waiting", _l("Awards waiting for approval"), Daily(9, 15), improvement.awards_waiting),
    Job("responsibility_reviews", _l("Quarterly reviews of responsibility lists"), Daily(9, 20),
        improvement.responsibility_reviews),
    Job("weekly_digest", _l("Weekly digests"), Weekly(0, 7, 30), digests.weekly_digest),
    Job("retention_purge", _l("Deleting personal data past the retention period"), Daily(3),
        data.retention_purge),
    Job("history_purge", _l("Deleting old job runs and sent messages"), Daily(3, 10), data.history_purge),
    Job("deliveries", _l("Sending e-mail and webhook messages"), EveryMinutes(1), delivery.deliveries),
)
BY_NAME: dict[str, Job] = {job.name: job for job in JOBS}
