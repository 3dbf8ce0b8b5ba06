"""`flask --app wsgi lms i18n`: keep the zh_CN and en catalogs in step with the code."""

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "lms" / "translations"
POT = TRANSLATIONS / "messages.pot"
# The UI calls it zh_CN; Babel resolves zh_CN to zh_Hans_CN and looks for that folder.
CATALOGS = {"zh_CN": "zh_Hans_CN", "en": "en"}


def po_path(locale: str) -> Path:
    return TRANSLATIONS / CATALOGS[locale] / "LC_MESSAGES" / "messages.po"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(output: Path = POT) -> None:
    _pybabel(
        "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "--sort-output", "-o", str(output), str(ROOT),
    )


@click.group("i18n")
def i18n_cli() -> None:
    """Translation catalogs."""


@i18n_cli.command("update")
def update() -> None:
    """Extract messages, merge them into both catalogs, compile."""
    extract()
    for locale, folder in CATALOGS.items():
        if not po_path(locale).exists():
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", folder)
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete")
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@i18n_cli.command("compile")
def compile_() -> None:
    """Compile the .po catalogs into the .mo files the app reads."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")
