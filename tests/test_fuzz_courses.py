"""Fuzz of the course-file loader (lms/services/catalog_files.py) and the intake diagnostic.

Any hand edit of `courses/` — a value of the wrong type, a missing or unknown key, broken
YAML, a file that is not UTF-8, an odd lesson text, a missing file or folder — is reported
as problems of the form `file: field: problem`, never as an exception. A catalogue the
loader finds clean also syncs.

The fuzz works on a small copy of the shipped catalogue (every tier and track, each with
its first course cut to one lesson and one assessment), so one load takes a few
milliseconds; each example changes one file or folder and puts it back afterwards.
"""

import shutil
from pathlib import Path

import pytest
import yaml
from flask_babel import force_locale
from hypothesis import event, given
from hypothesis import strategies as st

from lms.extensions import db
from lms.services.catalog_files import Problem, load_catalog
from lms.services.catalog_specs import TIER_ORDER
from lms.services.catalog_sync import sync_spec
from tests.conftest import COURSES_DIR
from tests.fuzzing import fuzz, nasty_text, yaml_values

SHIPPED = Path(COURSES_DIR)


def _read(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(data, path: Path) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _small_copy(target: Path) -> Path:
    """The shipped catalogue with one course per track, cut to its first lesson and assessment."""
    target.mkdir()
    for name in ("program.yaml", "facts.yaml"):
        shutil.copy(SHIPPED / name, target / name)
    shutil.copytree(SHIPPED / "intake", target / "intake")
    for tier in TIER_ORDER:
        (target / tier).mkdir()
        shutil.copy(SHIPPED / tier / "tier.yaml", target / tier / "tier.yaml")
        for track_dir in sorted(p for p in (SHIPPED / tier).iterdir() if p.is_dir()):
            track = _read(track_dir / "track.yaml")
            course_code = track["courses"][0]
            track["courses"] = [course_code]
            (target / tier / track_dir.name / course_code / "lessons").mkdir(parents=True)
            _dump(track, target / tier / track_dir.name / "track.yaml")
            course = _read(track_dir / course_code / "course.yaml")
            course["lessons"], course["assessments"] = course["lessons"][:1], course["assessments"][:1]
            _dump(course, target / tier / track_dir.name / course_code / "course.yaml")
            slug = course["lessons"][0]["slug"]
            for locale in ("zh_CN", "en"):
                name = f"{slug}.{locale}.md"
                shutil.copy(track_dir / course_code / "lessons" / name,
                            target / tier / track_dir.name / course_code / "lessons" / name)
    return target


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return _small_copy(tmp_path_factory.mktemp("fuzz") / "courses")


def _files(root: Path, suffix: str) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob(f"*{suffix}"))


def _load(app, root: Path) -> tuple:
    with app.app_context(), force_locale("en"):
        spec, problems = load_catalog(root)
        for problem in problems:  # `file: field: problem`, every part said
            assert isinstance(problem, Problem), problem
            assert problem.file.startswith(root.name) and problem.field and problem.message, problem
            assert str(problem) == f"{problem.file}: {problem.field}: {problem.message}"
    return spec, problems


def test_the_small_copy_is_a_valid_catalogue_that_syncs(app, small):
    """The fuzz starts from a clean catalogue, so each problem it sees comes from its own change."""
    spec, problems = _load(app, small)
    assert [str(p) for p in problems] == []
    with app.app_context():
        assert sync_spec(db.session, spec, problems).ok
        db.session.rollback()


# --- changing one value of a YAML file ------------------------------------------------


def _paths(node, prefix=()) -> list[tuple]:
    """Every place in a parsed file: the keys and indexes leading to it."""
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


# A value of another type is what a hand edit most often produces (a list where a text was, a
# bare `no`, a number, a missing value); anything else YAML can hold now and then.
confusers = st.sampled_from([None, "", "x", 0, 7, -1, 1.5, True, [], ["x"], [1, 2], {}, {"k": "v"},
                             {"zh_CN": "x", "en": "x"}]) | yaml_values


@st.composite
def edits(draw, data) -> list[tuple[tuple, str, object]]:
    """A few changes at places drawn from the whole file: (path, action, value)."""
    places = _paths(data)
    picked = draw(st.lists(st.sampled_from(places), min_size=1, max_size=12, unique=True))
    actions = st.sampled_from(["replace"] * 6 + ["delete", "add", "wrap", "duplicate"])
    return [(path, draw(actions), draw(confusers)) for path in picked]


def _apply(data, edits: list) -> object:
    for path, action, value in sorted(edits, key=lambda e: -len(e[0])):  # deepest first
        data = _apply_one(data, path, action, value)
    return data


def _holds(node, key) -> bool:
    return (isinstance(node, dict) and key in node) or (
        isinstance(node, list) and isinstance(key, int) and key < len(node))


