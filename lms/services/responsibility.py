"""The agent's responsibility list: add an item, change it (a new version with who, when
and why; nothing is overwritten), read the list as it stands with each item's defect
count and recurrences — the evidence for the quarterly review — and the history."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload

from lms.models import AgentDefect, OwnerMode, ResponsibilityItem, ResponsibilityVersion
from lms.services import DomainError
from lms.services.audit import record

FIELDS = ("mode", "boundary", "approver", "escalation", "review_on")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out = {"mode": OwnerMode(values["mode"]), "review_on": values["review_on"]}
    for name in ("boundary", "approver", "escalation"):
        out[name] = (values.get(name) or "").strip()
    if not isinstance(out["review_on"], date):
        raise DomainError(str(_l("Give the date of the next quarterly review.")), field="review_on")
    if not out["approver"]:
        raise DomainError(str(_l("Name who approves this item.")), field="approver")
    return out


def add_item(session: Session, actor, agent_id: int, title: str, values: dict[str, Any], why: str,
             position: Optional[int] = None) -> ResponsibilityItem:
    title = (title or "").strip()
    if not title:
        raise DomainError(str(_l("Name the item of work.")), field="title")
    if session.scalar(sa.select(ResponsibilityItem.id).where(ResponsibilityItem.agent_id == agent_id,
                                                             ResponsibilityItem.title == title)):
        raise DomainError(str(_l("This agent's list already has that item.")), field="title")
    count = session.scalar(sa.select(sa.func.count(ResponsibilityItem.id))
                           .where(ResponsibilityItem.agent_id == agent_id))
    item = ResponsibilityItem(agent_id=agent_id, title=title, position=count if position is None else position)
    session.add(item)
    session.flush()
    _version(session, actor, item, _clean(values), why, 1)
    return item


def change_item(session: Session, actor, item: ResponsibilityItem, values: dict[str, Any], why: str
                ) -> Optional[ResponsibilityVersion]:
    """A new version when anything changed (None otherwise); a reason is required."""
    clean = _clean(values)
    latest = item.versions[-1]
    if all(getattr(latest, name) == clean[name] for name in FIELDS):
        return None
    return _version(session, actor, item, clean, why, latest.number + 1, latest)


def _version(session: Session, actor, item: ResponsibilityItem, clean: dict, why: str, number: int,
             before: Optional[ResponsibilityVersion] = None) -> ResponsibilityVersion:
    why = (why or "").strip()
    if not why:
        raise DomainError(str(_l("Say why the list changes.")), field="why")
    version = ResponsibilityVersion(number=number, why=why, changed_by_id=actor.id if actor else None, **clean)
    item.versions.append(version)
    session.flush()
    record(session, actor, "responsibility.change" if before else "responsibility.add", "agent", item.agent_id,
           before={"item": item.title, "mode": before.mode.value} if before else None,
           after={"item": item.title, "mode": clean["mode"].value, "version": number})
    return version


@dataclass
class ListRow:
    item: ResponsibilityItem
    current: ResponsibilityVersion
    defects: int
    recurrences: int


def current_list(session: Session, agent_id: int) -> list[ListRow]:
    """The list as it stands, with each item's defects and recurrences (three statements)."""
    items = list(session.scalars(
        sa.select(ResponsibilityItem).where(ResponsibilityItem.agent_id == agent_id)
        .options(joinedload(ResponsibilityItem.versions)).order_by(ResponsibilityItem.position,
                                                                   ResponsibilityItem.id)).unique())
    counts = {r[0]: (r[1], r[2]) for r in session.execute(
        sa.select(AgentDefect.item_id, sa.func.count(),
                  sa.func.count().filter(AgentDefect.recurrence_of_id.is_not(None)))
        .where(AgentDefect.agent_id == agent_id, AgentDefect.item_id.is_not(None)).group_by(AgentDefect.item_id))}
    return [ListRow(i, i.versions[-1], *counts.get(i.id, (0, 0))) for i in items if i.versions]


def history(session: Session, agent_id: int) -> list[ResponsibilityVersion]:
    """Every version of every item of the agent, newest first, with the previous mode to show moves."""
    return list(session.scalars(
        sa.select(ResponsibilityVersion).join(ResponsibilityItem)
        .where(ResponsibilityItem.agent_id == agent_id)
        .options(joinedload(ResponsibilityVersion.item), joinedload(ResponsibilityVersion.changed_by))
        .order_by(ResponsibilityVersion.changed_at.desc(), ResponsibilityVersion.id.desc())))


def moves(versions: list[ResponsibilityVersion]) -> dict[int, Optional[OwnerMode]]:
    """For each version id: the mode of the version before it (None for a first version)."""
    by_item: dict[int, list[ResponsibilityVersion]] = {}
    for v in versions:
        by_item.setdefault(v.item_id, []).append(v)
    out: dict[int, Optional[OwnerMode]] = {}
    for rows in by_item.values():
        rows.sort(key=lambda v: v.number)
        for before, v in zip([None, *rows[:-1]], rows, strict=True):
            out[v.id] = before.mode if before else None
    return out
