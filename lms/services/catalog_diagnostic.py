"""The intake diagnostic file, `courses/intake/diagnostic.yaml` (format: courses/FORMAT.md,
"The intake diagnostic"): items written like assessment fields and auto-checks, each
worth points for one competency, scored by the checks alone (no mentor grades it)."""

from dataclasses import dataclass, field
from typing import Optional

from flask_babel import lazy_gettext as _l

from lms.models.catalog import Competency
from lms.services.catalog_checks import YamlFile, fields_and_checks, phrases, unique
from lms.services.catalog_leaks import answer_leaks, expected_answers
from lms.services.catalog_specs import CRITERION_RE, LOCALES, AssessmentSpec

DIAGNOSTIC_FOLDER = "intake"
DIAGNOSTIC_FILE = "diagnostic.yaml"
ANSWER_KINDS = frozenset({"regex", "number_range", "keywords"})  # the checks that earn an item its points
MIN_ITEMS_PER_COMPETENCY = 2
MAX_POINTS = 10


@dataclass
class DiagnosticSpec:
    code: Optional[str]
    title: Optional[dict]
    brief: Optional[dict]
    items: list[dict] = field(default_factory=list)


def _as_assessment(item: dict) -> AssessmentSpec:
    """An item seen as an assessment with no rubric, for the answer-leak rules."""
    return AssessmentSpec(code=item["code"], title=None, brief=item["question"], grader="ai", pass_mark=1,
                          max_attempts=1, required=False, fields=item["fields"], checks=item["checks"],
                          rubric=[], not_answers=item["not_answers"])


def _item(f: YamlFile, d: dict, prefix: str) -> dict:
    f.keys(d, {"code", "competency", "points", "question", "fields", "checks", "not_answers"}, prefix)
    fields, checks = fields_and_checks(f, d, prefix)
    item = {
        "code": f.code(d, "code", prefix, CRITERION_RE),
        "competency": f.choice(d, "competency", [c.value for c in Competency], prefix),
        "points": f.integer(d, "points", 1, MAX_POINTS, prefix),
        "question": f.text(d, "question", prefix),
        "fields": fields,
        "checks": checks,
        "not_answers": phrases(f, d, "not_answers", prefix),
    }
    for i, spec in enumerate(fields):
        if spec.get("type") == "file":
            f.problem(f"{prefix}fields[{i}].type", _l("a diagnostic is scored automatically: no file fields"))
    if not any(c.get("kind") in ANSWER_KINDS for c in checks):
        f.problem(prefix + "checks", _l("needs an answer check (regex, number_range or keywords): "
                                        "the diagnostic is scored automatically"))
    for where, problem in answer_leaks(_as_assessment(item)):
        f.problem(prefix + where.replace("brief", "question", 1), problem)
    return item


def read_diagnostic(f: YamlFile) -> DiagnosticSpec:
    """Validate the diagnostic file; problems go to `f`, the spec is only usable without any."""
    d = f.data
    f.keys(d, {"code", "title", "brief", "items"})
    spec = DiagnosticSpec(f.code(d, "code"), f.text(d, "title"), f.text(d, "brief"))
    spec.items = [_item(f, item, prefix) for prefix, item in f.mappings(d, "items")]
    unique(f, [i["code"] for i in spec.items], "items", "code")
    # one page holds every item: a field name names one answer
    names = [(i, spec_["name"]) for i, item in enumerate(spec.items) for spec_ in item["fields"]]
    seen: set[str] = set()
    for i, name in names:
        if name in seen:
            f.problem(f"items[{i}].fields", _l("field %(n)s is used by another item", n=name))
        seen.add(name)
    for competency in Competency:
        count = sum(1 for item in spec.items if item["competency"] == competency.value)
        if count < MIN_ITEMS_PER_COMPETENCY:
            f.problem("items", _l("%(c)s has %(n)d items; every competency needs at least %(m)d",
                                  c=competency.value, n=count, m=MIN_ITEMS_PER_COMPETENCY))
    _check_shared_texts(f, spec)
    return spec


def _check_shared_texts(f: YamlFile, spec: DiagnosticSpec) -> None:
    """The title and brief show above every item: neither may give one of their answers."""
    for item in spec.items:
        answers = expected_answers(_as_assessment(item))
        for key, text in (("title", spec.title), ("brief", spec.brief)):
            for locale in LOCALES if text else ():
                for answer in answers:
                    found = answer.found_in(text[locale])
                    if found is not None:
                        f.problem(f"{key}.{locale}", _l("shows %(answer)s, an expected answer of %(item)s, "
                                                        "to trainees", answer=found, item=item["code"]))
