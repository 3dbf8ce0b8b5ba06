"""Cohorts and enrollment: create, edit, close, enroll (one by one or CSV), withdraw.
Every change is audited (intake baselines: services/baselines.py)."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, selectinload

from lms import labels
from lms.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    MentorAssignment,
    Program,
    Role,
    SourceRole,
    TargetRole,
    User,
)
from lms.models.base import utcnow
from lms.services import Conflict, DomainError, clock
from lms.services import people as people_service
from lms.services.audit import record
from lms.services.auth import normalize_email
from lms.services.import_files import RowError, Source, read_table
from lms.services.mentoring import release_enrollment
from lms.vocabulary import Vocabulary

COHORT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")


def _check_cohort(session: Session, values: dict[str, Any], cohort: Optional[Cohort] = None) -> None:
    code = (values.get("code") or "").strip()
    if not COHORT_CODE_RE.match(code):
        raise DomainError(_l("Use 2–32 letters, digits, - or _."), field="code")
    clash = session.scalar(sa.select(Cohort.id).where(sa.func.lower(Cohort.code) == code.lower()))
    if clash is not None and (cohort is None or clash != cohort.id):
        raise DomainError(_l("Another cohort has this code."), field="code")
    if not (values.get("name") or "").strip():
        raise DomainError(_l("is required"), field="name")
    if not isinstance(values.get("start_date"), date):
        raise DomainError(_l("is required"), field="start_date")
    _check_date(values["start_date"], "start_date")


def _check_date(day: date, field: str) -> None:
    if not clock.in_range(day):
        raise DomainError(date_range_message(), field=field)


def date_range_message() -> str:
    return str(_l("must be between %(first)s and %(last)s", first=clock.EARLIEST.isoformat(),
                  last=clock.LATEST.isoformat()))


def create_cohort(session: Session, actor: Optional[User], program: Program, values: dict[str, Any]) -> Cohort:
    _check_cohort(session, values)
    cohort = Cohort(code=values["code"].strip(), name=values["name"].strip(), program_id=program.id,
                    start_date=values["start_date"])
    session.add(cohort)
    session.flush()
    record(session, actor, "cohort.create", "cohort", cohort.id,
           after={"code": cohort.code, "name": cohort.name, "start_date": cohort.start_date.isoformat()})
    return cohort


def update_cohort(session: Session, actor: User, cohort: Cohort, values: dict[str, Any]) -> bool:
    _check_cohort(session, values, cohort)
    before, after = {}, {}
    for name in ("code", "name", "start_date"):
        new = values[name].strip() if isinstance(values[name], str) else values[name]
        old = getattr(cohort, name)
        if old != new:
            before[name], after[name] = str(old), str(new)
            setattr(cohort, name, new)
    if after:
        record(session, actor, "cohort.update", "cohort", cohort.id, before=before, after=after)
    return bool(after)


def close_cohort(session: Session, actor: User, cohort: Cohort) -> None:
    """Close a cohort: its mentors' assignments end (their seats are freed, they no
    longer coach, grade or read its trainees' new work) and its trainees may join
    another cohort. Submissions waiting for a grade go to whoever coaches the
    trainee next."""
    if cohort.closed_at is not None:
        return
    cohort.closed_at = utcnow()
    # Its trainees may now join another cohort (see uq_enrollments_one_active).
    session.execute(sa.update(Enrollment).where(Enrollment.cohort_id == cohort.id).values(cohort_open=False))
    open_enrollments = session.scalars(
        sa.select(Enrollment).join(MentorAssignment)
        .where(Enrollment.cohort_id == cohort.id, MentorAssignment.ended_at.is_(None))
        .options(selectinload(Enrollment.assignments)).distinct()
    ).all()
    for enrollment in open_enrollments:
        release_enrollment(session, actor, enrollment, str(_l("Cohort closed")))
    record(session, actor, "cohort.close", "cohort", cohort.id, after={"closed_at": cohort.closed_at.isoformat()})


def _check_role(program: Program, role: str) -> TargetRole:
    if role not in program.roles:
        raise DomainError(_l("must be one of: %(options)s", options=", ".join(program.roles)), field="target_role")
    return TargetRole(role)


def _active_elsewhere(session: Session, trainee_id: int, cohort: Cohort) -> Optional[Cohort]:
    return session.scalar(
        sa.select(Cohort).join(Enrollment)
        .where(Enrollment.trainee_id == trainee_id, Enrollment.status == EnrollmentStatus.ACTIVE,
               Cohort.id != cohort.id, Cohort.closed_at.is_(None))
    )


def enroll(
    session: Session, actor: Optional[User], cohort: Cohort, trainee: User, target_role: str,
    source_role: Optional[str] = None,
) -> tuple[Enrollment, bool]:
    """Enroll a trainee (or update their roles); returns (enrollment, changed).

    Conflict when they are active in another open cohort, or another request
    enrolled them at the same moment (the database holds one active enrollment).
    """
    if trainee.role != Role.TRAINEE or not trainee.active:
        raise DomainError(_l("%(name)s is not an active trainee.", name=trainee.name), field="trainee_id")
    if cohort.closed_at is not None:
        raise DomainError(_l("This cohort is closed."))
    role = _check_role(cohort.program, target_role)
    source = SourceRole(source_role) if source_role else None
    other = _active_elsewhere(session, trainee.id, cohort)
    if other is not None:
        raise Conflict(_l("%(name)s is already in cohort %(code)s.", name=trainee.name, code=other.code),
                       field="trainee_id")
    enrollment = session.scalar(
        sa.select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.trainee_id == trainee.id)
    )
    if enrollment is None:
        enrollment = Enrollment(cohort_id=cohort.id, trainee_id=trainee.id, target_role=role, source_role=source)
        session.add(enrollment)
        name = trainee.name  # a failed flush expires every loaded object
        try:
            session.flush()
        except IntegrityError as error:  # caller rolls back
            raise Conflict(_l("%(name)s was enrolled by someone else at the same moment. Reload the page to see "
                              "where.", name=name), field="trainee_id") from error
        record(session, actor, "enrollment.create", "enrollment", enrollment.id,
               after={"cohort": cohort.code, "trainee_id": trainee.id, "target_role": role.value})
        return enrollment, True
    before = {"target_role": enrollment.target_role.value,
              "source_role": enrollment.source_role.value if enrollment.source_role else None}
    after = {"target_role": role.value, "source_role": source.value if source else before["source_role"]}
    if before == after:
        return enrollment, False
    enrollment.target_role = role
    enrollment.source_role = source or enrollment.source_role
    record(session, actor, "enrollment.update", "enrollment", enrollment.id, before=before, after=after)
    return enrollment, True


# Every trainee page asks for the trainee's current enrollment: the selects are built once, with
# the trainee as a parameter (building one and working out its cache key each request cost about
# as much as running it). The order puts the active enrollment in an open cohort first, else the latest.
# (The trainee home builds its own select on CURRENT_FIRST, with the mentors beside the enrollment.)
CURRENT_FIRST = (sa.select(Enrollment).join(Cohort)
                  .where(Enrollment.trainee_id == sa.bindparam("trainee_id", type_=sa.Integer))
                  .order_by((Enrollment.status == EnrollmentStatus.ACTIVE).desc(),
                            Cohort.closed_at.is_(None).desc(), Cohort.start_date.desc())
                  .limit(1))
_CURRENT_ENROLLMENT = CURRENT_FIRST.options(
    # to-one rows joined into the one query; a trainee's few assignments in a second
    selectinload(Enrollment.assignments).joinedload(MentorAssignment.mentor),
    contains_eager(Enrollment.cohort).joinedload(Cohort.program))
_CURRENT_PROGRAM_AND_ROLE = (CURRENT_FIRST.with_only_columns(Program, Enrollment.target_role)
                             .join(Program, Program.id == Cohort.program_id))


def current_enrollment(session: Session, trainee_id: int) -> Optional[Enrollment]:
    """The trainee's active enrollment in an open cohort, else their latest one."""
    return session.scalar(_CURRENT_ENROLLMENT, {"trainee_id": trainee_id})


