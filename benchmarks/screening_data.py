"""Synthetic screening lists and queries for benchmarks/screening.py, deterministic for a seed.

    entries, queries = generate(entries=100_000, queries=2_000, seed=1)

The list mixes (by default) 45% Chinese companies written in Han (深圳市 + a 2-3 character
distinctive core + 技术/科技/电子/精密仪器/新材料… + 有限公司/股份有限公司…; one in five also
listed with its English name), 35% persons (common surnames, 1-2 character given names) listed in
pinyin, Wade-Giles or Hong Kong Cantonese romanisation, with or without their Han name (HK and
Taiwan persons in traditional characters), and 20% foreign companies in Latin script (pronounceable
invented words + Trading/Industries/… + GmbH/Ltd/Inc…).

Queries: a share (`hit_share`, 30%) rewrite a listed name (traditional characters; the English form
of a Chinese company, "Shenzhen Huaxin Technologies Co., Ltd."; a person in another romanisation
or another word order; one letter or one Han character changed; another company form) and
should hit that entry; the rest are fresh names of the same shapes, whose distinctive part (the
core of a company, the Han name of a person) is not on the list, and should not hit -- though a
romanised fresh person may legitimately share a reading with a listed one (Zhang Wei), which the
benchmark counts apart by shape.

Typos are made only where the engine's one-letter rule can apply (a key of seven letters or more,
a Han core of three characters), so a missed typo is a miss of the engine, not of the generator.
The names avoid the screening dictionary's generic words inside distinctive parts (so 高 + 科技 is
never a core) -- the generator reads `enduser.screening.names.dictionary()` for that, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import opencc
from cantoroman import Cantonese
from pypinyin import Style, lazy_pinyin

from enduser.screening.index import ListEntry, Party
from enduser.screening.names import dictionary

GENERATOR_VERSION = "screening-data-1"

# ---------------------------------------------------------------- parts

REGIONS = [("深圳市", "Shenzhen"), ("北京", "Beijing"), ("上海", "Shanghai"), ("上海市", "Shanghai"),
           ("广州市", "Guangzhou"), ("杭州", "Hangzhou"), ("成都", "Chengdu"), ("西安", "Xi'an"),
           ("南京", "Nanjing"), ("天津", "Tianjin"), ("武汉", "Wuhan"), ("苏州", "Suzhou"),
           ("厦门", "Xiamen"), ("青岛", "Qingdao"), ("合肥", "Hefei"), ("长沙", "Changsha"),
           ("大连", "Dalian"), ("北京市", "Beijing"), ("深圳", "Shenzhen"), ("重庆", "Chongqing")]
INDUSTRIES = [("技术", "Technologies"), ("科技", "Technology"), ("电子", "Electronics"),
              ("精密仪器", "Precision Instruments"), ("新材料", "New Materials"),
              ("电子科技", "Electronic Technology"), ("光电", "Optoelectronics"),
              ("半导体", "Semiconductor"), ("化工", "Chemicals"), ("机械", "Machinery"),
              ("通信技术", "Communication Technologies"), ("航空", "Aviation"),
              ("新材料科技", "New Materials Technology"), ("进出口", "Import & Export"),
              ("仪器仪表", "Instruments"), ("信息技术", "Information Technology")]
FORMS = [("有限公司", "Co., Ltd."), ("有限公司", "Co., Ltd."), ("有限公司", "Co., Ltd."),
         ("股份有限公司", "Joint Stock Co., Ltd."), ("有限责任公司", "Co., Ltd."),
         ("集团有限公司", "Group Co., Ltd.")]
# Characters of trade names (字号), common and less common.
CORE_CHARS = "".join(dict.fromkeys(
    "华信达泰恒兴盛瑞祥宏鑫源创博远佳德丰顺通海天金银明光宇星辰汇联利康隆嘉睿智诚和正东方中大鹏"
    "飞云龙凯腾晟昊豪润泽弘长江山峰永益捷迅航安平乐富福吉美优良精艺晶元芯微纳磁力动能粒波频声热"
    "冷水木石玉铁钢铜铝锌镁钛锂硅碳蓝绿青紫红白春夏秋朝阳晨曦岚霖雨雪霞虹彩锦绣文武仁义礼忠廉勤"
    "立振伟强胜威雄杰英俊秀丽雅静宁扬展图志卓越超群奥特迪普朗拓维斯格林森柏松竹梅兰菊莲荷桂樱桃"
    "李杏橙禾谷粮米麦茂繁荣昌旺鼎世纪亨贞乾坤坎艮兑九万千百合众汉唐宋明清京沪津渝粤闽浙苏皖湘鄂"
    "赣蜀滇黔桂琼辽吉黑晋冀豫鲁陕甘宁青新藏蒙港澳"))
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
            "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺"
            "顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛")
SURNAME_PINYIN = {"曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "查": "zha", "朴": "piao"}
GIVEN_CHARS = "".join(dict.fromkeys(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙"
    "林欣婷雪琳晨阳佳瑶怡文博志建国家庆东海波云飞鑫淑秀惠梅莉慧颖倩晓小春永成德福忠良雅嘉子轩梓涵"
    "一诺宏亮晶婧若思雨立新振宝荣贵发学延森毅达泉峰光耀天翔安乾坤锦锋铭昊然钧"))
CONSONANTS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "h", "c",
              "br", "tr", "st", "gr", "dr", "kr"]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "a", "i", "ia", "ou"]
CODAS = ["", "", "", "", "n", "r", "s", "l", "x", "m", "ck"]
LATIN_CONCEPTS = ["Trading", "Industries", "Technologies", "Electronics", "Chemicals", "Machinery",
                  "International", ""]
LATIN_FORMS = ["GmbH", "Ltd", "Ltd.", "Inc", "Inc.", "LLC", "Co., Ltd.", "Corp.", "AG", "Limited"]
LATIN_FORM_OF = {"GmbH": "Ltd", "Ltd": "GmbH", "Ltd.": "Limited", "Inc": "Corp.", "Inc.": "Inc",
                 "LLC": "Ltd", "Co., Ltd.": "Ltd", "Corp.": "Inc.", "AG": "GmbH", "Limited": "Ltd."}
FOREIGN_COUNTRIES = ["DE", "AE", "TR", "RU", "SG", "MY", "IN", "IR", "KR", "GB", "NL", "KZ", "PK"]
SHARES = {"company": 0.45, "person": 0.35, "latin": 0.20}
PERSON_SYSTEMS = [("pinyin", 0.55), ("cantonese", 0.25), ("wade-giles", 0.20)]
SYSTEM_COUNTRY = {"pinyin": "CN", "cantonese": "HK", "wade-giles": "TW"}


# ---------------------------------------------------------------- scripts and readings


@lru_cache(maxsize=1)
def _s2t():
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=1)
def _cantonese():
    return Cantonese()


def traditional(text: str) -> str:
    return _s2t().convert(text)


@cache
def syllables(han: str, system: str) -> tuple[str, ...]:
    """One reading per character: pinyin (Style.NORMAL), Wade-Giles (Style.WADEGILES, apostrophes
    kept as written: Ch'en) or Hong Kong Cantonese (cantoroman, first reading, from traditional).
    ü is written ü (Lü, Hsü Chün), as on passports and lists, not pypinyin's default v."""
    if system == "pinyin":
        return tuple(lazy_pinyin(han, style=Style.NORMAL, v_to_u=True))
    if system == "wade-giles":
        return tuple(lazy_pinyin(han, style=Style.WADEGILES, v_to_u=True))
    romans = _cantonese().getRoman(traditional(han))
    out = []
    for char, options in zip(han, romans, strict=False):
        out.append(options[0] if options else lazy_pinyin(char)[0])
    return tuple(out)


def surname_reading(surname: str, system: str) -> str:
    if system == "pinyin" and surname in SURNAME_PINYIN:
        return SURNAME_PINYIN[surname]
    return "".join(syllables(surname, system))


@lru_cache(maxsize=1)
def _vocabulary():
    """The dictionary's generic words: Han phrases of two or more characters, Latin words."""
    d = dictionary()
    zh = frozenset(p for p in d.zh if len(p) >= 2)
    latin = frozenset(d.en) | frozenset(d.joined) | d.stop_en
    return zh, max(map(len, zh)), latin


def _clean_core(prefix: str, core: str, suffix: str) -> bool:
    """No generic word of the dictionary overlaps the core (高 + 科技 would read 高科技), and its
    pinyin is not a generic word either (its English form must keep it distinctive)."""
    zh, longest, latin = _vocabulary()
    text = prefix + core + suffix
    start, end = len(prefix), len(prefix) + len(core)
    for i in range(max(0, start - longest + 1), end):
        for j in range(max(i + 2, start + 1), min(len(text), i + longest) + 1):
            if text[i:j] in zh:
                return False
    return "".join(syllables(core, "pinyin")) not in latin


# ---------------------------------------------------------------- what a listed party is made of


@dataclass(frozen=True)
class HanCompany:
    region: tuple  # (zh, en) or ()
    core: str
    industry: tuple  # (zh, en)
    form: tuple  # (zh, en)

    @property
    def identity(self) -> tuple:
        return ("company", self.core)

    def han(self, *, region: bool = True, form: tuple | None = None) -> str:
        return ((self.region[0] if self.region and region else "") + self.core + self.industry[0]
                + (form or self.form)[0])

    def english(self, *, split: bool = False, core: str | None = None) -> str:
        if core is None:
            words = [s.capitalize() for s in syllables(self.core, "pinyin")]
            core = " ".join(words) if split else "".join(words).capitalize()
        parts = ([self.region[1]] if self.region else []) + [core, self.industry[1], self.form[1]]
        return " ".join(parts)


@dataclass(frozen=True)
class Person:
    surname: str
    given: str
    system: str  # the romanisation it is listed in
    listed_han: bool  # the Han name is on the list
    listed_roman: bool  # the romanised name is on the list

    @property
    def identity(self) -> tuple:
        return ("person", self.surname + self.given)

    @property
    def written_han(self) -> str:
        """HK and Taiwan persons are listed in traditional characters."""
        han = self.surname + self.given
        return han if self.system == "pinyin" else traditional(han)

    def roman(self, system: str | None = None, *, order: str = "surname", given: str | None = None) -> str:
        """`order`: surname (Zhang Xiaoming), upper (ZHANG Xiaoming), comma (ZHANG, Xiaoming) or
        given (Xiaoming Zhang). Pinyin joins the given syllables, Wade-Giles and Cantonese hyphenate
        them (Chang Hsiao-ming, Cheung Siu-ming)."""
        system = system or self.system
        family = surname_reading(self.surname, system).capitalize()
        if given is None:
            parts = syllables(self.given, system)
            given = "".join(parts) if system == "pinyin" else "-".join(parts)
            given = given.capitalize()
        if order == "upper":
            return f"{family.upper()} {given}"
        if order == "comma":
            return f"{family.upper()}, {given}"
        if order == "given":
            return f"{given} {family}"
        return f"{family} {given}"


@dataclass(frozen=True)
class LatinCompany:
    words: tuple  # the distinctive words, capitalised
    concept: str
    form: str

    @property
    def identity(self) -> tuple:
        return ("latin", "".join(self.words).lower())

    def name(self, *, words: tuple | None = None, form: str | None = None) -> str:
        parts = list(words or self.words) + ([self.concept] if self.concept else []) + [form or self.form]
        return " ".join(parts)


@dataclass(frozen=True)
class Query:
    party: Party
    should_hit: bool
    shape: str
    target: str = ""  # the entry id a rewritten name should hit


@dataclass
class Dataset:
    entries: list
    specs: list  # HanCompany | Person | LatinCompany, one per entry
    queries: list = field(default_factory=list)

    def digest(self) -> str:
        """A fingerprint of the list (to know whether a stored index was made from it)."""
        h = hashlib.sha256(GENERATOR_VERSION.encode())
        for e in self.entries:
            h.update(json.dumps([e.id, e.kind, e.names, e.country], ensure_ascii=False).encode())
        return h.hexdigest()[:16]


# ---------------------------------------------------------------- random parts


def _weighted(rng: random.Random, pairs):
    roll, total = rng.random(), 0.0
    for value, weight in pairs:
        total += weight
        if roll < total:
            return value
    return pairs[-1][0]


@lru_cache(maxsize=1)
def _surname_weights() -> list[float]:
    """The commonest surnames come first: a Zipf-like share, as in life (王 and 李 ~ 5% each)."""
    weights = [1 / (rank + 2) for rank in range(len(SURNAMES))]
    total, cumulative = 0.0, []
    for w in weights:
        total += w
        cumulative.append(total)
    return cumulative


def _surname(rng: random.Random) -> str:
    if rng.random() < 0.02:
        return rng.choice(COMPOUND_SURNAMES)
    return rng.choices(SURNAMES, cum_weights=_surname_weights())[0]


def new_han_company(rng: random.Random, taken: set) -> HanCompany:
    while True:
        region = rng.choice(REGIONS) if rng.random() < 0.8 else ()
        industry, form = rng.choice(INDUSTRIES), rng.choice(FORMS)
        size = 2 if rng.random() < 0.55 else 3
        core = "".join(rng.choice(CORE_CHARS) for _ in range(size))
        if len(set(core)) < size or ("company", core) in taken:
            continue
        if _clean_core(region[0] if region else "", core, industry[0]):
            return HanCompany(region, core, industry, form)


def new_person(rng: random.Random, taken: set) -> Person:
    while True:
        surname = _surname(rng)
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(1 if rng.random() < 0.3 else 2))
        if ("person", surname + given) in taken:
            continue
        system = _weighted(rng, PERSON_SYSTEMS)
        roll = rng.random()
        listed_han, listed_roman = (True, True) if roll < 0.5 else (False, True) if roll < 0.8 else (True, False)
        return Person(surname, given, system, listed_han, listed_roman)


