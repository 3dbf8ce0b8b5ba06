"""What `courses/` holds once read: plain dataclasses and the naming rules
(format: courses/FORMAT.md). No I/O here."""

import re
from dataclasses import dataclass, field

from lms.models.catalog import TierCode

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
    blind_second_grading: bool = False
    tiers: list[TierSpec] = field(default_factory=list)
