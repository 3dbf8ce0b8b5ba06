"""Search, status and sort of a paged list, read from the query string.

Unknown values fall back to the defaults rather than answering 400: a list link
someone bookmarked before a filter was renamed still opens.
"""

from dataclasses import dataclass

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
