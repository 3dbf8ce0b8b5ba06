"""Password rules and hashing, shared by the login, the forms and the CLI.

Strength is judged by zxcvbn (common-password lists, repeats, sequences,
keyboard patterns, the person's own name and email) rather than a home-made
list: `password12` and `aaaaaaaaaa` pass a length rule but not this one.
"""

from functools import cache
from typing import Optional

from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn 0–4; 3 = "safely unguessable", ~10^8 guesses


def hash_password(password: str, method: str = "scrypt") -> str:
    return generate_password_hash(password, method=method)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-password-of-anyone", method=method)


def verify_password(stored_hash: Optional[str], password: str, method: str = "scrypt") -> bool:
    """Check `password`, spending the same hashing time when there is no hash.

    Without the dummy check an unknown email answers in a fraction of the time
    of a known one, which tells an attacker which accounts exist.
    """
    if stored_hash is None:
        check_password_hash(_dummy_hash(method), password)
        return False
    return check_password_hash(stored_hash, password)


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> Optional[str]:
    """Why this password is refused (a translatable message), or None when it is fine."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        return _l("Use %(min)d to %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH)
    words = [w for value in user_inputs if value for w in (value, *value.replace("@", " ").split())]
    # zxcvbn's time grows with length; its own cap keeps a 128-character check fast.
    if zxcvbn(password, user_inputs=words)["score"] < MIN_SCORE:
        return _l(
            "This password is too easy to guess: it is common, repeats or follows a pattern, "
            "or contains your name or email. Use a longer phrase of unrelated words."
        )
    return None
