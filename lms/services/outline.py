"""The catalogue's outline — tiers, tracks, courses, lessons, assessments — as plain
read-only data, cached per worker process.

Nearly every page needs the outline, but only its ids, titles, weeks and order.
Loading it as ORM rows decoded every lesson body and assessment brief on each
request (a third of a trainee page's time). The outline changes only through a
catalogue sync, which always records a `CatalogSync` row, so each request asks
for the newest sync (one indexed query) and rebuilds its worker's copy only when
that changed: a sync made in one worker is seen by every worker on its next request.

The cache belongs to the database engine, so two app instances (two workers in a
test) keep separate copies, as two gunicorn workers do.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import (
    Assessment,
    CatalogSync,
    Competency,
    Course,
    GraderKind,
    Lesson,
    Program,
    RubricCriterion,
    Tier,
    TierCode,
    Track,
)

Text = dict[str, str]  # {locale: text}; shared between requests, never mutate


@dataclass(frozen=True, eq=False, slots=True)
class OutlineLesson:
    id: int
    slug: str
    title: Text
    minutes: int
    archived_at: Optional[datetime]
    course: OutlineCourse = field(repr=False)

    @property
    def course_id(self) -> int:
        return self.course.id


@dataclass(frozen=True, eq=False, slots=True)
class OutlineAssessment:
    id: int
    code: str
    title: Text
    grader: GraderKind
    pass_mark: int
    max_attempts: int
    required: bool
    archived_at: Optional[datetime]
    course: OutlineCourse = field(repr=False)
    # the live rubric, as attainment weighs it: (code, competency, weight, max points) per criterion
    criteria: tuple[tuple[str, Competency, int, int], ...] = ()

    @property
    def course_id(self) -> int:
        return self.course.id


@dataclass(frozen=True, eq=False, slots=True)
class OutlineCourse:
    id: int
    code: str
    title: Text
    summary: Text
    archived_at: Optional[datetime]
    track: OutlineTrack = field(repr=False)
    lessons: tuple[OutlineLesson, ...] = ()
    assessments: tuple[OutlineAssessment, ...] = ()


@dataclass(frozen=True, eq=False, slots=True)
class OutlineTrack:
    id: int
    code: str
    title: Text
    summary: Text
    start_week: int
    end_week: int
    archived_at: Optional[datetime]
    tier: OutlineTier = field(repr=False)
    courses: tuple[OutlineCourse, ...] = ()
    roles: tuple[str, ...] = ()  # the target roles that take it; empty: every role of its tier

    @property
    def tier_id(self) -> int:
        return self.tier.id

    def taken_by(self, role: Optional[str]) -> bool:
        """Whether `role` takes this track (None: no role given, every track counts)."""
        return role is None or not self.roles or role in self.roles


@dataclass(frozen=True, eq=False, slots=True)
class OutlineTier:
    id: int
    program_id: int
    code: TierCode
    title: Text
    summary: Text
    archived_at: Optional[datetime]
    tracks: tuple[OutlineTrack, ...] = ()


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)  # children are attached once, while building


def _build(session: Session, program_id: int) -> tuple[OutlineTier, ...]:
    """Six column-only queries; lesson bodies, briefs, fields and checks are never read."""
    tiers = {
        r.id: OutlineTier(r.id, program_id, r.code, r.title, r.summary, r.archived_at)
        for r in session.execute(
            sa.select(Tier.id, Tier.code, Tier.title, Tier.summary, Tier.archived_at)
            .where(Tier.program_id == program_id, Tier.archived_at.is_(None))
            .order_by(Tier.position, Tier.id))
    }
    tracks: dict[int, OutlineTrack] = {}
    children: dict[int, list] = {tier_id: [] for tier_id in tiers}
    for r in session.execute(
        sa.select(Track.id, Track.tier_id, Track.code, Track.title, Track.summary, Track.start_week,
                  Track.end_week, Track.archived_at, Track.roles)
        .where(Track.tier_id.in_(tiers))
        .order_by(Track.start_week, Track.end_week, Track.position, Track.id)
    ):
        track = OutlineTrack(r.id, r.code, r.title, r.summary, r.start_week, r.end_week, r.archived_at,
                             tiers[r.tier_id], roles=tuple(r.roles or ()))
        tracks[r.id] = track
        children[r.tier_id].append(track)
    courses: dict[int, OutlineCourse] = {}
    track_courses: dict[int, list] = {track_id: [] for track_id in tracks}
    for r in session.execute(
        sa.select(Course.id, Course.track_id, Course.code, Course.title, Course.summary, Course.archived_at)
        .where(Course.track_id.in_(tracks)).order_by(Course.position, Course.id)
    ):
        course = OutlineCourse(r.id, r.code, r.title, r.summary, r.archived_at, tracks[r.track_id])
        courses[r.id] = course
        track_courses[r.track_id].append(course)
    lessons: dict[int, list] = {course_id: [] for course_id in courses}
    for r in session.execute(
        sa.select(Lesson.id, Lesson.course_id, Lesson.slug, Lesson.title, Lesson.minutes, Lesson.archived_at)
        .where(Lesson.course_id.in_(courses)).order_by(Lesson.position, Lesson.id)
    ):
        lessons[r.course_id].append(
            OutlineLesson(r.id, r.slug, r.title, r.minutes, r.archived_at, courses[r.course_id]))
    criteria: dict[int, list] = defaultdict(list)  # the rubrics' levels decoded once per sync, not per page
    for r in session.execute(
        sa.select(RubricCriterion.assessment_id, RubricCriterion.code, RubricCriterion.competency,
                  RubricCriterion.weight, RubricCriterion.levels)
        .join(Assessment).where(Assessment.course_id.in_(courses), RubricCriterion.archived_at.is_(None))
        .order_by(RubricCriterion.id)
    ):
        criteria[r.assessment_id].append((r.code, r.competency, r.weight, max(level["points"] for level in r.levels)))
    assessments: dict[int, list] = {course_id: [] for course_id in courses}
    for r in session.execute(
        sa.select(Assessment.id, Assessment.course_id, Assessment.code, Assessment.title, Assessment.grader,
                  Assessment.pass_mark, Assessment.max_attempts, Assessment.required, Assessment.archived_at)
        .where(Assessment.course_id.in_(courses)).order_by(Assessment.position, Assessment.id)
    ):
        assessments[r.course_id].append(OutlineAssessment(
            r.id, r.code, r.title, r.grader, r.pass_mark, r.max_attempts, r.required, r.archived_at,
            courses[r.course_id], tuple(criteria[r.id])))
    for course_id, course in courses.items():
        _set(course, "lessons", tuple(lessons[course_id]))
        _set(course, "assessments", tuple(assessments[course_id]))
    for track_id, track in tracks.items():
        _set(track, "courses", tuple(track_courses[track_id]))
    for tier_id, tier in tiers.items():
        _set(tier, "tracks", tuple(children[tier_id]))
    return tuple(tiers.values())


# Every request that shows the outline asks this: built once (building a select costs more than
# running this one).
NEWEST_SYNC = sa.select(CatalogSync.id, CatalogSync.at).order_by(CatalogSync.id.desc()).limit(1)


class OutlineCache:
    """program id → (catalogue version, outline), for one engine (one worker)."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Any, tuple[OutlineTier, ...]]] = {}
        self._lock = threading.Lock()
        self.builds = 0  # how often the outline was read from the database (tests look)

    def get(self, session: Session, program_id: int) -> tuple[OutlineTier, ...]:
        version = session.execute(NEWEST_SYNC).first()
        version = tuple(version) if version else None
        entry = self._entries.get(program_id)
        if entry is not None and entry[0] == version:
            return entry[1]
        tiers = _build(session, program_id)
        with self._lock:
            self._entries[program_id] = (version, tiers)
            self.builds += 1
        return tiers

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_caches: weakref.WeakKeyDictionary[sa.engine.Engine, OutlineCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(session: Session) -> OutlineCache:
    engine = session.get_bind(mapper=sa.inspect(Tier))
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = OutlineCache()
        return cache


def for_role(tiers: Sequence[OutlineTier], role: Optional[str]) -> tuple[OutlineTier, ...]:
    """The outline as a target role takes it: each tier with only the tracks that role takes
    (a tier keeps its id, so unlock state and links still match). No role: the outline as is."""
    if role is None:
        return tuple(tiers)
    return tuple(replace(tier, tracks=tuple(t for t in tier.tracks if t.taken_by(role))) for tier in tiers)


def roles_by_track(program: Program, tiers: Sequence[OutlineTier]) -> dict[int, list[str]]:
    """track id → the target roles that take it (roles whose tiers include its tier), in program order."""
    return {track.id: [role for role in program.roles
                       if tier.code in program.tiers_for_role(role) and track.taken_by(role)]
            for tier in tiers for track in tier.tracks}


def load_outline(session: Session, program: Program | int) -> tuple[OutlineTier, ...]:
    """The program's live tiers, each with every track, course, lesson and assessment
    (archived children included, as `progress.live` filters them where needed)."""
    program_id = program if isinstance(program, int) else program.id
    return cache_for(session).get(session, program_id)


def rubrics(tiers: Sequence[OutlineTier]) -> dict[int, tuple[tuple[str, Competency, int, int], ...]]:
    """assessment id → its live criteria (OutlineAssessment.criteria), for `grading.attainment`."""
    return {a.id: a.criteria for tier in tiers for track in tier.tracks for course in track.courses
            for a in course.assessments}


def find_lesson(tiers, lesson_id: int) -> Optional[OutlineLesson]:
    """The outline's entry for a lesson (its course, track and tier come with it), if live."""
    return next((lesson for tier in tiers for track in tier.tracks for course in track.courses
                 for lesson in course.lessons if lesson.id == lesson_id), None)
