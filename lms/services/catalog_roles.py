"""Role packages (岗位包) in program.yaml and the schedule rules that follow from them
(format: courses/FORMAT.md, "Role packages").

A role package says what a target role is, which duties it carries, the level it
needs per competency, the tiers and tracks it takes and where it leads. The checks
here run once the whole program is read: a role's track list must match the
schedule, no role takes two tracks in the same week, and every training week has
work for every role.
"""

from collections import defaultdict
from typing import Optional

from flask_babel import lazy_gettext as _l

from lms.models.catalog import Competency
from lms.services.catalog_checks import YamlFile
from lms.services.catalog_group import check_group_weeks
from lms.services.catalog_specs import DUTIES, TIER_ORDER, ProgramSpec

ROLE_KEYS = {"title", "description", "duties", "competencies", "tiers", "tracks", "promotion"}


def role_package(f: YamlFile, role: str, info: dict) -> dict:
    """One role package as stored on the program; every key is required."""
    prefix = f"roles.{role}."
    f.keys(info, ROLE_KEYS, prefix)
    tiers = f.items(info, "tiers", prefix)
    if tiers and tiers != TIER_ORDER[: len(tiers)]:
        f.problem(f"{prefix}tiers", _l("tiers unlock in order: list them from foundation up"))
    duties = f.items(info, "duties", prefix)
    bad = [d for d in duties if d not in DUTIES]
    if bad:
        f.problem(f"{prefix}duties", _l("must be some of: %(d)s", d=", ".join(DUTIES)))
    tracks = f.items(info, "tracks", prefix)
    if any(not isinstance(t, str) for t in tracks) or len(set(map(str, tracks))) != len(tracks):
        f.problem(f"{prefix}tracks", _l("must list each track once as <tier>/<track>"))
    return {
        "title": f.text(info, "title", prefix),
        "description": f.text(info, "description", prefix),
        "duties": [d for d in duties if d in DUTIES],
        "competencies": _competencies(f, info, prefix),
        "tiers": [t for t in tiers if t in TIER_ORDER],  # anything else is reported above
        "tracks": [str(t) for t in tracks],
        "promotion": _promotion(f, role, info, prefix),
    }


def _competencies(f: YamlFile, info: dict, prefix: str) -> dict:
    levels = f.get(info, "competencies", prefix)
    if levels is None:
        return {}
    if not isinstance(levels, dict):
        f.problem(f"{prefix}competencies", _l("must map each competency to its required level (%%)"))
        return {}
    codes = [c.value for c in Competency]
    for extra in sorted(set(map(str, levels)) - set(codes)):
        f.problem(f"{prefix}competencies.{extra}", _l("unknown competency; use one of: %(c)s", c=", ".join(codes)))
    out = {}
    for code in codes:
        value = f.integer(levels, code, 1, 100, f"{prefix}competencies.")
        if value is not None:
            out[code] = value
    return out


def _promotion(f: YamlFile, role: str, info: dict, prefix: str) -> Optional[dict]:
    promotion = f.get(info, "promotion", prefix)
    if promotion is None:
        return None
    where = f"{prefix}promotion"
    if not isinstance(promotion, dict):
        f.problem(where, _l("must have next and requires"))
        return None
    f.keys(promotion, {"next", "requires"}, where + ".")
    if "next" not in promotion:
        f.problem(where + ".next", _l("is missing (write ~ at the top of the path)"))
    following = promotion.get("next")
    if following is not None and (not isinstance(following, str) or following == role):
        f.problem(where + ".next", _l("must be another target role, or ~ at the top of the path"))
        following = None
    return {"next": following, "requires": f.text(promotion, "requires", where + ".")}


def schedule_roles(f: YamlFile, entry: dict, prefix: str, ref: str, roles: dict) -> list[str]:
    """The `roles:` of a schedule entry: roles whose tiers include the track's tier."""
    listed = f.items(entry, "roles", prefix, required=False)
    tier = ref.split("/")[0]
    out = []
    for role in listed:
        if not isinstance(role, str) or role not in roles:
            f.problem(f"{prefix}roles", _l("no role package %(r)s", r=role))
        elif tier not in roles[role]["tiers"]:
            f.problem(f"{prefix}roles", _l("%(r)s does not take the %(t)s tier", r=role, t=tier))
        elif role not in out:
            out.append(role)
    return out


