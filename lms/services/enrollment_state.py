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
subqueries on Enrollment (`in_training`, `in_buffer`, `finished`); `state_of` is the same rule in
Python, for one row whose facts are already read (a dossier, an export row).
"""

from dataclasses import dataclass
from typing import Optional

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


def in_buffer() -> sa.ColumnElement:
    """SQL on Enrollment: in the buffer period now (placed, the period not closed)."""
    return in_buffer_of(
        Enrollment.status == EnrollmentStatus.ACTIVE,
        sa.exists().where(Placement.enrollment_id == Enrollment.id),
        sa.select(Placement.outcome).where(Placement.enrollment_id == Enrollment.id).scalar_subquery())


def finished() -> sa.ColumnElement:
    """SQL on Enrollment: not withdrawn, neither in training nor in buffer (a final outcome)."""
    return sa.and_(Enrollment.status == EnrollmentStatus.ACTIVE, ~in_training(), ~in_buffer())


STATES = ("in_training", "in_buffer", "finished", "withdrawn")


@dataclass(frozen=True)
class State:
    """Where one enrollment stands, in Python (the rule above, over the same three facts)."""

    code: str  # in_training | in_buffer | finished | withdrawn
    outcome: Optional[str] = None  # finished: the final outcome's code
    after_placement: bool = False  # finished: the outcome ends a buffer period (else training)


def state_of(active: bool, placed: bool, buffer_outcome=None, training_outcome=None) -> State:
    """`buffer_outcome`: the placement's outcome (None: none yet); `training_outcome`: the kind of
    the training outcome recorded (None: none)."""
    if not active:
        return State("withdrawn")
    if placed:
        if buffer_outcome is None or buffer_outcome == BufferOutcome.EXTENDED:
            return State("in_buffer")
        return State("finished", getattr(buffer_outcome, "value", buffer_outcome), True)
    if training_outcome is None or training_outcome == TrainingOutcomeKind.EXTENDED_TRAINING:
        return State("in_training")
    return State("finished", getattr(training_outcome, "value", training_outcome), False)