def _apply_one(data, path: tuple, action: str, value):
    if not path:
        return value if action == "replace" else [data] if action == "wrap" else data
    parent = data
    for key in path[:-1]:
        if not _holds(parent, key):
            return data  # an earlier change replaced this place's ancestor
        parent = parent[key]
    key = path[-1]
    if not _holds(parent, key):
        return data
    if action == "replace":
        parent[key] = value
    elif action == "delete":
        del parent[key]
    elif action == "wrap":
        parent[key] = [parent[key]]
    elif action == "add" and isinstance(parent, dict):
        parent[f"extra_{len(parent)}"] = value
    elif action == "add":
        parent.append(value)
    elif isinstance(parent, list):
        parent.append(parent[key])
    return data


@fuzz(30)
@given(data=st.data())
def test_any_change_to_a_yaml_value_is_a_problem_or_still_valid(app, small, data):
    yamls = _files(small, ".yaml")
    # the files with the most rules (the program, a course, the diagnostic) more often than the rest
    rich = [n for n in yamls if n.endswith(("program.yaml", "course.yaml", "diagnostic.yaml", "facts.yaml"))]
    name = data.draw(st.sampled_from(yamls) | st.sampled_from(rich) | st.sampled_from(rich))
    path = small / name
    original = path.read_bytes()
    try:
        parsed = _apply(yaml.safe_load(original), data.draw(edits(yaml.safe_load(original))))
        try:
            _dump(parsed, path)
        except (yaml.YAMLError, RecursionError):  # a value YAML cannot write: nothing to load
            return
        spec, problems = _load(app, small)
        event("problems" if problems else "still valid")
        if not problems:  # a catalogue the loader accepts must also sync
            with app.app_context():
                try:
                    assert sync_spec(db.session, spec, problems).ok
                finally:
                    db.session.rollback()
    finally:
        path.write_bytes(original)


# --- breaking the text of a file -------------------------------------------------------

YAML_TRICKS = ["a: &a [*a]\n", "<<: *nowhere\n", "!!python/object:os.system [ls]\n", "\t- tab\n", "key: [\n",
               "code: x\ncode: y\n", "? [complex, key]\n: v\n", "%YAML 9.9\n---\n", "--- \n--- \n", "...\n",
               "title: !!binary aGk=\n", "weeks: 1e400\n", "x: *undefined\n", "- list at top\n"]
MARKDOWN_TRICKS = ["", " \n\t", "# Title\n", "---\ntitle: x\n---\n", "{severity:}", "{severity:high}",
                   "{severity:NOPE}", "严重程度为高", "severity: high", "SKU-1 T202611050012", "<script>x</script>",
                   "```\nunclosed", "[link](javascript:alert(1))"]


@st.composite
def breakages(draw, text: bytes) -> bytes:
    how = draw(st.sampled_from(["truncate", "insert", "trick", "bytes", "bom", "latin-1", "replace"]))
    at = draw(st.integers(0, 2**20)) % (len(text) + 1)
    if how == "truncate":
        return text[:at]
    if how == "insert":
        return text[:at] + draw(nasty_text).encode("utf-8") + text[at:]
    if how == "trick":
        trick = draw(st.sampled_from(YAML_TRICKS + MARKDOWN_TRICKS)).encode("utf-8")
        return draw(st.sampled_from([trick + text, text + b"\n" + trick, trick]))
    if how == "bytes":
        return text[:at] + draw(st.binary(min_size=1, max_size=12)) + text[at:]
    if how == "bom":
        return b"\xef\xbb\xbf" + text
    if how == "latin-1":
        return text.decode("utf-8").encode("gb18030")
    return draw(nasty_text).encode("utf-8")


@fuzz(25)
@given(data=st.data())
def test_any_broken_file_text_is_a_problem(app, small, data):
    name = data.draw(st.sampled_from(_files(small, ".yaml") + _files(small, ".md")))
    path = small / name
    original = path.read_bytes()
    try:
        path.write_bytes(data.draw(breakages(original)))
        _, problems = _load(app, small)
        event("problems" if problems else "still valid")
    finally:
        path.write_bytes(original)


# --- files and folders that go missing or appear -------------------------------------


@fuzz(12)
@given(data=st.data())
def test_a_missing_or_stray_file_or_folder_is_a_problem(app, small, data, tmp_path):
    everything = sorted(str(p.relative_to(small)) for p in small.rglob("*"))
    name = data.draw(st.sampled_from(everything))
    target = small / name
    action = data.draw(st.sampled_from(["remove", "stray file", "stray folder", "swap"]))
    backup = tmp_path / "backup"
    stray = (target if target.is_dir() else target.parent) / data.draw(
        st.sampled_from(["extra", "notes.md", "x.yaml", "lessons", "foundation", ".hidden", "课程"]))
    if stray.exists():
        action = "remove"
    try:
        if action in ("remove", "swap"):
            shutil.move(target, backup)
            if action == "swap":  # a folder where a file was, or a file where a folder was
                (target.mkdir() if backup.is_file() else target.write_text("x", encoding="utf-8"))
        elif action == "stray file":
            stray.write_text(data.draw(nasty_text), encoding="utf-8")
        else:
            stray.mkdir()
        _, problems = _load(app, small)
        event(f"{action}: {'problems' if problems else 'still valid'}")
    finally:
        if action in ("remove", "swap"):
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            shutil.move(backup, target)
        elif stray.is_dir():
            shutil.rmtree(stray)
        elif stray.exists():
            stray.unlink()
