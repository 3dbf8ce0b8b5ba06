"""Competency attainment as SQL: `grading.attainment`'s rule for many trainees at once.

The rule (grading.attainment): over each trainee's latest graded attempt of each
assessment (their own or their capstone group's), every live rubric criterion counts
with its weight and the points its current grades gave it (with dual sign-off the two
mentors' points averaged) over the criterion's maximum; the competency's score is the
weighted mean, in %, rounded to one decimal. `grading.attainment` stays the reference
for one trainee's pages; tests hold the two to the same numbers.
"""

import sqlalchemy as sa

from lms.models import Grade, RubricCriterion, Submission, SubmissionState
from lms.services.report_scope import CREDITED
from lms.services.sql_dialect import json_max_points, json_number, rounded


def scores_select(trainees: sa.Select) -> sa.Select:
    """(trainee_id, competency, score) for the trainees `trainees` selects (one column of
    ids); a competency without graded work has no row."""
    ranked = (
        sa.select(CREDITED.c.trainee_id, Submission.id.label("submission_id"), Submission.assessment_id,
                  sa.func.row_number().over(partition_by=(CREDITED.c.trainee_id, Submission.assessment_id),
                                            order_by=(Submission.attempt_no.desc(), Submission.id.desc()))
                  .label("rn"))
        .join(Submission, Submission.id == CREDITED.c.submission_id)
        .where(Submission.state == SubmissionState.GRADED, CREDITED.c.trainee_id.in_(trainees))
        .subquery("latest_graded"))
    # catalogue-sized: worked out once per statement (MATERIALIZED), not per graded row
    criteria = (sa.select(RubricCriterion.id, RubricCriterion.assessment_id, RubricCriterion.code,
                          RubricCriterion.competency, RubricCriterion.weight,
                          json_max_points(RubricCriterion.levels).label("max_points"))
                .where(RubricCriterion.archived_at.is_(None)).cte("live_criteria").prefix_with("MATERIALIZED"))
    per_criterion = (
        sa.select(ranked.c.trainee_id, criteria.c.competency, criteria.c.weight,
                  (sa.func.avg(sa.func.coalesce(json_number(Grade.points, criteria.c.code), 0.0))
                   / criteria.c.max_points).label("ratio"))
        .join(Grade, sa.and_(Grade.submission_id == ranked.c.submission_id, Grade.current.is_(True)))
        .join(criteria, criteria.c.assessment_id == ranked.c.assessment_id)
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.trainee_id, ranked.c.submission_id, criteria.c.id, criteria.c.competency,
                  criteria.c.weight, criteria.c.max_points)
        .subquery("per_criterion"))
    score = rounded(100.0 * sa.func.sum(per_criterion.c.weight * per_criterion.c.ratio)
                    / sa.func.nullif(sa.func.sum(per_criterion.c.weight), 0))
    return (sa.select(per_criterion.c.trainee_id, per_criterion.c.competency, score.label("score"))
            .group_by(per_criterion.c.trainee_id, per_criterion.c.competency))
