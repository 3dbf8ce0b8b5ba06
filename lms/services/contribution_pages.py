"""What the contribution pages show, in a fixed number of statements."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.models import Cohort, Contribution, ContributionState


def all_rows(session: Session, contributor_id: int | None = None) -> list[Contribution]:
    query = sa.select(Contribution).options(joinedload(Contribution.contributor)).order_by(
        Contribution.submitted_at.desc(), Contribution.id.desc())
    if contributor_id is not None:
        query = query.where(Contribution.contributor_id == contributor_id)
    return list(session.scalars(query))


def per_cohort(session: Session) -> list[dict]:
    """Per cohort: contributions, adoptions, awards, award total and the adoption rate (one statement)."""
    rows = session.execute(
        sa.select(Cohort.code, sa.func.count(Contribution.id),
                  # Adopted at any point: a contribution measured below the threshold was still adopted.
                  sa.func.count().filter(Contribution.adopted_at.is_not(None)),
                  sa.func.count().filter(Contribution.state == ContributionState.AWARDED),
                  sa.func.coalesce(sa.func.sum(Contribution.band_cny), 0))
        .join(Cohort, Cohort.id == Contribution.cohort_id).group_by(Cohort.code).order_by(Cohort.code))
    return [{"cohort": r[0], "total": r[1], "adopted": r[2], "awarded": r[3], "amount": r[4],
             "rate": r[2] / r[1] if r[1] else None} for r in rows]


def effect(c: Contribution) -> Decimal:
    """The larger of the two relative effects (%), for the band table."""
    values = [Decimal(v) for v in ((c.result or {}).get("efficiency_pct"), (c.result or {}).get("error_pct")) if v]
    return max(values, default=Decimal(0))