def check_roles(f: YamlFile, spec: ProgramSpec) -> None:
    """The rules across role packages and the schedule (run after both are read)."""
    refs = {ref for ref, _track in spec.tracks()}
    index = {ref: i for i, ref in enumerate(_schedule_refs(f)) if isinstance(ref, str)}
    for role, info in spec.roles.items():
        prefix = f"roles.{role}."
        taken = spec.tracks_for_role(role)
        listed, given = set(info["tracks"]), {ref for ref, _track in taken}
        for ref in info["tracks"]:
            if ref not in refs:
                f.problem(f"{prefix}tracks", _l("no track %(t)s", t=ref))
            elif ref not in given:
                f.problem(f"{prefix}tracks", _l("%(t)s is not this role's: its tier is not listed or its "
                                                "schedule entry names other roles", t=ref))
        for ref in sorted(given - listed):
            f.problem(f"{prefix}tracks", _l("%(t)s is missing: the schedule gives it to this role", t=ref))
        for tier in info["tiers"]:
            if tier in {t.code for t in spec.tiers} and not any(ref.startswith(tier + "/") for ref in given):
                f.problem(f"{prefix}tiers", _l("the %(t)s tier has no track for this role", t=tier))
        following = (info.get("promotion") or {}).get("next")
        if following is not None and following not in spec.roles:
            f.problem(f"{prefix}promotion.next", _l("no role package %(r)s", r=following))
    _check_overlaps(f, spec, index)
    check_weeks(f, spec)
    check_group_weeks(f, spec)
    _check_duties(f, spec)


def _schedule_refs(f: YamlFile) -> list:
    schedule = f.data.get("schedule")
    # one per entry, so a position names its `schedule[i]` (None for an entry that is not a mapping)
    return [e.get("track") if isinstance(e, dict) else None for e in schedule] if isinstance(schedule, list) else []


def _check_overlaps(f: YamlFile, spec: ProgramSpec, index: dict) -> None:
    """No role takes two tracks in one week."""
    clashes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for role in spec.roles:
        taken = [(ref, t) for ref, t in spec.tracks_for_role(role)
                 if t.start_week and t.end_week and not t.alongside]
        for i, (ref, track) in enumerate(taken):
            for other_ref, other in taken[:i]:
                if track.start_week <= other.end_week and other.start_week <= track.end_week:
                    clashes[(other_ref, ref)].append(role)
    for (first, second), roles in clashes.items():
        later = max((first, second), key=lambda r: index.get(r, -1))
        earlier = first if later == second else second
        where = f"schedule[{index[later]}].start_week" if later in index else "schedule"
        f.problem(where, _l("%(t)s overlaps %(o)s for %(r)s: a role takes one track at a time",
                            t=later, o=earlier, r=", ".join(roles)))


def empty_weeks(spec: ProgramSpec, role: str) -> list[int]:
    """Training weeks (1..weeks) in which the role has no track."""
    busy = {w for _ref, t in spec.tracks_for_role(role) if t.start_week and t.end_week
            for w in range(t.start_week, t.end_week + 1)}
    return [w for w in range(1, (spec.weeks or 0) + 1) if w not in busy]


def _check_duties(f: YamlFile, spec: ProgramSpec) -> None:
    """Each duty has a role, and no role carries them all (the work must not pile up on a few people)."""
    if not spec.roles:
        return
    carried = {d for info in spec.roles.values() for d in info["duties"]}
    for duty in DUTIES:
        if duty not in carried:
            f.problem("roles", _l("no role carries the duty %(d)s", d=duty))
    for role, info in spec.roles.items():
        if len(spec.roles) > 1 and set(DUTIES) <= set(info["duties"]):
            f.problem(f"roles.{role}.duties", _l("one role carries every duty: split them across roles"))


def _ranges(weeks: list[int]) -> str:
    out, start = [], None
    for i, week in enumerate(weeks):
        if start is None:
            start = week
        if i + 1 == len(weeks) or weeks[i + 1] != week + 1:
            out.append(str(start) if start == week else f"{start}–{week}")
            start = None
    return ", ".join(out)


def check_weeks(f: YamlFile, spec: ProgramSpec) -> None:
    """Every role has a track in every training week."""
    for role in spec.roles:
        holes = empty_weeks(spec, role)
        if holes:
            f.problem(f"roles.{role}", _l("no track in week(s) %(w)s: every training week needs work",
                                          w=_ranges(holes)))


def weight_shares(spec: ProgramSpec) -> dict[str, dict[str, float]]:
    """Per tier, each competency's share (%) of the rubric weight, every assessment counting once
    (weights are relative within a rubric)."""
    out = {}
    for tier in spec.tiers:
        sums: dict[str, float] = dict.fromkeys((c.value for c in Competency), 0.0)
        count = 0
        for track in tier.tracks:
            for course in track.courses:
                for assessment in course.assessments:
                    total = sum(c.weight or 0 for c in assessment.rubric)
                    if not total:
                        continue
                    count += 1
                    for c in assessment.rubric:
                        if c.competency in sums:
                            sums[c.competency] += (c.weight or 0) / total
        out[tier.code] = {c: round(100 * v / count, 1) if count else 0.0 for c, v in sums.items()}
    return out
