"""Reading and validating `courses/` (format: courses/FORMAT.md).

`load_catalog(root)` never raises on bad content: it returns the parsed program
(or None) and every problem found, each printable as `file: field: problem`.
No database access here; `catalog_sync` applies a clean load.
"""

from pathlib import Path
from typing import Optional

import yaml
from flask_babel import lazy_gettext as _l

from lms.models.catalog import TargetRole
from lms.services.catalog_checks import YamlFile, assessment, unique
from lms.services.catalog_diagnostic import DIAGNOSTIC_FILE, DIAGNOSTIC_FOLDER, read_diagnostic
from lms.services.catalog_facts import Facts, line_problems, read_facts
from lms.services.catalog_group import group_block
from lms.services.catalog_leaks import answer_leaks
from lms.services.catalog_reference import read_reference
from lms.services.catalog_roles import check_roles, role_package, schedule_roles
from lms.services.catalog_severity import fill_lesson, read_scale
from lms.services.catalog_specs import (
    LOCALES,
    TIER_ORDER,
    CourseSpec,
    LessonSpec,
    Problem,
    ProgramSpec,
    TierSpec,
    TrackSpec,
)

__all__ = ["Problem", "ProgramSpec", "load_catalog"]

# libyaml's safe loader when PyYAML was built with it (the wheels are): same documents, same
# errors with their line, about seven times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def display(self, path: Path) -> str:
        try:
            return str(Path(self.root.name) / path.relative_to(self.root))
        except ValueError:
            return str(path)

    def read_yaml(self, path: Path) -> Optional[YamlFile]:
        name = self.display(path)
        if not path.is_file():
            self.problems.append(Problem(name, "file", str(_l("is missing"))))
            return None
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # nosec B506  # a safe loader
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
        return YamlFile(name, data, self.problems)

    def read_markdown(self, path: Path, owner: YamlFile, where: str) -> Optional[str]:
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
        f.keys(d, {"code", "title", "weeks", "attainment_threshold", "blind_second_grading", "schedule", "roles",
                   "defect_severity", "reference"})
        self.severity = read_scale(f)
        spec = ProgramSpec(
            code=f.code(d, "code"),
            title=f.text(d, "title"),
            weeks=f.integer(d, "weeks", 1, 52),
            attainment_threshold=f.integer(d, "attainment_threshold", 1, 100),
            blind_second_grading=f.boolean(d, "blind_second_grading", False),
            roles=self.roles(f),
            defect_severity=self.severity,
            reference=read_reference(f),
        )
        tiers = [self.tier(code) for code in TIER_ORDER if (self.root / code).is_dir()]
        spec.tiers = [t for t in tiers if t is not None]
        if (self.root / DIAGNOSTIC_FOLDER).is_dir():
            diagnostic = self.read_yaml(self.root / DIAGNOSTIC_FOLDER / DIAGNOSTIC_FILE)
            spec.diagnostic = read_diagnostic(diagnostic) if diagnostic is not None else None
        for extra in sorted(p.name for p in self.root.iterdir() if p.is_dir()):
            if extra not in (*TIER_ORDER, DIAGNOSTIC_FOLDER):
                self.problems.append(Problem(self.display(self.root / extra), "folder",
                                             str(_l("unknown tier; use foundation, advanced, expert"))))
        if not spec.tiers:
            f.problem("tiers", _l("no tier folders found"))
        self.schedule(f, spec)
        for role, info in spec.roles.items():
            missing = [t for t in info["tiers"] if t not in {tier.code for tier in spec.tiers}]
            if missing:
                f.problem(f"roles.{role}.tiers", _l("unknown tier: %(t)s", t=", ".join(missing)))
        check_roles(f, spec)
        return spec

    def roles(self, f: YamlFile) -> dict:
        roles = f.get(f.data, "roles")
        if not isinstance(roles, dict) or not roles:
            if roles is not None:
                f.problem("roles", _l("must map target roles to their role packages"))
            return {}
        out = {}
        for role, info in roles.items():
            if role not in set(TargetRole):
                f.problem(f"roles.{role}", _l("unknown role; use one of: %(r)s",
                                               r=", ".join(r.value for r in TargetRole)))
            elif not isinstance(info, dict):
                f.problem(f"roles.{role}", _l("must be a role package (see FORMAT.md)"))
            else:
                out[role] = role_package(f, role, info)
        return out

    def schedule(self, f: YamlFile, spec: ProgramSpec) -> None:
        tracks = {f"{tier.code}/{track.code}": track for tier in spec.tiers for track in tier.tracks}
        seen = set()
        for prefix, entry in f.mappings(f.data, "schedule"):
            f.keys(entry, {"track", "start_week", "end_week", "roles", "alongside"}, prefix)
            ref = f.get(entry, "track", prefix)
            weeks = spec.weeks or 52
            start = f.integer(entry, "start_week", 1, weeks, prefix)
            end = f.integer(entry, "end_week", 1, weeks, prefix)
            if start and end and end < start:
                f.problem(f"{prefix}end_week", _l("is before start_week"))
            if ref is None:
                continue
            if not isinstance(ref, str):
                f.problem(f"{prefix}track", _l("must be <tier>/<track>"))
                continue
            if ref not in tracks:
                f.problem(f"{prefix}track", _l("no track folder %(t)s", t=ref))
            elif ref in seen:
                f.problem(f"{prefix}track", _l("is scheduled twice"))
            else:
                tracks[ref].start_week, tracks[ref].end_week = start or 0, end or 0
                tracks[ref].roles = schedule_roles(f, entry, prefix, ref, spec.roles)
                tracks[ref].alongside = f.boolean(entry, "alongside", False, prefix)
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
        for prefix, item in f.mappings(d, "assessments"):
            spec = assessment(f, item, prefix)
            spec.group = group_block(f, item, prefix)
            for where, problem in answer_leaks(spec):
                f.problem(prefix + where, problem)
            assessments.append(spec)
        unique(f, [a.code for a in assessments], "assessments", "code")
        return CourseSpec(code, f.text(d, "title"), f.text(d, "summary"), lessons, assessments)

    def lessons(self, f: YamlFile, folder: Path) -> list[LessonSpec]:
        out = []
        for prefix, item in f.mappings(f.data, "lessons"):
            f.keys(item, {"slug", "title", "minutes"}, prefix)
            slug = f.code(item, "slug", prefix)
            body = {}
            if slug:
                for locale in LOCALES:
                    text = self.read_markdown(folder / "lessons" / f"{slug}.{locale}.md", f, f"{prefix}slug")
                    if text is not None:
                        text, found = fill_lesson(text, locale, getattr(self, "severity", []))
                        path = folder / "lessons" / f"{slug}.{locale}.md"
                        self.problems.extend(Problem(self.display(path), "severity", p) for p in found)
                        body[locale] = text
            out.append(LessonSpec(slug, f.text(item, "title", prefix),
                                  f.integer(item, "minutes", 1, 240, prefix), body))
        unique(f, [lesson.slug for lesson in out], "lessons", "slug")
        listed = {f"{lesson.slug}.{loc}.md" for lesson in out for loc in LOCALES}
        lesson_dir = folder / "lessons"
        if lesson_dir.is_dir():
            for path in sorted(lesson_dir.iterdir()):
                if path.name not in listed:
                    self.problems.append(Problem(self.display(path), "file",
                                                 str(_l("is not a listed lesson in course.yaml"))))
        return out

    # --- facts shared across courses -----------------------------------------------

    def facts(self) -> Facts:
        path = self.root / "facts.yaml"
        f = self.read_yaml(path) if path.exists() else None
        return read_facts(f) if f is not None else Facts()

    def check_mentions(self, facts: Facts) -> None:
        """Every SKU and order id in the course texts against facts.yaml."""
        paths = [self.root / "program.yaml"] + [
            p for p in sorted(self.root.glob("*/**/*")) if p.suffix in (".yaml", ".md") and p.is_file()]
        for path in paths:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):  # reported when the file is read
                continue
            for n, line in enumerate(lines, 1):
                for problem in line_problems(facts, line):
                    self.problems.append(Problem(self.display(path), f"line {n}", problem))


def load_catalog(root: Path | str) -> tuple[Optional[ProgramSpec], list[Problem]]:
    """Parse and validate a courses folder; the spec is only usable with no problems."""
    root = Path(root)
    loader = _Loader(root)
    if not root.is_dir():
        return None, [Problem(str(root), "folder", str(_l("does not exist")))]
    spec = loader.program()
    loader.check_mentions(loader.facts())
    return spec, loader.problems
