"""The defect severity scale: defined once in program.yaml (`defect_severity`), shown by
the defect form, and named in lessons by code as `{severity:CODE}` — the loader puts the
level's title in the reader's language there, and an unknown code is a problem, so the
form and the lessons cannot drift apart."""

import re
from typing import Optional

from flask_babel import lazy_gettext as _l

from lms.services.catalog_checks import YamlFile

TOKEN = re.compile(r"\{severity:([a-z_]*)\}")
# A level written out in words next to the word itself, instead of a token.
BARE = {"zh_CN": re.compile(r"严重程度(?:定为|为|：|:)?\s*[高中低]"),
        "en": re.compile(r"\bseverity:?\s+(?:high|medium|low)\b", re.IGNORECASE)}


def read_scale(f: YamlFile) -> list[dict]:
    """`defect_severity`: a list of levels, highest first: code, title, meaning, complex."""
    out = []
    for prefix, item in f.mappings(f.data, "defect_severity", required=False):
        f.keys(item, {"code", "title", "meaning", "complex"}, prefix)
        code = f.code(item, "code", prefix)
        if code:
            out.append({"code": code, "title": f.text(item, "title", prefix),
                        "meaning": f.text(item, "meaning", prefix),
                        "complex": f.boolean(item, "complex", False, prefix)})
    codes = [level["code"] for level in out]
    if len(set(codes)) != len(codes):
        f.problem("defect_severity", _l("a level code appears twice"))
    return out


def fill_lesson(text: str, locale: str, scale: list[dict]) -> tuple[str, list[str]]:
    """The lesson text with each `{severity:CODE}` replaced by the level's title, and the
    problems found (unknown codes; a level written in words instead of by code)."""
    titles = {level["code"]: (level["title"] or {}).get(locale, level["code"]) for level in scale}
    problems: list[str] = []

    def swap(match: re.Match) -> str:
        code = match.group(1)
        if code not in titles:
            problems.append(str(_l("unknown severity level {severity:%(code)s}; the levels are: %(levels)s",
                                   code=code, levels=", ".join(titles))))
            return match.group(0)
        return titles[code]

    filled = TOKEN.sub(swap, text)
    bare = BARE.get(locale)
    if bare is not None and bare.search(text):
        problems.append(str(_l("names a severity level in words (“%(words)s”); write {severity:CODE} "
                               "so the lesson follows the program's scale", words=bare.search(text).group(0))))
    return filled, problems


def level(scale: list[dict], code: Optional[str]) -> Optional[dict]:
    return next((lv for lv in scale if lv["code"] == code), None)
