"""Masking personal information in conversation excerpts before they are stored (PIPL):
mainland mobile and landline numbers, postal addresses (labelled or recognised by their
parts, spaces and house numbers included), and the names that follow 客户 / 收件人 /
姓名-style labels. Order numbers stay (the operations team needs them); their owner's name
does not. `mask` runs in the service before a row is written."""

import re

_CJK = "\u4e00-\u9fff"
_STOP = r"，。；;,、！？!?\n"
MOBILE = re.compile(r"(?<![\d])(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d])")
LANDLINE = re.compile(r"(?<![\d])(0\d{2,3})[\s-](\d{7,8})(?![\d])|(?<![\d])\((0\d{2,3})\)\s?(\d{7,8})(?![\d])")
_PART = (rf"[{_CJK}\dA-Za-z\-#]{{1,12}}?"
         r"(?:省|自治区|特别行政区|市|区|县|镇|乡|街道|大道|路|街|巷|弄|村|小区|花园|大厦|号楼|栋|幢|单元|室|号)")
# House numbers after the street: "90 号 3 单元 502 室", "A座1203".
_UNITS = r"(?:\s*[\dA-Za-z\-#]+\s*(?:号楼|号|栋|幢|单元|室|楼|层|座|弄|巷|村|组))*"
ADDRESS = re.compile(rf"(?:{_PART}){{2,}}{_UNITS}[\dA-Za-z\-]*")
# A labelled address runs to the next punctuation, spaces and digits included; the label
# takes a colon, spaces, or neither when an address follows at once.
LABELLED_ADDRESS = re.compile(
    rf"((?:收货|收件|送货|配送|联系|详细)?地址|住址|[Aa]ddress)(\s*[:：]\s*|\s+|(?=[{_CJK}]{{1,12}}?(?:省|市|区|县)))"
    rf"([^{_STOP}]+)")
_NOT_A_NAME = (
    "我|你|您|他|她|这|那|请|能|可以|有|说|要|想|问|称|"
    "表示|反馈|咨询|投诉|希望|需要|要求|对|在|已|又|也|都|还|就|不|"
    "没|的|了|把|给|让|和|跟|与|自己|这边|那边|本人|满意|服务|信息|"
    "地址|手机|电话|订单"
)
NAME_LABELS = re.compile(
    rf"(买家姓名|客户姓名|收件人|收货人|联系人|姓名|客户|顾客|买家|[Nn]ame|[Rr]ecipient)"
    rf"(\s*[:：]?\s*(?:是|为|叫)?\s*)"
    rf"(?!(?:{_NOT_A_NAME}))"
    rf"([{_CJK}·]{{2,4}}?(?=[^{_CJK}·]|$|手机|电话|的|说|地址|订单|反馈|要求|问|在|已|先生|女士|称|表示|这边|来电|咨询|投诉)"
    rf"|[A-Z][a-z]+(?: [A-Z][a-z]+)?)")

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
