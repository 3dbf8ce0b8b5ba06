"""Uploaded files in the database (table `upload_chunks`, PostgreSQL `bytea`), so every app
host serves every file. Writes go through the caller's session: a file saved for a request
that then rolls back disappears with it. Reads fetch one piece per statement on a short
connection of their own, so a slow download holds no connection between pieces and never
has the whole file in memory."""

import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lms.models.uploads import UploadChunk
from lms.storage.local import checked_key, new_key

_PIECE = sa.select(UploadChunk.data).where(UploadChunk.stored_name == sa.bindparam("key"),
                                           UploadChunk.seq == sa.bindparam("seq"))
_FIRST = sa.select(UploadChunk.seq).where(UploadChunk.stored_name == sa.bindparam("key"),
                                          UploadChunk.seq == 0)
_LAST = sa.select(sa.func.max(UploadChunk.seq)).where(UploadChunk.stored_name == sa.bindparam("key"))


class DatabaseStorage:
    def __init__(self, session: Session):
        self.session = session

    def save(self, chunks: Iterable[bytes], key: str | None = None) -> tuple[str, int]:
        key = checked_key(key) if key else new_key()
        size = 0
        for seq, piece in enumerate(chunks):
            self.session.execute(sa.insert(UploadChunk), {"stored_name": key, "seq": seq, "data": piece})
            size += len(piece)
        if size == 0:  # an empty file still exists: one empty piece
            self.session.execute(sa.insert(UploadChunk), {"stored_name": key, "seq": 0, "data": b""})
        return key, size

    def open(self, key: str) -> BinaryIO:
        """The committed content (a download runs after the request's transaction)."""
        last = self.session.scalar(_LAST, {"key": key})
        if last is None:
            raise FileNotFoundError(key)
        return _PieceReader(self.session.get_bind(), key, last)

    def exists(self, key: str) -> bool:
        return self.session.scalar(_FIRST, {"key": key}) is not None

    def delete(self, key: str) -> None:
        self.session.execute(sa.delete(UploadChunk).where(UploadChunk.stored_name == checked_key(key)))

    def copy(self, key: str) -> str:
        fresh = new_key()
        # Copied inside the database: the bytes never pass through this process.
        self.session.execute(sa.insert(UploadChunk).from_select(
            ["stored_name", "seq", "data"],
            sa.select(sa.literal(fresh, sa.String(64)), UploadChunk.seq, UploadChunk.data)
            .where(UploadChunk.stored_name == checked_key(key))))
        return fresh

    def keys(self) -> Iterator[str]:
        yield from self.session.scalars(sa.select(UploadChunk.stored_name).where(UploadChunk.seq == 0)
                                        .order_by(UploadChunk.stored_name))


class _PieceReader(io.RawIOBase):
    """The pieces of one file as a raw stream; each piece is fetched when the previous one is used up."""

    def __init__(self, engine: Engine, key: str, last: int):
        self.engine, self.key, self.seq, self.last = engine, key, 0, last
        self.piece = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.piece and self.seq <= self.last:
            with self.engine.connect() as conn:
                data = conn.scalar(_PIECE, {"key": self.key, "seq": self.seq})
            self.seq += 1
            if data is None:  # deleted since the download began: the response ends short
                self.seq = self.last + 1
            else:
                self.piece = memoryview(bytes(data))
        count = min(len(buffer), len(self.piece))
        buffer[:count] = self.piece[:count]
        self.piece = self.piece[count:]
        return count
