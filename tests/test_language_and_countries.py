"""Countries, regions and language (issue 12, section 4): the destination list is correct and in
the portal's language, queues and filters speak names, each interface is wholly in its language,
and amounts and dates are written as each language writes them."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from licensing.models import Application
from portal import countries
from tests.factories import PASSWORD
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
    for code, name in zip(codes, zh_names):
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
        assert "<td>德国</td>" in html
    resp = ministry.get(QUEUE, {"destination": "法国"})
    assert app.reference not in resp.content.decode()
    assert "未知" in ministry.get(QUEUE, {"destination": "Narnia"}).content.decode()
