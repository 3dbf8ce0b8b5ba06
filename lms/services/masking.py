"""Masking personal information in conversation excerpts before they are stored (PIPL):
mainland mobile and landline numbers, postal addresses, and the names that follow
收件人 / 收货人 / 姓名-style labels. Order numbers stay (the operations team needs them);
their owner's name does not. `mask` runs in the service before a row is written."""

import re

_CJK = "\u4e00-\u9fff"
MOBILE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")
LANDLINE = re.compile(r"(?<![\d])(0\d{2,3})[\s-](\d{7,8})(?![\d])|(?<![\d])\((0\d{2,3})\)\s?(\d{7,8})(?![\d])")
_PART = (rf"[{_CJK}\dA-Za-z\-#]{{1,12}}?"
         r"(?:省|自治区|特别行政区|市|区|县|镇|乡|街道|大道|路|街|巷|弄|村|小区|花园|大厦|号楼|栋|幢|单元|室|号)")
ADDRESS = re.compile(rf"(?:{_PART}){{2,}}[\dA-Za-z\-]*")
LABELLED_ADDRESS = re.compile(r"((?:收货|收件|配送|联系|详细)?地址|[Aa]ddress)(\s*[:：]\s*)([^\n，。；;,]+)")
NAME_LABELS = re.compile(
    rf"(收件人|收货人|联系人|买家姓名|客户姓名|姓名|[Nn]ame|[Rr]ecipient)(\s*[:：]?\s*)"
    rf"([{_CJK}·]{{2,5}}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)")

ADDRESS_MARK = "[地址已隐去]"
NAME_MARK = "**"


def _mobile(match: re.Match) -> str:
    return f"{match.group(1)}****{match.group(3)}"


def _landline(match: re.Match) -> str:
    area, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return f"{area}-****{number[-2:]}"


def mask(text: str | None) -> str:
    """The text with phone numbers, addresses and labelled names masked."""
    if not text:
        return text or ""
    text = LABELLED_ADDRESS.sub(lambda m: m.group(1) + m.group(2) + ADDRESS_MARK, text)
    text = NAME_LABELS.sub(lambda m: m.group(1) + m.group(2) + NAME_MARK, text)
    text = MOBILE.sub(_mobile, text)
    text = LANDLINE.sub(_landline, text)
    return ADDRESS.sub(ADDRESS_MARK, text)
