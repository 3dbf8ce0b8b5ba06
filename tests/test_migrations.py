"""Migrations run on a database that holds data, not only on an empty one.

SQLite's batch mode rebuilds a table; with foreign keys enforced, the rebuild of
`users` failed as soon as any row referenced a user (found when 0005 met a demo
database). The test builds its own SQLite file whatever the suite's database is.
"""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from lms import create_app
from lms.extensions import db


def test_upgrade_and_downgrade_keep_data_on_sqlite(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO users (id, email, name, role, locale, active, mentor_load, created_at, updated_at) "
                "VALUES (1, 'a@example.com', 'A', 'admin', 'zh_CN', 1, 0, '2026-11-01', '2026-11-01')"))
            conn.execute(sa.text(
                "INSERT INTO audit_events (actor_id, action, subject_type, subject_id, at) "
                "VALUES (1, 'person.create', 'user', 1, '2026-11-01')"))
        upgrade()
        with db.engine.connect() as conn:
            token = conn.scalar(sa.text("SELECT session_token FROM users WHERE id = 1"))
            assert token and len(token) >= 32
            assert conn.scalar(sa.text("SELECT count(*) FROM audit_events")) == 1
            assert conn.execute(sa.text("PRAGMA foreign_key_check")).fetchall() == []
            assert conn.scalar(sa.text("PRAGMA foreign_keys")) == 1
        downgrade(revision="0004")
        with db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM users")) == 1
        db.engine.dispose()
