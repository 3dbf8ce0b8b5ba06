"""A value of the wrong type anywhere in the course files is a `file: field: problem`, not a
crash of `lms courses check` or `sync`. Each case below was found by the fuzz
(tests/test_fuzz_courses.py) raising TypeError or worse before it was fixed."""

from pathlib import Path

import pytest
import yaml
from flask_babel import force_locale

from lms.services.catalog_files import load_catalog
from tests.test_fuzz_courses import _small_copy

COURSE = "foundation/agent-operations/agent-console-basics/course.yaml"

# (file, where in it, the value written there, the field the problem names)
CASES = [
    ("program.yaml", ("schedule", 0, "track"), ["x"], "schedule[0].track"),
    ("program.yaml", ("schedule", 5, "roles", 0), ["x"], "schedule[5].roles"),
    ("program.yaml", ("roles", "collab_cs", "tiers", 0), ["x"], "roles.collab_cs.tiers"),
    ("program.yaml", ("roles", "collab_cs", "tiers", 0), None, "roles.collab_cs.tiers"),
    ("intake/diagnostic.yaml", ("items", 0, "checks", 0, "field"), ["x"], "items[0].checks[0].field"),
    (COURSE, ("assessments", 0, "checks", 0, "field"), {"k": 1}, "assessments[0].checks[0].field"),
]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """The fuzz's small copy of the shipped catalogue (every file kind, a fraction of the text)."""
    return _small_copy(tmp_path_factory.mktemp("types") / "courses")


@pytest.mark.parametrize(("name", "path", "value", "field"), CASES, ids=[f"{c[0]}:{c[3]}={c[2]!r}" for c in CASES])
def test_a_value_of_the_wrong_type_is_a_problem_of_its_field(app, shipped, name, path, value, field):
    file = shipped / name
    original = file.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        with app.app_context(), force_locale("en"):
            _, problems = load_catalog(shipped)
        assert any(p.file == f"courses/{name}" and p.field == field for p in problems), [str(p) for p in problems]
    finally:
        file.write_text(original, encoding="utf-8")
