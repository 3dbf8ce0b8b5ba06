"""Auto-checks declared in course files, run on submission (rules: courses/FORMAT.md).

Pure functions: answers in, results out. A result's message is the bilingual
text from the course file. Only format checks can block a submission: a blocking
check on the answer itself (regex, number_range, keywords) would let a trainee
guess the answer for free, so it is recorded for the mentor and never blocks.
"""

import math
import re
from dataclasses import asdict, dataclass
from typing import Any, Optional

REQUIRED_MESSAGE = {"zh_CN": "此项为必填。", "en": "This field is required."}
FORMAT_KINDS = frozenset({"required", "max_length", "min_length"})  # may block; the rest judge the answer
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass
class CheckResult:
    field: str
    kind: str
    passed: bool
    blocking: bool
    message: dict

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: Any) -> Optional[float]:
    """'12.5', '12,5', '12.5%', ' 12 ' → 12.5 / 12.0; anything else → None."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text) if math.isfinite(text) else None
    cleaned = str(text or "").strip().rstrip("%").strip().replace(",", ".")
    # Plain decimals only: float() would also take "NaN", "inf" and "1e309".
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        return None
    number = float(cleaned)
    return number if math.isfinite(number) else None


def answer_language(answer: str) -> str:
    """'zh_CN' when Han characters are at least a quarter of the letters, else 'en'.

    A Chinese character carries about as much as three or four English letters, so
    a quarter of Han characters means about half the text is Chinese. An answer with
    no letters at all (digits, signs) counts as Chinese, the stricter limit.
    """
    han = len(HAN_RE.findall(answer))
    latin = sum(1 for ch in answer if ch.isalpha()) - han
    return "zh_CN" if 3 * han >= latin else "en"


def length_limit(value: Any, answer: str) -> int:
    """The limit for this answer's language; a bare number is from a catalogue synced before
    limits were per language, until the next sync."""
    return value[answer_language(answer)] if isinstance(value, dict) else value


def _keyword_ok(answer: str, item: str) -> bool:
    lowered = answer.casefold()
    return any(alt.strip().casefold() in lowered for alt in item.split("|") if alt.strip())


def _run_one(check: dict, answer: str, has_file: bool) -> bool:
    kind = check["kind"]
    if kind == "required":
        return has_file or bool(answer)
    if not answer:  # an empty optional answer passes every other check
        return True
    if kind == "regex":
        return re.search(check["pattern"], answer) is not None
    if kind == "number_range":
        value = parse_number(answer)
        return value is not None and check["min"] <= value <= check["max"]
    if kind == "keywords":
        return all(_keyword_ok(answer, item) for item in check["keywords"])
    if kind == "max_length":
        return len(answer) <= length_limit(check["value"], answer)
    if kind == "min_length":
        return len(answer) >= length_limit(check["value"], answer)
    return False


def run_checks(fields: list[dict], checks: list[dict], answers: dict[str, Any],
               file_fields: set[str]) -> list[CheckResult]:
    """Required fields first, then the declared checks, in file order."""
    results = []
    declared_required = {c["field"] for c in checks if c["kind"] == "required"}
    for f in fields:
        if f.get("required") and f["name"] not in declared_required:
            answer = str(answers.get(f["name"]) or "").strip()
            ok = f["name"] in file_fields if f["type"] == "file" else bool(answer)
            results.append(CheckResult(f["name"], "required", ok, True, REQUIRED_MESSAGE))
    for check in checks:
        answer = str(answers.get(check["field"]) or "").strip()
        ok = _run_one(check, answer, check["field"] in file_fields)
        blocking = check.get("blocking", True) and check["kind"] in FORMAT_KINDS
        results.append(CheckResult(check["field"], check["kind"], ok, blocking, check["message"]))
    return results


def blocked(results: list[CheckResult]) -> bool:
    return any(r.blocking and not r.passed for r in results)
