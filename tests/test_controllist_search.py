"""Finding control-list entries: the index terms, ranking, typos, Chinese and pinyin, highlighting,
versions and who sees drafts, the entry page (tree, regime, history), suggestions and the API."""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from controllist.codes import parent_code, sort_key
from controllist.models import Entry, ListVersion, SearchTerm
from controllist.search import engine as s
from portal.errors import ValidationFailed
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

BASE = [
    # code, description zh, description en, parameters en, hs codes
    ("1C902", "钐及其化合物", "Samarium and its compounds", "", ["2805301100"]),
    ("1C902.a", "钐钴合金 <b>粉末</b>", "Samarium-cobalt alloys <b>& powders</b>", "purity > 99%", []),
    ("1C902.a.1", "钐钴永磁体", "Samarium-cobalt permanent magnets", "", []),
    ("1C903", "稀土永磁材料", "Rare-earth permanent magnet materials", "", ["8505111000"]),
    ("3A001", "电子元件", "Electronic components", "", []),
    ("3A001.a", "锂电池", "Lithium cells", "", ["850650"]),
    ("3A001.a.1", "一次锂电池", "Primary lithium cells", "energy density > 480 Wh/kg", []),
    ("3A001.b", "电容器", "Capacitors storing lithium-free cell energy", "", []),
    ("9A999", "试验用旧条目", "Obsolete test entry", "", []),
    ("8C999", "试验用材料", "Test material", "", ["3801100000"]),
]


def make_version(label, effective_from, rows, state="published"):
    version = ListVersion.objects.create(label=label, title_zh=f"清单 {label}", title_en=f"List {label}",
                                         effective_from=effective_from, state=state)
    by_code = {}
    for code, zh, en, params, hs in rows:
        parent = by_code.get(parent_code(code))
        by_code[code] = Entry.objects.create(
            version=version, code=code, parent=parent, depth=code.count("."), sort_key=sort_key(code),
            description_zh=zh, description_en=en, parameters_en=params, hs_codes=hs,
            uncertain=code == "1C903", notes="Code not verified." if code == "1C903" else "")
    s.index_entries(by_code.values())
    return version


@pytest.fixture
def lists(db):
    today = timezone.localdate()
    older = make_version("t-older", today - datetime.timedelta(days=300), BASE)
    changed = [row for row in BASE if row[0] != "9A999"]
    changed[-1] = ("8C999", "试验用材料", "Test material, revised", "", ["3801900000"])
    changed.append(("2B902", "等静压机", "Isostatic presses", "", []))
    current = make_version("t-current", today - datetime.timedelta(days=10), changed)
    draft = make_version("t-draft", today + datetime.timedelta(days=60),
                         [*changed, ("1C999", "锆合金", "Zirconium alloys", "", [])], state="draft")
    return SimpleNamespace(older=older, current=current, draft=draft)


def codes(result):
    return [hit.entry.code for hit in result.hits]


