"""Integers from URLs, query strings and form fields, bounded to PostgreSQL's INTEGER.

A larger number reaching a query fails the bind cast on PostgreSQL (a 500), so it is
turned away first: 404 for a path, the default for a page number, a form error for
an id field.
"""

from werkzeug.routing import IntegerConverter

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that matches only what an INTEGER column can hold (else 404)."""

    regex = r"[0-9]+"  # ASCII digits; \d would also match other scripts' digits

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        low = INT_MIN if signed else 0
        super().__init__(map, fixed_digits, low if min is None else min, INT_MAX if max is None else max, signed)


def _small_int(value) -> int | None:
    text = str(value).strip()
    if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 11:
        number = int(text)
        if INT_MIN <= number <= INT_MAX:
            return number
    return None


def page_number(value: str) -> int:
    """`type=` for `request.args.get("page", 1, type=page_number)`: junk or out of range → the default."""
    number = _small_int(value)
    if number is None or number < 1:
        raise ValueError(value)
    return number


def record_id(value) -> int | None:
    """`coerce=` for a SelectField of database ids: None unless a positive INTEGER.

    None (rather than a coercion error) lets the field's DataRequired say, in our words,
    what to choose.
    """
    number = _small_int(value)
    return number if number is not None and number > 0 else None
