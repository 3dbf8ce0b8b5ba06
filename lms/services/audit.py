"""Writing to the append-only audit log."""

from typing import Any, Optional

from sqlalchemy.orm import Session

from lms.models import AuditEvent, User


def record(
    session: Session,
    actor: Optional[User],
    action: str,
    subject_type: str,
    subject_id: Optional[int],
    before: Optional[dict[str, Any]] = None,
    after: Optional[dict[str, Any]] = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=before,
        after=after,
    )
    session.add(event)
    return event


def changed_fields(obj, fields: list[str], values: dict[str, Any]):
    """Apply `values` to `obj`; return (before, after) of the fields that changed."""
    before, after = {}, {}
    for name in fields:
        if name not in values:
            continue
        old, new = getattr(obj, name), values[name]
        if old != new:
            before[name] = _plain(old)
            after[name] = _plain(new)
            setattr(obj, name, new)
    return before, after


def _plain(value):
    return value.value if hasattr(value, "value") else value
