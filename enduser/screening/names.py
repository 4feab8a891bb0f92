"""Names taken apart for screening: a name as written becomes a Form, a tuple of typed tokens that
mean the same whatever the script.

- D (distinctive): what identifies the party (华为, huawei, 北航): compared letter by letter.
- G (concept), U (organisation unit), R (place), F (company form), N (number), B (branch marker):
  generic words from data/dictionary.json (技术 = Technologies = jishu), compared by meaning.

Traditional characters are made simplified (OpenCC; for companies with Taiwan's words too, 資訊 -> 信息,
軟體 -> 软件), other scripts are transliterated to Latin letters (anyascii: Ростех -> rostekh), Latin
letters lose accents, tone marks and tone numbers, and every Han distinctive part gets its readings:
pinyin with every heteronym (pypinyin), Wade-Giles (pypinyin) and Hong Kong Government Cantonese
romanisation (cantonese-romanisation). The dictionary's Chinese words are also known by their pinyin
and Wade-Giles spellings (jishu, chi-shu = 技术 = technology)."""

import itertools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import opencc
from anyascii import anyascii
from cantoroman import Cantonese
from pypinyin import Style, lazy_pinyin, pinyin

DATA = Path(__file__).resolve().parent / "data" / "dictionary.json"
MAX_READINGS = 16  # heteronym combinations kept per distinctive part
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
GENERIC_KINDS = ("G", "U", "R", "F", "N", "B")


class Token(NamedTuple):  # a tuple: hundreds of thousands are stored and loaded with an index
    kind: str  # D, G, U, R, F, N, B
    value: str  # D: simplified Han or a Latin key; otherwise the dictionary id or the number
    text: str  # as written
    han: bool = False


@dataclass(frozen=True)
class Form:
    """One name of a party, taken apart. For persons, `surname` and `given` hold the two parts
    (Han), or `words` the Latin words in the order written."""

    name: str
    kind: str
    tokens: tuple = ()
    han: bool = False
    converted: bool = False  # traditional characters were made simplified
    transliterated: bool = False  # written in another script (Cyrillic, Greek, ...): read in Latin letters
    surname: str = ""
    given: str = ""
    words: tuple = ()
    comma: bool = False  # "SURNAME, Given": the surname is known
    alias: bool = False
    readings: dict = field(default_factory=dict)  # system -> tuple of keys of the D part (or person)

    def of(self, *kinds) -> tuple:
        return tuple(t for t in self.tokens if t.kind in kinds)

    @property
    def distinctive(self) -> tuple:
        return self.of("D")


# ---------------------------------------------------------------- the dictionary


@dataclass(frozen=True)
class Dictionary:
    version: str
    zh: dict  # phrase -> (kind, id)
    en: dict  # phrase (words joined by one space) -> (kind, id)
    joined: dict  # phrase without spaces (English and the pinyin of Chinese phrases) -> (kind, id)
    longest_zh: int
    longest_en: int
    stop_en: frozenset
    surnames: dict  # Han surname -> pinyin readings
    labels: dict  # (kind, id) -> (zh, en) first forms


SECTIONS = {"forms": "F", "units": "U", "concepts": "G", "regions": "R"}


@lru_cache(maxsize=1)
def dictionary() -> Dictionary:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    zh, en, joined, labels = {}, {}, {}, {}
    for section, kind in SECTIONS.items():
        for ident, forms in raw[section].items():
            key = ("B" if ident == "branch" else kind, ident)
            labels[key] = (forms["zh"][0], forms["en"][0])
            for phrase in forms["zh"]:
                zh[phrase] = key
                if len(phrase) >= 2:
                    joined.setdefault("".join(lazy_pinyin(phrase)).replace("v", "u"), key)
                    wade = "".join(latin_words(" ".join(lazy_pinyin(phrase, style=Style.WADEGILES)))).replace("v", "u")
                    joined.setdefault(wade, key)
            for phrase in forms["en"]:
                words = " ".join(latin_words(phrase))
                en[words] = key
                joined.setdefault(words.replace(" ", ""), key)
    surnames = {han: tuple(v["pinyin"]) for han, v in raw["surnames"].items()}
    return Dictionary(version=raw["version"], zh=zh, en=en, joined=joined,
                      longest_zh=max(map(len, zh)), longest_en=max(len(p.split()) for p in en),
                      stop_en=frozenset(raw["stopwords"]["en"]), surnames=surnames, labels=labels)


# ---------------------------------------------------------------- scripts


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _tw2sp():
    return opencc.OpenCC("tw2sp")