def current_program_and_role(session: Session, trainee_id: int) -> tuple[Optional[Program], Optional[TargetRole]]:
    """The program and target role of `current_enrollment` in one statement, for the pages that
    need nothing else of it (catalogue, lessons); (None, None) without an enrollment."""
    row = session.execute(_CURRENT_PROGRAM_AND_ROLE, {"trainee_id": trainee_id}).first()
    return (row[0], row[1]) if row is not None else (None, None)


def withdraw(session: Session, actor: User, enrollment: Enrollment, reason: str, on: date) -> None:
    """Withdraw (never delete) an enrollment; its mentors' seats are freed."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give a reason."), field="reason")
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise DomainError(_l("Already withdrawn."))
    _check_date(on, "on")
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.withdrawn_on, enrollment.withdrawn_reason = on, reason
    release_enrollment(session, actor, enrollment, str(_l("Trainee withdrew")))
    record(session, actor, "enrollment.withdraw", "enrollment", enrollment.id,
           after={"reason": reason, "on": on.isoformat()})


# --- CSV enrollment --------------------------------------------------------------

IMPORT_COLUMNS = ("email", "name", "target_role", "source_role")  # what the import reads


@dataclass
class EnrollReport:
    errors: list[RowError] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # as they will be stored
    accounts_created: int = 0
    enrolled: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def import_enrollments(
    session: Session, actor: Optional[User], cohort: Cohort, source: "Source | str | list[list[str]]",
    apply: bool = True,
) -> EnrollReport:
    """CSV or XLSX `email,name,target_role[,source_role]`: all rows good or nothing written.

    Roles may be written as codes, labels or synonyms (lms/vocabulary.py). Missing
    trainee accounts are created (without a password). Importing the same file again
    changes nothing. With apply=False every row is checked and nothing is written.
    """
    cell_rows, errors = read_table(source, ("email", "name", "target_role"))
    report = EnrollReport(errors=errors)
    words = Vocabulary(cohort.program.roles)
    seen: dict[str, int] = {}
    emails = [normalize_email(cells.get("email", "")) for _, cells in cell_rows]
    existing = {u.email: u for u in session.scalars(sa.select(User).where(User.email.in_(emails)))}
    for (line, cells), email in zip(cell_rows, emails, strict=True):
        values = {"email": email, "name": cells.get("name", "").strip()}
        user = existing.get(email)
        if user is None:
            for name, message in people_service.check_person({
                "email": cells.get("email", ""), "name": values["name"], "role": "trainee", "locale": "zh_CN",
            }).items():
                report.errors.append(RowError(line, name, str(message)))
        elif user.role != Role.TRAINEE:
            report.errors.append(RowError(line, "email", str(_l("belongs to a %(role)s, not a trainee",
                                                                   role=labels.role(user.role)))))
        elif not user.active:
            report.errors.append(RowError(line, "email", str(_l("belongs to a deactivated account"))))
        else:
            values["name"] = user.name  # the account keeps its name; the file only finds it
            other = _active_elsewhere(session, user.id, cohort)
            if other is not None:
                report.errors.append(RowError(line, "email", str(_l("already in cohort %(code)s", code=other.code))))
        for column in ("target_role", "source_role"):
            written = cells.get(column, "")
            values[column] = words.code(column, written) if written else None
            if written and values[column] is None:
                report.errors.append(RowError(line, column, words.unknown(column, written)))
            elif column == "target_role" and not written:
                report.errors.append(RowError(line, column, str(_l("is required"))))
        if email in seen:
            report.errors.append(RowError(line, "email", str(_l("same email as line %(line)d", line=seen[email]))))
        seen.setdefault(email, line)
        report.rows.append((line, values))
    if not cell_rows and not report.errors:
        report.errors.append(RowError(1, "file", str(_l("no rows to import"))))
    if cohort.closed_at is not None:
        report.errors.append(RowError(1, "cohort", str(_l("This cohort is closed."))))
    if report.errors or not apply:
        return report
    for _line, values in report.rows:
        user = existing.get(values["email"])
        if user is None:
            user = people_service.create_person(session, actor, {
                "email": values["email"], "name": values["name"], "role": "trainee", "mentor_kind": None,
                "capacity": None, "locale": "zh_CN"})
            report.accounts_created += 1
        enrollment_exists = session.scalar(sa.select(Enrollment.id).where(
            Enrollment.cohort_id == cohort.id, Enrollment.trainee_id == user.id)) is not None
        _, changed = enroll(session, actor, cohort, user, values["target_role"], values["source_role"])
        if not enrollment_exists:
            report.enrolled += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report