def _latin_word(rng: random.Random) -> str:
    _zh, _longest, latin = _vocabulary()
    while True:
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.choice((2, 2, 3))))
        word += rng.choice(CODAS)
        if len(word) >= 4 and word not in latin:
            return word.capitalize()


def new_latin_company(rng: random.Random, taken: set) -> LatinCompany:
    while True:
        words = tuple(_latin_word(rng) for _ in range(1 if rng.random() < 0.7 else 2))
        spec = LatinCompany(words, rng.choice(LATIN_CONCEPTS), rng.choice(LATIN_FORMS))
        if spec.identity not in taken:
            return spec


def _entry(number: int, spec) -> ListEntry:
    ident = f"E{number:06d}"
    if isinstance(spec, HanCompany):
        names = (spec.han(),) + ((spec.english(),) if _english_listed(number) else ())
        return ListEntry(ident, "company", names, "CN")
    if isinstance(spec, Person):
        names = ((spec.roman(order="upper"),) if spec.listed_roman else ()) + \
                ((spec.written_han,) if spec.listed_han else ())
        return ListEntry(ident, "person", names, SYSTEM_COUNTRY[spec.system])
    country = FOREIGN_COUNTRIES[number % len(FOREIGN_COUNTRIES)]
    return ListEntry(ident, "company", (spec.name(),), country)


