"""The `flask lms demo` data set, loaded into the test database (shared by page walks)."""

from lms.extensions import db
from lms.services.buffer_clock import BufferSettings
from lms.services.clock import today_in
from lms.services.demo import ensure_demo, ensure_demo_cohort
from lms.services.demo_activity import ensure_demo_activity
from lms.services.demo_buffer import ensure_demo_buffer
from lms.services.demo_capstone import ensure_demo_capstone
from tests.conftest import COURSES_DIR


def load_demo(app) -> int:
    """Accounts, catalogue, the demo cohort and its activity; returns the cohort id."""
    from lms.services.catalog_sync import sync_catalog
    from lms.services.progress import current_program

    with app.app_context():
        ensure_demo(db.session, app.config["PASSWORD_HASH_METHOD"])
        assert sync_catalog(db.session, COURSES_DIR).ok
        cohort = ensure_demo_cohort(db.session, current_program(db.session),
                                    today_in(app.config["BABEL_DEFAULT_TIMEZONE"]))
        ensure_demo_activity(db.session, cohort, app.config["UPLOAD_FOLDER"])
        ensure_demo_capstone(db.session, cohort)
        ensure_demo_buffer(db.session, current_program(db.session), today_in(app.config["BABEL_DEFAULT_TIMEZONE"]),
                           app.config["UPLOAD_FOLDER"], app.config["PASSWORD_HASH_METHOD"],
                           BufferSettings.from_config(app.config))
        from lms.services.demo_defects import ensure_demo_defects

        ensure_demo_defects(db.session, app.config["PASSWORD_HASH_METHOD"],
                            today_in(app.config["BABEL_DEFAULT_TIMEZONE"]))
        from lms.models.base import utcnow
        from lms.services.demo_history import backdate_demo

        backdate_demo(db.session, app.config["BABEL_DEFAULT_TIMEZONE"], utcnow())
        db.session.commit()
        return cohort.id
