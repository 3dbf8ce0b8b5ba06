"""Moving a row from one state to the next, once, however many requests try at the same moment.

A check on the state read earlier in the request is not enough: twenty reviewers who all
read `new` would all confirm the defect, each writing an event and a notification, and of
twenty approvers the last would silently overwrite the award the others were told they
gave. `claim` makes the move one conditional UPDATE (the pattern of grading's version
claim): on PostgreSQL the UPDATE waits for the row lock of whoever moved first and then
finds the state changed, on SQLite writers queue on the database lock; either way exactly
one request moves the row and every other gets Conflict, with nothing written.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.services import Conflict


def claim(session: Session, row: Any, attribute: str, seen: Any, new: Any, message) -> None:
    """Set `row.<attribute>` from `seen` (what this request read) to `new` in the database,
    or raise Conflict(message) when the row no longer holds `seen`. Caller rolls back."""
    model = type(row)
    column = getattr(model, attribute)
    result = session.execute(
        sa.update(model).where(model.id == row.id, column == seen if seen is not None else column.is_(None))
        .values({attribute: new}).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict(str(message))  # in the language of this request
    setattr(row, attribute, new)  # the object agrees with the row (its later flush writes the same value)