def _english_listed(number: int) -> bool:
    return number % 5 == 0  # one Chinese company in five is also listed under its English name


def generate_entries(count: int, seed: int = 1) -> Dataset:
    rng = random.Random(f"entries-{seed}")
    taken: set = set()
    entries, specs = [], []
    for number in range(1, count + 1):
        kind = _weighted(rng, list(SHARES.items()))
        maker = {"company": new_han_company, "person": new_person, "latin": new_latin_company}[kind]
        spec = maker(rng, taken)
        taken.add(spec.identity)
        specs.append(spec)
        entries.append(_entry(number, spec))
    return Dataset(entries, specs)


# ---------------------------------------------------------------- rewriting names (the queries)


def _typo(rng: random.Random, word: str) -> str:
    """One letter substituted, inserted or dropped (never the first)."""
    letters = "abcdefghiklmnoprstuwyz"
    while True:
        i = rng.randrange(1, len(word))
        op = rng.choice(("sub", "ins", "del"))
        if op == "sub":
            out = word[:i] + rng.choice(letters) + word[i + 1:]
        elif op == "ins":
            out = word[:i] + rng.choice(letters) + word[i:]
        else:
            out = word[:i] + word[i + 1:]
        if out.lower() != word.lower():
            return out


def rewrite(rng: random.Random, spec) -> tuple[str, str, str]:
    """(kind, shape, name): a name of the party written another way."""
    if isinstance(spec, HanCompany):
        shapes = ["traditional", "english", "other form"] + (["one character"] if len(spec.core) >= 3 else [])
        shape = rng.choice(shapes)
        if shape == "traditional":
            return "company", "company: traditional", traditional(spec.han())
        if shape == "english":
            core = "".join(syllables(spec.core, "pinyin")).capitalize()
            if len(core) >= 7 and rng.random() < 0.25:
                return "company", "company: English, one letter", spec.english(core=_typo(rng, core))
            return "company", "company: English", spec.english(split=rng.random() < 0.2)
        if shape == "other form":
            form = rng.choice([f for f in FORMS if f[0] != spec.form[0]])
            return "company", "company: other form, no place", spec.han(region=False, form=form)
        for _ in range(20):
            i = rng.randrange(len(spec.core))
            core = spec.core[:i] + rng.choice(CORE_CHARS) + spec.core[i + 1:]
            if core != spec.core and _clean_core(spec.region[0] if spec.region else "", core, spec.industry[0]):
                break
        return "company", "company: one character", HanCompany(spec.region, core, spec.industry, spec.form).han()
    if isinstance(spec, Person):
        order = rng.choice(("surname", "upper", "comma", "given"))
        if spec.listed_han:
            shape = rng.choice(("traditional", "pinyin", "wade-giles", "cantonese", "typo"))
        else:
            shape = rng.choice(("reordered", "typo"))
        if shape == "traditional":
            return "person", "person: traditional Han", traditional(spec.surname + spec.given)
        if shape in ("pinyin", "wade-giles", "cantonese"):
            return "person", f"person: {shape}", spec.roman(shape, order=order)
        system = spec.system if not spec.listed_han else "pinyin"
        if shape == "typo":
            given = "".join(syllables(spec.given, system))
            if len(given) >= 7:
                return "person", "person: one letter", spec.roman(system, order=order,
                                                                   given=_typo(rng, given).capitalize())
        return "person", "person: other order", spec.roman(system, order=order)
    shape = rng.choice(("variant", "typo"))
    longest = max(spec.words, key=len)
    if shape == "typo" and len("".join(spec.words)) >= 7 and len(longest) >= 4:
        words = tuple(_typo(rng, w) if w is longest else w for w in spec.words)
        return "company", "foreign: one letter", spec.name(words=words)
    name = spec.name(form=LATIN_FORM_OF[spec.form])
    name = rng.choice((name.upper(), name.replace(",", "").replace(".", ""), name))
    return "company", "foreign: other form", name


