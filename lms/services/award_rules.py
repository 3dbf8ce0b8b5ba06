"""The award rule, as the courses teach it: a contribution qualifies when response
efficiency improved by at least 5% or the error rate fell by at least 3%, both relative
to the before window (settings AWARD_EFFICIENCY_MIN_PCT / AWARD_ERROR_MIN_PCT). Decimal
arithmetic: exactly 5% / 3% qualifies, 4.99% / 2.99% does not. Also the award band table."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Optional

HUNDRED = Decimal(100)
# (smallest relative effect in %, smallest reach in conversations, band in CNY, promotion points);
# the first row both reach decides the band.
BANDS: list[tuple[Decimal, int, int, int]] = [
    (Decimal(20), 10000, 5000, 50),
    (Decimal(10), 5000, 3000, 30),
    (Decimal(5), 1000, 1000, 15),
    (Decimal(0), 0, 500, 10),
]
BAND_AMOUNTS = [b[2] for b in BANDS]


@dataclass(frozen=True)
class AwardSettings:
    efficiency_min_pct: Decimal = Decimal(5)
    error_min_pct: Decimal = Decimal(3)

    @classmethod
    def from_config(cls, config: Mapping) -> "AwardSettings":
        return cls(Decimal(str(config.get("AWARD_EFFICIENCY_MIN_PCT", 5))),
                   Decimal(str(config.get("AWARD_ERROR_MIN_PCT", 3))))


@dataclass(frozen=True)
class Windows:
    """Equal windows before and after a release; the release week (7 days from it) is in neither."""

    before_start: date
    before_end: date
    after_start: date
    after_end: date


def windows(release_on: date, days: int) -> Windows:
    return Windows(release_on - timedelta(days=days), release_on - timedelta(days=1),
                   release_on + timedelta(days=7), release_on + timedelta(days=6 + days))


def relative_change(before: Decimal, after: Decimal, higher_better: bool) -> Optional[Decimal]:
    """Improvement relative to `before`, in % (positive: better); None when before is 0."""
    if before == 0:
        return None
    gain = (after - before) if higher_better else (before - after)
    return gain / before * HUNDRED


@dataclass(frozen=True)
class Verdict:
    efficiency_pct: Optional[Decimal]
    error_pct: Optional[Decimal]
    qualifies: bool

    def as_dict(self, settings: AwardSettings) -> dict:
        """What the page prints: both effects, both thresholds and the verdict."""
        def text(v):
            return None if v is None else str(v.quantize(Decimal("0.01")))

        return {"efficiency_pct": text(self.efficiency_pct), "error_pct": text(self.error_pct),
                "efficiency_min": str(settings.efficiency_min_pct), "error_min": str(settings.error_min_pct),
                "qualifies": self.qualifies}


def verdict(eff_before: Decimal, eff_after: Decimal, higher_better: bool, err_before: Decimal, err_after: Decimal,
            settings: AwardSettings) -> Verdict:
    eff = relative_change(eff_before, eff_after, higher_better)
    err = relative_change(err_before, err_after, higher_better=False)
    qualifies = (eff is not None and eff >= settings.efficiency_min_pct) or (
        err is not None and err >= settings.error_min_pct)
    return Verdict(eff, err, qualifies)


def suggested_band(effect_pct: Decimal, reach: int) -> tuple[int, int]:
    """(CNY, points) from the table: the larger effect and the reach both have to reach a row."""
    for min_effect, min_reach, amount, points in BANDS:
        if effect_pct >= min_effect and reach >= min_reach:
            return amount, points
    return BANDS[-1][2], BANDS[-1][3]


def points_for(amount: int) -> Optional[int]:
    return next((b[3] for b in BANDS if b[2] == amount), None)
