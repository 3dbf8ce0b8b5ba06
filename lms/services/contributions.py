"""Contributions and awards: a verified defect or a suggestion becomes a contribution,
is adopted, measured (comparable windows; the rule as applied is stored with the result),
and when it qualifies awarded from the band table by someone other than the measurer;
the payout is tracked. Every step audited; the contributor is notified."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms.models import (
    AgentDefect,
    Contribution,
    ContributionCategory,
    ContributionState,
    DefectType,
    NotificationKind,
    Payout,
    Placement,
)
from lms.models.base import utcnow
from lms.services import Conflict, DomainError
from lms.services.audit import record
from lms.services.award_rules import BAND_AMOUNTS, AwardSettings, points_for, verdict
from lms.services.claims import claim
from lms.services.notifications import notify

S = ContributionState
# The category a verified defect starts in (the reviewer may say otherwise when adopting a suggestion).
DEFECT_CATEGORY = {
    DefectType.WRONG_ANSWER: ContributionCategory.MISANSWER_ATTRIBUTION,
    DefectType.MISSED_ANSWER: ContributionCategory.KB_UPDATE,
    DefectType.SLOW_RESPONSE: ContributionCategory.KB_UPDATE,
    DefectType.BAD_HANDOFF: ContributionCategory.HANDOFF_STRATEGY,
    DefectType.MISLEADING_PROMO: ContributionCategory.CAMPAIGN_CALIBRATION,
    DefectType.OTHER: ContributionCategory.EXCEPTION_SCRIPT,
}


def _audit(session, actor, c: Contribution, action: str, before: Optional[str], **after) -> None:
    record(session, actor, f"contribution.{action}", "contribution", c.id,
           before={"state": before} if before else None, after={"state": c.state.value, **after})
    if actor is None or actor.id != c.contributor_id:
        notify(session, c.contributor_id, NotificationKind.CONTRIBUTION_UPDATE, contribution_id=c.id,
               state=c.state.value)


def from_defect(session: Session, actor, defect: AgentDefect) -> Contribution:
    """The verified defect's reporter is credited with an adopted contribution (once per defect)."""
    existing = session.scalar(sa.select(Contribution).where(Contribution.defect_id == defect.id))
    if existing is not None:
        return existing
    c = Contribution(contributor_id=defect.reporter_id, cohort_id=defect.cohort_id, defect_id=defect.id,
                     category=DEFECT_CATEGORY[defect.type], title=f"#{defect.id} {defect.intent}"[:200],
                     description=defect.should_say, state=S.ADOPTED, adopted_at=utcnow(),
                     adopted_by_id=actor.id if actor else None)
    session.add(c)
    session.flush()
    _audit(session, actor, c, "adopt", None)
    return c


def suggest(session: Session, actor, placement: Placement, category: str, title: str,
            description: str) -> Contribution:
    c = Contribution(contributor_id=actor.id, cohort_id=placement.enrollment.cohort_id,
                     category=ContributionCategory(category), title=title.strip(), description=description.strip(),
                     state=S.SUBMITTED)
    session.add(c)
    session.flush()
    record(session, actor, "contribution.suggest", "contribution", c.id, after={"category": category})
    return c


STEP_TAKEN = _l("This contribution is no longer at that step; look at it again.")


def _expect(c: Contribution, *states: ContributionState) -> None:
    if c.state not in states:
        raise Conflict(str(STEP_TAKEN))


def _move(session: Session, c: Contribution, new: ContributionState) -> None:
    """The step itself, once: of two people taking it at the same moment, the second gets Conflict."""
    claim(session, c, "state", c.state, new, STEP_TAKEN)


def adopt(session: Session, actor, c: Contribution, adopted: bool) -> None:
    """The operations team adopts a suggestion, or finds it does not qualify."""
    _expect(c, S.SUBMITTED)
    before = c.state.value
    _move(session, c, S.ADOPTED if adopted else S.NOT_QUALIFIED)
    if adopted:
        c.adopted_at, c.adopted_by_id = utcnow(), actor.id
    _audit(session, actor, c, "adopt" if adopted else "decline", before)


