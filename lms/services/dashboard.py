"""The cohort dashboard (one cohort, or every cohort with filters): the program's own
numbers beside the source material's reference figures, in a fixed number of SQL
statements whatever the number of trainees (tests count them at two sizes).

`build` gathers the sections from `dashboard_training` and `dashboard_buffer`; the page
draws each as a chart with its numbers in a table beside it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional

from sqlalchemy.orm import Session

from lms.services import clock, dashboard_buffer, dashboard_training, progress, standing
from lms.services.buffer_clock import BufferSettings
from lms.services.defect_rules import DefectSettings
from lms.services.report_scope import SCOPE_PROGRAMS, Scope, requirements


@dataclass
class AssessmentView:
    assessment: progress.OutlineAssessment
    tier_code: str
    figures: dashboard_training.AssessmentRow


@dataclass
class Dashboard:
    scope: Scope
    today: date
    cohorts: list  # rows of dashboard_training.cohorts, each with .phase
    phases: dict  # phase code → {"in_training": n, "in_buffer": n, "finished": n}
    funnel: dashboard_training.Funnel
    tiers_now: dict  # tier code (or "done") → trainees in training working in it
    standing: dashboard_training.Standing
    assessments: list[AssessmentView]
    turnaround: list
    calibration: list
    competencies: list
    outcomes: dashboard_buffer.Outcomes
    defects: dashboard_buffer.DefectFigures
    collaboration_weeks: list
    collaboration: Optional[object]
    contributions: dashboard_buffer.ContributionFigures
    mentors: list
    reference: dict = field(default_factory=dict)  # program.yaml `reference` (the first program in scope)
    threshold: int = 70
    tier_titles: dict = field(default_factory=dict)  # tier code → title text
    assessment_titles: dict = field(default_factory=dict)  # assessment id → title text

    @property
    def phase_states(self) -> tuple[str, ...]:
        return STATES

    @property
    def transition_success(self) -> Optional[float]:
        """Buffer completed ÷ (enrolled − still in progress)."""
        return self.funnel.total.transition_success

    @property
    def placed_in_time_share(self) -> Optional[float]:
        """Placed by week 14, of the enrollments in cohorts past week 14."""
        return self.funnel.total.placed_in_time_share


STATES = ("in_training", "in_buffer", "finished")  # lms/services/enrollment_state.py


@dataclass(frozen=True)
class CohortPhase:
    id: int
    code: str
    start_date: date
    counts: dict  # STATES → trainees
    phase: clock.Phase
    week: int
    weeks: int = clock.TRAINING_WEEKS  # the program's training weeks


def build(session: Session, scope: Scope, today: date, now: datetime, buffer_settings: BufferSettings,
          defect_settings: DefectSettings) -> Dashboard:
    params = standing.params(scope, today, now, defect_settings.hours.timezone)  # the program's zone
    programs = list(session.scalars(SCOPE_PROGRAMS, params))
    reqs = requirements(session, programs)
    cohorts, phases = [], defaultdict(lambda: dict.fromkeys(STATES, 0))
    for row in dashboard_training.cohorts(session, params):
        phase = clock.phase(row.start_date, today, row.closed_at is not None, row.weeks, row.buffer_until)
        counts = {state: getattr(row, state) for state in STATES}
        cohorts.append(CohortPhase(row.id, row.code, row.start_date, counts, phase,
                                   clock.week_of(row.start_date, today), row.weeks))
        for state, n in counts.items():
            phases[phase.value][state] += n
    figures = dashboard_training.assessments(session, params)
    views, tier_titles, titles = [], {}, {}
    for program in programs:
        for tier in progress.load_outline(session, program):
            tier_titles.setdefault(tier.code.value, tier.title)
            for track in progress.live(tier.tracks):
                for course in progress.live(track.courses):
                    for a in progress.live(course.assessments):
                        titles[a.id] = a.title
                        views.append(AssessmentView(a, tier.code.value, figures.get(
                            a.id, dashboard_training.AssessmentRow(a.id))))
    weeks, whole = dashboard_buffer.collaboration(session, params, buffer_settings)
    tiers = dashboard_training.tier_rows(session, params, reqs)
    return Dashboard(
        scope=scope, today=today, cohorts=cohorts, phases=dict(phases),
        funnel=dashboard_training.funnel(session, params, tiers),
        tiers_now=dashboard_training.tiers_now(tiers, reqs),
        standing=dashboard_training.standing_figures(session, params, reqs),
        assessments=views,
        turnaround=dashboard_training.turnaround(session, params),
        calibration=dashboard_training.calibration(session, params),
        competencies=dashboard_training.competencies(session, params),
        outcomes=dashboard_buffer.outcomes(session, params),
        defects=dashboard_buffer.defect_figures(session, params, now, defect_settings),
        collaboration_weeks=weeks, collaboration=whole,
        contributions=dashboard_buffer.contributions(session, params),
        mentors=dashboard_buffer.mentors(session, params),
        reference=dict(programs[0].reference or {}) if programs else {},
        threshold=programs[0].attainment_threshold if programs else 70,
        tier_titles=tier_titles, assessment_titles=titles,
    )
