"""What operator commands share: one language per run, file reading, failing with a message."""

import functools
import sys
from typing import NoReturn

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.services import import_files
from lms.services.import_files import ImportFileError, Source, encoding_name
from lms.vocabulary import SYNONYMS, column_label


def in_language(command):
    """Add --lang and run the command in that language (default: the configured default locale),
    so every message it prints is in one language."""

    @functools.wraps(command)
    def run(*args, lang=None, **kwargs):
        with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return click.option("--lang", type=click.Choice(["zh_CN", "en"]),
                        help="Language of the messages (default: the configured default, zh_CN).")(run)


encoding_option = click.option(
    "--encoding", type=click.Choice(import_files.ENCODINGS, case_sensitive=False),
    help="The file's encoding when it is not UTF-8 (UTF-8, a BOM and .xlsx need none). "
         "Without it such a file is refused, naming the encodings it looks like.")


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def read_source(path: str, encoding: str | None) -> Source:
    """The file's rows; refuses (exit 1) a file it would have to guess the encoding of."""
    with open(path, "rb") as handle:
        data = handle.read(import_files.MAX_IMPORT_BYTES + 1)
    try:
        source = import_files.load(data, path, encoding.lower() if encoding else None)
    except ImportFileError as error:
        fail(_("%(path)s: %(message)s", path=path, message=error.message))
    if not source.certain:
        best, others = source.candidates[0], source.candidates[1:]
        if others:
            fail(_("%(path)s: not UTF-8; it looks like %(encoding)s (or %(others)s); "
                   "run again with --encoding %(encoding)s", path=path, encoding=best, others=", ".join(others)))
        fail(_("%(path)s: not UTF-8; it looks like %(encoding)s; run again with --encoding %(encoding)s",
               path=path, encoding=best))
    return source


def report_errors(path: str, errors) -> NoReturn:
    """Every row error as `path: line N: column: problem`, then exit 1 (nothing was written)."""
    for error in errors:
        click.echo(_("%(path)s: line %(line)d: %(column)s: %(message)s", path=path, line=error.row,
                     column=column_label(error.field), message=error.message), err=True)
    fail(_("%(path)s: nothing imported", path=path))


def values_help(*columns: str) -> str:
    """Accepted values for --help, from the synonyms table (labels work too)."""
    lines = []
    for column in columns:
        options = "; ".join(f"{code} ({', '.join(words[:3])})" for code, words in SYNONYMS[column].items())
        lines.append(f"{column}: {options}")
    return "\n\n".join(lines)


__all__ = ["encoding_name", "encoding_option", "fail", "in_language", "read_source", "report_errors",
           "values_help"]
