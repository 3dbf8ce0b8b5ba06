"""SQLite file databases run in WAL mode with a busy timeout and foreign keys on every
connection the app opens (lms/db_setup.py): readers never wait for the writer, and several
gunicorn workers wait for the write lock instead of failing with "database is locked"."""

import sqlalchemy as sa

from lms import create_app
from lms.extensions import db


def test_every_sqlite_connection_is_wal_with_a_busy_timeout(tmp_path):
    path = tmp_path / "wal.sqlite3"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        pragmas = ("journal_mode", "busy_timeout", "foreign_keys")
        with db.engine.connect() as first, db.engine.connect() as second:  # two pooled connections
            for conn in (first, second):
                values = [conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in pragmas]
                assert values == ["wal", 5000, 1]
        db.engine.dispose()
    # WAL is a property of the file: a plain connection (a backup tool, the sqlite3 shell) sees it too
    plain = sa.create_engine(f"sqlite:///{path}")
    with plain.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    plain.dispose()
