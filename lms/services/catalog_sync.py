"""Applying a validated catalogue load to the database, idempotently.

Every row is matched by its code under its parent and carries a hash of its own
content: an unchanged file set writes nothing. Rows whose files are gone are
archived (hidden from trainees), never deleted, so progress and submissions
that refer to them keep their meaning.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from lms.models import User
from lms.models.base import utcnow
from lms.models.catalog import (
    Assessment,
    CatalogSync,
    Course,
    Lesson,
    Program,
    RubricCriterion,
    Tier,
    Track,
)
from lms.models.diagnostics import Diagnostic
from lms.services.audit import record
from lms.services.catalog_files import ProgramSpec, load_catalog


@dataclass
class SyncReport:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    size: dict[str, int] = field(default_factory=dict)  # the catalogue as loaded: tiers, tracks, ...

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.archived)

    def summary(self) -> str:
        return (f"created {self.created}, updated {self.updated}, "
                f"unchanged {self.unchanged}, archived {self.archived}")


def content_hash(values: dict[str, Any]) -> str:
    blob = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class _Syncer:
    def __init__(self, session: Session, report: SyncReport):
        self.session, self.report = session, report
        self.seen: set[tuple[type, int]] = set()

    def upsert(self, model, existing: dict, key, values: dict[str, Any]):
        """Create or update one row; `existing` maps key → row for its siblings."""
        digest = content_hash(values)
        row = existing.get(key)
        if row is None:
            row = model(**values, content_hash=digest)
            self.session.add(row)
            self.session.flush()
            self.report.created += 1
        elif row.content_hash != digest or row.archived_at is not None:
            for name, value in values.items():
                setattr(row, name, value)
            row.content_hash, row.archived_at = digest, None
            self.report.updated += 1
        else:
            self.report.unchanged += 1
        self.seen.add((model, row.id))
        return row

    def archive_unseen(self, rows) -> None:
        for row in rows:
            if (type(row), row.id) not in self.seen and row.archived_at is None:
                row.archived_at = utcnow()
                self.report.archived += 1


def _children(session: Session, model, parent_column, parent_ids, key_attr="code") -> dict:
    """All rows of `model` under the given parents, keyed by (parent id, code)."""
    if not parent_ids:
        return {}
    rows = session.scalars(sa.select(model).where(parent_column.in_(parent_ids))).all()
    return {(getattr(r, parent_column.key), getattr(r, key_attr)): r for r in rows}


def apply_catalog(session: Session, spec: ProgramSpec, report: SyncReport) -> Program:
    """Write `spec` (a load with no problems) into the database."""
    s = _Syncer(session, report)
    programs = {p.code: p for p in session.scalars(sa.select(Program).where(Program.code == spec.code))}
    program = s.upsert(Program, programs, spec.code, {
        "code": spec.code, "title": spec.title, "weeks": spec.weeks,
        "attainment_threshold": spec.attainment_threshold, "roles": spec.roles, "position": 0,
        "blind_second_grading": spec.blind_second_grading, "defect_severity": spec.defect_severity,
        "reference": spec.reference,
    })
    tiers = _children(session, Tier, Tier.program_id, [program.id])
    tracks = _children(session, Track, Track.tier_id, [t.id for t in tiers.values()])
    courses = _children(session, Course, Course.track_id, [t.id for t in tracks.values()])
    course_ids = [c.id for c in courses.values()]
    lessons = _children(session, Lesson, Lesson.course_id, course_ids, "slug")
    assessments = _children(session, Assessment, Assessment.course_id, course_ids)
    criteria = _children(session, RubricCriterion, RubricCriterion.assessment_id,
                         [a.id for a in assessments.values()])

    for tier_spec in spec.tiers:
        tier = s.upsert(Tier, tiers, (program.id, tier_spec.code), {
            "program_id": program.id, "code": tier_spec.code, "position": tier_spec.order,
            "title": tier_spec.title, "summary": tier_spec.summary,
        })
        for t_pos, track_spec in enumerate(tier_spec.tracks):
            track = s.upsert(Track, tracks, (tier.id, track_spec.code), {
                "tier_id": tier.id, "code": track_spec.code, "position": t_pos,
                "title": track_spec.title, "summary": track_spec.summary,
                "start_week": track_spec.start_week, "end_week": track_spec.end_week,
                "roles": list(track_spec.roles),
            })
            for c_pos, course_spec in enumerate(track_spec.courses):
                course = s.upsert(Course, courses, (track.id, course_spec.code), {
                    "track_id": track.id, "code": course_spec.code, "position": c_pos,
                    "title": course_spec.title, "summary": course_spec.summary,
                })
                for l_pos, lesson in enumerate(course_spec.lessons):
                    s.upsert(Lesson, lessons, (course.id, lesson.slug), {
                        "course_id": course.id, "slug": lesson.slug, "position": l_pos,
                        "title": lesson.title, "minutes": lesson.minutes, "body": lesson.body,
                    })
                for a_pos, a in enumerate(course_spec.assessments):
                    assessment = s.upsert(Assessment, assessments, (course.id, a.code), {
                        "course_id": course.id, "code": a.code, "position": a_pos,
                        "title": a.title, "brief": a.brief, "grader": a.grader,
                        "pass_mark": a.pass_mark, "max_attempts": a.max_attempts,
                        "required": a.required, "fields": a.fields, "checks": a.checks,
                        "group_work": a.group,
                    })
                    for r_pos, c in enumerate(a.rubric):
                        s.upsert(RubricCriterion, criteria, (assessment.id, c.code), {
                            "assessment_id": assessment.id, "code": c.code, "position": r_pos,
                            "title": c.title, "judged": c.judged, "competency": c.competency, "weight": c.weight,
                            "levels": c.levels,
                        })
    for rows in (criteria, assessments, lessons, courses, tracks, tiers):
        s.archive_unseen(rows.values())
    _apply_diagnostic(s, session, spec, program)
    return program


def _apply_diagnostic(s: _Syncer, session: Session, spec: ProgramSpec, program: Program) -> None:
    """The intake diagnostic, one per program: a changed file updates it in place (results keep
    the version they were taken against); a removed file archives it."""
    diagnostics = _children(session, Diagnostic, Diagnostic.program_id, [program.id])
    d = spec.diagnostic
    if d is not None:
        s.upsert(Diagnostic, diagnostics, (program.id, d.code), {
            "program_id": program.id, "code": d.code, "position": 0, "title": d.title, "brief": d.brief,
            "items": [{k: item[k] for k in ("code", "competency", "points", "question", "fields", "checks")}
                      for item in d.items],
        })
    s.archive_unseen(diagnostics.values())


def sync_catalog(session: Session, root: Path | str, actor: Optional[User] = None) -> SyncReport:
    """Validate `root`, then apply it; the caller commits.

    A failed validation writes nothing to the catalogue and is recorded with its
    errors; a sync that changed rows is recorded with its counts and audited; a
    sync that changed nothing leaves no trace at all.
    """
    spec, problems = load_catalog(root)
    return sync_spec(session, spec, problems, actor)


def sync_spec(session: Session, spec: Optional[ProgramSpec], problems: list, actor: Optional[User] = None
              ) -> SyncReport:
    """`sync_catalog` for an already parsed catalogue (tests parse `courses/` once)."""
    report = SyncReport(errors=[str(p) for p in problems])
    if problems or spec is None:
        session.add(CatalogSync(actor_id=actor.id if actor else None, ok=False, errors=report.errors))
        return report
    apply_catalog(session, spec, report)
    report.size = spec.size()
    if report.changed:
        counts = {"created": report.created, "updated": report.updated,
                  "unchanged": report.unchanged, "archived": report.archived}
        sync = CatalogSync(actor_id=actor.id if actor else None, ok=True, errors=[], **counts)
        session.add(sync)
        session.flush()
        record(session, actor, "catalog.sync", "catalog_sync", sync.id, after=counts)
    return report


def sync_status(session: Session) -> tuple[Optional[CatalogSync], Optional[CatalogSync]]:
    """(the last successful sync, the latest sync when it failed) for the catalogue page."""
    syncs = session.scalars(
        sa.select(CatalogSync).options(joinedload(CatalogSync.actor)).order_by(CatalogSync.id.desc()).limit(20)
    ).all()
    last_ok = next((s for s in syncs if s.ok), None)
    return last_ok, (syncs[0] if syncs and not syncs[0].ok else None)
