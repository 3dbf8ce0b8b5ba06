"""An assessment's `group:` block (the expert capstone, 场景化项目攻坚): group size,
the problems a group may take and the milestones with their due weeks.
Format: courses/FORMAT.md, "Group assessments"."""

from typing import Optional

from flask_babel import lazy_gettext as _l

from lms.services.catalog_checks import YamlFile, unique
from lms.services.catalog_specs import CODE_RE, ProgramSpec

MEMBERS_LOW, MEMBERS_HIGH = 2, 6  # a group is 2–6 trainees (the brief's "small group")


def group_block(f: YamlFile, d: dict, prefix: str) -> Optional[dict]:
    """The parsed block, or None when the assessment has none (individual work)."""
    if "group" not in d:
        return None
    g = d["group"]
    prefix = f"{prefix}group."
    if not isinstance(g, dict):
        f.problem(prefix.rstrip("."), _l("must be a mapping"))
        return None
    f.keys(g, {"min_members", "max_members", "problems", "milestones"}, prefix)
    low = f.integer(g, "min_members", MEMBERS_LOW, MEMBERS_HIGH, prefix)
    high = f.integer(g, "max_members", MEMBERS_LOW, MEMBERS_HIGH, prefix)
    if low and high and high < low:
        f.problem(prefix + "max_members", _l("is below min_members"))
    problems = []
    for pp, item in f.mappings(g, "problems", prefix):
        f.keys(item, {"code", "title", "deliver"}, pp)
        problems.append({"code": f.code(item, "code", pp, CODE_RE), "title": f.text(item, "title", pp),
                         "deliver": f.text(item, "deliver", pp)})
    unique(f, [p["code"] for p in problems], prefix + "problems", "code")
    milestones = []
    for mp, item in f.mappings(g, "milestones", prefix):
        f.keys(item, {"code", "week", "title", "brief"}, mp)
        milestones.append({"code": f.code(item, "code", mp, CODE_RE), "week": f.integer(item, "week", 1, 52, mp),
                           "title": f.text(item, "title", mp), "brief": f.text(item, "brief", mp)})
    unique(f, [m["code"] for m in milestones], prefix + "milestones", "code")
    weeks = [m["week"] for m in milestones]
    if None not in weeks and weeks != sorted(weeks):
        f.problem(prefix + "milestones", _l("must be in week order"))
    return {"min_members": low or MEMBERS_LOW, "max_members": high or MEMBERS_HIGH,
            "problems": problems, "milestones": milestones}


def check_group_weeks(f: YamlFile, spec: ProgramSpec) -> None:
    """A group assessment's milestones fall inside its track's scheduled weeks."""
    for ref, track in spec.tracks():
        if not (track.start_week and track.end_week):
            continue
        for course in track.courses:
            for a in course.assessments:
                for m in (a.group or {}).get("milestones", []):
                    if m["week"] and not track.start_week <= m["week"] <= track.end_week:
                        f.problem("schedule", _l("%(t)s: milestone %(m)s in week %(w)d is outside the track's "
                                                 "weeks %(s)d–%(e)d", t=ref, m=m["code"], w=m["week"],
                                                 s=track.start_week, e=track.end_week))
