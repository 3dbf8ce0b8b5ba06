"""Search, status and sort of a paged list, read from the query string.

Unknown values fall back to the defaults rather than answering 400: a list link
someone bookmarked before a filter was renamed still opens.
"""

import weakref
from dataclasses import dataclass

import sqlalchemy as sa
from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination, SelectPagination

MAX_FIND = 100  # characters of a name or email search


@dataclass(frozen=True)
class ListFilter:
    find: str = ""
    status: str = "all"
    sort: str = "name"

    @classmethod
    def from_args(cls, args, statuses: tuple[str, ...], sorts: tuple[str, ...]) -> "ListFilter":
        status, sort = args.get("status", statuses[0]), args.get("sort", sorts[0])
        return cls(find=args.get("find", "").strip()[:MAX_FIND],
                   status=status if status in statuses else statuses[0],
                   sort=sort if sort in sorts else sorts[0])

    def args(self) -> dict[str, str]:
        """The non-empty values, for links (pager, sort) that keep the filter."""
        return {k: v for k, v in (("find", self.find), ("status", self.status), ("sort", self.sort)) if v}


_PAGED: "weakref.WeakKeyDictionary[sa.Select, tuple[sa.Select, sa.Select]]" = weakref.WeakKeyDictionary()


def _paged(select: sa.Select) -> tuple[sa.Select, sa.Select]:
    """A page of `select` (limit and offset as parameters) and its count, built once per select.

    A list page's select can be built once with its ids as parameters (see `dashboards.cohort_roster`);
    building these two around it on every request, and working out their cache keys, would cost
    about as much as running them. A select built for one request is forgotten with it.
    """
    paged = _PAGED.get(select)
    if paged is None:
        page = select.limit(sa.bindparam("page_limit", type_=sa.Integer)).offset(
            sa.bindparam("page_offset", type_=sa.Integer))
        count = sa.select(sa.func.count()).select_from(select.order_by(None).subquery())
        paged = _PAGED[select] = (page, count)
    return paged


class RowPagination(SelectPagination):
    """Flask-SQLAlchemy's paging for a select of columns: the page's items are rows, not the
    first column of each (a roster of plain columns costs a fraction of ORM objects).
    `params` are the select's bound parameters."""

    def _query_items(self) -> list:
        page, _count = _paged(self._query_args["select"])
        params = {**self._query_args["params"], "page_limit": self.per_page, "page_offset": self._query_offset}
        # plain columns: through the session's connection, past the ORM's result handling, and
        # fetched at once (iterating a result fetches row by row)
        return self._query_args["session"].connection().execute(page, params).all()

    def _query_count(self) -> int:
        _page, count = _paged(self._query_args["select"])
        return self._query_args["session"].execute(count, self._query_args["params"]).scalar()


def paginate_rows(session, select, page: int, per_page: int, params: dict | None = None) -> RowPagination:
    return RowPagination(select=select, session=session, params=params or {}, page=page, per_page=per_page,
                         error_out=False)


class ListPagination(Pagination):
    """Paging over rows already read and sorted in Python (an order SQL cannot give, such as
    names by pinyin): `rows` is the whole list; no statement of its own."""

    def _query_items(self) -> list:
        rows = self._query_args["rows"]
        return rows[self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def paginate_list(rows: list, page: int, per_page: int) -> ListPagination:
    return ListPagination(rows=rows, page=page, per_page=per_page, error_out=False)


def past_the_end(page) -> str | None:
    """The same list's last page when `page` asks for one after it (an old link, a typed
    number), else None: a list that has rows never shows an empty page."""
    if not page.pages or page.page <= page.pages:
        return None
    args = {**request.view_args, **request.args.to_dict(), "page": page.pages}
    return url_for(request.endpoint, **args)
