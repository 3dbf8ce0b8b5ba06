"""People: create, edit, deactivate and bulk-import users; every change audited."""

from dataclasses import dataclass, field
from typing import Any, Optional

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from lms import labels
from lms.models import DEFAULT_CAPACITY, LOCALES, MentorKind, Role, User
from lms.services import DomainError, invitations
from lms.services.audit import changed_fields, record
from lms.services.auth import hash_password, normalize_email
from lms.services.import_files import RowError, Source, read_table
from lms.vocabulary import Vocabulary, join

PEOPLE_SORTS = ("role", "name", "email", "newest")
EDITABLE = ["name", "role", "mentor_kind", "capacity", "locale"]
MAX_CAPACITY = 100
CSV_COLUMNS = ["email", "name", "role", "mentor_kind", "capacity", "locale"]
FULL_WIDTH_DIGITS = {0xFF10 + n: str(n) for n in range(10)}  # "１０" is 10; "²" stays an error
CODED = ("role", "mentor_kind", "locale")  # cells written as words, read through lms/vocabulary.py
IMPORT_COLUMNS = ("email", "name", "role", "mentor_kind", "capacity", "locale")  # what the import reads


def check_person(values: dict[str, Any]) -> dict[str, str]:
    """Field → problem for a person's fields (shared by the form and the CSV import)."""
    errors: dict[str, str] = {}
    if "email" in values:
        try:
            validate_email(values["email"], check_deliverability=False)
        except EmailNotValidError:
            errors["email"] = _l("not a valid email address")
    if not (values.get("name") or "").strip():
        errors["name"] = _l("is required")
    elif len(values["name"]) > 120:
        errors["name"] = _l("is longer than 120 characters")
    role = values.get("role")
    if role not in set(Role):
        errors["role"] = _l("must be one of: %(options)s", options=join(labels.ROLES.values()))
    kind = values.get("mentor_kind")
    if role == Role.MENTOR and kind not in set(MentorKind):
        errors["mentor_kind"] = _l("a mentor needs a kind: AI mentor or business mentor")
    if role != Role.MENTOR and kind:
        errors["mentor_kind"] = _l("only mentors have a kind")
    capacity = values.get("capacity")
    if role == Role.MENTOR and (
        not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY
    ):
        errors["capacity"] = _l("must be a whole number from 1 to %(max)d", max=MAX_CAPACITY)
    if values.get("locale") not in LOCALES:
        errors["locale"] = _l("must be one of: %(options)s", options=join(labels.LOCALE_NAMES.values()))
    return errors


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "email" in out:
        out["email"] = normalize_email(out["email"])
    out["name"] = (out.get("name") or "").strip()
    if out.get("role") in set(Role):
        out["role"] = Role(out["role"])
    if out["role"] == Role.MENTOR:
        out["mentor_kind"] = MentorKind(out["mentor_kind"]) if out.get("mentor_kind") else None
    else:
        out["mentor_kind"], out["capacity"] = None, None
    return out


def find_by_email(session: Session, email: str) -> Optional[User]:
    return session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def create_person(
    session: Session,
    actor: Optional[User],
    values: dict[str, Any],
    password: Optional[str] = None,
    hash_method: str = "scrypt",
) -> User:
    """Create a user; raises DomainError (with the field) on bad input or a taken email."""
    errors = check_person(values)
    if errors:
        name, message = next(iter(errors.items()))
        raise DomainError(message, field=name)
    values = _normalized(values)
    if find_by_email(session, values["email"]) is not None:
        raise DomainError(_l("a person with this email already exists"), field="email")
    user = User(
        email=values["email"],
        name=values["name"],
        role=values["role"],
        mentor_kind=values["mentor_kind"],
        capacity=values["capacity"],
        locale=values["locale"],
        password_hash=hash_password(password, hash_method) if password else None,
    )
    session.add(user)
    session.flush()
    record(session, actor, "person.create", "user", user.id, after=_snapshot(user))
    if not password:  # every way in without a password (form, imports) gets a set-password link
        invitations.invite(session, actor, user)
    return user


