"""The read-only page of one attempt, shared by the mentor who does not grade it
and by admins checking grading quality."""

from flask import render_template

from lms.extensions import db
from lms.models import Submission
from lms.services.capstone_work import group_statements


def render_read_only(submission: Submission, crumbs: list[tuple[str, str]]):
    """`crumbs`: (url, text) pairs leading back to where the reader came from."""
    return render_template("submissions/read.html", submission=submission, assessment=submission.assessment,
                           crumbs=crumbs, group_statements=group_statements(db.session, submission))
