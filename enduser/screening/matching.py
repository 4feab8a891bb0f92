"""How alike two names are, and why: a score in [0, 1], the bridges that joined them and a part
table saying which part of each name matched which and how.

Companies: the distinctive parts must agree (letter by letter in Han when both are Han, else on a
reading: pinyin, Wade-Giles or Cantonese), then the generic words (技术 = Technologies) add to the
score; numbers must agree (第十四研究所 is not 第十研究所); places and company forms alone never make
a hit. A name with no distinctive part (北京航空航天大学) is compared on all its generic words, and
there the places must agree. Persons: surname and given name, in either order, each on a reading;
Han against Han is judged in Han (张家浩 is not 张家豪, though both read zhang jia hao)."""

from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from enduser.screening.names import Form, label

ALGORITHM_VERSION = "names-2026-12-07.5"
FUZZY = 0.9  # one character (Han, in a part of three or more) or one letter (a key of six or more)
READING_LABELS = {"pinyin": "pinyin without tones", "wade-giles": "Wade-Giles", "cantonese": "Cantonese (Hong Kong)",
                  "latin": "same letters"}


# The bridges in both languages, for people; `Hit.bridges` keeps the English keys for programs.
BRIDGES_ZH = {
    "traditional→simplified": "繁体转简体",
    "pinyin without tones": "汉语拼音（不计声调）",
    "Wade-Giles": "威妥玛拼音",
    "Cantonese (Hong Kong)": "粤语拼音（香港）",
    "dictionary words": "词典对译",
    "company forms": "企业组织形式",
    "alias": "别名",
    "fuzzy": "近似",
    "identifier": "登记号码",
    "branch of a listed party (counts as 100% owned)": "名单所列主体的分支机构（视为100%持有）",
    "same name": "名称相同",
    "identifier conflict": "登记号码不一致",
    "other script read in Latin letters": "其他文字转写为拉丁字母",
    "middle name missing or an initial": "缺少中间名或仅有首字母",
}


def bilingual(bridges: list[str]) -> str:
    return ", ".join(f"{b} / {BRIDGES_ZH[b]}" if b in BRIDGES_ZH else b for b in bridges)


@dataclass
class Match:
    score: float = 0.0
    bridges: list = field(default_factory=list)
    parts: list = field(default_factory=list)  # dicts: query, entry, how
    fuzzy: bool = False

    def bridge(self, *names) -> None:
        for name in names:
            if name and name not in self.bridges:
                self.bridges.append(name)


def _near(a: str, b: str, minimum: int) -> bool:
    return len(a) >= minimum and len(b) >= minimum and Levenshtein.distance(a, b, score_cutoff=1) <= 1


# ---------------------------------------------------------------- companies


def _distinctive(q: Form, e: Form, m: Match) -> float:
    qd, ed = q.distinctive, e.distinctive
    q_text, e_text = "".join(t.text for t in qd), "".join(t.text for t in ed)
    if all(t.han for t in qd) and all(t.han for t in ed):
        a, b = "".join(t.value for t in qd), "".join(t.value for t in ed)
        if a == b:
            m.parts.append({"query": q_text, "entry": e_text, "how": "same characters"})
            return 1.0
        if _near(a, b, 3):
            m.fuzzy = True
            m.parts.append({"query": q_text, "entry": e_text, "how": "one character differs"})
            return FUZZY
        return 0.0
    best, how = 0.0, ""
    for q_system, q_keys in q.readings.items():
        for e_system, e_keys in e.readings.items():
            if "latin" not in (q_system, e_system) and q_system != e_system:
                continue
            system = e_system if q_system == "latin" else q_system
            for a in q_keys:
                for b in e_keys:
                    if a == b:
                        return _found(m, q_text, e_text, system, 1.0)
                    if best < FUZZY and _near(a, b, 6):
                        best, how = FUZZY, system
    if best:
        m.fuzzy = True
        return _found(m, q_text, e_text, how, best)
    return 0.0


