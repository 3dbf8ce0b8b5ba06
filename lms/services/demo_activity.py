"""Demo activity for `flask lms demo`: lessons read, and submissions graded,
pending and failed, so every queue and page has something to show."""

import io

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.models import Assessment, Cohort, Lesson, LessonProgress, Submission, User
from lms.services import grading, progress
from lms.services import people as people_service
from lms.services.autochecks import blocked
from lms.services.demo_answers import DEMO_ANSWERS, STRONG, WEAK
from lms.services.submissions import grader_kinds, save_attempt
from lms.services.uploads import store_upload
from lms.storage import Storage

# Small valid files for each kind a course may ask for.
SAMPLE_FILES = {
    ".csv": "日期,转人工率(%)\n2026-11-09,14.0\n2026-11-10,14.5\n2026-11-11,15.0\n2026-11-12,29.0\n".encode(),
    ".txt": b"demo\n",
    ".pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    ".png": bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                          "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"),
}

# Names as a trainee's own files would have (never the field's code).
SAMPLE_NAMES = {".csv": "转人工率_双11.csv", ".txt": "说明.txt", ".pdf": "规则截图.pdf", ".png": "截图.png"}


def _fallback(spec: dict) -> str:
    """For an assessment without written demo answers (a course added later)."""
    if spec["type"] == "choice":
        return spec["choices"][0]["value"]
    return "1" if spec["type"] == "number" else "已核对。"


def _submit(session: Session, trainee: User, assessment: Assessment, storage: Storage | str,
            quality: str) -> Submission:
    """Hand in the `quality` answers through the same service as the web form."""
    written = DEMO_ANSWERS.get(assessment.code, {}).get(quality, {})
    answers = {f["name"]: written.get(f["name"]) or _fallback(f) for f in assessment.fields if f["type"] != "file"}
    uploads = {}
    for spec in assessment.fields:
        ext = next((e for e in spec.get("accept", []) if e in SAMPLE_FILES), None)
        if spec["type"] == "file" and ext and (spec.get("required") or quality == STRONG):
            uploads[spec["name"]] = store_upload(storage, io.BytesIO(SAMPLE_FILES[ext]), SAMPLE_NAMES[ext], [ext])
    submission, results = save_attempt(session, trainee, assessment, answers, uploads, storage, submit=True)
    if blocked(results):  # the demo answers are written to pass the format checks
        raise RuntimeError(f"demo answers for {assessment.code} are blocked: {results}")
    return submission


def _grade_all(session: Session, submission: Submission, mentors: dict, level: int, feedback: str) -> None:
    """Every required mentor grades each criterion at `level` (capped at its maximum)."""
    for kind in grader_kinds(submission.assessment.grader):
        points = {c.code: min(level, c.max_points) for c in submission.assessment.criteria}
        session.refresh(submission)
        grading.grade(session, mentors[kind], submission, submission.version, points, feedback)


def ensure_demo_activity(session: Session, cohort: Cohort, storage: Storage | str) -> None:
    """Idempotent: does nothing once any demo trainee has a submission."""
    trainees = [people_service.find_by_email(session, f"trainee{i}@example.com") for i in range(1, 7)]
    if session.scalar(sa.select(Submission.id).where(Submission.trainee_id.in_([t.id for t in trainees]))):
        return
    mentors = {m.mentor_kind: m for m in (people_service.find_by_email(session, e)
                                          for e in ("mentor.ai@example.com", "mentor.biz@example.com"))}
    tiers = progress.load_outline(session, cohort.program)
    # ORM rows: grading needs the criteria, which the outline leaves out
    foundation = [session.get(Assessment, a.id) for a in progress.required_assessments(tiers[0])]
    lessons = session.scalars(sa.select(Lesson).join(Lesson.course).order_by(Lesson.id)).all()

    # trainee1: strong, every foundation assessment passed (advanced unlocked), lessons read.
    for assessment in foundation:
        _grade_all(session, _submit(session, trainees[0], assessment, storage, STRONG), mentors, 3,
                   "结构清晰，数据核对到位。")
    for lesson in lessons[:14]:
        session.add(LessonProgress(trainee_id=trainees[0].id, lesson_id=lesson.id))
    # trainee2: a weak first attempt failed; the retake fixed what the feedback asked and waits.
    first = foundation[0]
    _grade_all(session, _submit(session, trainees[1], first, storage, WEAK), mentors, 1,
               "缺陷类型和客户回复都需要改：写清智能体说了什么、应该怎么说；回复要道歉、说明差价补偿并给出取消订单的选项。")
    _submit(session, trainees[1], first, storage, STRONG)
    # trainee3 … trainee6: strong and weak work waiting in the mentors' queues; one dual sign-off half graded.
    for index, (trainee, assessment) in enumerate(zip(trainees[2:], foundation, strict=False)):
        submission = _submit(session, trainee, assessment, storage, STRONG if index % 2 == 0 else WEAK)
        if assessment.grader.value == "both":
            session.refresh(submission)
            points = {c.code: 2 for c in assessment.criteria}
            grading.grade(session, mentors[grader_kinds(assessment.grader)[0]], submission, submission.version,
                          points, "业务判断基本正确，改写还可以更简洁。")
    for trainee in trainees[1:]:
        for lesson in lessons[:3]:
            session.add(LessonProgress(trainee_id=trainee.id, lesson_id=lesson.id))
    session.flush()
