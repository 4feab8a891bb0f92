"""How control-list text becomes search terms, shared by the index, the query, the synonym table
and the ranking: NFKC and lower case, English words singular without stopwords, Chinese as
characters and bigrams with their pinyin."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin

MAX_TERM_LENGTH = 64  # SearchTerm.term

STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its not of on or other than that the their "
    "this to with which".split()
)

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
PIECE = re.compile(rf"[{CJK}]+|[0-9a-z]+(?:\.[0-9a-z]+)*")


def normalise(text: str) -> str:
    # NFKC folds full-width input (１Ｃ９０２, ｓａｍａｒｉｕｍ) to ASCII.
    return unicodedata.normalize("NFKC", text or "").lower()


def is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def singular(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=100_000)
def word(part: str) -> str | None:
    """A Latin word as indexed: lowercased, singular; None for stopwords, single letters and
    bare numbers (thresholds such as 99.99 are not search terms)."""
    if len(part) < 2 or part in STOPWORDS or part.isdigit():
        return None
    return singular(part)[:MAX_TERM_LENGTH]


@lru_cache(maxsize=200_000)
def bigram_pinyin(bigram: str) -> str:
    """Toneless pinyin of two characters ("稀土" -> "xitu"), "" when pypinyin has none."""
    syllables = lazy_pinyin(bigram)
    joined = "".join(syllables)
    return joined if len(syllables) == 2 and joined.isascii() and joined.isalpha() else ""


def bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def text_terms(text: str, *, pinyin: bool) -> set[str]:
    terms: set[str] = set()
    for piece in PIECE.findall(normalise(text)):
        if is_cjk(piece[0]):
            terms.update(piece)
            pairs = bigrams(piece)
            terms.update(pairs)
            if pinyin:
                terms.update(filter(None, map(bigram_pinyin, pairs)))
        else:
            terms.update(filter(None, map(word, piece.split("."))))
    return terms


def cjk_text(text: str) -> str:
    """The runs of Chinese characters of a text joined by "|", so a phrase looked for in it never
    spans punctuation or another script."""
    return "|".join(piece for piece in PIECE.findall(normalise(text)) if is_cjk(piece[0]))


def latin_words(text: str) -> tuple[str, ...]:
    """The indexed English words of a text, in order (stopwords left out, plurals singular)."""
    words = []
    for piece in PIECE.findall(normalise(text)):
        if not is_cjk(piece[0]):
            words.extend(filter(None, map(word, piece.split("."))))
    return tuple(words)