def generate_queries(data: Dataset, count: int, seed: int = 1, *, hit_share: float = 0.3,
                     prefix: str = "Q") -> list[Query]:
    """`count` queries: `hit_share` of them rewrite a random listed entry, the others rewrite a fresh
    party made like a random listed one (same kind, same romanisation), not on the list."""
    rng = random.Random(f"queries-{seed}-{prefix}")
    taken = {spec.identity for spec in data.specs}
    queries = []
    for number in range(1, count + 1):
        position = rng.randrange(len(data.entries))
        template, entry = data.specs[position], data.entries[position]
        should_hit = rng.random() < hit_share
        if should_hit:
            spec = template
        elif isinstance(template, HanCompany):
            spec = new_han_company(rng, taken)
        elif isinstance(template, Person):
            fresh = new_person(rng, taken)
            spec = Person(fresh.surname, fresh.given, template.system, template.listed_han, template.listed_roman)
        else:
            spec = new_latin_company(rng, taken)
        kind, shape, name = rewrite(rng, spec)
        party = Party(f"{prefix}{number:05d}", kind, name)
        queries.append(Query(party, should_hit, shape, entry.id if should_hit else ""))
    return queries


def generate(entries: int, queries: int, seed: int = 1) -> Dataset:
    data = generate_entries(entries, seed)
    data.queries = generate_queries(data, queries, seed)
    return data


if __name__ == "__main__":  # a look at the data: screening_data.py [ENTRIES] [QUERIES] [SEED]
    n, q, s = (int(a) for a in (sys.argv[1:] + ["20", "20", "1"][len(sys.argv) - 1:])[:3])
    sample = generate(n, q, s)
    for e in sample.entries:
        print(e.id, e.kind, e.country, " | ".join(e.names))
    for query in sample.queries:
        print(query.party.id, "HIT " if query.should_hit else "miss", query.target or "-", query.shape, "|",
              query.party.name)
