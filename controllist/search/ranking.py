"""The final order of the best-ranked entries, read from their text: what one grouped SQL query
over the index cannot see.

- A Chinese run of the query (or the run with a synonym put in) found whole in the entry's Chinese
  text ranks above entries that only have its bigrams here and there; among equals, the entry whose
  description the phrase is the larger part of comes first.
- The item before its software and technology: a D or E entry (1E902.a, technology for rare-earth
  magnets) goes right after the best A, B or C entry of its family (1C902.*, the same sector digit
  and three digits) when that entry matches the query about as well (at least half the tokens, and
  the whole phrase if the D/E entry has it), unless the query asks for software or technology."""

from __future__ import annotations

from controllist.search.text import PIECE, cjk_text, is_cjk, normalise

RERANK_WINDOW = 50
MAX_PHRASES = 10
ITEM_TYPES = frozenset("abc")
DERIVED_TYPES = frozenset("de")
# A query naming one of these asks for the software or technology itself.
TECHNOLOGY_WORDS = frozenset({"技术", "软件", "工艺", "程序", "technology", "software", "technique",
                              "program", "know-how", "knowhow"})


def _family(code: str) -> tuple[str, str] | None:
    code = code.lower()
    if len(code) < 5 or not code[0].isdigit() or not code[2:5].isdigit():
        return None
    return code[0] + code[2:5], code[1]


def phrases(query: str, synonyms=None) -> list[list[str]]:
    """Per Chinese run of two or more characters in the query: the run and its synonym variants."""
    runs = [piece for piece in PIECE.findall(normalise(query)) if is_cjk(piece[0]) and len(piece) > 1]
    return [synonyms.chinese_variants(run) if synonyms else [run] for run in runs[:MAX_PHRASES]]


def rerank(rows: list[dict], entries: dict, *, tokens, phrases=()) -> list[dict]:
    """`rows` in SQL order (dicts with entry_id, entry__sort_key, coverage, score), `entries` by
    pk (needed only with `phrases`, for their Chinese text); returns the rows in their final order."""
    asks_for_technology = any(token.text in TECHNOLOGY_WORDS for token in tokens)
    has_code = any(token.kind == "code" for token in tokens)
    keys, facts = {}, {}
    for index, row in enumerate(rows):
        entry = entries.get(row["entry_id"])
        whole, density = 0, 0.0
        if entry is not None and phrases:
            description = cjk_text(entry.description_zh)
            text = description + "|" + cjk_text(entry.parameters_zh)
            found = [max((v for v in variants if v in text), key=len, default="") for variants in phrases]
            whole = sum(1 for phrase in found if phrase)
            # How much of the description the phrases are: 无人驾驶航空飞行器及相关设备和部件 is
            # about the vehicle more than 民用反无人机系统用电子干扰设备 is.
            density = sum(len(phrase) for phrase in found if phrase in description) / max(1, len(description))
        keys[index] = (-whole, -row["coverage"], -row["score"], -round(density, 2), 0, index)
        facts[index] = (whole, row["coverage"], _family(row["entry__sort_key"]))
    if not asks_for_technology and not has_code:
        best_item: dict[str, int] = {}
        for index in sorted(keys, key=keys.get):
            whole, coverage, family = facts[index]
            if family and family[1] in ITEM_TYPES and family[0] not in best_item and coverage:
                best_item[family[0]] = index
        for index, (whole, coverage, family) in facts.items():
            if not family or family[1] not in DERIVED_TYPES or family[0] not in best_item:
                continue
            item = best_item[family[0]]
            item_whole, item_coverage, _family_of_item = facts[item]
            if 2 * item_coverage >= coverage and item_whole >= whole and keys[index] < keys[item]:
                keys[index] = (*keys[item][:4], 1, index)
    return [rows[index] for index in sorted(keys, key=keys.get)]
