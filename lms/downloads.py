"""Sending a stored file (a submission's or a defect's) from whichever store holds it, with
the same headers everywhere. The caller has checked the policy; a missing or purged file
answers 404, like a file the reader may not open."""

from flask import abort, send_file

from lms.storage import current_storage


def send_stored(stored):
    """`stored`: a SubmissionFile or DefectFile row the current user may open."""
    if getattr(stored, "purged_at", None) is not None:
        abort(404)
    try:
        body = current_storage().open(stored.stored_name)
    except FileNotFoundError:
        abort(404)
    response = send_file(body, mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.original_name, max_age=0, etag=False)
    response.content_length = stored.size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
