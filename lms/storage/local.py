"""Uploaded files as files of one folder (UPLOAD_FOLDER), named by their random key."""

import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path
from typing import BinaryIO

# A file name of one folder, never a path: no slash, no leading dot (so no "..").
KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}\Z")


def new_key() -> str:
    return secrets.token_hex(16)


def checked_key(key: str) -> str:
    """Keys are ours (random hex); refusing anything else keeps a key from naming a path.
    A key that cannot be ours names no file (FileNotFoundError)."""
    if not KEY.match(key or ""):
        raise FileNotFoundError(f"not a stored-file key: {key!r}")
    return key


class LocalStorage:
    def __init__(self, folder: str | PathLike):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / checked_key(key)

    def save(self, chunks: Iterable[bytes], key: str | None = None) -> tuple[str, int]:
        key = checked_key(key) if key else new_key()
        self.folder.mkdir(parents=True, exist_ok=True)
        size = 0
        with open(self._path(key), "wb") as out:
            for piece in chunks:
                out.write(piece)
                size += len(piece)
        return key, size

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def exists(self, key: str) -> bool:
        return bool(KEY.match(key or "")) and self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def copy(self, key: str) -> str:
        fresh = new_key()
        shutil.copyfile(self._path(key), self._path(fresh))
        return fresh

    def keys(self) -> Iterator[str]:
        if self.folder.is_dir():
            for path in sorted(self.folder.iterdir()):
                if path.is_file() and KEY.match(path.name):
                    yield path.name
