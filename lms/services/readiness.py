"""Readiness for a target role: per competency, the level the role's package requires
against the trainee's attainment now (`grading.attainment`). Pure: no database access."""

from dataclasses import dataclass
from typing import Optional

from lms.models import Competency, Program


@dataclass(frozen=True)
class ReadinessRow:
    competency: Competency
    required: int  # % the role package asks for
    current: Optional[float]  # attainment %; None: no graded work on this competency yet

    @property
    def ready(self) -> bool:
        """At or above the required level: exactly at it counts as ready."""
        return self.current is not None and self.current >= self.required

    @property
    def gap(self) -> float:
        """Percentage points still missing (0 when ready; the whole level when nothing is graded)."""
        return 0.0 if self.ready else round(self.required - (self.current or 0.0), 1)


def readiness(program: Program, role: str, scores: dict) -> list[ReadinessRow]:
    """The role's competency model against `scores` (competency → attainment %), in competency order."""
    levels = program.required_levels(role)
    return [ReadinessRow(c, levels[c.value], scores.get(c)) for c in Competency if c.value in levels]
