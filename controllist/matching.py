"""Text and name matching shared by the control list's areas: a free-text description against an
item's title, a code under a code prefix, and a party's name against another by the one screening
engine (both scripts, readings, dictionary words, company forms)."""

import re
import unicodedata

from rapidfuzz import fuzz

from enduser.screening.index import THRESHOLD as SCREENING_THRESHOLD
from enduser.screening.matching import compare
from enduser.screening.names import company_form

DESCRIPTION_MATCH_THRESHOLD = 90

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_STOPWORDS = {"and", "of", "the", "for", "or", "with", "a", "an", "to", "in", "on"}


def normalise(text: str) -> str:
    """Case-folded, accents and punctuation dropped, full-width forms folded (ＡＢＣ → abc)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = unicodedata.normalize("NFKC", "".join(c for c in text if not unicodedata.combining(c))).casefold()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def names_match(a: str, b: str) -> bool:
    """Whether a prohibition's party is the party named: decided by the one screening engine that
    also screens the Control and Watch lists (both scripts, readings, dictionary words, forms)."""
    if not (a or "").strip() or not (b or "").strip():
        return False
    return compare(company_form(a), company_form(b)).score >= SCREENING_THRESHOLD


def description_matches(description: str, title: str) -> bool:
    """Whether a free-text description names the item of a title: every word of the title (or,
    in Chinese, the title's characters) appears in the description, small typos tolerated."""
    text, wanted = normalise(description), normalise(title)
    if not text or not wanted:
        return False
    if wanted in text:
        return True
    if _CJK.search(wanted):
        compact = wanted.replace(" ", "")
        return len(compact) >= 2 and fuzz.partial_ratio(compact, text.replace(" ", "")) >= DESCRIPTION_MATCH_THRESHOLD
    words = [w for w in wanted.split() if w not in _STOPWORDS]
    have = text.split()
    return bool(words) and all(
        any(fuzz.ratio(w, h) >= 85 or (len(w) >= 4 and h.startswith(w)) for h in have) for w in words)


def code_is_under(code: str, prefix: str) -> bool:
    """1C902.a is under 1C902 and under the prefix 1C9; 3A001.a.10 is not under 3A001.a.1."""
    if not code or not prefix:
        return False
    if len(prefix) < 5:
        return code.startswith(prefix)
    return code == prefix or code.startswith(prefix + ".")
