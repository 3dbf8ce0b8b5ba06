"""SQL expressions that SQLite and PostgreSQL spell differently, written once.

Reports aggregate in the database (GROUP BY, window functions), and a few of their
rules need date arithmetic or a number out of a JSON column. Each construct here
compiles to the dialect's own spelling, so a report's select is built once and runs
on both databases.
"""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement):
    """Whole days from the date `earlier` to the date `later` (negative when before)."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_default(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"


class seconds_between(FunctionElement):
    """Seconds from the (naive UTC) timestamp `earlier` to `later`, as a float."""

    type = sa.Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _seconds_default(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_pg(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


class json_number(FunctionElement):
    """The number stored under the key `key` (an expression, e.g. a criterion's code
    column) of a JSON object column; NULL when the key is missing."""

    type = sa.Float()
    inherit_cache = True
    name = "json_number"


@compiles(json_number)
def _json_number_default(element, compiler, **kw):
    column, key = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(json_extract({column}, '$.\"' || {key} || '\"') AS REAL)"


@compiles(json_number, "postgresql")
def _json_number_pg(element, compiler, **kw):
    column, key = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(({column} ->> {key}) AS DOUBLE PRECISION)"


class json_max_points(FunctionElement):
    """The highest `points` of a JSON list of rubric levels ([{"points": …}, …]): a criterion's maximum."""

    type = sa.Float()
    inherit_cache = True
    name = "json_max_points"


@compiles(json_max_points)
def _max_points_default(element, compiler, **kw):
    (levels,) = (compiler.process(c, **kw) for c in element.clauses)
    # `levels` is the compiled SQL of a column, never a value: nothing user-given is formatted in
    return f"(SELECT MAX(CAST(json_extract(value, '$.points') AS REAL)) FROM json_each({levels}))"  # nosec B608


@compiles(json_max_points, "postgresql")
def _max_points_pg(element, compiler, **kw):
    (levels,) = (compiler.process(c, **kw) for c in element.clauses)
    return (f"(SELECT MAX(CAST((lv ->> 'points') AS DOUBLE PRECISION)) "  # nosec B608  # a column's SQL
            f"FROM json_array_elements({levels}) AS lv)")


class json_length(FunctionElement):
    """The number of items of a JSON list column."""

    type = sa.Integer()
    inherit_cache = True
    name = "json_length"


@compiles(json_length)
def _json_length_default(element, compiler, **kw):
    (column,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"json_array_length({column})"


@compiles(json_length, "postgresql")
def _json_length_pg(element, compiler, **kw):
    (column,) = (compiler.process(c, **kw) for c in element.clauses)
    return f"json_array_length(CAST({column} AS JSON))"


def share(part: ColumnElement, whole: ColumnElement) -> ColumnElement:
    """part ÷ whole as a float; NULL when whole is 0 (not a division error)."""
    return sa.cast(part, sa.Float) / sa.func.nullif(whole, 0)


def count_if(condition) -> ColumnElement:
    """How many rows meet `condition` (0, never NULL)."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def rounded(value: ColumnElement, digits: int = 1) -> ColumnElement:
    """ROUND to `digits` places on both databases (PostgreSQL rounds NUMERIC, not DOUBLE)."""
    return sa.cast(sa.func.round(sa.cast(value, sa.Numeric), digits), sa.Float)


class local_date(FunctionElement):
    """The date of the naive UTC timestamp `moment` at `offset_minutes` from UTC (the program's zone)."""

    type = sa.Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date)
def _local_date_default(element, compiler, **kw):
    moment, offset = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({moment}, ({offset}) || ' minutes')"


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw):
    moment, offset = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST({moment} + ({offset}) * INTERVAL '1 minute' AS DATE)"
