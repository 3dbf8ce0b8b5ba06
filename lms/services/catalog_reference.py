"""The program's reference figures (program.yaml `reference`): what the source material
reports, shown beside the cohort's own numbers on the dashboard. Data of the program, like
its pass rules, so a program with other figures changes a file, not a template."""

from flask_babel import lazy_gettext as _l

from lms.models.catalog import Competency
from lms.services.catalog_checks import YamlFile

# How a baseline figure is meant: "under 25 %" or "about 37 %".
BASELINE_QUALIFIERS = ("below", "about")


def read_reference(f: YamlFile) -> dict:
    """`reference`: optional; {transition_success_pct, contribution_adoption_pct,
    baseline_attainment: {competency: {below|about: %}}}."""
    data = f.get(f.data, "reference", required=False)
    if data is None:
        return {}
    if not isinstance(data, dict):
        f.problem("reference", _l("must be a mapping (see FORMAT.md)"))
        return {}
    f.keys(data, {"transition_success_pct", "contribution_adoption_pct", "baseline_attainment"}, "reference.")
    out = {}
    for key in ("transition_success_pct", "contribution_adoption_pct"):
        value = f.integer(data, key, 0, 100, "reference.", required=False)
        if value is not None:
            out[key] = value
    baseline = data.get("baseline_attainment")
    if baseline is None:
        return out
    if not isinstance(baseline, dict):
        f.problem("reference.baseline_attainment", _l("must map competencies to a figure"))
        return out
    figures = {}
    for competency, figure in baseline.items():
        where = f"reference.baseline_attainment.{competency}"
        if competency not in set(Competency):
            f.problem(where, _l("unknown competency; use one of: %(c)s", c=", ".join(c.value for c in Competency)))
        elif not isinstance(figure, dict) or len(figure) != 1 or next(iter(figure)) not in BASELINE_QUALIFIERS:
            f.problem(where, _l("must be {below: N} or {about: N}"))
        else:
            qualifier = next(iter(figure))
            value = f.integer(figure, qualifier, 0, 100, f"{where}.")
            if value is not None:
                figures[competency] = {"qualifier": qualifier, "pct": value}
    out["baseline_attainment"] = figures
    return out
