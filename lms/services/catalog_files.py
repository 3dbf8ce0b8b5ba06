"""Reading and validating `courses/` (format: courses/FORMAT.md).

`load_catalog(root)` never raises on bad content: it returns the parsed program
(or None) and every problem found, each printable as `file: field: problem`.
No database access here; `catalog_sync` applies a clean load.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml
from flask_babel import lazy_gettext as _l

from lms.models.catalog import Competency, GraderKind, TargetRole, TierCode

LOCALES = ("zh_CN", "en")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CRITERION_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
FIELD_TYPES = ("text", "textarea", "number", "choice", "file")
CHECK_KINDS = ("required", "regex", "number_range", "keywords", "max_length", "min_length")
FILE_EXTENSIONS = (".csv", ".xlsx", ".xls", ".txt", ".pdf", ".png", ".jpg", ".jpeg", ".docx")
TIER_ORDER = [t.value for t in TierCode]


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass
class LessonSpec:
    slug: str
    title: dict
    minutes: int
    body: dict


@dataclass
class CriterionSpec:
    code: str
    title: dict
    competency: str
    weight: int
    levels: list


@dataclass
class AssessmentSpec:
    code: str
    title: dict
    brief: dict
    grader: str
    pass_mark: int
    max_attempts: int
    required: bool
    fields: list
    checks: list
    rubric: list[CriterionSpec]


@dataclass
class CourseSpec:
    code: str
    title: dict
    summary: dict
    lessons: list[LessonSpec]
    assessments: list[AssessmentSpec]


@dataclass
class TrackSpec:
    code: str
    title: dict
    summary: dict
    courses: list[CourseSpec]
    start_week: int = 0
    end_week: int = 0


@dataclass
class TierSpec:
    code: str
    order: int
    title: dict
    summary: dict
    tracks: list[TrackSpec]


@dataclass
class ProgramSpec:
    code: str
    title: dict
    weeks: int
    attainment_threshold: int
    roles: dict
    tiers: list[TierSpec] = field(default_factory=list)


class _File:
    """Checks on one YAML mapping, recording problems against its file."""

    def __init__(self, loader: "_Loader", path: Path, data: dict):
        self.loader, self.name, self.data = loader, loader.display(path), data

    def problem(self, where: str, message) -> None:
        self.loader.problems.append(Problem(self.name, where, str(message)))

    def keys(self, data: dict, allowed: set[str], prefix: str = "") -> None:
        for key in data:
            if key not in allowed:
                self.problem(f"{prefix}{key}", _l("unknown key"))

    def get(self, data: dict, key: str, prefix: str = "", required: bool = True):
        if key not in data or data[key] is None:
            if required:
                self.problem(f"{prefix}{key}", _l("is missing"))
            return None
        return data[key]

    def code(self, data: dict, key: str, prefix: str = "", pattern=CODE_RE) -> Optional[str]:
        value = self.get(data, key, prefix)
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.match(value):
            self.problem(f"{prefix}{key}", _l("is not a valid code (lowercase letters, digits, - or _)"))
            return None
        return value

    def text(self, data: dict, key: str, prefix: str = "", required: bool = True) -> Optional[dict]:
        value = self.get(data, key, prefix, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(f"{prefix}{key}", _l("must have both zh_CN and en texts"))
            return None
        ok = True
        for locale in LOCALES:
            text = value.get(locale)
            if not isinstance(text, str) or not text.strip():
                self.problem(f"{prefix}{key}.{locale}", _l("is missing or empty"))
                ok = False
        for extra in set(value) - set(LOCALES):
            self.problem(f"{prefix}{key}.{extra}", _l("unknown language; use zh_CN and en"))
        return {loc: value[loc].strip() for loc in LOCALES} if ok else None

    def integer(self, data: dict, key: str, low: int, high: int, prefix: str = "", required=True):
        value = self.get(data, key, prefix, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(f"{prefix}{key}", _l("must be a whole number from %(low)d to %(high)d",
                                              low=low, high=high))
            return None
        return value

    def boolean(self, data: dict, key: str, default: bool, prefix: str = "") -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{prefix}{key}", _l("must be true or false"))
            return default
        return value

    def choice(self, data: dict, key: str, options, prefix: str = "") -> Optional[str]:
        value = self.get(data, key, prefix)
        if value is None:
            return None
        if value not in options:
            self.problem(f"{prefix}{key}", _l("must be one of: %(options)s", options=", ".join(options)))
            return None
        return value

    def items(self, data: dict, key: str, prefix: str = "", minimum: int = 1) -> list:
        value = self.get(data, key, prefix)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) < minimum:
            self.problem(f"{prefix}{key}", _l("must be a list of at least %(n)d", n=minimum))
            return []
        return value


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def display(self, path: Path) -> str:
        try:
            return str(Path(self.root.name) / path.relative_to(self.root))
        except ValueError:
            return str(path)

    def read_yaml(self, path: Path) -> Optional[_File]:
        name = self.display(path)
        if not path.is_file():
            self.problems.append(Problem(name, "file", str(_l("is missing"))))
            return None
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.problems.append(Problem(name, "file", str(_l("is not UTF-8 text"))))
            return None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "file"
            problem = getattr(error, "problem", None) or str(error)
            self.problems.append(Problem(name, where, str(_l("YAML syntax: %(p)s", p=problem))))
            return None
        if not isinstance(data, dict):
            self.problems.append(Problem(name, "file", str(_l("must be a YAML mapping"))))
            return None
        return _File(self, path, data)

    def read_markdown(self, path: Path, owner: _File, where: str) -> Optional[str]:
        if not path.is_file():
            owner.problem(where, _l("file %(f)s is missing", f=self.display(path)))
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problems.append(Problem(self.display(path), "file", str(_l("is not UTF-8 text"))))
            return None
        if not text.strip():
            self.problems.append(Problem(self.display(path), "file", str(_l("is empty"))))
            return None
        if text.lstrip().startswith("# "):
            # The page shows the title from course.yaml; a second one would repeat it.
            self.problems.append(Problem(self.display(path), "line 1",
                                         str(_l("starts with a # title; the title comes from course.yaml"))))
        return text

    # --- program ---------------------------------------------------------------

    def program(self) -> Optional[ProgramSpec]:
        f = self.read_yaml(self.root / "program.yaml")
        if f is None:
            return None
        d = f.data
        f.keys(d, {"code", "title", "weeks", "attainment_threshold", "schedule", "roles"})
        spec = ProgramSpec(
            code=f.code(d, "code"),
            title=f.text(d, "title"),
            weeks=f.integer(d, "weeks", 1, 52),
            attainment_threshold=f.integer(d, "attainment_threshold", 1, 100),
            roles=self.roles(f),
        )
        tiers = [self.tier(code) for code in TIER_ORDER if (self.root / code).is_dir()]
        spec.tiers = [t for t in tiers if t is not None]
        for extra in sorted(p.name for p in self.root.iterdir() if p.is_dir()):
            if extra not in TIER_ORDER:
                self.problems.append(Problem(self.display(self.root / extra), "folder",
                                             str(_l("unknown tier; use foundation, advanced, expert"))))
        if not spec.tiers:
            f.problem("tiers", _l("no tier folders found"))
        self.schedule(f, spec)
        for role, info in spec.roles.items():
            missing = [t for t in info["tiers"] if t not in {tier.code for tier in spec.tiers}]
            if missing:
                f.problem(f"roles.{role}.tiers", _l("unknown tier: %(t)s", t=", ".join(missing)))
        return spec

    def roles(self, f: _File) -> dict:
        roles = f.get(f.data, "roles")
        if not isinstance(roles, dict) or not roles:
            if roles is not None:
                f.problem("roles", _l("must map target roles to their tiers"))
            return {}
        out = {}
        for role, info in roles.items():
            prefix = f"roles.{role}."
            if role not in set(TargetRole):
                f.problem(f"roles.{role}", _l("unknown role; use one of: %(r)s",
                                               r=", ".join(r.value for r in TargetRole)))
                continue
            if not isinstance(info, dict):
                f.problem(f"roles.{role}", _l("must have title and tiers"))
                continue
            f.keys(info, {"title", "tiers"}, prefix)
            tiers = f.items(info, "tiers", prefix)
            if tiers and tiers != TIER_ORDER[: len(tiers)]:
                f.problem(f"{prefix}tiers", _l("tiers unlock in order: list them from foundation up"))
            out[role] = {"title": f.text(info, "title", prefix), "tiers": list(tiers)}
        return out

    def schedule(self, f: _File, spec: ProgramSpec) -> None:
        tracks = {f"{tier.code}/{track.code}": track for tier in spec.tiers for track in tier.tracks}
        seen = set()
        for i, entry in enumerate(f.items(f.data, "schedule")):
            prefix = f"schedule[{i}]."
            if not isinstance(entry, dict):
                f.problem(f"schedule[{i}]", _l("must have track, start_week and end_week"))
                continue
            f.keys(entry, {"track", "start_week", "end_week"}, prefix)
            ref = f.get(entry, "track", prefix)
            weeks = spec.weeks or 52
            start = f.integer(entry, "start_week", 1, weeks, prefix)
            end = f.integer(entry, "end_week", 1, weeks, prefix)
            if start and end and end < start:
                f.problem(f"{prefix}end_week", _l("is before start_week"))
            if ref is None:
                continue
            if ref not in tracks:
                f.problem(f"{prefix}track", _l("no track folder %(t)s", t=ref))
            elif ref in seen:
                f.problem(f"{prefix}track", _l("is scheduled twice"))
            else:
                tracks[ref].start_week, tracks[ref].end_week = start or 0, end or 0
            seen.add(ref)
        for ref in sorted(set(tracks) - seen):
            f.problem("schedule", _l("track %(t)s is not scheduled", t=ref))

    # --- tiers, tracks, courses -------------------------------------------------

    def tier(self, code: str) -> Optional[TierSpec]:
        folder = self.root / code
        f = self.read_yaml(folder / "tier.yaml")
        tracks = [self.track(p) for p in sorted(folder.iterdir()) if p.is_dir()]
        tracks = [t for t in tracks if t is not None]
        order = TIER_ORDER.index(code) + 1
        if f is None:  # reported already; keep its tracks so the schedule is not misreported
            return TierSpec(code, order, None, None, tracks)
        d = f.data
        f.keys(d, {"code", "order", "title", "summary"})
        if d.get("code") != code:
            f.problem("code", _l("must equal the folder name %(name)s", name=code))
        if f.integer(d, "order", 1, 3) not in (None, order):
            f.problem("order", _l("must be %(n)d for %(code)s", n=order, code=code))
        if not tracks:
            f.problem("tracks", _l("a tier needs at least one track folder"))
        return TierSpec(code, order, f.text(d, "title"), f.text(d, "summary"), tracks)

    def track(self, folder: Path) -> Optional[TrackSpec]:
        f = self.read_yaml(folder / "track.yaml")
        if f is None:  # reported already; a placeholder keeps the schedule check honest
            return TrackSpec(folder.name, None, None, [])
        d = f.data
        f.keys(d, {"code", "title", "summary", "courses"})
        code = f.code(d, "code")
        if code and code != folder.name:
            f.problem("code", _l("must equal the folder name %(name)s", name=folder.name))
        listed = f.items(d, "courses")
        courses = []
        for i, course_code in enumerate(listed):
            if not isinstance(course_code, str) or not (folder / course_code).is_dir():
                f.problem(f"courses[{i}]", _l("no course folder %(c)s", c=course_code))
            elif course_code in listed[:i]:
                f.problem(f"courses[{i}]", _l("is listed twice"))
            else:
                courses.append(self.course(folder / course_code))
        for extra in sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name not in listed):
            f.problem("courses", _l("folder %(c)s is not listed", c=extra))
        return TrackSpec(code, f.text(d, "title"), f.text(d, "summary"),
                         [c for c in courses if c is not None])

    def course(self, folder: Path) -> Optional[CourseSpec]:
        f = self.read_yaml(folder / "course.yaml")
        if f is None:
            return None
        d = f.data
        f.keys(d, {"code", "title", "summary", "lessons", "assessments"})
        code = f.code(d, "code")
        if code and code != folder.name:
            f.problem("code", _l("must equal the folder name %(name)s", name=folder.name))
        lessons = self.lessons(f, folder)
        assessments = []
        for i, item in enumerate(f.items(d, "assessments")):
            prefix = f"assessments[{i}]."
            if not isinstance(item, dict):
                f.problem(f"assessments[{i}]", _l("must be a mapping"))
                continue
            assessments.append(_assessment(f, item, prefix))
        _unique(f, [a.code for a in assessments], "assessments", "code")
        return CourseSpec(code, f.text(d, "title"), f.text(d, "summary"), lessons, assessments)

    def lessons(self, f: _File, folder: Path) -> list[LessonSpec]:
        out = []
        for i, item in enumerate(f.items(f.data, "lessons")):
            prefix = f"lessons[{i}]."
            if not isinstance(item, dict):
                f.problem(f"lessons[{i}]", _l("must be a mapping"))
                continue
            f.keys(item, {"slug", "title", "minutes"}, prefix)
            slug = f.code(item, "slug", prefix)
            body = {}
            if slug:
                for locale in LOCALES:
                    text = self.read_markdown(folder / "lessons" / f"{slug}.{locale}.md", f, f"{prefix}slug")
                    if text is not None:
                        body[locale] = text
            out.append(LessonSpec(slug, f.text(item, "title", prefix),
                                  f.integer(item, "minutes", 1, 240, prefix), body))
        _unique(f, [lesson.slug for lesson in out], "lessons", "slug")
        listed = {f"{lesson.slug}.{loc}.md" for lesson in out for loc in LOCALES}
        lesson_dir = folder / "lessons"
        if lesson_dir.is_dir():
            for path in sorted(lesson_dir.iterdir()):
                if path.name not in listed:
                    self.problems.append(Problem(self.display(path), "file",
                                                 str(_l("is not a listed lesson in course.yaml"))))
        return out


def _unique(f: _File, values: list, where: str, key: str) -> None:
    seen = set()
    for i, value in enumerate(values):
        if value is not None and value in seen:
            f.problem(f"{where}[{i}].{key}", _l("is used twice"))
        seen.add(value)


def _assessment(f: _File, d: dict, prefix: str) -> AssessmentSpec:
    f.keys(d, {"code", "title", "brief", "grader", "pass_mark", "max_attempts", "required",
               "fields", "checks", "rubric"}, prefix)
    fields = [_field(f, item, f"{prefix}fields[{i}].")
              for i, item in enumerate(f.items(d, "fields", prefix))]
    fields = [x for x in fields if x is not None]
    _unique(f, [x["name"] for x in fields], f"{prefix}fields", "name")
    by_name = {x["name"]: x for x in fields}
    checks = [_check(f, item, by_name, f"{prefix}checks[{i}].")
              for i, item in enumerate(d.get("checks") or [])]
    rubric = [_criterion(f, item, f"{prefix}rubric[{i}].")
              for i, item in enumerate(f.items(d, "rubric", prefix))]
    rubric = [c for c in rubric if c is not None]
    _unique(f, [c.code for c in rubric], f"{prefix}rubric", "code")
    return AssessmentSpec(
        code=f.code(d, "code", prefix),
        title=f.text(d, "title", prefix),
        brief=f.text(d, "brief", prefix),
        grader=f.choice(d, "grader", [g.value for g in GraderKind], prefix),
        pass_mark=f.integer(d, "pass_mark", 1, 100, prefix),
        max_attempts=f.integer(d, "max_attempts", 1, 10, prefix),
        required=f.boolean(d, "required", True, prefix),
        fields=fields,
        checks=[c for c in checks if c is not None],
        rubric=rubric,
    )


def _field(f: _File, d: Any, prefix: str) -> Optional[dict]:
    if not isinstance(d, dict):
        f.problem(prefix.rstrip("."), _l("must be a mapping"))
        return None
    f.keys(d, {"name", "type", "label", "help", "required", "choices", "accept"}, prefix)
    out = {
        "name": f.code(d, "name", prefix, FIELD_NAME_RE),
        "type": f.choice(d, "type", FIELD_TYPES, prefix),
        "label": f.text(d, "label", prefix),
        "help": f.text(d, "help", prefix, required=False),
        "required": f.boolean(d, "required", False, prefix),
    }
    if out["type"] == "choice":
        choices = []
        for i, c in enumerate(f.items(d, "choices", prefix, minimum=2)):
            cp = f"{prefix}choices[{i}]."
            value = c.get("value") if isinstance(c, dict) else None
            if isinstance(value, bool) or not isinstance(value, str | int):
                # YAML reads a bare no/yes as a boolean: the value must be quoted.
                f.problem(cp + "value", _l("must be a text (quote yes/no values)"))
                continue
            choices.append({"value": str(c["value"]), "label": f.text(c, "label", cp)})
        _unique(f, [c["value"] for c in choices], f"{prefix}choices", "value")
        out["choices"] = choices
    elif "choices" in d:
        f.problem(prefix + "choices", _l("only for type: choice"))
    if out["type"] == "file":
        accept = f.items(d, "accept", prefix)
        bad = [a for a in accept if not isinstance(a, str) or a.lower() not in FILE_EXTENSIONS]
        if bad:
            f.problem(prefix + "accept", _l("allowed extensions: %(e)s", e=", ".join(FILE_EXTENSIONS)))
        out["accept"] = [a.lower() for a in accept if a not in bad]
    elif "accept" in d:
        f.problem(prefix + "accept", _l("only for type: file"))
    return out if out["name"] else None


def _check(f: _File, d: Any, fields: dict, prefix: str) -> Optional[dict]:
    if not isinstance(d, dict):
        f.problem(prefix.rstrip("."), _l("must be a mapping"))
        return None
    f.keys(d, {"field", "kind", "pattern", "min", "max", "value", "keywords", "blocking", "message"}, prefix)
    name = f.get(d, "field", prefix)
    if name is not None and name not in fields:
        f.problem(prefix + "field", _l("no field named %(n)s", n=name))
    kind = f.choice(d, "kind", CHECK_KINDS, prefix)
    out = {"field": name, "kind": kind, "blocking": f.boolean(d, "blocking", True, prefix),
           "message": f.text(d, "message", prefix)}
    if kind == "regex":
        pattern = f.get(d, "pattern", prefix)
        try:
            re.compile(pattern or "")
        except (re.error, TypeError) as error:
            f.problem(prefix + "pattern", _l("is not a valid regular expression: %(e)s", e=error))
        out["pattern"] = pattern
    elif kind == "number_range":
        low, high = f.get(d, "min", prefix), f.get(d, "max", prefix)
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
        if low is not None and high is not None and (not numbers or low > high):
            f.problem(prefix + "max", _l("min and max must be numbers with min ≤ max"))
        out.update(min=low, max=high)
    elif kind in ("max_length", "min_length"):
        out["value"] = f.integer(d, "value", 1, 100000, prefix)
    elif kind == "keywords":
        words = f.items(d, "keywords", prefix)
        if any(not isinstance(w, str) or not w.strip() for w in words):
            f.problem(prefix + "keywords", _l("must be non-empty texts"))
        out["keywords"] = [str(w) for w in words]
    return out


def _criterion(f: _File, d: Any, prefix: str) -> Optional[CriterionSpec]:
    if not isinstance(d, dict):
        f.problem(prefix.rstrip("."), _l("must be a mapping"))
        return None
    f.keys(d, {"code", "title", "competency", "weight", "levels"}, prefix)
    levels = []
    raw = f.items(d, "levels", prefix, minimum=2)
    if len(raw) > 5:
        f.problem(prefix + "levels", _l("at most 5 levels"))
    for i, level in enumerate(raw):
        lp = f"{prefix}levels[{i}]."
        if not isinstance(level, dict):
            f.problem(lp.rstrip("."), _l("must be a mapping"))
            continue
        f.keys(level, {"points", "descriptor"}, lp)
        levels.append({"points": f.integer(level, "points", 0, 100, lp),
                       "descriptor": f.text(level, "descriptor", lp)})
    points = [lv["points"] for lv in levels]
    if levels and None not in points and (points[0] != 0 or points != sorted(set(points))):
        f.problem(prefix + "levels", _l("points must rise from 0 without repeats"))
    return CriterionSpec(
        code=f.code(d, "code", prefix, CRITERION_RE),
        title=f.text(d, "title", prefix),
        competency=f.choice(d, "competency", [c.value for c in Competency], prefix),
        weight=f.integer(d, "weight", 1, 100, prefix),
        levels=levels,
    )


def load_catalog(root: Path | str) -> tuple[Optional[ProgramSpec], list[Problem]]:
    """Parse and validate a courses folder; the spec is only usable with no problems."""
    root = Path(root)
    loader = _Loader(root)
    if not root.is_dir():
        return None, [Problem(str(root), "folder", str(_l("does not exist")))]
    spec = loader.program()
    return spec, loader.problems