def update_person(session: Session, actor: Optional[User], user: User, values: dict[str, Any]) -> bool:
    """Apply edits; True when anything changed. Refuses to remove the last admin."""
    values = {k: v for k, v in values.items() if k in EDITABLE}
    errors = check_person({**_snapshot(user), **values})
    if errors:
        name, message = next(iter(errors.items()))
        raise DomainError(message, field=name)
    values = _normalized({**_snapshot(user), **values})
    if user.role == Role.ADMIN and values["role"] != Role.ADMIN:
        _ensure_another_admin(session, user)
    refused = _coaching_refusal(user, values)
    if refused is not None:
        raise refused
    before, after = changed_fields(user, EDITABLE, values)
    if not after:
        return False
    action = "person.role_change" if "role" in after else "person.update"
    record(session, actor, action, "user", user.id, before=before, after=after)
    return True


def _coaching_refusal(user: User, values: dict[str, Any]) -> Optional[DomainError]:
    """A mentor who coaches keeps role and kind, and a capacity of at least their load
    (`values` normalized); shared by the edit form and the import's row check."""
    if user.role != Role.MENTOR or not user.mentor_load:
        return None
    if values["role"] != Role.MENTOR or values["mentor_kind"] != user.mentor_kind:
        return DomainError(_l("%(name)s coaches %(n)d trainees: reassign them before changing role or kind.",
                              name=user.name, n=user.mentor_load), field="role")
    if values["capacity"] < user.mentor_load:
        return DomainError(_l("%(name)s coaches %(n)d trainees now; capacity cannot go below that.",
                              name=user.name, n=user.mentor_load), field="capacity")
    return None


def set_reviewer(session: Session, actor: Optional[User], user: User, on: bool) -> bool:
    """The reviewer capability (defect triage) for a mentor; admins always triage. Audited."""
    if user.role != Role.MENTOR:
        raise DomainError(_l("Only a mentor account carries the reviewer capability; admins always triage."))
    if user.reviewer == on:
        return False
    record(session, actor, "person.reviewer", "user", user.id, before={"reviewer": user.reviewer},
           after={"reviewer": on})
    user.reviewer = on
    return True


def set_active(session: Session, actor: User, user: User, active: bool) -> list:
    """Deactivate (never delete) or reactivate a person.

    Deactivating a mentor ends their open assignments; the enrollments that lost
    a mentor are returned so the admin can reassign them.
    """
    if user.active == active:
        return []
    lost = []
    if not active:
        if user.id == actor.id:
            raise DomainError(_l("you cannot deactivate yourself"))
        if user.role == Role.ADMIN:
            _ensure_another_admin(session, user)
        if user.role == Role.MENTOR:
            from lms.services.mentoring import release_mentor  # mentoring builds on people

            lost = release_mentor(session, actor, user, str(_l("Mentor deactivated")))
    user.active = active
    if not active:
        user.end_sessions()
        invitations.end_links(session, user)  # reactivating does not revive an old link
    record(
        session,
        actor,
        "person.reactivate" if active else "person.deactivate",
        "user",
        user.id,
        before={"active": not active},
        after={"active": active},
    )
    return lost


def set_password(
    session: Session, actor: Optional[User], user: User, password: str, hash_method: str = "scrypt"
) -> None:
    user.password_hash = hash_password(password, hash_method)
    user.end_sessions()  # whoever knew the old password is logged out everywhere
    invitations.end_links(session, user)  # an invitation or reset link still out must not replace it
    record(session, actor, "person.password_set", "user", user.id)


def _ensure_another_admin(session: Session, user: User) -> None:
    others = session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.role == Role.ADMIN, User.active.is_(True), User.id != user.id
        )
    )
    if not others:
        raise DomainError(_l("the program needs at least one active admin"))


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value if user.role else None,
        "mentor_kind": user.mentor_kind.value if user.mentor_kind else None,
        "capacity": user.capacity,
        "locale": user.locale,
    }


def count_without_password() -> sa.Select:
    """How many active people have not set a password (not accepted their invitation)."""
    return sa.select(sa.func.count(User.id)).where(User.active.is_(True), User.password_hash.is_(None))


