"""Intake baselines a mentor rates or adjusts, always with a reason; every change is audited
with before and after. A diagnostic score a mentor adjusts stays on the row
(`diagnostic_score`), so the record shows both."""

from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.models import BaselineRating, BaselineSource, Competency, Enrollment, User
from lms.models.base import utcnow
from lms.permissions import may_rate_baseline
from lms.services import Conflict, DomainError
from lms.services.audit import record

REASON_MAX = 500


def rate_baseline(session: Session, actor: User, enrollment: Enrollment, scores: dict[str, int],
                  reason: Optional[str]) -> bool:
    """Set the baseline of each competency in `scores` (0–100 %); True when anything changed.

    A competency with no baseline yet is mentor-rated; a changed one keeps its source (a
    diagnostic score becomes "adjusted") and records who, when and why.
    """
    if not may_rate_baseline(actor, enrollment):
        raise DomainError(_l("Only the trainee's mentors or an admin may rate this baseline."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason: it is kept with the rating."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("Keep the reason under %(n)d characters.", n=REASON_MAX), field="reason")
    existing = {b.competency: b for b in enrollment.baselines}
    before, after, adjusted = {}, {}, False
    for name, value in scores.items():
        competency = Competency(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise DomainError(_l("must be a whole number from %(low)d to %(high)d", low=0, high=100), field=name)
        row = existing.get(competency)
        if row is None:
            enrollment.baselines.append(BaselineRating(
                competency=competency, score=value, source=BaselineSource.MENTOR, rated_by_id=actor.id,
                reason=reason))
            after[name] = value
        elif row.score != value:
            before[name], after[name] = row.score, value
            adjusted |= row.source == BaselineSource.DIAGNOSTIC
            row.score, row.rated_by_id, row.rated_at, row.reason = value, actor.id, utcnow(), reason
    if not after:
        return False
    try:
        session.flush()
    except IntegrityError as error:  # the caller rolls back
        raise Conflict(_l("The baseline was recorded by someone else at the same moment. Reload the page.")
                       ) from error
    record(session, actor, "baseline.adjust" if adjusted else "baseline.rate", "enrollment", enrollment.id,
           before=before or None, after={**after, "reason": reason})
    return True
