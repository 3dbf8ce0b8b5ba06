"""The dashboard's charts, from its figures: words in the reader's language, numbers as the
tables beside them show them (the geometry is lms/charts.py)."""

from flask_babel import gettext as _

from lms import charts, labels
from lms.services.dashboard import STATES, Dashboard
from lms.templating import localized

CALIBRATION_SHOWN = 10  # the criteria with the largest gaps (the page lists every one)


def _pct(part, whole) -> float | None:
    return 100 * part / whole if whole else None


def _shown(value) -> str:
    return "—" if value is None else f"{value:.0f}%"


def calibration_names(d: Dashboard) -> list[tuple[str, object]]:
    """The charted criteria, each by its own title; a title two assessments share names its
    assessment after it, so every bar reads differently (whatever the label's cut keeps)."""
    shown = d.calibration[:CALIBRATION_SHOWN]
    titles = [localized(c.criterion_title) for c in shown]
    out = []
    for title, c in zip(titles, shown, strict=True):
        if titles.count(title) > 1:
            title = f"{title} · {localized(d.assessment_titles.get(c.assessment_id))}"
        out.append((title, c))
    return out


def build(d: Dashboard) -> dict[str, charts.Chart]:
    out: dict[str, charts.Chart] = {}
    total = d.funnel.total
    # each stage a share of its own base: a tier of the enrolled whose role needs it, placed by
    # week 14 of the enrollments in cohorts past week 14, the others of everyone enrolled
    stages = [(_("Enrolled"), total.enrolled, None)]
    stages += [(_("%(tier)s passed", tier=localized(d.tier_titles.get(code))), total.tiers.get(code, 0),
                total.tier_bases.get(code, 0)) for code in d.funnel.tier_codes]
    stages += [(_("Placed (any time)"), total.placed, total.enrolled),
               (_("Placed by week 14"), total.placed_in_time, total.past_placement_week),
               (_("Buffer completed"), total.completed, total.enrolled)]
    out["funnel"] = charts.funnel(stages)

    out["standing"] = charts.bars([(labels.standing("on_track"), d.standing.on_track, str(d.standing.on_track)),
                                   (labels.standing("behind"), d.standing.behind, str(d.standing.behind)),
                                   (labels.standing("at_risk"), d.standing.at_risk, str(d.standing.at_risk))])
    tiers = [(localized(d.tier_titles.get(code)), d.tiers_now.get(code, 0)) for code in d.funnel.tier_codes]
    tiers.append((_("Every tier passed"), d.tiers_now.get("done", 0)))
    out["tiers"] = charts.bars([(name, n, str(n)) for name, n in tiers])
    out["phases"] = charts.stacked(
        [(labels.phase(code), [counts[s] for s in STATES]) for code, counts in d.phases.items()],
        [labels.enrollment_state(s) for s in STATES])

    prefix, names = charts.shared_prefix([localized(v.assessment.title) for v in d.assessments])
    rows = [(name, None if v.figures.pass_rate is None else 100 * v.figures.pass_rate,
             _shown(None if v.figures.pass_rate is None else 100 * v.figures.pass_rate))
            for name, v in zip(names, d.assessments, strict=True)]
    out["pass_rate"] = charts.bars(rows, maximum=100, unit="%", labels_above=True)
    out["pass_rate"].dropped = prefix

    out["turnaround"] = charts.bars([(t.name, t.median_hours, f"{t.median_hours:.1f} h") for t in d.turnaround])
    out["calibration"] = charts.bars([(name, c.mean_gap_pct, f"{c.mean_gap_pct:.0f}%")
                                      for name, c in calibration_names(d)], maximum=100, unit="%",
                                     labels_above=True)

    reference = d.reference.get("baseline_attainment", {})
    out["competencies"] = charts.grouped(
        [(labels.competency(c.competency), [(c.intake_pct, _shown(c.intake_pct)), (c.now_pct, _shown(c.now_pct))])
         for c in d.competencies],
        [(_("At intake"), charts.PALETTE[1]), (_("Now"), charts.PALETTE[0])], maximum=100, unit="%",
        references=[reference.get(c.competency.value, {}).get("pct") for c in d.competencies])

    success = d.transition_success
    target = d.reference.get("transition_success_pct")
    out["outcomes"] = charts.bars(
        [(_("Transition success"), None if success is None else 100 * success,
          _shown(None if success is None else 100 * success)),
         (_("Placed by week 14"), _pct(total.placed_in_time, total.past_placement_week),
          _shown(_pct(total.placed_in_time, total.past_placement_week)))],
        maximum=100, unit="%", reference=(target, _("Reference %(pct)d%%", pct=target)) if target is not None else None)
    out["not_placed"] = charts.bars(
        [(f"{labels.training_outcome(kind)} · {labels.reason_code(reason)}", n, str(n))
         for kind, reason, n in d.outcomes.not_placed])

    types = list(labels.DEFECT_TYPES)
    weeks = sorted(d.defects.weeks)
    out["defect_weeks"] = charts.stacked(
        [(_("Week %(n)d", n=w), [d.defects.weeks[w].get(t, 0) for t in types]) for w in weeks],
        [labels.defect_type(t) for t in types])
    states = d.defects.by_state
    out["defect_states"] = charts.bars(
        [(str(labels.DEFECT_STATES[s]), states.get(s, 0), str(states.get(s, 0))) for s in labels.DEFECT_STATES])
    sla = d.defects.sla
    out["sla"] = charts.bars(
        [(_("Response ≤ %(n)d min", n=sla.response_minutes),
          None if sla.response_share is None else 100 * sla.response_share,
          _shown(None if sla.response_share is None else 100 * sla.response_share)),
         (_("Complex closed ≤ %(n)d h", n=sla.close_hours),
          None if sla.close_share is None else 100 * sla.close_share,
          _shown(None if sla.close_share is None else 100 * sla.close_share))], maximum=100, unit="%")

    weeks = d.collaboration_weeks
    out["collaboration"] = charts.line(
        [w.week for w in weeks],
        [(_("Responded in time"), [w.response_share for w in weeks]),
         (_("Complex cases closed in time"), [w.complex_share for w in weeks]),
         (_("Cross-team closure"), [w.cross_team_rate for w in weeks])],
        x_label=_("Buffer week"))

    c = d.contributions
    adoption = d.reference.get("contribution_adoption_pct")
    out["adoption"] = charts.bars(
        [(_("Adoption rate"), None if c.adoption_rate is None else 100 * c.adoption_rate,
          _shown(None if c.adoption_rate is None else 100 * c.adoption_rate))], maximum=100, unit="%",
        reference=(adoption, _("Reference %(pct)d%%", pct=adoption)) if adoption is not None else None)

    out["mentor_load"] = charts.grouped(
        [(m.name, [(_pct(m.load, m.capacity), f"{m.load}/{m.capacity or 0}"),
                   (_pct(m.buffer_taken, m.buffer_capacity), f"{m.buffer_taken}/{m.buffer_capacity or 0}")])
         for m in d.mentors],
        [(_("Training seats"), charts.PALETTE[0]), (_("Buffer seats"), charts.PALETTE[2])], maximum=100, unit="%")
    coaches = [m for m in d.mentors if m.checkins_due]
    out["checkins"] = charts.bars(
        [(m.name, _pct(m.checkins_done, m.checkins_due), f"{m.checkins_done}/{m.checkins_due}") for m in coaches],
        maximum=100, unit="%")
    return out