def _found(m: Match, q_text: str, e_text: str, system: str, score: float) -> float:
    how = READING_LABELS.get(system, system)
    if system != "latin":
        m.bridge(how)
    m.parts.append({"query": q_text, "entry": e_text, "how": how + (", one letter differs" if score < 1 else "")})
    return score


def _generic_parts(q: Form, e: Form, m: Match, kinds=("G", "U", "F", "R", "N")) -> None:
    e_by_key = {(t.kind, t.value): t for t in e.tokens if t.kind in kinds}
    for t in q.tokens:
        if t.kind in kinds and (t.kind, t.value) in e_by_key:
            other = e_by_key[(t.kind, t.value)]
            across = t.han != other.han
            how = {"F": "company form", "R": "place", "N": "number"}.get(t.kind, "dictionary word")
            m.parts.append({"query": t.text, "entry": other.text, "how": f"{how}: {label(t)}"})
            if across or t.text != other.text:
                m.bridge("company forms" if t.kind == "F" else "dictionary words")


def _forms_differ(q: Form, e: Form, m: Match) -> None:
    q_forms, e_forms = q.of("F"), e.of("F")
    if q_forms and e_forms and {t.value for t in q_forms} != {t.value for t in e_forms}:
        m.bridge("company forms")
        m.parts.append({"query": " ".join(t.text for t in q_forms), "entry": " ".join(t.text for t in e_forms),
                        "how": "company form, not compared"})


def _set(form: Form, *kinds) -> set:
    return {(t.kind, t.value) for t in form.tokens if t.kind in kinds}


def compare_companies(q: Form, e: Form) -> Match:
    m = Match()
    if q.converted or e.converted:
        m.bridge("traditional→simplified")
    if q.transliterated != e.transliterated:
        m.bridge("other script read in Latin letters")
    q_numbers, e_numbers = _set(q, "N"), _set(e, "N")
    if q_numbers and e_numbers and q_numbers != e_numbers:
        return m  # 第十四研究所 is not 第十研究所
    q_places, e_places = _set(q, "R"), _set(e, "R")
    if q.distinctive and e.distinctive:
        d = _distinctive(q, e, m)
        if not d:
            return Match()
        q_gen, e_gen = _set(q, "G", "U"), _set(e, "G", "U")
        agree = len(q_gen & e_gen) / len(q_gen | e_gen) if q_gen | e_gen else 1.0
        score = d * (0.8 + 0.2 * agree)
        if bool(q_numbers) != bool(e_numbers):
            score *= 0.9
        if q_places and e_places and not q_places & e_places:
            score *= 0.9
        _generic_parts(q, e, m)
        _forms_differ(q, e, m)
        m.score = round(score, 4)
        return m
    if q.distinctive or e.distinctive:
        return m
    # No distinctive part on either side: every generic word counts, and the places must agree.
    if q_places and e_places and not q_places & e_places:
        return m
    q_sig, e_sig = _set(q, "G", "U", "R", "N"), _set(e, "G", "U", "R", "N")
    if not q_sig or not e_sig:
        return m
    score = len(q_sig & e_sig) / len(q_sig | e_sig)
    _generic_parts(q, e, m)
    if score and not q.han == e.han:
        m.bridge("dictionary words")
    m.score = round(score, 4)
    return m


# ---------------------------------------------------------------- persons


def person_keys(form: Form):
    """(surname keys, given keys, system) for a Han person, one row per reading system."""
    for system, (surnames, givens) in form.readings.items():
        yield surnames, givens, system


def latin_splits(form: Form):
    """(surname, given name) readings of a Latin name: the first or the last word is the surname,
    or, in three words or more, the first two (Ou Yang Ming = Ouyang Ming)."""
    return [(surname, "".join(given)) for surname, given in latin_word_splits(form)]


def latin_word_splits(form: Form):
    words = list(form.words)
    if len(words) < 2:
        return [(words[0] if words else "", [])]
    if form.comma:
        return [(words[0], words[1:])]
    splits = [(words[0], words[1:]), (words[-1], words[:-1])]
    if len(words) >= 3:
        splits.append((words[0] + words[1], words[2:]))
    return splits


