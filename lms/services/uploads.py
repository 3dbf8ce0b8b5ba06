"""Uploaded files: type-checked by extension and by content, stored under random
keys in the configured store (lms/storage: a folder outside static, or the database).
Size is capped by MAX_CONTENT_LENGTH (413)."""

from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from lms.services import DomainError
from lms.storage import Storage, as_storage, read_chunks

# extension → (content type we serve it as, check of the first bytes)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
KNOWN_TYPES = {
    ".pdf": ("application/pdf", lambda head: head.startswith(b"%PDF")),
    ".png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda h: h.startswith(_ZIP)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              lambda h: h.startswith(_ZIP)),
    ".xls": ("application/vnd.ms-excel", lambda head: head.startswith(_OLE)),
    ".csv": ("text/csv", lambda head: _is_text(head)),
    ".txt": ("text/plain", lambda head: _is_text(head)),
}


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            if error.start >= len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


@dataclass
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int


def extension(filename: str) -> str:
    return Path(filename or "").suffix.lower()


def store_upload(storage: Storage | str | PathLike, stream: BinaryIO, filename: str,
                 allowed: list[str]) -> StoredFile:
    """Check the file against `allowed` extensions and its real content; save it.

    Raises DomainError (user-facing) for a wrong type or an empty file, before anything is stored.
    """
    ext = extension(filename)
    if ext not in allowed or ext not in KNOWN_TYPES:
        raise DomainError(_l("Allowed file types: %(types)s", types=", ".join(allowed)))
    head = stream.read(2048)
    if not head:
        raise DomainError(_l("The file is empty."))
    content_type, looks_right = KNOWN_TYPES[ext]
    if not looks_right(head):
        raise DomainError(_l("The file's content is not a real %(ext)s file.", ext=ext))
    stored_name, size = as_storage(storage).save(read_chunks(stream, head))
    name = Path(filename).name
    # Shorten the stem, never the extension: the download keeps its type.
    original = (name[: 255 - len(ext)] + ext) if len(name) > 255 else (name or f"upload{ext}")
    return StoredFile(original, stored_name, content_type, size)


def discard_uploads(storage: Storage | str | PathLike, stored: Iterable[StoredFile]) -> None:
    """Delete files stored for a request that was then refused."""
    storage = as_storage(storage)
    for item in stored:
        storage.delete(item.stored_name)
