"""Search over the control list, in Chinese and English, by code, code prefix, words, pinyin and HS
code, with small typos tolerated.

Indexing turns each entry into (term, weight) rows (SearchTerm). A query is tokenised the same way;
each query token is expanded to index terms through an in-memory vocabulary of the version's
distinct terms (exact, prefix, typo, pinyin), and one SQL query over the (version, term) index
ranks the entries. Nothing ever scans the entries, so the cost follows the matches, not the list.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, Q, Value, When, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from controllist.search import ranking
from controllist.search import synonyms as synonym_table
from controllist.search.text import (
    CJK,
    MAX_TERM_LENGTH,
    PIECE,
    STOPWORDS,  # noqa: F401  (the benchmark reads it from here)
    bigram_pinyin,
    bigrams,
    is_cjk,
    normalise,
    text_terms,
)
from controllist.search.text import (
    word as index_word,
)
from portal.errors import ValidationFailed, lazy_format

MAX_QUERY_LENGTH = 200
MAX_QUERY_TOKENS = 10
MAX_WEAK_CHARACTERS = 10
PREFIX_EXPANSION_CAP = 30
FUZZY_CAP = 8
FUZZY_CUTOFF = 80
FUZZY_MIN_LENGTH = 4

# Index weights: an exact code outranks a code prefix, which outranks any word, so a search
# for "1C902" lists 1C902 first, then its sub-items, then entries that merely mention it.
CODE_WEIGHT = 10
CODE_PREFIX_WEIGHT = 6
HS_WEIGHT = 8
HS_PREFIX_WEIGHT = 6
DESCRIPTION_WEIGHT = 5
PARAMETERS_WEIGHT = 2

# How much a query token trusts each kind of expansion, in percent of the term's weight.
EXACT = 100
PREFIX = 80
HOMOPHONE = 70
CHARACTER = 50
FUZZY_FACTOR = 0.6

_HIGHLIGHT_PIECE = re.compile(rf"[{CJK}]+|[0-9A-Za-z]+")
_CODE_TOKEN = re.compile(r"[0-9][a-e](?:[0-9]{1,3}(?:\.[0-9a-z]{1,2})*)?")
_DIGITS = re.compile(r"[0-9.]+")


def _hs_digits(value) -> str:
    return re.sub(r"[^0-9]", "", str(value))


def terms_for(entry, synonyms=synonym_table.EMPTY) -> list[tuple[str, int]]:
    """The (term, weight) pairs that index one entry; `entry` is anything with code,
    description_zh/_en, parameters_zh/_en and hs_codes attributes (a model or a historical model).

    The code and each of its prefixes ("1c", "1c9", ... "1c902.a") are terms, so a code-prefix
    search is an exact lookup; Chinese text gives every character, every bigram and the pinyin of
    each bigram (homophones: 希土 finds 稀土). A field that contains one side of a synonym pair
    also gives the other side's terms, at the field's weight (无人驾驶航空飞行器 -> 无人机, drone)."""
    weights: dict[str, int] = {}

    def add(term: str, weight: int) -> None:
        term = term[:MAX_TERM_LENGTH]
        if weights.get(term, 0) < weight:
            weights[term] = weight

    code = normalise(entry.code).strip()
    for end in range(2, len(code)):
        if code[end - 1] != ".":
            add(code[:end], CODE_PREFIX_WEIGHT)
    add(code, CODE_WEIGHT)
    fields = ((entry.description_zh, DESCRIPTION_WEIGHT, True),
              (entry.description_en, DESCRIPTION_WEIGHT, True),
              (entry.parameters_zh, PARAMETERS_WEIGHT, False),
              (entry.parameters_en, PARAMETERS_WEIGHT, False))
    for text, weight, pinyin in fields:
        for term in text_terms(text or "", pinyin=pinyin):
            add(term, weight)
        for other in synonyms.others_in(text or ""):
            for term in text_terms(other, pinyin=pinyin):
                add(term, weight)
    for hs in entry.hs_codes or []:
        digits = _hs_digits(hs)
        if len(digits) < 4:
            continue
        for length in (4, 6, 8):
            if len(digits) > length:
                add(digits[:length], HS_PREFIX_WEIGHT)
        add(digits, HS_WEIGHT)
    return sorted(weights.items())


# ---------------------------------------------------------------- indexing


def index_entries(entries, *, batch_size: int = 2000, term_model=None, synonyms=None) -> int:
    """Create the SearchTerm rows of saved entries; returns how many. A data migration passes
    its historical SearchTerm as `term_model` (and the synonyms it knows, else none); otherwise
    the synonym table as it is now applies."""
    from controllist.models import SearchTerm

    if synonyms is None:
        real = term_model is None or term_model is SearchTerm
        synonyms = synonym_table.current() if real else synonym_table.EMPTY
    term_model = term_model or SearchTerm
    versions = set()

    def rows():
        for entry in entries:
            versions.add(entry.version_id)
            for term, weight in terms_for(entry, synonyms):
                yield term_model(version_id=entry.version_id, entry_id=entry.pk, term=term,
                                 weight=weight)

    count = 0
    stream = rows()
    while batch := list(islice(stream, batch_size)):
        term_model.objects.bulk_create(batch, batch_size=batch_size)
        count += len(batch)
    for version_id in versions:
        forget_vocabulary(version_id)
    return count


def reindex_version(version, *, models=None, synonyms=None) -> int:
    """Rebuild the index of one version (after terms_for or the synonym table changed). A data
    migration passes its historical (Entry, ListVersion, SearchTerm) as `models`."""
    if models is None:
        from controllist.models import Entry, ListVersion, SearchTerm
    else:
        Entry, ListVersion, SearchTerm = models

    with transaction.atomic():
        SearchTerm.objects.filter(version_id=version.pk).delete()
        entries = (Entry.objects.filter(version_id=version.pk)
                   .only("version_id", "code", "description_zh", "description_en", "parameters_zh",
                         "parameters_en", "hs_codes")
                   .order_by("pk").iterator(chunk_size=2000))
        count = index_entries(entries, term_model=SearchTerm, synonyms=synonyms)
        version.reindexed_at = timezone.now()
        ListVersion.objects.filter(pk=version.pk).update(reindexed_at=version.reindexed_at)
    forget_vocabulary(version.pk)
    return count


def reindex_all_versions(*, models=None, synonyms=None) -> int:
    """Rebuild the index of every list version (the synonym table applies to all of them)."""
    if models is None:
        from controllist.models import ListVersion
    else:
        ListVersion = models[1]
    if synonyms is None and models is None:
        synonyms = synonym_table.current()
    return sum(reindex_version(version, models=models, synonyms=synonyms)
               for version in ListVersion.objects.order_by("pk"))


# ---------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    terms: frozenset
    ordered: tuple  # sorted, for prefix ranges
    words_by_length: dict  # alphabetic terms (English words, pinyin) by length, for typos
    synonyms: synonym_table.SynonymSet = synonym_table.EMPTY  # the table the index was built with

    @classmethod
    def build(cls, terms, synonyms=synonym_table.EMPTY) -> Vocabulary:
        ordered = tuple(sorted(set(terms)))
        by_length: dict[int, list[str]] = {}
        for term in ordered:
            if term.isascii() and term.isalpha():
                by_length.setdefault(len(term), []).append(term)
        return cls(frozenset(ordered), ordered, by_length, synonyms)

    def with_prefix(self, prefix: str, cap: int) -> list[str]:
        start = bisect.bisect_left(self.ordered, prefix)
        end = bisect.bisect_left(self.ordered, prefix + "\U0010ffff", lo=start)
        longer = [term for term in self.ordered[start:end] if term != prefix]
        return sorted(longer, key=lambda term: (len(term), term))[:cap]

    def similar(self, word: str, cap: int) -> list[tuple[str, float]]:
        # fuzz.ratio >= 80 needs the shorter word to be at least 2/3 of the longer one.
        low, high = -(-2 * len(word) // 3), (3 * len(word)) // 2
        choices = [t for n in range(low, high + 1) for t in self.words_by_length.get(n, ())]
        found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                limit=cap)
        return [(term, score) for term, score, _index in found if term != word]


_vocabularies: OrderedDict = OrderedDict()
_vocabulary_lock = threading.Lock()
_VOCABULARIES_KEPT = 4


def vocabulary(version) -> Vocabulary:
    """The distinct terms of a version and the synonym table, read once per process. A version's
    entries do not change after import; a reindex (also after a synonym change) sets reindexed_at,
    which changes the key in every process."""
    from controllist.models import SearchTerm

    key = (version.pk, version.created_at, version.reindexed_at)
    with _vocabulary_lock:
        if key in _vocabularies:
            _vocabularies.move_to_end(key)
            return _vocabularies[key]
    terms = (SearchTerm.objects.filter(version_id=version.pk).order_by()
             .values_list("term", flat=True).distinct())
    built = Vocabulary.build(terms, synonym_table.current())
    with _vocabulary_lock:
        _vocabularies[key] = built
        while len(_vocabularies) > _VOCABULARIES_KEPT:
            _vocabularies.popitem(last=False)
    return built


def forget_vocabulary(version_id) -> None:
    with _vocabulary_lock:
        for key in [key for key in _vocabularies if key[0] == version_id]:
            del _vocabularies[key]


# ---------------------------------------------------------------- query


@dataclass(frozen=True)
class QueryToken:
    text: str
    kind: str  # code, hs, word, bigram, character


def query_tokens(query: str) -> list[QueryToken]:
    """Split a query the way entries are indexed: codes and code prefixes whole, HS codes as
    digits, English words, Chinese as bigrams (a single character stays one token)."""
    tokens: dict[str, QueryToken] = {}

    def add(text: str, kind: str) -> None:
        text = text[:MAX_TERM_LENGTH]
        if text and text not in tokens:
            tokens[text] = QueryToken(text, kind)

    for piece in PIECE.findall(normalise(query)):
        if is_cjk(piece[0]):
            if len(piece) == 1:
                add(piece, "character")
            for bigram in bigrams(piece):
                add(bigram, "bigram")
            continue
        piece = piece.strip(".")
        if _CODE_TOKEN.fullmatch(piece):
            add(piece, "code")
        elif _DIGITS.fullmatch(piece):
            digits = piece.replace(".", "")
            if len(digits) >= 4:
                add(digits[:10], "hs")
        else:
            for part in piece.split("."):
                word = index_word(part)
                if word:
                    add(word, "word")
    return list(tokens.values())[:MAX_QUERY_TOKENS]


def expand(token: QueryToken, vocab: Vocabulary) -> dict[str, int]:
    """Index terms a query token stands for, each with a score in percent."""
    text, kind = token.text, token.kind
    found: dict[str, int] = {}
    if text in vocab.terms:
        found[text] = EXACT
    if kind == "bigram" and not found:
        homophone = bigram_pinyin(text)
        if homophone in vocab.terms:
            found[homophone] = HOMOPHONE
        else:
            found.update({char: CHARACTER for char in text if char in vocab.terms})
    if kind in ("word", "hs") and len(text) >= 3:
        for term in vocab.with_prefix(text, PREFIX_EXPANSION_CAP):
            found.setdefault(term, PREFIX)
    if kind == "word" and text not in vocab.terms and len(text) >= FUZZY_MIN_LENGTH and text.isalpha():
        for term, similarity in vocab.similar(text, FUZZY_CAP):
            found.setdefault(term, int(FUZZY_FACTOR * similarity))
    return found


@dataclass
class SearchHit:
    entry: object
    score: int
    coverage: int
    matched_terms: list = field(default_factory=list)
    code_html: SafeString = mark_safe("")
    description_zh_html: SafeString = mark_safe("")
    description_en_html: SafeString = mark_safe("")
    parameters_zh_html: SafeString = mark_safe("")
    parameters_en_html: SafeString = mark_safe("")


@dataclass
class SearchResult:
    query: str
    version: object
    hits: list = field(default_factory=list)
    total: int = 0
    tokens: list = field(default_factory=list)
    limit: int = 20
    offset: int = 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def check_query(query) -> str:
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailed(
            lazy_format(_("The search text is too long: at most %(n)s characters."), n=MAX_QUERY_LENGTH),
            code="query_too_long", fields={"q": [_("Too long.")]})
    return query


def search(query: str, *, version=None, limit: int = 20, offset: int = 0) -> SearchResult:
    """Entries of a version (default: the version in force) matching the query, best first.

    SQL ranks by the query tokens matched as words or bigrams (a Chinese bigram the list does not
    have counts only in the score, by its characters), then by score (an exact code beats a prefix
    beats a word), then list order; a Chinese query of two or more characters never lists an entry that shares a single
    character with it. The first RERANK_WINDOW of that order are then put in their final order by
    `ranking.rerank` (whole phrases first, the item before its software and technology)."""
    from controllist.selectors import version_in_force

    query = check_query(query)
    if limit < 1 or offset < 0:
        raise ValidationFailed(_("Limit and offset must be positive."))
    version = version if version is not None else version_in_force()
    result = SearchResult(query=query, version=version, limit=limit, offset=offset)
    if not query or version is None:
        return result
    vocab = vocabulary(version)
    tokens = query_tokens(query)
    expansions, weak = [], {}
    for token in tokens:
        expansion = expand(token, vocab)
        if not expansion:
            continue
        result.tokens.append(token)
        if token.kind == "bigram" and set(expansion) <= set(token.text):
            # The bigram is nowhere in the list: its characters count, but only one by one.
            for char in expansion:
                if len(weak) < MAX_WEAK_CHARACTERS:
                    weak.setdefault(char, {char: CHARACTER})
        else:
            expansions.append(expansion)
    if not expansions and not weak:
        return result
    chinese = {char for token in tokens if token.kind in ("bigram", "character") for char in token.text}
    ranked = _ranked(version, expansions, list(weak.values()), min_characters=2 if len(chinese) >= 2 else 0)
    window = ranking.RERANK_WINDOW
    if offset < window:
        rows = list(ranked[:max(window, offset + limit)])
        phrases = ranking.phrases(query, vocab.synonyms)
        # Only a Chinese phrase needs the window's text; otherwise the codes in the rows suffice.
        entries = _entries_by_pk([row["entry_id"] for row in rows]) if phrases else {}
        head = ranking.rerank(rows[:window], entries, tokens=tokens, phrases=phrases)
        rows = (head + rows[window:])[offset:offset + limit]
        if not phrases:
            entries = _entries_by_pk([row["entry_id"] for row in rows])
    else:
        rows = list(ranked[offset:offset + limit])
        entries = _entries_by_pk([row["entry_id"] for row in rows])
    if rows:
        result.total = rows[0]["total"]
    elif offset:
        result.total = ranked.count()
    wanted = {term for expansion in [*expansions, *weak.values()] for term in expansion}
    synonyms = vocab.synonyms if not vocab.synonyms.terms.isdisjoint(wanted) else synonym_table.EMPTY
    result.hits = [_hit(entries[row["entry_id"]], row, wanted, synonyms) for row in rows
                   if row["entry_id"] in entries]
    return result


def _token_column(expansion: dict):
    by_score: dict[int, list[str]] = {}
    for term, score in expansion.items():
        by_score.setdefault(score, []).append(term)
    whens = [When(term__in=sorted(terms), then=F("weight") * Value(score))
             for score, terms in sorted(by_score.items(), reverse=True)]
    return Max(Case(*whens, default=None, output_field=IntegerField()))


def _matched(names):
    return sum((Case(When(**{f"{name}__isnull": False}, then=1), default=0) for name in names), Value(0))


def _ranked(version, expansions, weak=(), *, min_characters: int = 0):
    """One grouped query over the (version, term) index: per query token the best weight x score
    of the terms it expanded to, summed into the score; coverage counts the tokens matched,
    `weak` the characters matched alone (of bigrams the list does not have). With min_characters,
    an entry matching no token and fewer characters than that is left out."""
    from controllist.models import SearchTerm

    columns = {f"t{index}": _token_column(expansion) for index, expansion in enumerate(expansions)}
    characters = {f"c{index}": _token_column(expansion) for index, expansion in enumerate(weak)}
    names = [*columns, *characters]
    score = sum((Coalesce(F(name), 0) for name in names), Value(0))
    terms = sorted({term for expansion in [*expansions, *weak] for term in expansion})
    queryset = (SearchTerm.objects.filter(version_id=version.pk, term__in=terms)
                .values("entry_id")
                .annotate(**columns, **characters)
                .annotate(score=score, coverage=_matched(columns), weak=_matched(characters)))
    if min_characters:
        queryset = queryset.filter(Q(coverage__gte=1) | Q(weak__gte=min_characters))
    return (queryset.annotate(total=Window(Count("*")))
            .values("entry_id", "entry__sort_key", "score", "coverage", "weak", "total")
            .order_by("-coverage", "-score", "entry__sort_key"))


def _entries_by_pk(pks):
    from controllist.models import Entry

    if not pks:
        return {}
    return {entry.pk: entry for entry in Entry.objects.filter(pk__in=pks).select_related("version")}


def _has_latin(terms) -> bool:
    return any(term.isascii() and term.isalpha() for term in terms)


def _hit(entry, row, wanted: set[str], synonyms=synonym_table.EMPTY) -> SearchHit:
    matched: set[str] = set()
    if synonyms:
        texts = " | ".join(filter(None, (entry.description_zh, entry.description_en, entry.parameters_zh,
                                         entry.parameters_en)))
        wanted = wanted | synonyms.sides_meant(texts, wanted)
    latin = _has_latin(wanted)
    hit = SearchHit(entry=entry, score=row["score"], coverage=row["coverage"])
    hit.code_html = _highlight_code(entry.code, wanted, matched)
    hit.description_zh_html = highlight(entry.description_zh, wanted, matched, any_pinyin=latin)
    hit.description_en_html = highlight(entry.description_en, wanted, matched, any_pinyin=latin)
    hit.parameters_zh_html = highlight(entry.parameters_zh, wanted, matched, any_pinyin=latin)
    hit.parameters_en_html = highlight(entry.parameters_en, wanted, matched, any_pinyin=latin)
    for hs in entry.hs_codes or []:
        digits = _hs_digits(hs)
        matched.update(term for term in (digits, digits[:4], digits[:6], digits[:8]) if term in wanted)
    hit.matched_terms = sorted(matched)
    return hit


# ---------------------------------------------------------------- highlighting


def _highlight_code(code: str, wanted: set[str], matched: set[str]) -> SafeString:
    lowered = code.lower()
    prefixes = [term for term in wanted if lowered.startswith(term) and len(term) >= 2]
    if not prefixes:
        return escape(code)
    longest = max(prefixes, key=len)
    matched.add(longest)
    return mark_safe(f"<mark>{escape(code[:len(longest)])}</mark>{escape(code[len(longest):])}")


def highlight(text: str, wanted: set[str], matched: set[str] | None = None, *,
              any_pinyin: bool | None = None) -> SafeString:
    """The text HTML-escaped, with the parts that match `wanted` index terms in <mark>."""
    text = text or ""
    matched = matched if matched is not None else set()
    if any_pinyin is None:
        any_pinyin = _has_latin(wanted)
    spans: list[tuple[int, int]] = []
    for piece in _HIGHLIGHT_PIECE.finditer(text):
        start, run = piece.start(), piece.group()
        if is_cjk(run[0]):
            for offset, bigram in enumerate(bigrams(run)):
                if bigram in wanted or (any_pinyin and bigram_pinyin(bigram) in wanted):
                    matched.add(bigram if bigram in wanted else bigram_pinyin(bigram))
                    spans.append((start + offset, start + offset + 2))
            for offset, char in enumerate(run):
                if char in wanted:
                    matched.add(char)
                    spans.append((start + offset, start + offset + 1))
        else:
            word = index_word(run.lower() if run.isascii() else normalise(run))
            if word and word in wanted:
                matched.add(word)
                spans.append((start, piece.end()))
    if not spans:
        return escape(text)
    out, position = [], 0
    for begin, end in _merged(spans):
        out.append(escape(text[position:begin]))
        out.append(f"<mark>{escape(text[begin:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def _merged(spans):
    merged: list[list[int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    return merged
