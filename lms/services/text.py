"""Text rules shared by the request guard and the CSV imports."""

import re

# C0 controls except tab, newline and carriage return, plus DEL: never typed by a person,
# and PostgreSQL refuses NUL in text outright. Also the bidirectional overrides and
# isolates (U+202A–U+202E, U+2066–U+2069): no Chinese or English text needs them, and
# an override makes a file name ending in "gpj.csv" display as "vsc.jpg".
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def has_control_chars(text: str) -> bool:
    return CONTROL_CHARS.search(text) is not None