def measure(session: Session, actor, c: Contribution, values: dict[str, Any], settings: AwardSettings,
            now: Optional[datetime] = None) -> dict:
    """Record the effect over equal windows before and after the release (its week left out);
    the verdict and the rule as applied are stored with it."""
    _expect(c, S.ADOPTED)
    for name in ("before_samples", "after_samples"):
        if not values.get(name) or values[name] < 1:
            raise DomainError(str(_l("Give the number of conversations in each window.")), field=name)
    if not values.get("window_days") or values["window_days"] < 1:
        raise DomainError(str(_l("Give the length of the windows in days.")), field="window_days")
    numbers = {k: Decimal(str(values[k])) for k in ("efficiency_before", "efficiency_after", "error_before",
                                                     "error_after")}
    if any(v < 0 for v in numbers.values()):
        raise DomainError(str(_l("Measures cannot be negative.")))
    higher = bool(values.get("efficiency_higher_better"))
    result = verdict(numbers["efficiency_before"], numbers["efficiency_after"], higher, numbers["error_before"],
                     numbers["error_after"], settings)
    before = c.state.value
    _move(session, c, S.MEASURED if result.qualifies else S.BELOW_THRESHOLD)
    for k, v in numbers.items():
        setattr(c, k, v)
    c.release_on, c.window_days = values["release_on"], values["window_days"]
    c.before_samples, c.after_samples = values["before_samples"], values["after_samples"]
    c.efficiency_higher_better = higher
    c.result = result.as_dict(settings)
    c.measured_by_id, c.measured_at = actor.id, now or utcnow()
    _audit(session, actor, c, "measure", before, **c.result)
    return c.result


def may_approve(actor, c: Contribution) -> bool:
    """Separation of duties: neither the measurer nor the contributor approves the award."""
    return actor is not None and actor.id not in (c.measured_by_id, c.contributor_id)


def approve_award(session: Session, actor, c: Contribution, band_cny: int) -> None:
    _expect(c, S.MEASURED)
    if not may_approve(actor, c):
        raise DomainError(str(_l("Whoever measured the effect cannot approve its award; another admin approves.")))
    if band_cny not in BAND_AMOUNTS:
        raise DomainError(str(_l("Choose a band from the table.")), field="band_cny")
    before = c.state.value
    _move(session, c, S.AWARDED)
    c.band_cny, c.points = band_cny, points_for(band_cny)
    c.approved_by_id, c.approved_at, c.payout = actor.id, utcnow(), Payout.APPROVED
    _audit(session, actor, c, "award", before, band_cny=band_cny, points=c.points)


NOT_APPROVED = _l("Only an approved award can be marked paid.")


def mark_paid(session: Session, actor, c: Contribution) -> None:
    if c.payout != Payout.APPROVED:
        raise Conflict(str(NOT_APPROVED))
    claim(session, c, "payout", Payout.APPROVED, Payout.PAID, NOT_APPROVED)  # paid once, however many click
    c.paid_at = utcnow()
    record(session, actor, "contribution.paid", "contribution", c.id, after={"payout": "paid"})


# Contributions, adoptions (adopted at any point, whatever the measurement found later), awards
# and the amount awarded: the figures `summary` and the dashboard count alike.
SUMMARY_COLUMNS = (sa.func.count(Contribution.id),
                   sa.func.count().filter(Contribution.adopted_at.is_not(None)),
                   sa.func.count().filter(Contribution.state == S.AWARDED),
                   sa.func.coalesce(sa.func.sum(Contribution.band_cny), 0))


def summary(session: Session, cohort_id: Optional[int] = None, contributor_id: Optional[int] = None) -> dict:
    """Contributions, adoptions (adopted at any point, whatever the measurement found later),
    awards and the adoption rate (one statement)."""
    query = sa.select(*SUMMARY_COLUMNS)
    if cohort_id is not None:
        query = query.where(Contribution.cohort_id == cohort_id)
    if contributor_id is not None:
        query = query.where(Contribution.contributor_id == contributor_id)
    total, adoptions, awards, amount = session.execute(query).one()
    return {"total": total, "adopted": adoptions, "awarded": awards, "amount": amount,
            "rate": (adoptions / total) if total else None}
