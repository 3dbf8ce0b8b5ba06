"""People's names in the order a Chinese reader expects: by pinyin (阿明, 李四, 王五, 张三), Latin
names among them by their letters, case ignored. Code-point order put 张 (U+5F20) before 李
(U+674E)."""

import functools

from pypinyin import Style, lazy_pinyin


@functools.lru_cache(maxsize=4096)
def name_key(name: str | None) -> tuple:
    """A sort key: the name's syllables with their tones (li3 before lin2), then the name itself
    (same reading, different characters: a fixed order)."""
    syllables = lazy_pinyin(name or "", style=Style.TONE3, errors="default", neutral_tone_with_five=True)
    return tuple(s.casefold() for s in syllables), name or ""
