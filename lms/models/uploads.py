"""The bytes of uploaded files when UPLOAD_STORAGE=database: several app hosts then share
them through the database, and `pg_dump` backs them up with everything else."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class UploadChunk(db.Model):
    """One piece of a stored file, in order (`seq` from 0). Pieces keep every row and every
    read small: a download streams them one by one instead of loading a 10 MB value."""

    __tablename__ = "upload_chunks"

    stored_name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # the file row's stored_name
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
