"""Search over the control list (first cut; the search work replaces this)."""

import re

_WORD = re.compile(r"[0-9a-z.]+|[\u4e00-\u9fff]", re.IGNORECASE)


def terms_for(entry) -> list[tuple[str, int]]:
    """The (term, weight) pairs that index one entry; `entry` is anything with code,
    description_zh/_en, parameters_zh/_en and hs_codes attributes (a model or a historical model)."""
    terms = {entry.code.lower(): 10}
    for text, weight in ((entry.description_zh, 3), (entry.description_en, 3)):
        for word in _WORD.findall(text or ""):
            terms.setdefault(word.lower()[:64], weight)
    for hs in entry.hs_codes or []:
        terms.setdefault(str(hs), 8)
    return list(terms.items())
