"""Where a scheduled job's notification leads its reader: the page it is about, if that page is
open to them now (a link shown never answers 403); None sends them back to the list."""

from typing import Optional

from flask import url_for
from sqlalchemy.orm import Session

from lms.models import Enrollment, Notification, Placement, Role
from lms.permissions import may_coach, may_triage, may_view_enrollment


def target(session: Session, user, note: Notification) -> Optional[str]:
    p, kind = note.params or {}, note.kind.value
    if kind in ("assessment_due", "work_overdue") and user.role == Role.TRAINEE:
        return url_for("trainee.assessment", assessment_id=p["assessment_id"])
    if kind == "attempts_exhausted":
        if user.role == Role.TRAINEE:
            return url_for("trainee.home")
        return _enrollment(session, user, p.get("enrollment_id"))
    if kind == "trainee_at_risk":
        return _enrollment(session, user, p.get("enrollment_id"))
    if kind == "grading_waiting" and user.role == Role.MENTOR:
        return url_for("mentor.queue")
    if kind in ("checkin_missing", "buffer_ends_soon", "buffer_outcome_due"):
        return _placement(session, user, p.get("placement_id"))
    if kind in ("defect_sla_breached", "defect_escalated") and may_triage(user):
        return url_for("triage.defect", defect_id=p["defect_id"])
    if kind in ("measure_effect", "award_waiting") and may_triage(user):
        return url_for("triage.contribution", contribution_id=p["contribution_id"])
    if kind == "responsibility_review" and may_triage(user):
        return url_for("triage.responsibilities", agent_id=p["agent_id"])
    if kind == "digest_mentor" and user.role == Role.MENTOR:
        return url_for("mentor.home")
    if kind == "digest_admin" and user.role == Role.ADMIN:
        return url_for("admin.home")
    return None


def _enrollment(session: Session, user, enrollment_id) -> Optional[str]:
    enrollment = session.get(Enrollment, enrollment_id or 0)
    if enrollment is None or not may_view_enrollment(user, enrollment):
        return None
    if user.role == Role.ADMIN:
        return url_for("admin.enrollment", enrollment_id=enrollment.id)
    return url_for("mentor.trainee", enrollment_id=enrollment.id)


def _placement(session: Session, user, placement_id) -> Optional[str]:
    placement = session.get(Placement, placement_id or 0)
    if placement is None:
        return None
    if user.id == placement.trainee_id:
        return url_for("trainee.buffer")
    if user.role == Role.ADMIN:
        return url_for("admin.placement", placement_id=placement.id)
    if may_coach(user, placement):
        return url_for("mentor.checkin", placement_id=placement.id)
    return None
