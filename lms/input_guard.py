"""Refuse control characters in query strings, form fields and file names (400).

Checked once, before any view or query runs, so no text field has to remember it.
Uploaded file contents are not checked here: each import reads its own files.
"""

from flask import request
from flask_babel import lazy_gettext as _l

from lms.errors import _render
from lms.services.text import has_control_chars

MESSAGE = _l("The request contains a control character (such as NUL) that no form field accepts. "
             "Remove it and try again.")


def _texts():
    for values in (request.args, request.form):
        for key, items in values.lists():
            yield key
            yield from items
    for key, storage in request.files.items(multi=True):
        yield key
        yield storage.filename or ""


def refuse_control_chars():
    """`before_request`: the styled 400 page when any text of the request holds a control character."""
    if any(has_control_chars(text) for text in _texts()):
        return _render(400, str(MESSAGE))
    return None
