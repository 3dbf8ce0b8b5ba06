"""What people write in import files for a coded value or a column: the one table of synonyms.

A cell matches a code when it is the code itself, its label in zh_CN or en (from
lms/labels.py, or the program's role titles) or one of the synonyms below. Matching
ignores case, width (NFKC: full-width letters and spaces) and whitespace.
"""

import re
import unicodedata
from collections.abc import Iterable
from typing import Optional

from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l

from lms import labels

# HR files carry job titles and everyday words, never our codes.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "role": {
        "admin": ("管理员", "系统管理员", "项目管理员", "administrator"),
        "mentor": ("导师", "带教老师", "老师"),
        "trainee": ("学员", "学生", "受训员工"),
        "lead": ("团队负责人", "组长", "接收团队负责人", "team leader"),
    },
    "mentor_kind": {
        "ai": ("AI导师", "AI", "智能导师", "AI mentor"),
        "business": ("业务导师", "业务骨干", "业务", "business mentor"),
    },
    "locale": {
        "zh_CN": ("中文", "简体中文", "汉语", "简体", "zh", "zh-CN", "zh_Hans", "zh-Hans", "Chinese"),
        "en": ("English", "英文", "英语", "en-US", "en_US", "en-GB"),
    },
    "source_role": {
        "basic_cs": ("客服", "基础客服", "售前客服", "售后客服", "客服专员", "在线客服", "customer service"),
        "order_clerk": ("订单处理专员", "订单专员", "订单文员", "订单处理员", "订单员"),
        "logistics_entry": ("物流信息录入员", "物流录入", "物流录入员", "物流文员", "物流信息录入"),
        "other": ("其他", "其它"),
    },
    "yes_no": {  # hand-off files: complex, crossed teams
        "yes": ("是", "Y", "true", "1", "有", "对", "√"),
        "no": ("否", "N", "false", "0", "无", "不是", "×"),
    },
    # Added to the program's own titles (courses/program.yaml) in both languages.
    "target_role": {
        "collab_cs": ("人机协同客服", "协同客服"),
        "ai_trainer": ("AI训练师",),
        "ops_specialist": ("智能运营专员", "智能运营"),
        "ux_architect": ("用户体验架构师", "体验架构师"),
    },
}

# Column headings: the code, its label in either language, or these.
COLUMNS = {
    "email": _l("Email"),
    "name": _l("Name"),
    "role": _l("Role"),
    "mentor_kind": _l("Mentor kind"),
    "capacity": _l("Capacity"),
    "locale": _l("Language"),
    "target_role": _l("Target role"),
    "source_role": _l("Source role"),
    "file": _l("File"),
    "cohort": _l("Cohort"),
    # hand-off events from the customer-service platform
    "external_id": _l("Event ID"),
    "trainee": _l("Trainee email"),
    "agent": _l("Agent"),
    "flagged_at": _l("Flagged at"),
    "responded_at": _l("Responded at"),
    "closed_at": _l("Closed at"),
    "complex": _l("Complex"),
    "cross_team": _l("Crossed teams"),
    "category": _l("Category"),
}
COLUMN_SYNONYMS = {
    "email": ("邮箱", "电子邮箱", "邮件地址", "e-mail"),
    "name": ("姓名", "名字", "员工姓名", "full name"),
    "role": ("角色", "身份"),
    "mentor_kind": ("导师类型", "导师类别", "kind"),
    "capacity": ("容量", "带教人数", "最多学员数"),
    "locale": ("语言", "界面语言", "language"),
    "target_role": ("目标岗位", "新岗位", "转岗岗位"),
    "source_role": ("原岗位", "现岗位", "原职位", "岗位", "职位"),
    "external_id": ("事件编号", "工单号", "会话ID", "event id", "id"),
    "trainee": ("员工邮箱", "坐席邮箱", "处理人邮箱", "处理人"),
    "agent": ("智能体", "机器人", "智能体编号", "agent code"),
    "flagged_at": ("转人工时间", "标记时间", "异常时间", "flagged"),
    "responded_at": ("响应时间", "人工响应时间", "responded"),
    "closed_at": ("结案时间", "关闭时间", "closed"),
    "complex": ("复杂", "是否复杂", "复杂工单", "复杂问题"),
    "cross_team": ("跨团队", "是否跨团队"),
    "category": ("分类", "类别", "问题类型"),
}

LOCALES = ("zh_CN", "en")
_SPACE = re.compile(r"\s+")


def key(text: str) -> str:
    """The form two spellings share when they mean the same: NFKC, case-folded, no whitespace."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


def _labels(column: str, program_roles: Optional[dict] = None) -> dict[str, dict[str, str]]:
    """code → {locale: label} for a coded column."""
    if column == "target_role":
        return {code: {loc: (role.get("title") or {}).get(loc) or code for loc in LOCALES}
                for code, role in (program_roles or {}).items()}
    if column == "locale":
        return {code: {loc: name for loc in LOCALES} for code, name in labels.LOCALE_NAMES.items()}
    table = {"role": labels.ROLES, "mentor_kind": labels.MENTOR_KINDS, "source_role": labels.SOURCE_ROLES,
             "yes_no": labels.YES_NO}[column]
    out: dict[str, dict[str, str]] = {code: {} for code in table}
    for loc in LOCALES:
        with force_locale(loc):
            for code, label in table.items():
                out[code][loc] = str(label)
    return out


def _current() -> str:
    return "en" if str(get_locale() or "zh_CN").startswith("en") else "zh_CN"


class Vocabulary:
    """Matches cells of one import (built once per file: labels are computed here, not per row)."""

    def __init__(self, program_roles: Optional[dict] = None):
        self._words: dict[str, dict[str, str]] = {}
        self._labels: dict[str, dict[str, dict[str, str]]] = {}
        for column in SYNONYMS:
            found = _labels(column, program_roles)
            self._labels[column] = found
            words: dict[str, str] = {}
            for code, names in found.items():
                for word in (code, *names.values(), *SYNONYMS[column].get(code, ())):
                    words.setdefault(key(word), code)
            self._words[column] = words

    def code(self, column: str, value: str) -> Optional[str]:
        """The code a cell means, or None when it means nothing known."""
        return self._words[column].get(key(value))

    def accepted(self, column: str) -> list[str]:
        """The values to suggest, as labels in the current language (never codes)."""
        loc = _current()
        return [names[loc] for names in self._labels[column].values()]

    def unknown(self, column: str, value: str) -> str:
        return str(_l("“%(value)s” is not a known value; use one of: %(options)s",
                      value=value, options=join(self.accepted(column))))


def join(words: Iterable[str]) -> str:
    """A list of words as the current language writes it."""
    return ("、" if _current() == "zh_CN" else ", ").join(map(str, words))


def column_label(column: str) -> str:
    """A column named for people: "目标岗位", not "target_role" (unknown headings stay as written)."""
    return ", ".join(str(COLUMNS.get(c.strip(), c.strip())) for c in column.split(","))


def header_codes() -> dict[str, str]:
    """key(heading) → column code, for every known way to write a heading."""
    out: dict[str, str] = {}
    for code, label in COLUMNS.items():
        names = [code, *COLUMN_SYNONYMS.get(code, ())]
        for loc in LOCALES:
            with force_locale(loc):
                names.append(str(label))
        for name in names:
            out.setdefault(key(name), code)
    return out
