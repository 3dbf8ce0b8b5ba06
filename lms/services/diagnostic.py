"""The intake diagnostic: take it once, auto-score it, and write the intake baseline from it.

A competency's score is the % of its item points earned (whole percent, rounded down so a
score never reads as attained when it is not), on the scale and threshold of rubric
attainment, so "intake vs now" compares like with like. An item earns its points when
every field is answered and every check on it passes; no mentor grades it.
"""

from dataclasses import dataclass
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lms.models import (
    BaselineRating,
    BaselineSource,
    Competency,
    Diagnostic,
    DiagnosticResult,
    Enrollment,
    User,
)
from lms.permissions import may_take_diagnostic
from lms.services import Conflict, DomainError
from lms.services.audit import record
from lms.services.autochecks import CheckResult, run_checks


@dataclass
class DiagnosticState:
    """What the trainee's home and the diagnostic pages need to know."""

    diagnostic: Optional[Diagnostic]
    result: Optional[DiagnosticResult]
    open: bool  # the trainee may take it now


def live_diagnostic(session: Session, program_id: int) -> Optional[Diagnostic]:
    return session.scalar(sa.select(Diagnostic).where(Diagnostic.program_id == program_id,
                                                      Diagnostic.archived_at.is_(None)))


def result_of(session: Session, enrollment_id: int) -> Optional[DiagnosticResult]:
    return session.scalar(sa.select(DiagnosticResult).where(DiagnosticResult.enrollment_id == enrollment_id))


def baselines_of(session: Session, enrollment_id: int) -> dict[str, BaselineRating]:
    """Competency code → baseline, with who adjusted it (one query for them all)."""
    return {b.competency.value: b for b in session.scalars(
        sa.select(BaselineRating).where(BaselineRating.enrollment_id == enrollment_id)
        .options(selectinload(BaselineRating.rated_by)))}


def diagnostic_state(session: Session, trainee: User, enrollment: Optional[Enrollment]) -> DiagnosticState:
    if enrollment is None:
        return DiagnosticState(None, None, False)
    diagnostic = live_diagnostic(session, enrollment.cohort.program_id)
    result = result_of(session, enrollment.id)
    return DiagnosticState(diagnostic, result,
                           diagnostic is not None and may_take_diagnostic(trainee, enrollment, result is not None))


@dataclass(frozen=True, slots=True)
class HomeDiagnostic:
    """What the trainee's home shows of the diagnostic: a prompt while it is open, a link once taken."""

    open: bool
    result: bool  # taken: a result exists


def home_facts(program_id, enrollment_id) -> tuple:
    """What the home's prompt asks, as two EXISTS for a select that has the enrollment at hand
    (the trainee home's reads them with the enrollment, no statement of their own): a live
    diagnostic for the program; a result for the enrollment. The full diagnostic and result rows
    carry every item and answer as JSON, which the home never shows."""
    return (sa.exists().where(Diagnostic.program_id == program_id, Diagnostic.archived_at.is_(None)),
            sa.exists().where(DiagnosticResult.enrollment_id == enrollment_id))


def home_diagnostic(trainee: User, enrollment: Optional[Enrollment], live: bool, taken: bool,
                    rated: bool) -> HomeDiagnostic:
    """The prompt from `home_facts` and whether a baseline is recorded (`rated`)."""
    if enrollment is None:
        return HomeDiagnostic(False, False)
    return HomeDiagnostic(live and may_take_diagnostic(trainee, enrollment, taken, rated), taken)


def all_fields(diagnostic: Diagnostic) -> list[dict]:
    return [spec for item in diagnostic.items for spec in item["fields"]]


def check_items(diagnostic: Diagnostic, answers: dict[str, Any]) -> list[tuple[dict, list[CheckResult]]]:
    """Each item with the results of its checks on these answers."""
    return [(item, run_checks(item["fields"], item["checks"], answers, set())) for item in diagnostic.items]


def score(diagnostic: Diagnostic, answers: dict[str, Any]) -> tuple[list[dict], dict[str, int]]:
    """(per item: code, competency, points, earned; per competency: % of its points earned)."""
    items, earned, total = [], dict.fromkeys(Competency, 0), dict.fromkeys(Competency, 0)
    for item, results in check_items(diagnostic, answers):
        competency = Competency(item["competency"])
        # an empty optional answer passes the answer checks (autochecks): it earns nothing here
        answered = all(str(answers.get(spec["name"]) or "").strip() for spec in item["fields"])
        got = item["points"] if answered and all(r.passed for r in results) else 0
        items.append({"code": item["code"], "competency": competency.value, "points": item["points"], "earned": got})
        earned[competency] += got
        total[competency] += item["points"]
    # whole percent, rounded down: 69.9 % must not read as the 70 % threshold
    scores = {c.value: earned[c] * 100 // total[c] for c in Competency if total[c]}
    return items, scores


def blocking_failures(diagnostic: Diagnostic, answers: dict[str, Any]) -> list[CheckResult]:
    """Failed format checks (a missing answer, a too long text): the form shows them under their
    fields and nothing is submitted (answer checks never block: they only score)."""
    return [r for _item, results in check_items(diagnostic, answers) for r in results
            if r.blocking and not r.passed]


def submit(session: Session, trainee: User, enrollment: Enrollment, diagnostic: Diagnostic,
           answers: dict[str, Any]) -> DiagnosticResult:
    """Score the one submission and write the intake baseline from it (source: diagnostic).

    Refused when the trainee may not take it (taken already, baseline confirmed, not theirs);
    a second submission racing the first, or a mentor rating at the same moment, is a Conflict.
    """
    if not may_take_diagnostic(trainee, enrollment, result_of(session, enrollment.id) is not None):
        raise DomainError(_l("The intake diagnostic is closed: you have taken it, or your mentor has "
                             "recorded your baseline."))
    failed = blocking_failures(diagnostic, answers)
    if failed:
        raise DomainError(_l("Some answers need fixing; see the marked questions."), field=failed[0].field)
    items, scores = score(diagnostic, answers)
    result = DiagnosticResult(enrollment_id=enrollment.id, diagnostic_id=diagnostic.id,
                              version=diagnostic.content_hash, answers=answers, items=items, scores=scores)
    session.add(result)
    for competency, value in scores.items():
        session.add(BaselineRating(enrollment_id=enrollment.id, competency=Competency(competency), score=value,
                                   source=BaselineSource.DIAGNOSTIC, diagnostic_score=value))
    try:
        session.flush()
    except IntegrityError as error:  # the caller rolls back
        raise Conflict(_l("Your intake diagnostic was already recorded. Reload the page to see your result.")
                       ) from error
    record(session, trainee, "diagnostic.submit", "enrollment", enrollment.id, after=scores)
    return result