def signed_in(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


# ---------------------------------------------------------------- index terms


def test_terms_for_covers_code_prefixes_words_chinese_pinyin_and_hs():
    entry = SimpleNamespace(code="1C902.a.1", description_zh="稀土永磁", description_en="Lithium cells",
                            parameters_zh="", parameters_en="Batteries of the type", hs_codes=["2805.30.1100"])
    terms = dict(s.terms_for(entry))
    for prefix in ("1c", "1c9", "1c90", "1c902", "1c902.a"):
        assert terms[prefix] == s.CODE_PREFIX_WEIGHT
    assert terms["1c902.a.1"] == s.CODE_WEIGHT and "1c902." not in terms
    assert terms["稀"] == terms["稀土"] == terms["xitu"] == terms["yongci"] == s.DESCRIPTION_WEIGHT
    assert terms["cell"] == s.DESCRIPTION_WEIGHT and "cells" not in terms
    assert terms["battery"] == s.PARAMETERS_WEIGHT and "the" not in terms and "of" not in terms
    assert terms["28053011"] == terms["280530"] == terms["2805"] == s.HS_PREFIX_WEIGHT
    assert terms["2805301100"] == s.HS_WEIGHT
    assert all(len(term) <= 64 for term in terms)


def test_terms_are_truncated_and_keep_the_highest_weight():
    entry = SimpleNamespace(code="1C902", description_zh="", description_en="x" * 100 + " samarium",
                            parameters_zh="", parameters_en="samarium", hs_codes=[])
    terms = s.terms_for(entry)
    assert ("x" * 64, s.DESCRIPTION_WEIGHT) in terms
    assert dict(terms)["samarium"] == s.DESCRIPTION_WEIGHT
    assert len([t for t, _w in terms if t == "samarium"]) == 1


def test_index_entries_writes_rows_for_the_version(lists):
    entry = Entry.objects.get(version=lists.current, code="1C902")
    rows = set(SearchTerm.objects.filter(entry=entry).values_list("term", "weight"))
    assert rows == set(s.terms_for(entry))
    assert SearchTerm.objects.filter(entry=entry).exclude(version=lists.current).count() == 0
    before = SearchTerm.objects.filter(version=lists.current).count()
    assert s.reindex_version(lists.current) == before
    assert SearchTerm.objects.filter(version=lists.current).count() == before


def test_a_reindex_elsewhere_reaches_every_process_cached_vocabulary(lists, monkeypatch):
    """Another web process cannot be told to forget its cache; it notices the reindex from the
    version row it reads anyway."""
    version = ListVersion.objects.get(pk=lists.current.pk)
    s.vocabulary(version)  # cached, as a long-running process would have it
    Entry.objects.filter(version=version, code="1C902").update(description_en="Zirconolite ceramics")
    monkeypatch.setattr(s, "forget_vocabulary", lambda version_id: None)  # as if in another process
    s.reindex_version(ListVersion.objects.get(pk=version.pk))
    fresh = ListVersion.objects.get(pk=version.pk)
    assert fresh.reindexed_at is not None
    assert "zirconolite" in s.vocabulary(fresh).terms
    assert codes(s.search("zirconolite", version=fresh))[:1] == ["1C902"]


# ---------------------------------------------------------------- ranking and matching


def test_code_exact_and_prefix_best_first(lists):
    nine = s.search("1C9")
    assert nine.version == lists.current
    assert codes(nine) == ["1C902", "1C902.a", "1C902.a.1", "1C903"]
    exact = s.search("1C902")
    assert codes(exact)[0] == "1C902" and set(codes(exact)) == {"1C902", "1C902.a", "1C902.a.1"}
    assert exact.hits[0].score > exact.hits[1].score
    sub = s.search("3A001.a")
    assert codes(sub) == ["3A001.a", "3A001.a.1"] and sub.total == 2
    assert str(sub.hits[0].code_html) == "<mark>3A001.a</mark>"
    assert codes(s.search("３ａ００１．ａ"))[0] == "3A001.a"  # full-width input


def test_chinese_words_and_single_characters(lists):
    assert codes(s.search("稀土")) == ["1C903"]
    assert set(codes(s.search("钐"))) == {"1C902", "1C902.a", "1C902.a.1"}
    assert codes(s.search("永磁"))[:2] == ["1C902.a.1", "1C903"]
    magnets = s.search("钐钴永磁")  # three bigrams; the entry holding all of them first
    assert codes(magnets)[0] == "1C902.a.1" and magnets.hits[0].coverage == 3


def test_pinyin_and_homophones(lists):
    assert codes(s.search("xitu")) == ["1C903"]
    homophone = s.search("希土")  # 希 sounds like 稀
    assert codes(homophone) == ["1C903"] and homophone.hits[0].matched_terms == ["xitu"]
    assert "<mark>稀土</mark>" in homophone.hits[0].description_zh_html


def test_english_words_plurals_and_several_words(lists):
    assert set(codes(s.search("samarium"))) == {"1C902", "1C902.a", "1C902.a.1"}
    cells = s.search("lithium cell")
    assert codes(cells)[:2] == ["3A001.a", "3A001.a.1"]
    assert cells.hits[0].coverage == 2 and cells.hits[0].matched_terms == ["cell", "lithium"]
    # 3A001.b has both words, but only in a hyphenated phrase; it still ranks after the exact pair.
    assert "3A001.b" in codes(cells)
    assert codes(s.search("magnets"))[:2] == ["1C902.a.1", "1C903"]


def test_prefix_of_a_word_being_typed(lists):
    assert set(codes(s.search("sama"))) == {"1C902", "1C902.a", "1C902.a.1"}
    assert "3A001.a" in codes(s.search("lith"))


def test_typos_are_tolerated(lists):
    assert set(codes(s.search("samarim"))) == {"1C902", "1C902.a", "1C902.a.1"}
    lithum = s.search("lithum")
    assert codes(lithum)[0] == "3A001.a" and "lithium" in lithum.hits[0].matched_terms
    assert s.search("lithium").hits[0].score > lithum.hits[0].score
    assert codes(s.search("xqzv")) == []


def test_hs_codes_and_their_prefixes(lists):
    assert codes(s.search("2805")) == ["1C902"]
    assert codes(s.search("2805.30")) == ["1C902"]
    assert codes(s.search("2805301100")) == ["1C902"]
    assert codes(s.search("8506"))[0] == "3A001.a"


def test_highlight_marks_matches_and_escapes_html(lists):
    hit = s.search("samarium powder", version=lists.older).hits[0]
    assert hit.entry.code == "1C902.a"
    assert str(hit.description_en_html) == (
        "<mark>Samarium</mark>-cobalt alloys &lt;b&gt;&amp; <mark>powders</mark>&lt;/b&gt;")
    zh = s.search("粉末", version=lists.older).hits[0]
    assert str(zh.description_zh_html) == "钐钴合金 &lt;b&gt;<mark>粉末</mark>&lt;/b&gt;"
    assert s.highlight("<script>alert(1)</script>", {"alert"}) == "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"


def test_empty_and_overlong_queries(lists):
    assert s.search("").hits == [] and s.search("   \t").total == 0
    assert s.search("的 of the").hits == []
    with pytest.raises(ValidationFailed):
        s.search("x" * 201)
    assert s.search("x" * 200).total == 0


def test_versions_pagination_and_total(lists):
    assert codes(s.search("obsolete")) == []
    assert codes(s.search("obsolete", version=lists.older)) == ["9A999"]
    assert codes(s.search("zirconium", version=lists.draft)) == ["1C999"]
    first = s.search("1C9", limit=2)
    second = s.search("1C9", limit=2, offset=2)
    assert first.total == second.total == 4 and first.has_next and not second.has_next
    assert codes(first) + codes(second) == codes(s.search("1C9"))
    beyond = s.search("1C9", limit=2, offset=10)
    assert beyond.hits == [] and beyond.total == 4


def test_search_is_two_queries_once_the_vocabulary_is_loaded(lists, django_assert_num_queries):
    s.search("lithium", version=lists.current)
    with django_assert_num_queries(2):
        result = s.search("lithum cell 稀土 1C9 2805", version=lists.current)
    assert result.total > 0


# ---------------------------------------------------------------- pages


def test_search_page_for_every_signed_in_role(actors, lists):
    for user in vars(actors).values():
        response = signed_in(user).get("/controllist/", {"q": "lithium cell"})
        assert response.status_code == 200, user.role
        html = response.content.decode()
        assert 'data-code="3A001.a"' in html and "<mark>Lithium</mark> <mark>cells</mark>" in html
        assert 'hx-trigger="keyup changed delay:250ms' in html


def test_search_page_requires_login(client, lists):
    response = client.get("/controllist/", {"q": "1C9"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/controllist/entry/t-current/1C902/").status_code == 302
    assert client.get("/controllist/suggest/", {"q": "1C9"}).status_code == 302


def test_search_page_without_query_shows_the_outline(actors, lists):
    html = signed_in(actors.owner).get("/controllist/").content.decode()
    assert 'id="version-header"' in html and "t-current" in html
    assert 'data-sector="1"' in html and 'data-sector="3"' in html and "?q=1C" in html
    assert 'id="link-versions"' not in html  # ministry links only for the ministry, and only once they exist


def test_search_page_htmx_returns_the_results_partial(actors, lists):
    response = signed_in(actors.owner).get("/controllist/", {"q": "稀土"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'data-code="1C903"' in html
    assert "badge-uncertain" in html


def test_search_page_version_choice_and_drafts(actors, lists):
    owner, ministry = signed_in(actors.owner), signed_in(actors.ministry)
    older = owner.get("/controllist/", {"q": "obsolete", "version": "t-older"}).content.decode()
    assert 'data-code="9A999"' in older
    assert owner.get("/controllist/", {"q": "zirconium", "version": "t-draft"}).status_code == 404
    assert "t-draft" not in owner.get("/controllist/").content.decode()
    drafted = ministry.get("/controllist/", {"q": "zirconium", "version": "t-draft"})
    assert drafted.status_code == 200 and 'data-code="1C999"' in drafted.content.decode()
    assert "t-draft" in ministry.get("/controllist/").content.decode()


def test_search_page_bad_query_and_pagination(actors, lists, monkeypatch):
    monkeypatch.setattr("controllist.search.views.PAGE_SIZE", 2)
    client = signed_in(actors.owner)
    response = client.get("/controllist/", {"q": "x" * 201})
    assert response.status_code == 400 and 'id="search-error"' in response.content.decode()
    page2 = client.get("/controllist/", {"q": "1C9", "page": "2"}).content.decode()
    assert 'data-code="1C902.a.1"' in page2 and 'data-code="1C902"' not in page2
    assert 'id="page-previous"' in page2 and 'id="page-next"' not in page2
    assert client.get("/controllist/", {"q": "1C9", "page": "x"}).status_code == 200


def test_search_page_query_count(actors, lists, django_assert_max_num_queries):
    client = signed_in(actors.ministry)
    client.get("/controllist/", {"q": "warm"})
    with django_assert_max_num_queries(8):
        assert client.get("/controllist/", {"q": "lithium 1C9 稀土"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/controllist/").status_code == 200


def test_entry_page_content(actors, lists):
    html = signed_in(actors.owner).get("/controllist/entry/t-current/1C902/").content.decode()
    assert 'id="entry-code">1C902<' in html
    assert "钐及其化合物" in html and "Samarium and its compounds" in html and "2805301100" in html
    # the sub-items as a nested tree
    assert html.index('data-code="1C902.a"') < html.index('data-code="1C902.a.1"')
    tree = html[html.index('id="subtree"'):]
    assert tree.count('<ul class="tree">') == 2
    # regime from the regime table: a 9xx code is China's own control; agencies from the routing
    # rules: the 9xx and the 1C9xx rules both consult MIIT, which is shown once with both reasons
    assert "中国自主管控物项" in html or "China's own controls" in html
    agencies = html[html.index('id="agencies"'):html.index('id="entry-version"')]
    assert agencies.count('data-agency="') == 1 and 'data-agency="MIIT"' in agencies
    assert "稀土、石墨等战略材料（1C9xx）" in agencies and "中国自主管控物项（编码第三位为9）" in agencies
    assert 'id="conditional-agencies"' not in agencies
    assert "t-current" in html[html.index('id="entry-version"'):]


def test_entry_page_breadcrumb_uncertain_and_escaping(actors, lists):
    client = signed_in(actors.owner)
    sub = client.get("/controllist/entry/t-current/1C902.a.1/").content.decode()
    crumbs = sub[sub.index('id="breadcrumb"'):sub.index("</p>", sub.index('id="breadcrumb"'))]
    assert "1C902<" in crumbs and "1C902.a<" in crumbs
    uncertain = client.get("/controllist/entry/t-current/1C903/").content.decode()
    assert 'id="entry-uncertain"' in uncertain and "Code not verified." in uncertain
    escaped = client.get("/controllist/entry/t-current/1C902.a/").content.decode()
    assert "&lt;b&gt;粉末&lt;/b&gt;" in escaped and "<b>粉末" not in escaped


def test_entry_page_history_across_versions(actors, lists):
    client = signed_in(actors.owner)
    html = client.get("/controllist/entry/t-current/8C999/").content.decode()
    history = html[html.index('id="history"'):]
    assert 'class="history-added" data-version="t-older"' in history
    assert 'class="history-changed" data-version="t-current"' in history
    changed = history[history.index("history-changed"):]
    assert 'data-field="description_en"' in changed and 'data-field="hs_codes"' in changed
    assert "<del>Test material</del> → <ins>Test material, revised</ins>" in changed
    assert "<del>3801100000</del> → <ins>3801900000</ins>" in changed
    assert 'data-field="description_zh"' not in changed
    assert "t-draft" not in history  # an exporter does not see drafts
    unchanged = client.get("/controllist/entry/t-current/1C902/").content.decode()
    assert 'class="history-unchanged" data-version="t-current"' in unchanged
    removed = client.get("/controllist/entry/t-older/9A999/").content.decode()
    assert 'class="history-removed" data-version="t-current"' in removed
    ministry = signed_in(actors.ministry).get("/controllist/entry/t-current/8C999/").content.decode()
    assert 'data-version="t-draft"' in ministry


def test_draft_entries_only_for_the_ministry(actors, lists):
    for name, user in vars(actors).items():
        expected = 200 if name in ("ministry", "senior") else 404
        assert signed_in(user).get("/controllist/entry/t-draft/1C999/").status_code == expected, name
        api = api_for(user).get("/api/controllist/search/", {"q": "zirconium", "version": "t-draft"})
        assert api.status_code == (200 if expected == 200 else 400), name
        published = api_for(user).get("/api/controllist/entries/t-current/1C902/")
        assert published.status_code == 200, name


def test_entry_page_not_found_and_drafts(actors, lists):
    owner, ministry = signed_in(actors.owner), signed_in(actors.ministry)
    assert owner.get("/controllist/entry/t-current/1C999/").status_code == 404
    assert owner.get("/controllist/entry/no-such/1C902/").status_code == 404
    assert owner.get("/controllist/entry/t-draft/1C999/").status_code == 404
    assert ministry.get("/controllist/entry/t-draft/1C999/").status_code == 200
    assert owner.get("/controllist/entry/t-current/1c902.a/").status_code == 200


def test_entry_page_query_count(actors, lists, django_assert_max_num_queries):
    client = signed_in(actors.owner)
    with django_assert_max_num_queries(12):
        assert client.get("/controllist/entry/t-current/3A001/").status_code == 200


def test_suggest_partial_fills_the_target_input(actors, lists):
    client = signed_in(actors.agency)
    html = client.get("/controllist/suggest/", {"q": "samarium", "target": "id_code"}).content.decode()
    assert 'data-code="1C902"' in html
    assert "onclick=\"document.getElementById('id_code').value=this.dataset.code\"" in html
    many = client.get("/controllist/suggest/", {"q": "1c 3a 8c 9a", "target": "id_code"}).content.decode()
    assert many.count("data-code=") == 8  # nine entries match; the partial offers the top eight
    bad = client.get("/controllist/suggest/", {"q": "samarium", "target": "x');alert(1);//"})
    assert bad.status_code == 400 and "alert(1)" not in bad.content.decode()
    no_target = client.get("/controllist/suggest/", {"q": "samarium"}).content.decode()
    assert "onclick" not in no_target and "1C902" in no_target


def test_suggest_returns_json_when_asked(actors, lists):
    response = signed_in(actors.owner).get("/controllist/suggest/", {"q": "1C9"},
                                           HTTP_ACCEPT="application/json")
    body = response.json()
    assert body["version"] == "t-current" and len(body["results"]) == 4
    assert body["results"][0] == {"code": "1C902", "description_zh": "钐及其化合物",
                                  "description_en": "Samarium and its compounds", "uncertain": False,
                                  "url": "/controllist/entry/t-current/1C902/"}


# ---------------------------------------------------------------- API


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_suggest_json_errors(actors, lists):
    client = signed_in(actors.owner)
    bad = client.get("/controllist/suggest/", {"q": "x" * 201}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "query_too_long"
    hidden = client.get("/controllist/suggest/", {"q": "1C9", "version": "t-draft"},
                        HTTP_ACCEPT="application/json")
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"


def test_api_search_shape(actors, lists):
    response = api_for(actors.owner).get("/api/controllist/search/", {"q": "samarium powder", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["version"]["label"] == "t-current" and body["total"] == 3
    first = body["results"][0]
    assert set(first) == {"code", "description_zh", "description_en", "highlight_zh", "highlight_en",
                          "score", "uncertain", "url"}
    assert first["code"] == "1C902.a" and "<mark>powders</mark>" in first["highlight_en"]
    assert len(body["results"]) == 2
    older = api_for(actors.owner).get("/api/controllist/search/", {"q": "obsolete", "version": "t-older"})
    assert [hit["code"] for hit in older.json()["results"]] == ["9A999"]


@pytest.mark.parametrize("params", [
    {}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}, {"q": "1C9", "limit": 0}, {"q": "1C9", "limit": 101},
    {"q": "1C9", "limit": "many"}, {"q": "1C9", "offset": -1}, {"q": "1C9", "version": "no-such"},
    {"q": "1C9", "version": "t-draft"},
])
def test_api_search_bad_parameters(actors, lists, params):
    response = api_for(actors.owner).get("/api/controllist/search/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed" and response.json()["fields"]


def test_api_requires_authentication(lists):
    api = APIClient()
    assert api.get("/api/controllist/search/", {"q": "1C9"}).status_code == 403
    assert api.get("/api/controllist/entries/t-current/1C902/").status_code == 403


def test_api_entry_detail(actors, lists):
    response = api_for(actors.owner).get("/api/controllist/entries/t-current/1C902/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "1C902" and body["hs_codes"] == ["2805301100"] and body["parent"] == ""
    assert body["children"][0]["code"] == "1C902.a"
    assert body["children"][0]["children"][0]["code"] == "1C902.a.1"
    assert body["regime"]["regime_en"] == "China's own controls"
    [miit] = body["regime"]["agencies"]
    assert miit["code"] == "MIIT" and miit["name_en"] == "Ministry of Industry and Information Technology"
    assert [reason["name_en"] for reason in miit["reasons"]] == [
        "China's own controls (regime digit 9) (illustrative default)",
        "Rare earths, graphite and other strategic materials (1C9xx) (illustrative default)"]
    assert body["regime"]["conditional_rules"] == []
    assert body["sector"]["digit"] == "1" and body["item_type"]["letter"] == "C"
    assert body["history"][-1]["version"]["label"] == "t-current"
    assert body["history"][-1]["change"] == "unchanged"  # (the shipped sample list may come first)
    changed = api_for(actors.owner).get("/api/controllist/entries/t-current/8C999/").json()
    assert [step["change"] for step in changed["history"]] == ["added", "changed"]
    assert changed["history"][1]["changes"] == [
        {"field": "description_en", "old": "Test material", "new": "Test material, revised"},
        {"field": "hs_codes", "old": "3801100000", "new": "3801900000"}]
    assert api_for(actors.owner).get("/api/controllist/entries/t-draft/1C999/").status_code == 404
    assert api_for(actors.ministry).get("/api/controllist/entries/t-draft/1C999/").status_code == 200
    assert api_for(actors.owner).get("/api/controllist/entries/t-current/7Z000/").status_code == 404


def test_api_schema_lists_both_endpoints(actors):
    response = api_for(actors.owner).get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = json.loads(response.content) if response["Content-Type"].startswith("application/json") \
        else None
    if schema is None:
        import yaml

        schema = yaml.safe_load(response.content)
    assert "/api/controllist/search/" in schema["paths"]
    assert "/api/controllist/entries/{label}/{code}/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/controllist/search/"]["get"]["parameters"]}
    assert {"q", "version", "limit", "offset"} <= params
