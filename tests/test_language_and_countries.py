"""Countries, regions and language (issue 12, section 4): the destination list is correct and in
the portal's language, queues and filters speak names, each interface is wholly in its language,
and amounts and dates are written as each language writes them."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from licensing.models import Application
from portal import countries
from tests.factories import PASSWORD, make_uscc, pdf_upload
from tests.test_error_pages import translations_json  # noqa: F401 (autouse: the branch's Chinese texts)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- country and region names


def zh(code):
    with translation.override("zh-hans"):
        return countries.name(code)


def en(code):
    with translation.override("en"):
        return countries.name(code)


@pytest.mark.parametrize("code,wrong,right", [
    ("WS", "美属萨摩亚群岛", "萨摩亚"),
    ("AS", "美属萨摩亚群岛", "美属萨摩亚"),
    ("NP", "尼珀尔", "尼泊尔"),
    ("TJ", "塔吉克斯斯坦", "塔吉克斯坦"),
    ("BA", "波斯尼亚和黑塞哥维", "波斯尼亚和黑塞哥维那"),
    ("BW", "博兹瓦纳", "博茨瓦纳"),
    ("GF", "法属奎亚那", "法属圭亚那"),
    ("DM", "多米尼加", "多米尼克"),  # 多米尼加 is the Dominican Republic (DO)
    ("KG", "吉尔吉斯", "吉尔吉斯斯坦"),
    ("MK", "马其顿", "北马其顿"),
    ("PN", "皮特开恩群岛", "皮特凯恩群岛"),
])
def test_wrong_chinese_names_are_corrected(code, wrong, right):
    assert zh(code) == right != wrong


def test_taiwan_hong_kong_macao_are_regions_of_china():
    assert (zh("TW"), zh("HK"), zh("MO")) == ("中国台湾", "中国香港", "中国澳门")
    assert (en("TW"), en("HK"), en("MO")) == ("Taiwan, China", "Hong Kong, China", "Macao, China")
    assert countries.REGIONS == {"TW", "HK", "MO"}


def test_every_name_is_whole_in_its_language():
    """Each of the 249 names: Chinese names in Chinese characters only, unique, none with a doubled
    syllable like 斯斯 or a name cut short; English names without Chinese."""
    codes = countries.all_codes()
    assert len(codes) >= 249
    zh_names = [zh(code) for code in codes]
    assert len(set(zh_names)) == len(zh_names)
    for code, name in zip(codes, zh_names, strict=True):
        assert re.fullmatch(r"[\u4e00-\u9fff·（）]+", name), (code, name)
        assert not name.endswith(("克斯斯坦", "黑塞哥维")) and "尼珀" not in name, (code, name)
        assert not re.search(r"[\u4e00-\u9fff]", en(code)), code


def test_destination_list_leaves_out_china_and_sorts_by_pinyin():
    with translation.override("zh-hans"):
        choices = countries.destination_choices()
    codes = [code for code, _label in choices]
    assert codes[0] == "" and "CN" not in codes and {"TW", "HK", "MO", "WS"} <= set(codes)
    labels = [label for code, label in choices[1:]]
    assert labels[:3] == ["阿尔巴尼亚", "阿尔及利亚", "阿富汗"]  # a'erbaniya < a'erjiliya < afuhan
    assert labels.index("德国") < labels.index("法国") < labels.index("日本") < labels.index("新加坡")
    assert all("(" not in label for label in labels)  # names, not ISO codes
    with translation.override("en"):
        english = [label for code, label in countries.destination_choices()[1:]]
    assert english == sorted(english, key=str.casefold) and english[0] == "Afghanistan"
    assert "CN" in countries.all_codes()  # a party may still be in China


@pytest.mark.parametrize("typed,code", [
    ("新加坡", "SG"), ("Singapore", "SG"), ("sg", "SG"), ("台湾", "TW"), ("中国台湾", "TW"),
    ("Taiwan", "TW"), ("萨摩亚", "WS"), ("尼珀尔", "NP"), ("  德国 ", "DE"), ("Narnia", None), ("", None),
])
def test_lookup_by_name_in_either_language(typed, code):
    assert countries.lookup(typed) == code


# ---------------------------------------------------------------- pages use the names


def signed_in(user, language=None):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    if language:
        client.cookies["django_language"] = language
    return client


def test_application_form_offers_names_without_china(actors):
    html = signed_in(actors.owner).get("/cases/new/").content.decode()
    assert "目的国（地区）" in html
    assert '<option value="WS">萨摩亚</option>' in html and '<option value="TW">中国台湾</option>' in html
    destination = html[html.index('name="destination"'):]
    destination = destination[:destination.index("</select>")]
    assert 'value="CN"' not in destination and "美属萨摩亚群岛" not in html and "(DE)" not in html
    assert destination.index("阿尔巴尼亚") < destination.index("德国") < destination.index("中国香港")


def test_china_is_refused_as_a_destination_by_the_api(actors):
    api = APIClient()
    api.force_authenticate(actors.owner)
    resp = api.post("/api/applications/", {"destination": "CN"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and "destination" in resp.json()["fields"]
    assert not Application.objects.exists()
    assert api.post("/api/applications/", {"destination": "TW"}, format="json").status_code == 201


QUEUE = "/review/queues/acceptance/"


def test_queues_show_and_filter_by_names(actors, case_factory):
    app = case_factory("forwarded")  # destination DE
    ministry = signed_in(actors.ministry)
    for typed in ("德国", "Germany", "de"):
        resp = ministry.get(QUEUE, {"destination": typed})
        html = resp.content.decode()
        assert resp.status_code == 200 and app.reference in html, typed
        assert re.search(r"<td[^>]*>德国</td>", html)
    resp = ministry.get(QUEUE, {"destination": "法国"})
    assert app.reference not in resp.content.decode()
    assert "未知" in ministry.get(QUEUE, {"destination": "Narnia"}).content.decode()


# ---------------------------------------------------------------- each interface in its language


class VisibleText(HTMLParser):
    """The text a person reads (text nodes, titles, placeholders, labels of controls), leaving out
    scripts, styles and any element marked as another language (lang=...)."""

    SKIP = {"script", "style"}
    READ_ATTRS = ("title", "placeholder", "aria-label", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, language):
        super().__init__()
        self.language, self.stack, self.parts = language, [], []

    def _skipping(self):
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other_language = attrs.get("lang") and not attrs["lang"].startswith(self.language[:2])
        skip = tag in self.SKIP or bool(other_language) or tag == "html" and False
        if not self._skipping() and not skip:
            self.parts += [attrs[name] for name in self.READ_ATTRS if attrs.get(name)]
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skip and tag != "html"))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def visible_text(html, language):
    parser = VisibleText(language)
    parser.feed(html)
    return " ".join(parser.parts)


# Words that are English in either interface: codes, units, abbreviations and the data the tests make.
ALLOWED_WORDS = {
    "MOFCOM", "GACC", "MIIT", "HTTP", "HTML", "JSON", "USCC", "ISO", "PDF", "RMB", "USD", "EUR", "CNY",
    "Wassenaar", "GmbH", "Magnetec", "Handels", "Motorenwerk", "München", "Hansastr", "Industriestr",
    "Stuttgart", "Research", "permanent", "magnet", "motors", "Test", "Exporter", "user", "example",
    "Lion", "Trading", "Labs", "Raffles", "Place", "Science", "Park", "Samarium-cobalt", "alloy",
    "permanent-magnet", "Shanghai",
    "Language",  # the switcher's label names itself in both languages on purpose (Language / 语言)
    "samarium", "lithium", "cell",  # the search's placeholder shows that English queries work too
    "sensitive",  # a country group's code
}


# Upper-case words are codes (agencies: CAEA, SASTIND; CMC-EDD) and lower-case-hyphenated words are
# identifiers (country groups: un-arms-embargo); these hyphenated words are English all the same.
CHECKED = {"end-use", "end-user", "pre-filled", "working-day", "catch-all"}


def english_words(text):
    words = re.findall(r"(?<![\w@.])[A-Za-z][A-Za-z'-]{3,}(?![\w@]|\.\w)", text)  # not file names
    return sorted({w for w in words if w not in ALLOWED_WORDS and not re.fullmatch(r"user\d*", w)})


CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+")
# Chinese that belongs in the English interface: the switcher's own name for Chinese, names of
# companies and authorities as registered, and data the tests make.
ALLOWED_CHINESE = {
    "简体中文", "语言",
    "稀土",  # the search's placeholder shows that Chinese queries work too
}


def chinese_fragments(text, allowed=()):
    return sorted({m for m in CJK.findall(text) if m not in ALLOWED_CHINESE and not any(m in a for a in allowed)})


@pytest.fixture
def main_pages(actors, case_factory):
    """The main pages of each role, with a case in review so the case pages have content."""
    app = case_factory("accepted")
    case = reverse("case-detail", args=[app.pk])
    pages = {
        "anonymous": (None, ["login", "register", "lists"]),
        "exporter": (actors.owner, ["case-list", "case-new", case, "controllist-search", "controllist-determine",
                                    "controllist-questions", "notices", "notifications-inbox",
                                    "enduse-checks-ours"]),
        "exporter_admin": (actors.colleague, ["staff"]),
        "province": (actors.province, ["case-list", "queues-province", "companies", case]),
        "ministry": (actors.ministry, ["queues-dashboard", QUEUE, case, "enduse-reports", "enduse-checks",
                                       "controllist-versions", "lists-changes", "notices", "review-rules",
                                       "review-country-groups", "controllist-temporary",
                                       "controllist-prohibitions", "decisions-rules"]),
        "agency": (actors.agency, ["queues-agency"]),
        "customs": (actors.customs, ["case-list"]),
    }
    return {role: (user, [p if p.startswith("/") else reverse(p) for p in paths])
            for role, (user, paths) in pages.items()}


def render_all(main_pages, language):
    for role, (user, paths) in main_pages.items():
        client = signed_in(user, language) if user else Client()
        if user is None and language:
            client.cookies["django_language"] = language
        for path in paths:
            resp = client.get(path)
            assert resp.status_code == 200, (role, path, resp.status_code)
            yield role, path, resp.content.decode()


def test_no_english_in_the_chinese_interface(main_pages, actors):
    found = {}
    for role, path, html in render_all(main_pages, None):
        words = english_words(visible_text(html, "zh-hans"))
        words = [w for w in words if not re.fullmatch(r"[A-Z][A-Z-]+|[a-z]+(-[a-z]+)+", w) or w in CHECKED]
        if words:
            found[f"{role} {path}"] = words
    print("FOUND", json.dumps(found, ensure_ascii=False, indent=0))
    assert not found, found


def test_no_chinese_in_the_english_interface(main_pages, actors):
    data = {actors.owner.organisation.name_zh, actors.outsider.organisation.name_zh,
            actors.owner.organisation.address, "永磁电机研究", "钐钴合金"}
    data |= {user.organisation.name_zh for user in vars(actors).values()}
    found = {}
    for role, path, html in render_all(main_pages, "en"):
        fragments = chinese_fragments(visible_text(html, "en"), data)
        if fragments:
            found[f"{role} {path}"] = fragments
    print("FOUND", json.dumps(found, ensure_ascii=False, indent=0))
    assert not found, found


def test_django_messages_are_chinese_too(db):
    """Django's own messages (the password rules, a failed sign-in, field errors) in the Chinese
    interface, and in English in the English one."""
    client = Client()
    register = client.post("/register/", {"uscc": "x", "name_zh": "", "username": "abc", "password": "1234",
                                           "email": "not-an-email", "province": "99"})
    text = visible_text(register.content.decode(), "zh-hans")
    assert register.status_code in (200, 400) and "密码" in text
    assert not english_words(text), english_words(text)
    # The password rules (Django 5.2 changed the msgid of the length rule; locale/ overrides it).
    register = client.post("/register/", {
        "uscc": make_uscc(4243), "name_zh": "宁波测试有限公司", "name_en": "Ningbo Test Ltd", "province": "31",
        "address": "宁波", "contact_name": "王", "contact_phone": "0574-1", "email": "boss@nb.example",
        "username": "nb_admin", "password": "1234", "password_again": "1234", "licence_scan": pdf_upload()})
    text = visible_text(register.content.decode(), "zh-hans")
    assert "至少须包含 10 个字符" in text and "这个密码太常见了" in text
    assert not english_words(text), english_words(text)
    login = client.post("/accounts/login/", {"username": "nobody", "password": "wrong-password"})
    text = visible_text(login.content.decode(), "zh-hans")
    assert not english_words(text), english_words(text)
    client.cookies["django_language"] = "en"
    register = client.post("/register/", {"username": "abc", "password": "1234"})
    assert "password" in register.content.decode().lower()
    assert not chinese_fragments(visible_text(register.content.decode(), "en"))


# ---------------------------------------------------------------- amounts and dates


def test_amounts_are_grouped_and_dates_in_each_languages_form(actors, case_factory):
    from django.utils import timezone

    app = case_factory("submitted")  # one item of RMB 180000
    Application.objects.filter(pk=app.pk).update(
        submitted_at=timezone.make_aware(timezone.datetime(2026, 3, 9, 14, 30)))
    zh_page = signed_in(actors.owner).get(f"/cases/{app.pk}/").content.decode()
    en_page = signed_in(actors.owner, "en").get(f"/cases/{app.pk}/").content.decode()
    for page in (zh_page, en_page):
        assert "180,000.00" in page and "180000" not in page
        assert "2026-03-09" not in page
    assert "2026年3月9日 14:30" in zh_page and "9 Mar 2026, 14:30" in en_page
    zh_list = signed_in(actors.owner).get("/cases/").content.decode()
    assert "2026年3月9日" in zh_list and "<td>德国</td>" in zh_list


def test_the_amount_and_country_filters():
    from portal.templatetags.portal_format import amount, country_name, country_names, quantity

    assert amount("1234567.5") == "1,234,567.50" and amount(None) == "" and amount("n/a") == "n/a"
    assert quantity("12000.000") == "12,000" and quantity("2.50") == "2.5"
    with translation.override("zh-hans"):
        assert country_name("WS") == "萨摩亚" and country_names(["TW", "SG"]) == "中国台湾、新加坡"
    with translation.override("en"):
        assert country_names(["TW", "SG"]) == "Taiwan, China; Singapore"


def test_the_switcher_names_each_language_in_itself(client):
    for language in (None, "en"):
        if language:
            client.cookies["django_language"] = language
        html = client.get("/accounts/login/").content.decode()
        switcher = html[html.index('id="lang-form"'):html.index("</form>", html.index('id="lang-form"'))]
        options = re.findall(r'<option value="([\w-]+)"[^>]*>([^<]+)</option>', switcher)
        assert options == [("zh-hans", "简体中文"), ("en", "English")], options
