"""The case facts every course shares (courses/facts.yaml): what each product code
is, which products each order holds.

Courses reuse ids, so one file declares them, and every line of the course texts
is checked against it: each `SKU-…` and order id (`T` and 12 digits) must be
declared, and the words next to an id must not name another product (for an
order, another declared product code either). Rules: courses/FORMAT.md, "facts.yaml".
"""

import re
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import lazy_gettext as _l

from lms.services.catalog_checks import YamlFile

SKU_RE = re.compile(r"(?<![A-Za-z0-9])SKU-\d+(?![0-9])")
ORDER_RE = re.compile(r"(?<![A-Za-z0-9])T\d{12}(?![0-9])")
PRODUCT_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")  # SKU-88231, EB-300-PNK
NEAR = 30  # characters on either side of an id that describe it


@dataclass
class Product:
    label: str  # "电热水壶 1.7L / electric kettle 1.7 L", for messages
    names: list[str]  # how texts call it


@dataclass
class Facts:
    products: dict[str, Product] = field(default_factory=dict)  # product code → product
    orders: dict[str, list[str]] = field(default_factory=dict)  # order id → product codes (may be none)
    examples: set[str] = field(default_factory=set)  # format examples that name nothing
    codes_re: Optional[re.Pattern] = None  # declared codes that do not look like SKU-…

    def product_mentions(self, line: str) -> list[re.Match]:
        found = list(SKU_RE.finditer(line))
        if self.codes_re is not None:
            found += self.codes_re.finditer(line)
        return sorted(found, key=lambda m: m.start())


def read_facts(f: YamlFile) -> Facts:
    d = f.data
    f.keys(d, {"products", "orders", "examples"})
    facts = Facts()
    for code, item in _mapping(f, d, "products").items():
        where = f"products.{code}"
        if not isinstance(code, str) or not PRODUCT_CODE_RE.match(code):
            f.problem(where, _l("must look like %(example)s", example="SKU-12345, EB-300-PNK"))
            continue
        if not isinstance(item, dict):
            f.problem(where, _l("must have product and names"))
            continue
        f.keys(item, {"product", "names"}, where + ".")
        product = f.text(item, "product", where + ".")
        names = f.items(item, "names", where + ".")
        if any(not isinstance(n, str) or not n.strip() for n in names):
            f.problem(where + ".names", _l("must be non-empty texts"))
        elif product:
            facts.products[code] = Product(f"{product['zh_CN']} / {product['en']}", [n.strip() for n in names])
    for order, codes in _mapping(f, d, "orders").items():
        codes = [codes] if isinstance(codes, str) else codes or []
        if not isinstance(order, str) or not ORDER_RE.fullmatch(order):
            f.problem(f"orders.{order}", _l("must look like %(example)s", example="T202611050012"))
        elif not isinstance(codes, list) or any(not isinstance(c, str) or c not in facts.products for c in codes):
            f.problem(f"orders.{order}", _l("must name declared products, or none"))
        else:
            facts.orders[order] = codes
    for i, example in enumerate(f.items(d, "examples", required=False)):
        if not isinstance(example, str) or not (SKU_RE.fullmatch(example) or ORDER_RE.fullmatch(example)):
            f.problem(f"examples[{i}]", _l("must look like %(example)s", example="SKU-12345, T202611050012"))
        else:
            facts.examples.add(example)
    other_codes = sorted((c for c in facts.products if not SKU_RE.fullmatch(c)), key=len, reverse=True)
    if other_codes:
        facts.codes_re = re.compile(r"(?<![A-Za-z0-9-])(?:" + "|".join(map(re.escape, other_codes))
                                    + r")(?![A-Za-z0-9-])")
    return facts


def _mapping(f: YamlFile, d: dict, key: str) -> dict:
    value = d.get(key) or {}
    if not isinstance(value, dict):
        f.problem(key, _l("must be a mapping"))
        return {}
    return value


def _names(text: str, name: str) -> bool:
    # Latin names are whole words ("cup" is not in "hiccup"); Chinese names are plain substrings.
    return re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", text, re.IGNORECASE) is not None


def _near(line: str, m: re.Match, others: list[re.Match]) -> tuple[int, int]:
    """Bounds of the words about match `m`: NEAR characters each way, not past another id."""
    left = max([o.end() for o in others if o.end() <= m.start()] + [m.start() - NEAR, 0])
    right = min([o.start() for o in others if o.start() >= m.end()] + [m.end() + NEAR, len(line)])
    return left, right


def _other_name(facts: Facts, own: list[str], text: str) -> Optional[str]:
    """A product name in `text` that is not one of `own`, unless the text also uses one of `own`."""
    own_names = [name for code in own for name in facts.products[code].names]
    if any(_names(text, name) for name in own_names):
        return None
    return next((name for code, product in facts.products.items() if code not in own
                 for name in product.names if name not in own_names and _names(text, name)), None)


def _described(facts: Facts, codes: list[str]) -> str:
    return "; ".join(f"{code} ({facts.products[code].label})" for code in codes)


def line_problems(facts: Facts, line: str) -> list[str]:
    """What is wrong with the product codes and order ids one line mentions."""
    problems = []
    products, orders = facts.product_mentions(line), list(ORDER_RE.finditer(line))
    for m in products + orders:
        if m.group() not in facts.examples | set(facts.products) | set(facts.orders):
            problems.append(str(_l("%(id)s is not declared in facts.yaml", id=m.group())))
    for m in products:
        if m.group() not in facts.products:
            continue
        left, right = _near(line, m, [p for p in products if p is not m])
        other = _other_name(facts, [m.group()], line[left:m.start()] + " " + line[m.end():right])
        if other:
            problems.append(str(_l("%(id)s is %(what)s in facts.yaml, but this line calls it %(other)s",
                                   id=m.group(), what=facts.products[m.group()].label, other=other)))
    for m in orders:
        own = facts.orders.get(m.group())
        if own is None:
            continue
        left, right = _near(line, m, [o for o in orders if o is not m])
        nearby = [p for p in products if p.start() >= left and p.end() <= right]
        if nearby:
            nearest = min(nearby, key=lambda p: min(abs(p.start() - m.end()), abs(m.start() - p.end())))
            other = nearest.group() if nearest.group() not in own else None
        else:
            other = _other_name(facts, own, line[left:m.start()] + " " + line[m.end():right])
        if other and own:
            problems.append(str(_l("%(id)s is %(what)s in facts.yaml, but this line calls it %(other)s",
                                   id=m.group(), what=_described(facts, own), other=other)))
        elif other:
            problems.append(str(_l("%(id)s has no product in facts.yaml, but this line names %(other)s",
                                   id=m.group(), other=other)))
    return problems