MIDDLE_NAME = 0.85  # John Smith against John Robert Smith, or John R. Smith: a hit to look at, never a sure one


def _given_names_agree(short: list, long: list) -> bool:
    """Every given name of the shorter list is in the longer one, in order, as written or as an
    initial (R = Robert), and the first given names agree."""
    if not short or not long or short[0] != long[0]:
        return False
    rest = iter(long[1:])
    return all(any(word == other or (len(word) == 1 and other.startswith(word)) for other in rest)
               for word in short[1:])


def _latin_middle_names(q: Form, e: Form) -> bool:
    for q_surname, q_given in latin_word_splits(q):
        for e_surname, e_given in latin_word_splits(e):
            if q_surname != e_surname or len(q_given) == len(e_given) == 1:
                continue
            short, long = sorted((q_given, e_given), key=len)
            if _given_names_agree(short, long):
                return True
    return False


def compare_persons(q: Form, e: Form) -> Match:
    m = Match()
    if q.converted or e.converted:
        m.bridge("traditional→simplified")
    if q.transliterated != e.transliterated:
        m.bridge("other script read in Latin letters")
    if q.han and e.han:
        # 买买提艾力 is 买买提·艾力 written without its dot: the same characters, cut elsewhere.
        if (q.surname, q.given) == (e.surname, e.given) or q.surname + q.given in (e.surname + e.given,
                                                                                  e.given + e.surname):
            m.score = 1.0
            m.parts += [{"query": q.surname, "entry": e.surname, "how": "surname, same characters"},
                        {"query": q.given, "entry": e.given, "how": "given name, same characters"}]
        elif q.surname == e.surname and _near(q.given, e.given, 3):
            m.score, m.fuzzy = FUZZY, True
            m.parts.append({"query": q.given, "entry": e.given, "how": "given name, one character differs"})
        return m
    if q.han or e.han:
        han, latin = (q, e) if q.han else (e, q)
        best = None
        for surname, given in latin_splits(latin):
            for surnames, givens, system in person_keys(han):
                if surname not in surnames:
                    continue
                if given in givens:
                    best = (1.0, system, surname, given)
                    break
                if best is None and any(_near(given, g, 6) for g in givens):
                    best = (FUZZY, system, surname, given)
            if best and best[0] == 1.0:
                break
        if best:
            score, system, surname, given = best
            how = READING_LABELS[system]
            m.bridge(how)
            m.fuzzy = score < 1
            q_side = lambda han_part, latin_part: (han_part, latin_part) if q.han else (latin_part, han_part)  # noqa: E731
            for han_part, latin_part, what in ((han.surname, surname, "surname"), (han.given, given, "given name")):
                query, entry = q_side(han_part, latin_part)
                m.parts.append({"query": query, "entry": entry, "how": f"{what}, {how}"})
            m.score = score
        return m
    q_keys = {"".join(s) for s in latin_splits(q)} | {"".join(reversed(s)) for s in latin_splits(q)}
    e_keys = {"".join(s) for s in latin_splits(e)} | {"".join(reversed(s)) for s in latin_splits(e)}
    if q_keys & e_keys:
        m.score = 1.0
        m.parts.append({"query": q.name, "entry": e.name, "how": "same letters"})
    elif any(_near(a, b, 6) for a in q_keys for b in e_keys):
        m.score, m.fuzzy = FUZZY, True
        m.parts.append({"query": q.name, "entry": e.name, "how": "one letter differs"})
    elif _latin_middle_names(q, e):
        m.score = MIDDLE_NAME
        m.bridge("middle name missing or an initial")
        m.parts.append({"query": q.name, "entry": e.name, "how": "a middle name missing or as an initial"})
    return m


def compare(q: Form, e: Form) -> Match:
    if q.kind == "person" and e.kind == "person":
        return compare_persons(q, e)
    if q.kind == "company" and e.kind == "company":
        return compare_companies(q, e)
    return Match()
