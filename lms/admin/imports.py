"""Receiving an import file on the web: read it, or ask which encoding it is in.

A file whose encoding is certain (UTF-8, a BOM, XLSX) and whose every column the import
reads is imported at once. Any other is previewed first (a column it does not know is
named there, as its values would be left out): the file travels back with the confirm form (compressed, so no
worker has to remember it), the admin may pick another encoding, and the import runs
only when they confirm the very decoding they saw. Every row is checked again then.
"""

import base64
import binascii
import zlib
from dataclasses import dataclass, field
from typing import Optional

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from lms.services import import_files
from lms.services.import_files import ImportFileError, Source

# Under Werkzeug's 500,000-byte limit on a form field; a CSV of 2,000 rows compresses far below.
MAX_PAYLOAD = 450_000

ENCODING_CHOICES = [
    SelectChoice("auto", _l("Detect automatically")),
    SelectChoice("utf-8", "UTF-8"),
    SelectChoice("gb18030", _l("GB18030 (Simplified Chinese Excel)")),
    SelectChoice("big5", _l("Big5 (Traditional Chinese)")),
    SelectChoice("utf-16", "UTF-16"),
    SelectChoice("cp1252", _l("Windows-1252 (Western Excel)")),
]


class ConfirmImportForm(FlaskForm):
    payload = HiddenField()
    filename = HiddenField()
    shown = HiddenField()  # the encoding of the preview the admin is looking at
    encoding = SelectField(_l("Encoding"), choices=ENCODING_CHOICES)
    preview = SubmitField(_l("Show preview"))
    submit = SubmitField(_l("Import"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "confirm")  # shares a page with the upload form
        super().__init__(*args, **kwargs)


@dataclass
class Upload:
    source: Optional[Source]  # None when the chosen encoding cannot read the file
    confirmed: bool  # write now: the encoding is certain, or the admin confirmed this preview
    confirm_form: Optional[ConfirmImportForm] = None  # the open question, when there is one
    ignored: list[str] = field(default_factory=list)  # headings of columns the import does not read

    @property
    def failed(self) -> bool:
        return self.source is None or bool(self.confirm_form and self.confirm_form.errors)


def pack(data: bytes) -> Optional[str]:
    packed = base64.b64encode(zlib.compress(data, 9)).decode("ascii")
    return packed if len(packed) <= MAX_PAYLOAD else None


def unpack(packed: str) -> Optional[bytes]:
    try:
        compressed = base64.b64decode(packed, validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(compressed, import_files.MAX_IMPORT_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error):
        return None
    return None if inflater.unconsumed_tail or len(data) > import_files.MAX_IMPORT_BYTES else data


def receive(form, known: tuple[str, ...]) -> Optional[Upload]:
    """The file posted with `form` (an upload form with a `file` field) or sent back from a
    preview; None when there is nothing to import (a GET, or the upload form's own errors).
    `known`: the column codes the import reads."""
    if request.method != "POST":
        return None
    if request.form.get("confirm-payload"):
        return _confirmed(known)
    if not form.validate_on_submit():
        return None
    data = form.file.data.read(import_files.MAX_IMPORT_BYTES + 1)
    name = form.file.data.filename or ""
    try:
        source = import_files.load(data, name)
    except ImportFileError as error:
        form.file.errors.append(error.message)
        return None
    ignored = import_files.ignored_columns(source, known)
    if source.certain and not ignored:
        return Upload(source, confirmed=True)
    packed = pack(data)
    if packed is None:
        form.file.errors.append(_l("is too large to preview; save it as UTF-8 CSV or as .xlsx"))
        return None
    confirm = ConfirmImportForm(formdata=None, payload=packed, filename=name, shown=source.encoding,
                                encoding="auto")
    return Upload(source, confirmed=False, confirm_form=confirm, ignored=ignored)


def _confirmed(known: tuple[str, ...]) -> Upload:
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        return Upload(None, confirmed=False, confirm_form=confirm)
    data = unpack(confirm.payload.data)
    if data is None:
        confirm.encoding.errors.append(_l("The file did not come back intact; upload it again."))
        return Upload(None, confirmed=False, confirm_form=confirm)
    choice = confirm.encoding.data
    try:
        source = import_files.load(data, confirm.filename.data or "", None if choice == "auto" else choice)
    except ImportFileError as error:
        confirm.encoding.errors.append(error.message)
        return Upload(None, confirmed=False, confirm_form=confirm)
    # Import only the decoding the admin saw; a new choice shows its preview first.
    confirmed = bool(confirm.submit.data) and source.encoding == confirm.shown.data
    if not source.candidates:  # chosen by the admin: still show what detection thought
        source.candidates = import_files.detect(data)
    confirm.shown.data = source.encoding
    return Upload(source, confirmed=confirmed, confirm_form=confirm,
                  ignored=import_files.ignored_columns(source, known))
