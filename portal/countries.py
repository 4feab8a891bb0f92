"""Country and region names, in one place for every country field, choice list and filter.

django-countries' own Chinese catalogue has wrong and misspelt names (WS as 美属萨摩亚群岛, 尼珀尔,
塔吉克斯斯坦, a truncated 波斯尼亚和黑塞哥维, ...). Every name was checked against the CLDR
short names (zh_Hans); the ones that differed are corrected here and reach django-countries
through settings.COUNTRIES_OVERRIDE, so `countries.name()`, model fields and the admin agree.
Where China's own usage (GB/T 2659, the MFA) differs from CLDR it is followed: Taiwan, Hong Kong
and Macao are regions of China (中国台湾, 中国香港, 中国澳门), Palestine is 巴勒斯坦. China itself is
never a destination of an export.

This module is imported by the settings, so it imports nothing that reads them at import time.
"""

import functools

from django.utils import translation
from django.utils.functional import lazy

# Corrected Simplified Chinese names (CLDR zh_Hans short names unless noted).
ZH_NAMES = {
    "AS": "美属萨摩亚",
    "AW": "阿鲁巴",
    "BA": "波斯尼亚和黑塞哥维那",
    "BL": "圣巴泰勒米",
    "BQ": "荷属加勒比区",
    "BS": "巴哈马",
    "BW": "博茨瓦纳",
    "CC": "科科斯（基林）群岛",
    "CD": "刚果（金）",
    "CG": "刚果（布）",
    "DM": "多米尼克",
    "FK": "马尔维纳斯群岛（福克兰）",  # GB/T 2659
    "FM": "密克罗尼西亚联邦",  # GB/T 2659
    "GF": "法属圭亚那",
    "GG": "根西岛",
    "GP": "瓜德罗普",
    "GS": "南乔治亚和南桑威奇群岛",
    "HK": "中国香港",
    "KG": "吉尔吉斯斯坦",
    "KM": "科摩罗",
    "LR": "利比里亚",
    "MK": "北马其顿",
    "ML": "马里",
    "MO": "中国澳门",
    "MP": "北马里亚纳群岛",
    "NP": "尼泊尔",
    "PM": "圣皮埃尔和密克隆群岛",
    "PN": "皮特凯恩群岛",
    "PS": "巴勒斯坦",  # GB/T 2659
    "RE": "留尼汪",
    "SJ": "斯瓦尔巴和扬马延",
    "SR": "苏里南",
    "TJ": "塔吉克斯坦",
    "TK": "托克劳",
    "TT": "特立尼达和多巴哥",
    "TW": "中国台湾",
    "UM": "美国本土外小岛屿",
    "WF": "瓦利斯和富图纳",
    "WS": "萨摩亚",
}

# English names where the package's differ from the usage of China's official texts.
EN_NAMES = {
    "HK": "Hong Kong, China",
    "MO": "Macao, China",
    "TW": "Taiwan, China",
}

REGIONS = frozenset({"HK", "MO", "TW"})
NOT_DESTINATIONS = frozenset({"CN"})


def _english_default(code: str) -> str:
    from django_countries.data import COUNTRIES

    with translation.override("en"):
        return str(COUNTRIES[code])


def _name(code: str) -> str:
    language = translation.get_language() or ""
    if language.startswith("zh"):
        return ZH_NAMES.get(code) or _english_default(code)
    return EN_NAMES.get(code) or _english_default(code)


def overrides() -> dict:
    """The value of settings.COUNTRIES_OVERRIDE: each corrected name, lazily in the active language."""
    lazy_name = lazy(_name, str)
    return {code: lazy_name(code) for code in sorted(set(ZH_NAMES) | set(EN_NAMES))}


def name(code: str) -> str:
    """The name of a country or region in the active language ('' for an unknown code)."""
    from django_countries import countries

    return str(countries.name(code)) if code else ""


def names(code: str) -> tuple[str, str]:
    """(Chinese, English) names, for bilingual documents."""
    with translation.override("zh-hans"):
        zh = name(code)
    with translation.override("en"):
        en = name(code)
    return zh, en


def sort_key(text: str) -> str:
    """Chinese names sort by pinyin (as people look them up), others alphabetically."""
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(text, style=Style.TONE3)).casefold()


def all_codes() -> list[str]:
    from django_countries import countries

    return [code for code, _name in countries]


@functools.lru_cache(maxsize=8)
def _sorted(language: str, destination: bool) -> tuple:
    with translation.override(language):
        pairs = [(code, name(code)) for code in all_codes() if not (destination and code in NOT_DESTINATIONS)]
    return tuple(sorted(pairs, key=lambda pair: sort_key(pair[1])))


def choices(*, destination: bool = False, blank: str | None = "—") -> list:
    """(code, name) pairs sorted for the active language; destinations leave out China itself."""
    pairs = list(_sorted(translation.get_language() or "zh-hans", destination))
    return ([("", blank)] if blank is not None else []) + pairs


def destination_choices() -> list:
    return choices(destination=True)


def is_known(code) -> bool:
    from django_countries import countries

    return isinstance(code, str) and bool(code) and code.strip().upper() in countries


def is_destination(code) -> bool:
    return is_known(code) and code.strip().upper() not in NOT_DESTINATIONS


def _normalise(text: str) -> str:
    return "".join(text.split()).casefold().replace("（", "(").replace("）", ")")


@functools.lru_cache(maxsize=1)
def _index() -> dict:
    """Every way a person may write a country or region, normalised, to its code."""
    from django_countries.data import COUNTRIES

    index = {}
    for code in all_codes():
        zh, en = names(code)
        with translation.override("zh-hans"):
            package_zh = str(COUNTRIES.get(code, ""))
        candidates = {zh, en, package_zh, _english_default(code)}
        if code in REGIONS:
            candidates |= {zh.removeprefix("中国"), en.removesuffix(", China")}
        for candidate in candidates:
            if candidate:
                index.setdefault(_normalise(candidate), code)
    return index


def lookup(text: str) -> str | None:
    """The code for what a person typed: a code, or a name in either language (also the package's
    old Chinese name, or the name without its 'China' prefix for the regions). None if unknown."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    if len(text) == 2 and is_known(text):
        return text.upper()
    return _index().get(_normalise(text))
