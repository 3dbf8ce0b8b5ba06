"""Cursor pagination, keyset on id: a page is `WHERE id > :after ORDER BY id LIMIT :limit + 1`
(the extra row says whether there is a next page), so page 1,000 costs what page 1 does and
rows added meanwhile are neither skipped nor repeated. The cursor is opaque (schemas.Cursor)."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lms.api.schemas import encode_cursor

AFTER = sa.bindparam("after", type_=sa.Integer)
LIMIT = sa.bindparam("limit", type_=sa.Integer)


def keyset(query: sa.Select, id_column) -> sa.Select:
    """`query` paged by `id_column` (ascending) through the parameters `after` and `limit`."""
    return query.where(id_column > AFTER).order_by(id_column).limit(LIMIT)


def fetch(session: Session, query: sa.Select, args: dict, params: dict | None = None) -> tuple[list, Any]:
    """(rows of the page, next_cursor or None) for the PageArgs `args`; rows carry an `id`."""
    limit = args["limit"]
    rows = session.execute(query, {**(params or {}), "after": args["cursor"] or 0, "limit": limit + 1}).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].id) if more else None
