"""Where uploaded files' bytes live: a local folder (the default, one app host) or the
database (UPLOAD_STORAGE=database: every host behind a load balancer serves every file).

A file is known by its key, the random `stored_name` of its SubmissionFile / DefectFile
row; the row holds the name, type and size. Both stores offer the same few operations.
"""

from collections.abc import Iterable, Iterator
from os import PathLike
from typing import BinaryIO, Protocol

from sqlalchemy.orm import Session

CHUNK_SIZE = 256 * 1024  # the database store's row size; reads go in pieces of this size too
STORAGE_KINDS = ("local", "database")


class Storage(Protocol):
    def save(self, chunks: Iterable[bytes], key: str | None = None) -> tuple[str, int]:
        """Write the bytes under a new random key (or `key`); return the key and the size."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary file of the content, read in pieces; FileNotFoundError when absent."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the content; a missing key is no error."""

    def copy(self, key: str) -> str:
        """A copy under a new key (a retake keeps its own file)."""

    def keys(self) -> Iterator[str]:
        """Every key held (backups, orphan checks)."""


def read_chunks(stream: BinaryIO, head: bytes = b"") -> Iterator[bytes]:
    """`head` (bytes already read from `stream`) then the rest, in pieces of CHUNK_SIZE."""
    first = head + stream.read(CHUNK_SIZE - len(head)) if len(head) < CHUNK_SIZE else head
    if first:
        yield first
    while piece := stream.read(CHUNK_SIZE):
        yield piece


def storage_for(config, session: Session) -> Storage:
    """The store the configuration names (UPLOAD_STORAGE, UPLOAD_FOLDER)."""
    from lms.storage.database import DatabaseStorage
    from lms.storage.local import LocalStorage

    if config.get("UPLOAD_STORAGE", "local") == "database":
        return DatabaseStorage(session)
    return LocalStorage(config["UPLOAD_FOLDER"])


def as_storage(where: "Storage | str | PathLike") -> Storage:
    """A store; a folder path stands for the local store of that folder (callers that predate
    pluggable storage pass UPLOAD_FOLDER)."""
    from lms.storage.local import LocalStorage

    if isinstance(where, (str, PathLike)):
        return LocalStorage(where)
    return where


def current_storage() -> Storage:
    """The app's store, bound to the request's (or command's) database session."""
    from flask import current_app

    from lms.extensions import db

    return storage_for(current_app.config, db.session)
