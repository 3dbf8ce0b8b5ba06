"""Shared settings and strategies of the fuzz tests (tests/test_fuzz_*.py).

Bounded and repeatable: a fixed number of examples (FUZZ_EXAMPLES overrides it for a
longer local run), no deadline (a slow machine is not a failure) and derandomized, so
CI runs the same inputs every time and a failure found once is found again. Nothing is
written to a `.hypothesis` folder.
"""

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))


def fuzz(examples: int = EXAMPLES):
    """The settings of one fuzz test: `examples` inputs (scaled by FUZZ_EXAMPLES)."""
    return settings(
        max_examples=max(1, examples * EXAMPLES // 60), deadline=None, derandomize=True, database=None,
        # The app and database fixtures are shared by every example on purpose: each example
        # rolls back what it wrote, and a fresh database per example would take minutes.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# Characters that break parsers: quotes, separators, line ends, NUL and other controls,
# a BOM, bidi overrides, full-width digits, CJK, surrogate-free astral characters.
NASTY = "\",;\t\r\n\x00\x01\x0b\x1b\x7f\ufeff\u202e\u2066０１２³²ⅷ李娜导师是否√×é€\U0001f600"
nasty_text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(codec="utf-8"), max_size=40)

# Anything YAML can hold (and a bit more): what a hand-edited file may end up with.
yaml_scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True)
                | nasty_text | st.sampled_from(["", "yes", "no", "~", "ai", "both", "regex", "foundation",
                                                 "SKU-1", "T202611050012", "{severity:high}", "[", "0", "2026-13-40"]))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["code", "title", "zh_CN", "en", "kind", "field", "value", "points", "levels", "x"])
        | st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
