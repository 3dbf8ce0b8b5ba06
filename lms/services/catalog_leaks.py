"""Expected answers stay out of what trainees read (rules: courses/FORMAT.md, "Answers stay hidden").

An assessment's expected answers are the numbers its narrow `number_range` checks
pin down, and the items of its `keywords` checks and literal `regex` patterns
that contain a digit (amounts, ids, codes) unless the brief gives them as case
data. No text a trainee reads may contain one: the title, brief, field labels,
help and choices, check messages, criterion titles and `judged` texts, and the
level descriptors below the top (shown with a grade when a mentor picks them).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l

from lms.services.catalog_specs import LOCALES, AssessmentSpec

# A number stands alone: not part of an id (SKU-88231, T2026…), a date (2026-11-20),
# a time (9:00) or a version; a CJK neighbour is fine ("10元").
NUMBER_RE = re.compile(r"(?<![\w.\-:/])\d+(?:,\d{3})*(?:\.\d+)?(?![\w\-:/]|\.\d)", re.ASCII)
LIST_MARKER_RE = re.compile(r"^(\s*)\d+[.)]\s", re.MULTILINE)
REGEX_META_RE = re.compile(r"[\\.^$*+?{}\[\]()|]")
NARROW = 0.1  # a range no wider than a tenth of its midpoint is a tolerance around one answer
EPSILON = 1e-9


def numbers_in(text: str) -> list[float]:
    """The stand-alone numbers of a text ('36,000元' → 36000.0); list markers are not numbers."""
    text = LIST_MARKER_RE.sub(r"\1", text)
    return [float(m.group().replace(",", "")) for m in NUMBER_RE.finditer(text)]


def _as_number(text: str) -> Optional[float]:
    return float(text.replace(",", "")) if NUMBER_RE.fullmatch(text) else None


def regex_literals(pattern: str) -> list[str]:
    """The texts a pattern matches if it is a literal or a group of literals ('^(?:A|B)$'), else []."""
    body = pattern.removeprefix("^").removesuffix("$")
    group = re.fullmatch(r"\((?:\?:)?(.*)\)", body)
    if group:
        body = group.group(1)
    out = []
    for alternative in body.split("|"):
        if not alternative or REGEX_META_RE.search(re.sub(r"\\[^A-Za-z0-9]", "", alternative)):
            return []
        out.append(re.sub(r"\\([^A-Za-z0-9])", r"\1", alternative))
    return out


@dataclass
class Answer:
    """One expected answer: a number range, or texts (alternatives) of which any is the answer."""

    check: int
    low: float = 0.0
    high: float = 0.0
    texts: tuple[str, ...] = ()

    def found_in(self, text: str) -> Optional[str]:
        if not self.texts:
            return next((f"{n:g}" for n in numbers_in(text) if self.low - EPSILON <= n <= self.high + EPSILON), None)
        for answer in self.texts:
            number = _as_number(answer)
            if number is not None:
                if any(abs(n - number) < EPSILON for n in numbers_in(text)):
                    return answer
            elif re.search(rf"(?<![A-Za-z0-9]){re.escape(answer)}(?![A-Za-z0-9])", text, re.IGNORECASE):
                return answer
        return None


def expected_answers(a: AssessmentSpec) -> list[Answer]:
    """The answers the assessment's checks expect (see the module docstring)."""
    brief = "\n".join((a.brief or {}).values())
    out = []
    for i, check in enumerate(a.checks):
        kind = check.get("kind")
        if kind == "number_range":
            low, high = check.get("min"), check.get("max")
            if isinstance(low, int | float) and isinstance(high, int | float) and \
                    high - low <= NARROW * abs(high + low) / 2 + EPSILON:
                out.append(Answer(i, low=low, high=high))
            continue
        if kind == "keywords":
            items = [[alt.strip() for alt in item.split("|") if alt.strip()] for item in check.get("keywords") or []]
        elif kind == "regex" and isinstance(check.get("pattern"), str):
            items = [regex_literals(check["pattern"])]
        else:
            continue
        for alternatives in items:
            # Words name what an answer must cover; amounts and ids are facts a trainee finds or computes.
            texts = tuple(alt for alt in alternatives if any(ch.isdigit() for ch in alt))
            if texts and Answer(i, texts=tuple(alternatives)).found_in(brief) is None:
                out.append(Answer(i, texts=texts))
    return out


def shown_to_trainees(a: AssessmentSpec) -> Iterator[tuple[str, Optional[dict]]]:
    """(field path, bilingual text) of every text a trainee reads."""
    yield "title", a.title
    yield "brief", a.brief
    for i, spec in enumerate(a.fields):
        yield f"fields[{i}].label", spec.get("label")
        yield f"fields[{i}].help", spec.get("help")
        for j, choice in enumerate(spec.get("choices") or []):
            yield f"fields[{i}].choices[{j}].label", choice.get("label")
    for i, check in enumerate(a.checks):
        yield f"checks[{i}].message", check.get("message")
    for i, criterion in enumerate(a.rubric):
        yield f"rubric[{i}].title", criterion.title
        yield f"rubric[{i}].judged", criterion.judged
        for j, level in enumerate(criterion.levels[:-1]):  # the top level only shows to who reached it
            yield f"rubric[{i}].levels[{j}].descriptor", level.get("descriptor")


def answer_leaks(a: AssessmentSpec) -> list[tuple[str, str]]:
    """(field path, problem) for every trainee-visible text that shows an expected answer."""
    answers = expected_answers(a)
    if not answers:
        return []
    leaks = []
    for where, text in shown_to_trainees(a):
        for locale in LOCALES if text else ():
            shown = text[locale]
            for phrase in a.not_answers:  # declared coincidences, such as 双11
                shown = shown.replace(phrase, " ")
            for answer in answers:
                found = answer.found_in(shown)
                if found is not None:
                    leaks.append((f"{where}.{locale}", str(_l(
                        "shows %(answer)s, an expected answer of checks[%(n)d], to trainees",
                        answer=found, n=answer.check))))
    return leaks
