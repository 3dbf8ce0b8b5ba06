"""The one check every user-supplied redirect target (`next`) goes through."""

import re
from urllib.parse import urlsplit

MAX_NEXT_LENGTH = 2048
# Browsers drop tab/CR/LF inside URLs (`/\t/evil.example` becomes `//evil.example`),
# and CR/LF in a Location header is a response splitting attempt: refuse all
# control characters; backslashes, because browsers read `/\evil` as `//evil`.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def is_safe_path(target: object) -> bool:
    """True for a same-origin path: `/…`, not scheme-relative, no scheme or host."""
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return False
    if _UNSAFE.search(target) or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: object, fallback: str) -> str:
    """`target` when it is a safe local path, else `fallback`."""
    return target if is_safe_path(target) else fallback
