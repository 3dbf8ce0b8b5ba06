"""What `courses/` holds once read: plain dataclasses and the naming rules
(format: courses/FORMAT.md). No I/O here."""

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from lms.models.catalog import TierCode

LOCALES = ("zh_CN", "en")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CRITERION_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
FIELD_TYPES = ("text", "textarea", "number", "choice", "file")
CHECK_KINDS = ("required", "regex", "number_range", "keywords", "max_length", "min_length")
FILE_EXTENSIONS = (".csv", ".xlsx", ".xls", ".txt", ".pdf", ".png", ".jpg", ".jpeg", ".docx")
TIER_ORDER = [t.value for t in TierCode]
# What a target role may carry; the source asks that these be split across roles (see catalog_roles).
DUTIES = ("ai_training", "intelligent_operations", "experience_architecture")


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
    judged: dict  # what is judged, shown to trainees; the level descriptors are for mentors
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
    not_answers: list[str] = field(default_factory=list)  # only read by the leak check
    group: Optional[dict] = None  # group work (the capstone): see catalog_group.py


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
    roles: list[str] = field(default_factory=list)  # the roles that take it; empty: every role of its tier
    alongside: bool = False  # runs alongside the other tracks (the capstone): exempt from "one track at a time"


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
    roles: dict  # role → {title, description, duties, competencies, tiers, tracks, promotion}
    blind_second_grading: bool = False
    defect_severity: list = field(default_factory=list)  # catalog_severity.read_scale
    reference: dict = field(default_factory=dict)  # catalog_reference.read_reference
    tiers: list[TierSpec] = field(default_factory=list)
    diagnostic: Optional[Any] = None  # catalog_diagnostic.DiagnosticSpec; None: the program has none

    def tracks(self) -> list[tuple[str, TrackSpec]]:
        """Every track as (`<tier>/<track>`, spec), in tier order."""
        return [(f"{tier.code}/{track.code}", track) for tier in self.tiers for track in tier.tracks]

    def tracks_for_role(self, role: str) -> list[tuple[str, TrackSpec]]:
        """The tracks a role takes: those of its tiers open to every role or naming it."""
        tiers = self.roles.get(role, {}).get("tiers", [])
        return [(ref, track) for ref, track in self.tracks()
                if ref.split("/")[0] in tiers and (not track.roles or role in track.roles)]

    def size(self) -> dict[str, int]:
        """How many tiers, tracks, courses, lessons and assessments the catalogue holds."""
        tracks = [track for _ref, track in self.tracks()]
        courses = [c for t in tracks for c in t.courses]
        return {
            "tiers": len(self.tiers),
            "tracks": len(tracks),
            "courses": len(courses),
            "lessons": sum(len(c.lessons) for c in courses),
            "assessments": sum(len(c.assessments) for c in courses),
        }
