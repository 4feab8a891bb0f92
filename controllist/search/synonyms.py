"""The synonym table applied to the search index: which sides of which pairs a text contains, and
the pairs the portal starts with (each checked against the list's own wording by a test).

A side is either Chinese (looked for as a substring of the text's Chinese runs) or English (looked
for as a sequence of indexed words, so "unmanned aerial vehicle" is found in "Unmanned aerial
vehicles"). An entry that contains one side is indexed with the other side's terms as well."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from controllist.search.text import cjk_text, is_cjk, latin_words, normalise, text_terms

MAX_SIDE_LENGTH = 60
# Chinese, or English letters, digits, spaces and hyphens; nothing else (no markup, no wildcards).
SIDE_PATTERN = re.compile(r"^(?:[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[0-9A-Za-z][0-9A-Za-z \-]*)$")

# (everyday word, the list's wording): both ways. Each list side occurs in the 2024-12-01 list.
SEED_PAIRS = [
    ("无人机", "无人驾驶航空飞行器"),
    ("锂电", "锂电池"),
    ("锂电池", "锂离子电池"),
    ("磁铁", "永磁材料"),
    ("永磁体", "永磁材料"),
    ("钕磁铁", "钕铁硼"),
    ("光刻机", "光刻设备"),
    ("芯片", "集成电路"),
    ("声纳", "声呐"),
    ("热像仪", "热成像相机"),
    ("夜视仪", "像增强管"),
    ("北斗", "卫星导航"),
    ("工业钻石", "人造金刚石"),
    ("碳纤", "碳纤维"),
    ("数控机床", "数控车床"),
    ("加密", "密码"),
    ("离心机", "离心分离机"),
    ("涡扇发动机", "涡轮风扇发动机"),
    ("涡喷发动机", "涡轮喷气"),
    ("航空发动机", "航空燃气涡轮发动机"),
    ("干扰器", "干扰设备"),
    ("金刚石压机", "六面顶压机"),
    ("激光武器", "高能激光设备"),
    ("drone", "unmanned aerial vehicle"),
    ("UAV", "unmanned aerial vehicle"),
    ("chip", "integrated circuit"),
    ("microchip", "integrated circuit"),
    ("SmCo", "samarium-cobalt"),
    ("NdFeB", "neodymium-iron-boron"),
    ("GPS", "satellite navigation"),
    ("Li-ion", "lithium-ion"),
    ("stepper", "lithography"),
    ("night vision", "image intensifier"),
    ("thermal camera", "thermal imaging camera"),
    ("CNC", "numerically controlled"),
    ("jammer", "jamming equipment"),
    ("encryption", "cryptographic"),
    ("industrial diamond", "synthetic diamond"),
    ("carbon fiber", "carbon fibrous"),
    ("aluminum", "aluminium"),
    ("centrifuge", "centrifugal separator"),
    ("rocket motor", "rocket engine"),
]


def clean_side(text) -> str:
    """A side as stored: NFKC (full-width folded), single spaces, trimmed; case kept for display."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or ""))).strip()


def side_key(text: str):
    """What a side is matched by: its Chinese characters, or its indexed English words."""
    cleaned = normalise(text).strip()
    if cleaned and all(is_cjk(char) for char in cleaned):
        return cleaned
    return latin_words(cleaned)


def pair_key(term_a: str, term_b: str) -> str:
    keys = sorted(str(side_key(term)) for term in (term_a, term_b))
    return "|".join(keys)[:130]


@dataclass(frozen=True)
class SynonymSet:
    """The pairs in force when a version is indexed, ready for matching texts."""

    pairs: tuple = ()  # ((key_a, side_a), (key_b, side_b)) with key a str (Chinese) or a tuple (words)

    @classmethod
    def build(cls, pairs) -> SynonymSet:
        built = []
        for term_a, term_b in pairs:
            key_a, key_b = side_key(term_a), side_key(term_b)
            if key_a and key_b and key_a != key_b:
                built.append(((key_a, term_a), (key_b, term_b)))
        return cls(tuple(built))

    def __bool__(self) -> bool:
        return bool(self.pairs)

    @cached_property
    def terms(self) -> frozenset:
        """Every index term of every side: a query sharing none of them met no synonym."""
        return frozenset(term for pair in self.pairs for _key, side in pair
                         for term in text_terms(side, pinyin=True))

    def _found(self, text: str):
        """(side the text contains, the other side) for every pair, both ways."""
        if not self.pairs or not text:
            return
        chinese, words, present = cjk_text(text), None, None
        for (key_a, side_a), (key_b, side_b) in self.pairs:
            for key, side, other in ((key_a, side_a, side_b), (key_b, side_b, side_a)):
                if isinstance(key, str):
                    hit = key in chinese
                else:
                    if words is None:
                        words = latin_words(text)
                        present = set(words)
                    hit = key[0] in present and _contains(words, key)
                if hit:
                    yield side, other

    def others_in(self, text: str) -> list[str]:
        """The sides to add for a text: for each pair, the other side of a side the text contains."""
        return [other for _side, other in self._found(text)]

    def sides_meant(self, text: str, wanted: set) -> set[str]:
        """Index terms of the sides a text contains whose synonym the query asked for, so the
        page can mark "Unmanned aerial vehicles" in an entry a search for "drone" found."""
        terms: set[str] = set()
        for side, other in self._found(text):
            if not wanted.isdisjoint(text_terms(other, pinyin=True)):
                terms.update(term for term in text_terms(side, pinyin=False) if len(term) > 1)
        return terms

    def chinese_variants(self, run: str) -> list[str]:
        """A Chinese query run and the runs it becomes with one side replaced by its synonym."""
        variants = [run]
        for (key_a, _side_a), (key_b, _side_b) in self.pairs:
            for key, other in ((key_a, key_b), (key_b, key_a)):
                if isinstance(key, str) and isinstance(other, str) and key in run:
                    variants.append(run.replace(key, other))
        return variants


def _contains(words: tuple, wanted: tuple) -> bool:
    n = len(wanted)
    if not n or n > len(words):
        return False
    return any(words[i:i + n] == wanted for i in range(len(words) - n + 1))


EMPTY = SynonymSet()


def current() -> SynonymSet:
    """The table as it is now."""
    from controllist.models import Synonym

    return SynonymSet.build(Synonym.objects.order_by("pk").values_list("term_a", "term_b"))
