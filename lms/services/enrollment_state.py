"""Where an enrollment stands, one definition for every count (the dashboards, the cohort
page, the HR API, the mentors' reminders):

- in training: not withdrawn, not placed, and no training outcome other than an extension
  (extended training is training still);
- in buffer: placed, the buffer period not closed (no outcome yet, or extended);
- finished: a final outcome — buffer completed, redeployed or left after placement, or
  returned, redeployed or left without one;
- withdrawn.

In training and in buffer together are "in progress" (transition success leaves them out).
The rule is written once, over three facts, and given in the two forms the queries need:
over outer-joined placement and outcome rows (`report_scope.FACTS`), and as EXISTS
subqueries on Enrollment (`in_training`).
"""

import sqlalchemy as sa

from lms.models import BufferOutcome, Enrollment, EnrollmentStatus, Placement, TrainingOutcome, TrainingOutcomeKind


def in_training_of(active, placed, final_outcome) -> sa.ColumnElement:
    """`active`: not withdrawn; `placed`: has a placement; `final_outcome`: a training outcome
    other than an extension is recorded."""
    return sa.and_(active, ~placed, ~final_outcome)


def in_buffer_of(active, placed, buffer_outcome) -> sa.ColumnElement:
    """`buffer_outcome`: the placement's outcome column (NULL: none yet)."""
    return sa.and_(active, placed, sa.or_(buffer_outcome.is_(None), buffer_outcome == BufferOutcome.EXTENDED))


def in_training() -> sa.ColumnElement:
    """SQL on Enrollment: in training now. Placing ends the training mentors (the buffer coach
    takes over) and a final outcome ends training, so only these trainees need mentors."""
    return in_training_of(
        Enrollment.status == EnrollmentStatus.ACTIVE,
        sa.exists().where(Placement.enrollment_id == Enrollment.id),
        sa.exists().where(TrainingOutcome.enrollment_id == Enrollment.id,
                          TrainingOutcome.kind != TrainingOutcomeKind.EXTENDED_TRAINING))
