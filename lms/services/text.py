"""Text rules shared by the request guard and the CSV imports."""

import re

# C0 controls except tab, newline and carriage return, plus DEL: never typed by a person,
# and PostgreSQL refuses NUL in text outright.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_chars(text: str) -> bool:
    return CONTROL_CHARS.search(text) is not None