@lru_cache(maxsize=1)
def _s2t():
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=1)
def _cantonese():
    return Cantonese()


def simplified(text: str, *, words: bool = False) -> str:
    """Simplified characters; with `words`, Taiwan's words become the mainland's too (資訊 -> 信息):
    right for a company's name, wrong for a person's, whose characters are kept one by one."""
    return (_tw2sp() if words else _t2s()).convert(text)


def has_han(text: str) -> bool:
    return bool(HAN.search(text))


def other_script(text: str) -> bool:
    """Letters neither Latin (with or without accents) nor Han: Ростех, Ελλάδα."""
    text = unicodedata.normalize("NFKD", text)
    return any(c.isalpha() and not c.isascii() and not HAN.match(c) for c in text)


def latin_words(text: str) -> list[str]:
    """Lower-case ASCII words: accents and tone marks dropped (Huáwéi -> huawei), tone numbers
    after a syllable dropped (hua2wei2 -> huawei), apostrophes joined (ch'en -> chen), '&' read as
    'and', ordinals kept as numbers (14th -> 14)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    if not text.isascii():
        text = anyascii(text)
    text = text.lower()
    text = text.replace("&", " and ")
    text = re.sub(r"([a-z])[1-5](?=[a-z]|\b)", r"\1", text)
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"\b(\d+)(st|nd|rd|th)\b", r"\1", text)
    return re.findall(r"[a-z]+|\d+", text)


# ---------------------------------------------------------------- readings of Han text


@lru_cache(maxsize=200_000)
def readings(han: str, surname_first: bool = False) -> dict[str, tuple[str, ...]]:
    """Every reading of a Han string as joined keys, by system: pinyin (heteronyms, capped),
    Wade-Giles and Cantonese (HK). `surname_first` applies the surname readings to its start."""
    pinyin_options = _u([tuple(dict.fromkeys(p)) for p in pinyin(han, style=Style.NORMAL, heteronym=True)])
    wade = _u([tuple(dict.fromkeys(p.replace("'", "") for p in options))
               for options in pinyin(han, style=Style.WADEGILES, heteronym=True)])
    canto = []
    for char, options in zip(han, _cantonese().getRoman(_s2t().convert(han)), strict=False):
        canto.append(tuple(options) or tuple(lazy_pinyin(char)))
    if surname_first:
        for length in (2, 1):
            fixed = dictionary().surnames.get(han[:length])
            if fixed and len(han) > length:
                pinyin_options = [tuple(dict.fromkeys(f.replace("v", "u") for f in fixed))] + pinyin_options[length:]
                break
    return {"pinyin": _combine(pinyin_options), "wade-giles": _combine(wade), "cantonese": _combine(canto)}


def _u(options: list[tuple]) -> list[tuple]:
    """pypinyin writes ü as v (lv, hsvchvn); names are written Lü, Lu or Hsü, which read as u, and
    sometimes Lv: both are kept."""
    return [tuple(dict.fromkeys([o.replace("v", "u") for o in option] + list(option))) for option in options]


def _combine(options: list[tuple]) -> tuple[str, ...]:
    combos = itertools.islice(itertools.product(*options), MAX_READINGS)
    return tuple(dict.fromkeys("".join(c) for c in combos if all(c)))


# ---------------------------------------------------------------- taking names apart

NUMERAL = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
HAN_NUMBER = re.compile(r"第([零〇一二两三四五六七八九十百\d]+)")
BRACKETS = re.compile(r"[（(]([^）)]*)[）)]")


def han_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in NUMERAL:
            current = NUMERAL[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _han_tokens(text: str) -> list[Token]:
    d = dictionary()
    tokens, run, i = [], "", 0
    while i < len(text):
        number = HAN_NUMBER.match(text, i)
        if number and han_number(number.group(1)) is not None:
            run = _flush(tokens, run)
            tokens.append(Token("N", str(han_number(number.group(1))), number.group(0), True))
            i = number.end()
            continue
        if not HAN.match(text[i]):
            j = i
            while j < len(text) and not HAN.match(text[j]):
                j += 1
            run = _flush(tokens, run)
            tokens.extend(_latin_tokens(latin_words(text[i:j])))
            i = j
            continue
        for size in range(min(d.longest_zh, len(text) - i), 0, -1):
            phrase = text[i:i + size]
            # A one-character word (所, 厂, 局) is generic only at the end of the name.
            if phrase in d.zh and (size > 1 or i + size == len(text)):
                run = _flush(tokens, run)
                kind, ident = d.zh[phrase]
                tokens.append(Token(kind, ident, phrase, True))
                i += size
                break
        else:
            run += text[i]
            i += 1
    _flush(tokens, run)
    return tokens


def _flush(tokens: list, run: str) -> str:
    if run:
        tokens.append(Token("D", run, run, True))
    return ""


def _latin_tokens(words: list[str]) -> list[Token]:
    d = dictionary()
    tokens, run, i = [], [], 0
    while i < len(words):
        if words[i].isdigit():
            _flush_latin(tokens, run)
            tokens.append(Token("N", str(int(words[i])), words[i]))
            i += 1
            continue
        if words[i] == "no" and i + 1 < len(words) and words[i + 1].isdigit():
            i += 1
            continue
        for size in range(min(d.longest_en + 1, len(words) - i), 0, -1):
            chunk = words[i:i + size]
            key = d.en.get(" ".join(chunk)) or d.joined.get("".join(chunk))
            if key:
                _flush_latin(tokens, run)
                tokens.append(Token(key[0], key[1], " ".join(chunk)))
                i += size
                break
        else:
            if words[i] not in d.stop_en:
                run.append(words[i])
            i += 1
    _flush_latin(tokens, run)
    return tokens


def _flush_latin(tokens: list, run: list) -> None:
    if run:
        tokens.append(Token("D", "".join(run), " ".join(run)))
        run.clear()


@lru_cache(maxsize=200_000)
def company_form(name: str, alias: bool = False) -> Form:
    text = name.strip()
    converted = simplified(text, words=True)
    han = has_han(converted)
    if han:
        inner = [m.group(1) for m in BRACKETS.finditer(converted)]
        body = BRACKETS.sub("", converted).replace(" ", "")
        tokens = _han_tokens(body)
        for part in inner:
            tokens.extend(_han_tokens(part.replace(" ", "")))
    else:
        tokens = _latin_tokens(latin_words(text))
    distinctive = [t for t in tokens if t.kind == "D"]
    keyed = {}
    if distinctive and all(t.han for t in distinctive):
        keyed = readings("".join(t.value for t in distinctive))
    elif distinctive:
        parts = [readings(t.value)["pinyin"][:1] or (t.value,) if t.han else (t.value,) for t in distinctive]
        keyed = {"latin": tuple("".join(c) for c in itertools.product(*parts))}
    return Form(name=name, kind="company", tokens=tuple(tokens), han=han, converted=converted != text,
                transliterated=other_script(text), alias=alias, readings=keyed)


@lru_cache(maxsize=200_000)
def person_form(name: str, alias: bool = False) -> Form:
    text = name.strip()
    converted = simplified(text)
    if has_han(converted):
        parts = [p for p in re.split(r"[·・•.‧]", re.sub(r"\s", "", converted)) if p]
        if len(parts) > 1:
            # 买买提·艾力: a name written in characters for its sounds (Uyghur, Tibetan, foreign);
            # the last part is used as the surname, with no Chinese surname reading.
            surname, given = parts[-1], "".join(parts[:-1])
            keyed = {system: (readings(surname)[system], readings(given)[system])
                     for system in ("pinyin", "wade-giles", "cantonese")}
            return Form(name=name, kind="person", han=True, converted=converted != text, surname=surname,
                        given=given, alias=alias, readings=keyed)
        body = "".join(parts)
        d = dictionary()
        cut = 2 if body[:2] in d.surnames else 1
        surname, given = body[:cut], body[cut:]
        keyed = {system: (readings(surname, surname_first=True)[system], readings(given)[system] if given else ("",))
                 for system in ("pinyin", "wade-giles", "cantonese")}
        return Form(name=name, kind="person", han=True, converted=converted != text, surname=surname,
                    given=given, alias=alias, readings=keyed)
    comma = "," in text
    if comma:
        family, _, rest = text.partition(",")
        words = (("".join(latin_words(family)),) + tuple(latin_words(rest)))
    else:
        # A hyphen joins the syllables of one name (Chia-hao, Ou-yang); it never separates two names.
        words = tuple("".join(latin_words(word)) for word in re.split(r"[\s·・•‧]+", text))
    return Form(name=name, kind="person", words=tuple(w for w in words if w), comma=comma, alias=alias,
                transliterated=other_script(text))


def form(name: str, kind: str, alias: bool = False) -> Form:
    return person_form(name, alias) if kind == "person" else company_form(name, alias)


def label(token: Token) -> str:
    """A generic token in both languages, for the part table: 技术 / technology."""
    if token.kind == "N":
        return f"No. {token.value}"
    zh, en = dictionary().labels.get((token.kind, token.value), (token.value, token.value))
    return f"{zh} / {en}"
