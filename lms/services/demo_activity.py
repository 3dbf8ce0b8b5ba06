"""Demo activity for `flask lms demo`: lessons read, and submissions graded,
pending and failed, so every queue and page has something to show."""

import io
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Assessment, Cohort, Lesson, LessonProgress, Submission, SubmissionState, User
from lms.models.base import utcnow
from lms.services import grading, progress
from lms.services import people as people_service
from lms.services.autochecks import run_checks
from lms.services.submissions import grader_kinds, save_draft
from lms.services.uploads import store_upload

# Smallest valid files for each kind a course may ask for.
SAMPLE_FILES = {
    ".csv": b"date,transfer_rate\n2026-11-11,0.29\n",
    ".txt": b"demo\n",
    ".pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    ".png": bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                          "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"),
}


def _answer(spec: dict, checks: list[dict]) -> Any:
    if spec["type"] == "choice":
        return spec["choices"][0]["value"]
    for check in checks:
        if check["field"] == spec["name"] and check["kind"] == "number_range":
            return str(round((check["min"] + check["max"]) / 2, 2))
    if spec["type"] == "number":
        return "1"
    return "演示答案：已核对订单、SKU 与活动规则，并给出处理建议。Demo answer: checked order, SKU and promotion rules."


def _submit(session: Session, trainee: User, assessment: Assessment, folder: str, attempt: int = 1) -> Submission:
    """A submitted attempt with plausible answers (demo data skips blocking checks on purpose)."""
    submission = Submission(trainee_id=trainee.id, assessment_id=assessment.id, attempt_no=attempt,
                            state=SubmissionState.DRAFT, answers={}, checks=[])
    session.add(submission)
    session.flush()
    answers = {f["name"]: _answer(f, assessment.checks) for f in assessment.fields if f["type"] != "file"}
    uploads = {}
    for spec in assessment.fields:
        ext = next((e for e in spec.get("accept", []) if e in SAMPLE_FILES), None)
        if spec["type"] == "file" and ext:
            uploads[spec["name"]] = store_upload(folder, io.BytesIO(SAMPLE_FILES[ext]), f"demo{ext}", [ext])
    save_draft(session, submission, answers, uploads, folder)
    results = run_checks(assessment.fields, assessment.checks, submission.answers, set(uploads))
    submission.checks = [r.as_dict() for r in results]
    submission.state, submission.submitted_at = SubmissionState.SUBMITTED, utcnow()
    session.flush()
    return submission


def _grade_all(session: Session, submission: Submission, mentors: dict, level: int, feedback: str) -> None:
    """Every required mentor grades each criterion at `level` (capped at its maximum)."""
    for kind in grader_kinds(submission.assessment.grader):
        points = {c.code: min(level, c.max_points) for c in submission.assessment.criteria}
        session.refresh(submission)
        grading.grade(session, mentors[kind], submission, submission.version, points, feedback)


def ensure_demo_activity(session: Session, cohort: Cohort, upload_folder: str) -> None:
    """Idempotent: does nothing once any demo trainee has a submission."""
    trainees = [people_service.find_by_email(session, f"trainee{i}@example.com") for i in range(1, 7)]
    if session.scalar(sa.select(Submission.id).where(Submission.trainee_id.in_([t.id for t in trainees]))):
        return
    mentors = {m.mentor_kind: m for m in (people_service.find_by_email(session, e)
                                          for e in ("mentor.ai@example.com", "mentor.biz@example.com"))}
    tiers = progress.load_outline(session, cohort.program)
    foundation = progress.required_assessments(tiers[0])
    lessons = session.scalars(sa.select(Lesson).join(Lesson.course).order_by(Lesson.id)).all()

    # trainee1: every foundation assessment passed (advanced unlocked), lessons read.
    for assessment in foundation:
        _grade_all(session, _submit(session, trainees[0], assessment, upload_folder), mentors, 3,
                   "结构清晰，数据核对到位。Clear and well checked.")
    for lesson in lessons[:14]:
        session.add(LessonProgress(trainee_id=trainees[0].id, lesson_id=lesson.id))
    # trainee2: one attempt failed, a second one waiting for grading.
    first = foundation[0]
    _grade_all(session, _submit(session, trainees[1], first, upload_folder), mentors, 1,
               "关键数字不对，请重新核对导出数据。The key figure is off; recheck the export.")
    _submit(session, trainees[1], first, upload_folder, attempt=2)
    # trainee3 … trainee6: submissions waiting in the mentors' queues; one dual sign-off half graded.
    for trainee, assessment in zip(trainees[2:], foundation, strict=False):
        submission = _submit(session, trainee, assessment, upload_folder)
        if assessment.grader.value == "both":
            session.refresh(submission)
            points = {c.code: 2 for c in assessment.criteria}
            grading.grade(session, mentors[grader_kinds(assessment.grader)[0]], submission, submission.version,
                          points, "业务判断基本正确。Sound business judgement.")
    for trainee in trainees[1:]:
        for lesson in lessons[:3]:
            session.add(LessonProgress(trainee_id=trainee.id, lesson_id=lesson.id))
    session.flush()