def name_or_email_contains(text: str) -> sa.ColumnElement[bool]:
    """A person whose name or email contains `text` as typed: `%` and `_` are letters here
    (emails like li_na@… are common), not LIKE wildcards."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\"))


def search_people(
    session: Session,
    text: str = "",
    role: Optional[str] = None,
    active: Optional[bool] = None,
    sort: str = "role",
):
    """A select of users matching a name/email search, role and active filters, sorted in SQL."""
    order = {"name": [User.name], "email": [User.email], "newest": [User.id.desc()]}.get(sort, [User.role, User.name])
    query = sa.select(User).order_by(*order, User.id)
    if text:
        query = query.where(name_or_email_contains(text))
    if role in set(Role):
        query = query.where(User.role == Role(role))
    if active is not None:
        query = query.where(User.active.is_(active))
    return query


# --- CSV import ------------------------------------------------------------------


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # as they will be stored
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _capacity(text: str) -> Any:
    """An int for ASCII digits, the default for nothing; other text stays text for check_person
    to refuse ("²" passes str.isdigit() but not int())."""
    if text == "":
        return DEFAULT_CAPACITY
    return int(text) if text.isascii() and text.isdigit() else text


def parse_people_csv(
    source: "Source | str | list[list[str]]",
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Rows as (line, values) with codes for the words people wrote, and every row-level
    problem; no database access."""
    cell_rows, errors = read_table(source, ("email", "name", "role"))
    words = Vocabulary()
    rows, seen = [], {}
    for line, cells in cell_rows:
        values: dict[str, Any] = {"email": cells.get("email", ""), "name": cells.get("name", "")}
        unknown = {}
        for column in CODED:
            written = cells.get(column, "")
            values[column] = words.code(column, written) if written else None
            if written and values[column] is None:
                unknown[column] = words.unknown(column, written)
        values["locale"] = values["locale"] or "zh_CN"
        if values["role"] == Role.MENTOR:
            values["capacity"] = _capacity(cells.get("capacity", "").translate(FULL_WIDTH_DIGITS))
        problems = {**{k: str(v) for k, v in check_person(values).items()}, **unknown}
        errors.extend(RowError(line, name, message) for name, message in problems.items())
        email = normalize_email(values["email"])
        if email in seen:
            errors.append(
                RowError(line, "email", str(_l("same email as line %(line)d", line=seen[email])))
            )
        seen.setdefault(email, line)
        rows.append((line, values))
    if not rows and not errors:
        errors.append(RowError(1, "file", str(_l("no rows to import"))))
    return rows, errors


def import_people(
    session: Session, actor: Optional[User], source: "Source | str | list[list[str]]", apply: bool = True
) -> ImportReport:
    """Validate every row; write nothing unless all rows are good.

    Existing people (matched by email) are updated to match the file, so
    importing the same file twice changes nothing the second time. New people
    get no password: an admin sets one before they can log in.
    """
    rows, errors = parse_people_csv(source)
    report = ImportReport(errors=errors, rows=rows)
    if errors:
        return report
    existing = {
        u.email: u
        for u in session.scalars(
            sa.select(User).where(User.email.in_([normalize_email(v["email"]) for _, v in rows]))
        )
    }
    for line, values in rows:
        user = existing.get(normalize_email(values["email"]))
        if user is not None and user.role == Role.ADMIN and values["role"] != Role.ADMIN:
            report.errors.append(
                RowError(line, "role", str(_l("an admin's role cannot be changed by import")))
            )
        elif user is not None:  # checked here, as a row error, before anything is written
            edited = _normalized({**_snapshot(user), **{k: v for k, v in values.items() if k in EDITABLE}})
            refused = _coaching_refusal(user, edited)
            if refused is not None:
                report.errors.append(RowError(line, refused.field, str(refused.message)))
    if report.errors or not apply:
        return report
    for _, values in rows:
        user = existing.get(normalize_email(values["email"]))
        if user is None:
            create_person(session, actor, values)
            report.created += 1
        elif update_person(session, actor, user, values):
            report.updated += 1
        else:
            report.unchanged += 1
    session.flush()
    return report
