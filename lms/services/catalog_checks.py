"""Field-level checks of course YAML, each problem recorded as `file: field: problem`.

`YamlFile` checks one parsed mapping; the functions below validate the parts of
an assessment (answer fields, auto-checks, rubric criteria).
"""

import re
from typing import Optional

from flask_babel import lazy_gettext as _l

from lms.models.catalog import Competency, GraderKind
from lms.services.catalog_specs import (
    CHECK_KINDS,
    CODE_RE,
    CRITERION_RE,
    FIELD_NAME_RE,
    FIELD_TYPES,
    FILE_EXTENSIONS,
    LOCALES,
    AssessmentSpec,
    CriterionSpec,
    Problem,
)


class YamlFile:
    """Checks on one YAML mapping, recording problems against its file."""

    def __init__(self, name: str, data: dict, problems: list[Problem]):
        self.name, self.data, self.problems = name, data, problems

    def problem(self, where: str, message) -> None:
        self.problems.append(Problem(self.name, where, str(message)))

    def keys(self, data: dict, allowed: set[str], prefix: str = "") -> None:
        for key in data:
            if key not in allowed:
                self.problem(f"{prefix}{key}", _l("unknown key"))

    def get(self, data: dict, key: str, prefix: str = "", required: bool = True):
        if key not in data or data[key] is None:
            if required:
                self.problem(f"{prefix}{key}", _l("is missing"))
            return None
        return data[key]

    def code(self, data: dict, key: str, prefix: str = "", pattern=CODE_RE) -> Optional[str]:
        value = self.get(data, key, prefix)
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.match(value):
            self.problem(f"{prefix}{key}", _l("is not a valid code (lowercase letters, digits, - or _)"))
            return None
        return value

    def text(self, data: dict, key: str, prefix: str = "", required: bool = True) -> Optional[dict]:
        value = self.get(data, key, prefix, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(f"{prefix}{key}", _l("must have both zh_CN and en texts"))
            return None
        ok = True
        for locale in LOCALES:
            text = value.get(locale)
            if not isinstance(text, str) or not text.strip():
                self.problem(f"{prefix}{key}.{locale}", _l("is missing or empty"))
                ok = False
        for extra in set(value) - set(LOCALES):
            self.problem(f"{prefix}{key}.{extra}", _l("unknown language; use zh_CN and en"))
        return {loc: value[loc].strip() for loc in LOCALES} if ok else None

    def integer(self, data: dict, key: str, low: int, high: int, prefix: str = "", required=True):
        value = self.get(data, key, prefix, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(f"{prefix}{key}", _l("must be a whole number from %(low)d to %(high)d",
                                              low=low, high=high))
            return None
        return value

    def boolean(self, data: dict, key: str, default: bool, prefix: str = "") -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{prefix}{key}", _l("must be true or false"))
            return default
        return value

    def choice(self, data: dict, key: str, options, prefix: str = "") -> Optional[str]:
        value = self.get(data, key, prefix)
        if value is None:
            return None
        if value not in options:
            self.problem(f"{prefix}{key}", _l("must be one of: %(options)s", options=", ".join(options)))
            return None
        return value

    def items(self, data: dict, key: str, prefix: str = "", minimum: int = 1, required: bool = True) -> list:
        value = self.get(data, key, prefix, required)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) < minimum:
            self.problem(f"{prefix}{key}", _l("must be a list of at least %(n)d", n=minimum))
            return []
        return value

    def mappings(self, data: dict, key: str, prefix: str = "", minimum: int = 1,
                 required: bool = True) -> list[tuple[str, dict]]:
        """The list under `key` as (field prefix, mapping) pairs; other entries are reported."""
        out = []
        for i, item in enumerate(self.items(data, key, prefix, minimum, required)):
            where = f"{prefix}{key}[{i}]"
            if isinstance(item, dict):
                out.append((f"{where}.", item))
            else:
                self.problem(where, _l("must be a mapping"))
        return out


def unique(f: YamlFile, values: list, where: str, key: str) -> None:
    seen = set()
    for i, value in enumerate(values):
        if value is not None and value in seen:
            f.problem(f"{where}[{i}].{key}", _l("is used twice"))
        seen.add(value)


def assessment(f: YamlFile, d: dict, prefix: str) -> AssessmentSpec:
    f.keys(d, {"code", "title", "brief", "grader", "pass_mark", "max_attempts", "required",
               "fields", "checks", "rubric", "not_answers", "group"}, prefix)  # group: catalog_group.py
    fields, checks = fields_and_checks(f, d, prefix)
    rubric = [_criterion(f, item, rp) for rp, item in f.mappings(d, "rubric", prefix)]
    unique(f, [c.code for c in rubric], f"{prefix}rubric", "code")
    return AssessmentSpec(
        code=f.code(d, "code", prefix),
        title=f.text(d, "title", prefix),
        brief=f.text(d, "brief", prefix),
        grader=f.choice(d, "grader", [g.value for g in GraderKind], prefix),
        pass_mark=f.integer(d, "pass_mark", 1, 100, prefix),
        max_attempts=f.integer(d, "max_attempts", 1, 10, prefix),
        required=f.boolean(d, "required", True, prefix),
        fields=fields,
        checks=checks,
        rubric=rubric,
        not_answers=_phrases(f, d, "not_answers", prefix),
    )


def fields_and_checks(f: YamlFile, d: dict, prefix: str) -> tuple[list[dict], list[dict]]:
    """The answer fields and auto-checks of an assessment or a diagnostic item."""
    fields = [_field(f, item, fp) for fp, item in f.mappings(d, "fields", prefix)]
    fields = [x for x in fields if x is not None]
    unique(f, [x["name"] for x in fields], f"{prefix}fields", "name")
    by_name = {x["name"]: x for x in fields}
    checks = [_check(f, item, by_name, cp) for cp, item in f.mappings(d, "checks", prefix, 0, required=False)]
    return fields, checks


def phrases(f: YamlFile, d: dict, key: str, prefix: str) -> list[str]:
    return _phrases(f, d, key, prefix)


def _phrases(f: YamlFile, d: dict, key: str, prefix: str) -> list[str]:
    phrases = f.items(d, key, prefix, required=False)
    if any(not isinstance(p, str) or not p.strip() for p in phrases):
        f.problem(prefix + key, _l("must be non-empty texts"))
        return []
    return phrases


def _field(f: YamlFile, d: dict, prefix: str) -> Optional[dict]:
    f.keys(d, {"name", "type", "label", "help", "required", "choices", "accept"}, prefix)
    out = {
        "name": f.code(d, "name", prefix, FIELD_NAME_RE),
        "type": f.choice(d, "type", FIELD_TYPES, prefix),
        "label": f.text(d, "label", prefix),
        "help": f.text(d, "help", prefix, required=False),
        "required": f.boolean(d, "required", False, prefix),
    }
    if out["type"] == "choice":
        choices = []
        for i, c in enumerate(f.items(d, "choices", prefix, minimum=2)):
            cp = f"{prefix}choices[{i}]."
            value = c.get("value") if isinstance(c, dict) else None
            if isinstance(value, bool) or not isinstance(value, str | int):
                # YAML reads a bare no/yes as a boolean: the value must be quoted.
                f.problem(cp + "value", _l("must be a text (quote yes/no values)"))
                continue
            choices.append({"value": str(c["value"]), "label": f.text(c, "label", cp)})
        unique(f, [c["value"] for c in choices], f"{prefix}choices", "value")
        out["choices"] = choices
    elif "choices" in d:
        f.problem(prefix + "choices", _l("only for type: choice"))
    if out["type"] == "file":
        accept = f.items(d, "accept", prefix)
        bad = [a for a in accept if not isinstance(a, str) or a.lower() not in FILE_EXTENSIONS]
        if bad:
            f.problem(prefix + "accept", _l("allowed extensions: %(e)s", e=", ".join(FILE_EXTENSIONS)))
        out["accept"] = [a.lower() for a in accept if a not in bad]
    elif "accept" in d:
        f.problem(prefix + "accept", _l("only for type: file"))
    return out if out["name"] else None


def _check(f: YamlFile, d: dict, fields: dict, prefix: str) -> dict:
    f.keys(d, {"field", "kind", "pattern", "min", "max", "value", "keywords", "blocking", "message"}, prefix)
    name = f.get(d, "field", prefix)
    if name is not None and (not isinstance(name, str) or name not in fields):
        f.problem(prefix + "field", _l("no field named %(n)s", n=name))
    kind = f.choice(d, "kind", CHECK_KINDS, prefix)
    out = {"field": name, "kind": kind, "blocking": f.boolean(d, "blocking", True, prefix),
           "message": f.text(d, "message", prefix)}
    if kind == "regex":
        pattern = f.get(d, "pattern", prefix)
        try:
            re.compile(pattern or "")
        except (re.error, TypeError) as error:
            f.problem(prefix + "pattern", _l("is not a valid regular expression: %(e)s", e=error))
        out["pattern"] = pattern
    elif kind == "number_range":
        low, high = f.get(d, "min", prefix), f.get(d, "max", prefix)
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
        if low is not None and high is not None and (not numbers or low > high):
            f.problem(prefix + "max", _l("min and max must be numbers with min ≤ max"))
        out.update(min=low, max=high)
    elif kind in ("max_length", "min_length"):
        out["value"] = _limits(f, d, prefix)
    elif kind == "keywords":
        words = f.items(d, "keywords", prefix)
        if any(not isinstance(w, str) or not w.strip() for w in words):
            f.problem(prefix + "keywords", _l("must be non-empty texts"))
        out["keywords"] = [str(w) for w in words]
    return out


def _limits(f: YamlFile, d: dict, prefix: str) -> Optional[dict]:
    """A length limit per language (an English text needs 3–4 characters per Chinese one)."""
    value = f.get(d, "value", prefix)
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(LOCALES):
        f.problem(prefix + "value", _l("needs one limit per language (zh_CN and en)"))
        return None
    limits = {loc: f.integer(value, loc, 1, 100000, prefix + "value.") for loc in LOCALES}
    if None in limits.values():
        return None
    if limits["en"] < 2 * limits["zh_CN"]:
        f.problem(prefix + "value.en", _l("must be at least twice the Chinese limit "
                                          "(English takes 3–4 characters for one Chinese character)"))
    return limits


def _criterion(f: YamlFile, d: dict, prefix: str) -> CriterionSpec:
    f.keys(d, {"code", "title", "judged", "competency", "weight", "levels"}, prefix)
    levels = []
    raw = f.mappings(d, "levels", prefix, minimum=2)
    if len(raw) > 5:
        f.problem(prefix + "levels", _l("at most 5 levels"))
    for lp, level in raw:
        f.keys(level, {"points", "descriptor"}, lp)
        levels.append({"points": f.integer(level, "points", 0, 100, lp),
                       "descriptor": f.text(level, "descriptor", lp)})
    points = [lv["points"] for lv in levels]
    if levels and None not in points and (points[0] != 0 or points != sorted(set(points))):
        f.problem(prefix + "levels", _l("points must rise from 0 without repeats"))
    return CriterionSpec(
        code=f.code(d, "code", prefix, CRITERION_RE),
        title=f.text(d, "title", prefix),
        judged=f.text(d, "judged", prefix),
        competency=f.choice(d, "competency", [c.value for c in Competency], prefix),
        weight=f.integer(d, "weight", 1, 100, prefix),
        levels=levels,
    )
