"""Issue 12 §9: Chinese queries ranked like English ones (whole phrases and words above single
characters, the item above its software and technology, nothing that shares one character only),
and the ministry's synonym table (无人机 ↔ 无人驾驶航空飞行器, drone ↔ unmanned aerial vehicle),
applied in the index of every list version. The answers below were checked by reading the shipped
list (controllist/data/unified-list-2024-12-01.json)."""

import json
import uuid
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from controllist.models import Entry, ListVersion, Synonym
from controllist.search import engine as s
from controllist.search import services, synonyms
from controllist.search.synonyms import SEED_PAIRS, side_key
from controllist.search.text import cjk_text, latin_words
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SHIPPED = "2024-12-01"
DATA = Path(__file__).resolve().parent.parent / "controllist" / "data" / "unified-list-2024-12-01.json"


@pytest.fixture
def shipped(db):
    return ListVersion.objects.get(label=SHIPPED)


def codes(query, version, limit=10):
    return [hit.entry.code for hit in s.search(query, version=version, limit=limit).hits]


def without_synonyms(version):
    Synonym.objects.all().delete()
    s.reindex_all_versions()
    return ListVersion.objects.get(pk=version.pk)


def signed_in(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


# ---------------------------------------------------------------- ranking


def test_samarium_cobalt_magnets_rank_the_magnets_first(shipped):
    """The issue's case: 1E902.a (technology) came first and 1C902.a.4 sixth behind 1B226."""
    found = codes("钐钴磁体", shipped)
    assert found[0] == "1C902.a.4"
    assert found.index("1C902.a.4") < found.index("1E902.a")
    assert "1B226" not in found  # 电磁同位素分离器 shares only 磁
    assert codes("samarium cobalt magnets", shipped)[0] == "1C902.a.4"


def test_the_ranking_alone_puts_the_magnets_first_without_synonyms(shipped):
    version = without_synonyms(shipped)
    found = codes("钐钴磁体", version)
    assert found[:2] == ["1C902.a.4", "1E902.a"] and "1B226" not in found


def test_the_item_before_its_technology_unless_the_query_asks_for_it(shipped):
    neodymium = codes("钕铁硼", shipped)
    assert neodymium[:2] == ["1C904.a.4", "1C905.a.4"] and "1E902.a" in neodymium
    assert neodymium.index("1E902.a") > 1
    # The words name the technology (mining), not an item: it stays first.
    assert codes("稀土开采", shipped)[0] == "1E902.a"
    # Asked for technology, the technology entry keeps its place.
    assert codes("钕铁硼技术", shipped)[0] == "1E902.a"


@pytest.mark.parametrize("query, first", [
    ("人造金刚石", "2C902"),      # a 2C902 entry: synthetic-diamond materials, not 2E901 technology
    ("锂电池正极", "3C901"),      # 锂电池正极和负极材料
    ("电磁同位素", "1B226"),      # 电磁同位素分离器, the whole phrase
    ("惯性测量", "7A003"),        # 惯性测量设备或系统
    ("碳纤维", "1C010.b"),        # 碳纤维或丝状材料
])
def test_more_chinese_queries(shipped, query, first):
    assert codes(query, shipped)[0].startswith(first)


def test_whole_phrase_above_scattered_bigrams(shipped):
    found = s.search("锂电池正极", version=shipped).hits
    assert found[0].entry.code == "3C901" and "锂电池正极" in found[0].entry.description_zh


@pytest.mark.parametrize("query", ["钐钴磁体", "电磁同位素", "稀土开采", "惯性测量", "钴磁体", "光刻设备"])
def test_no_entry_in_the_top_ten_shares_only_one_character(shipped, query):
    wanted, table = set(query), synonyms.current()
    hits = s.search(query, version=shipped, limit=10).hits
    assert hits
    for hit in hits:
        entry = hit.entry
        text = cjk_text(entry.description_zh) + "|" + cjk_text(entry.parameters_zh)
        # what the entry says, and the synonyms of what it says (永磁材料 -> 永磁体)
        said = set(text).union(*map(set, table.others_in(text)))
        assert len(wanted & said) >= 2, (query, entry.code, wanted & said)


def test_an_unknown_bigram_still_finds_entries_with_both_characters(shipped):
    # 钴磁 is in no entry: entries with both 钴 and 磁 are listed, those with one of them are not.
    found = codes("钴磁", shipped, limit=50)
    assert "1C902.a.4" in found
    assert "1B226" not in found and "1C902.a.2" not in found


def test_single_characters_and_english_are_unchanged(shipped):
    assert set(codes("钐", shipped, limit=50)) >= {"1C902", "1C902.a.4"}
    assert codes("1C902.a.4", shipped)[0] == "1C902.a.4"


def test_deeper_pages_continue_the_reranked_order(shipped):
    whole = [hit.entry.code for hit in s.search("稀土", version=shipped, limit=100).hits]
    pages = []
    for offset in range(0, len(whole), 15):
        pages += [hit.entry.code for hit in s.search("稀土", version=shipped, limit=15, offset=offset).hits]
    assert pages == whole and len(set(whole)) == len(whole)


# ---------------------------------------------------------------- synonyms in the index


def test_seeded_pairs_use_the_lists_own_wording():
    data = json.loads(DATA.read_text(encoding="utf-8"))
    chinese = "|".join(cjk_text(e["description_zh"] + "|" + e["parameters_zh"]) for e in data["entries"])
    english = [latin_words(e["description_en"] + " . " + e["parameters_en"]) for e in data["entries"]]

    def in_list(side):
        key = side_key(side)
        if isinstance(key, str):
            return key in chinese
        return any(words[i:i + len(key)] == key for words in english for i in range(len(words)))

    assert len(SEED_PAIRS) >= 30
    missing = [pair for pair in SEED_PAIRS if not (in_list(pair[0]) or in_list(pair[1]))]
    assert missing == []
    assert Synonym.objects.count() == len(SEED_PAIRS)


def test_synonyms_work_both_ways(shipped):
    assert "9A012" in codes("无人机", shipped)
    assert "9A012" in codes("drone", shipped)
    assert "9A012" in codes("UAV", shipped)
    # and the other way: the list's wording finds the entries that use the everyday word
    assert "3A901" in codes("无人驾驶航空飞行器", shipped, limit=20)   # 民用反无人机系统…
    assert "6A901" in codes("unmanned aerial vehicle", shipped, limit=20)  # counter-drone laser
    assert set(codes("锂电", shipped, limit=20)) >= {"3C901", "3B901"}  # 锂电池, 锂离子电池


def test_without_the_table_drone_finds_no_aerial_vehicle(shipped):
    version = without_synonyms(shipped)
    assert "9A012" not in codes("drone", version, limit=50)
    assert "9A012" not in codes("UAV", version, limit=50)


def test_a_new_pair_reindexes_every_version(actors, shipped, django_capture_on_commit_callbacks):
    other = ListVersion.objects.create(label="t-other", title_zh="t", title_en="t",
                                       effective_from=shipped.effective_from, state="draft")
    entry = Entry.objects.create(version=other, code="1C902.a.4", depth=2, sort_key="x",
                                 description_zh="钐钴永磁材料", description_en="Samarium-cobalt magnets")
    s.index_entries([entry])
    assert "1C902.a.4" not in codes("磁钢", shipped)
    with django_capture_on_commit_callbacks(execute=True):
        pair = services.synonym_create(actor=actors.ministry, data={"term_a": "磁钢", "term_b": "永磁材料"})
    assert codes("磁钢", ListVersion.objects.get(pk=shipped.pk))[0] == "1C902.a.4"
    assert codes("磁钢", ListVersion.objects.get(pk=other.pk)) == ["1C902.a.4"]
    with django_capture_on_commit_callbacks(execute=True):
        services.synonym_delete(actor=actors.ministry, synonym_id=pair.pk, expected_version=pair.version)
    assert codes("磁钢", ListVersion.objects.get(pk=shipped.pk)) == []


# ---------------------------------------------------------------- services


def test_create_update_delete_are_audited(actors):
    pair = services.synonym_create(actor=actors.ministry, data={"term_a": " 磁钢 ", "term_b": "永磁材料",
                                                                  "note": "常用说法"})
    assert (pair.term_a, pair.term_b, pair.version) == ("磁钢", "永磁材料", 1)
    event = AuditEvent.objects.get(action="controllist.synonym_create", object_id=str(pair.pk))
    assert event.after["term_a"] == "磁钢" and event.actor == actors.ministry
    pair = services.synonym_update(actor=actors.senior, synonym_id=pair.pk, expected_version=1,
                                   data={"term_a": "磁钢", "term_b": "永磁体"})
    assert pair.version == 2 and pair.term_b == "永磁体"
    assert AuditEvent.objects.get(action="controllist.synonym_update").before["term_b"] == "永磁材料"
    services.synonym_delete(actor=actors.ministry, synonym_id=pair.pk, expected_version=2)
    assert not Synonym.objects.filter(pk=pair.pk).exists()
    assert AuditEvent.objects.get(action="controllist.synonym_delete").before["term_b"] == "永磁体"


def test_double_submit_and_stale_version(actors):
    token = uuid.uuid4()
    first = services.synonym_create(actor=actors.ministry, data={"term_a": "磁钢", "term_b": "永磁材料"},
                                    client_token=token)
    again = services.synonym_create(actor=actors.ministry, data={"term_a": "磁钢", "term_b": "永磁材料"},
                                    client_token=token)
    assert first.pk == again.pk and Synonym.objects.filter(term_a="磁钢").count() == 1
    services.synonym_update(actor=actors.ministry, synonym_id=first.pk, expected_version=1,
                            data={"term_a": "磁钢", "term_b": "永磁体"})
    repeated = services.synonym_update(actor=actors.ministry, synonym_id=first.pk, expected_version=1,
                                       data={"term_a": "磁钢", "term_b": "永磁体"})
    assert repeated.version == 2
    assert AuditEvent.objects.filter(action="controllist.synonym_update").count() == 1
    with pytest.raises(StaleVersion):
        services.synonym_update(actor=actors.senior, synonym_id=first.pk, expected_version=1,
                                data={"term_a": "磁钢", "term_b": "钕铁硼"})
    with pytest.raises(StaleVersion):
        services.synonym_delete(actor=actors.senior, synonym_id=first.pk, expected_version=1)
    assert Synonym.objects.get(pk=first.pk).term_b == "永磁体"
    with pytest.raises(NotFound):
        services.synonym_delete(actor=actors.ministry, synonym_id=10**9)


@pytest.mark.parametrize("name", ["owner", "colleague", "outsider", "province", "agency", "customs"])
def test_only_ministry_officers_write(actors, name):
    user = getattr(actors, name)
    pair = Synonym.objects.first()
    with pytest.raises(NotAllowed):
        services.synonym_create(actor=user, data={"term_a": "磁钢", "term_b": "永磁材料"})
    with pytest.raises(NotAllowed):
        services.synonym_update(actor=user, synonym_id=pair.pk, data={"term_a": "甲乙", "term_b": "丙丁"})
    with pytest.raises(NotAllowed):
        services.synonym_delete(actor=user, synonym_id=pair.pk)
    assert not AuditEvent.objects.filter(action__startswith="controllist.synonym").exists()


@pytest.mark.parametrize("data, field", [
    ({"term_a": "", "term_b": "永磁材料"}, "term_a"),
    ({"term_a": "磁钢"}, "term_b"),
    ({"term_a": "磁钢drone", "term_b": "永磁材料"}, "term_a"),          # two scripts in one term
    ({"term_a": "磁钢", "term_b": "<b>永磁</b>"}, "term_b"),
    ({"term_a": "磁" * 61, "term_b": "永磁材料"}, "term_a"),
    ({"term_a": "Drone", "term_b": "drones"}, "term_b"),                # the same for the search
    ({"term_a": "the of", "term_b": "drone"}, "term_a"),                # stopwords only
    ({"term_a": 5, "term_b": "drone"}, "term_a"),
    ({"term_a": "磁钢", "term_b": "永磁材料", "note": "x" * 201}, "note"),
    ({"term_a": "无人驾驶航空飞行器", "term_b": "无人机"}, "term_b"),      # the seeded pair, reversed
])
def test_bad_input_is_refused_and_nothing_changes(actors, data, field):
    before = Synonym.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.synonym_create(actor=actors.ministry, data=data)
    assert field in refused.value.fields
    assert Synonym.objects.count() == before
    assert not AuditEvent.objects.filter(action="controllist.synonym_create").exists()


# ---------------------------------------------------------------- pages


def test_synonym_pages_only_for_ministry_officers(actors):
    pair = Synonym.objects.get(term_a="无人机")
    for name, user in vars(actors).items():
        client = signed_in(user)
        expected = 200 if name in ("ministry", "senior") else 403
        assert client.get("/controllist/synonyms/").status_code == expected, name
        assert client.get("/controllist/synonyms/new/").status_code == expected, name
        assert client.get(f"/controllist/synonyms/{pair.pk}/").status_code == expected, name
        if expected == 403:
            new = client.post("/controllist/synonyms/new/", {"term_a": "磁钢", "term_b": "永磁材料"})
            gone = client.post(f"/controllist/synonyms/{pair.pk}/delete/", {"version": pair.version})
            assert new.status_code == gone.status_code == 403, name
    assert not Synonym.objects.filter(term_a="磁钢").exists() and Synonym.objects.filter(pk=pair.pk).exists()


def test_synonym_pages_list_add_edit_delete(actors):
    client = signed_in(actors.ministry)
    listing = client.get("/controllist/synonyms/", {"q": "drone"}).content.decode()
    assert "unmanned aerial vehicle" in listing and "无人驾驶航空飞行器" not in listing
    assert 'id="link-synonyms"' in client.get("/controllist/").content.decode()
    assert 'id="link-synonyms"' not in signed_in(actors.owner).get("/controllist/").content.decode()
    token = str(uuid.uuid4())
    added = client.post("/controllist/synonyms/new/", {"term_a": "磁钢", "term_b": "永磁材料", "client_token": token})
    assert added.status_code == 302
    again = client.post("/controllist/synonyms/new/", {"term_a": "磁钢", "term_b": "永磁材料", "client_token": token})
    assert again.status_code == 302 and Synonym.objects.filter(term_a="磁钢").count() == 1
    pair = Synonym.objects.get(term_a="磁钢")
    client.cookies["django_language"] = "en"  # the page's language is the user's choice
    bad = client.post(f"/controllist/synonyms/{pair.pk}/", {"term_a": "磁钢", "term_b": "磁钢", "version": 1})
    assert bad.status_code == 400 and "the same for the search" in bad.content.decode()
    del client.cookies["django_language"]
    edited = client.post(f"/controllist/synonyms/{pair.pk}/", {"term_a": "磁钢", "term_b": "永磁体", "version": 1})
    assert edited.status_code == 302 and Synonym.objects.get(pk=pair.pk).term_b == "永磁体"
    stale = client.post(f"/controllist/synonyms/{pair.pk}/delete/", {"version": 1})
    assert stale.status_code == 409 and Synonym.objects.filter(pk=pair.pk).exists()
    deleted = client.post(f"/controllist/synonyms/{pair.pk}/delete/", {"version": 2})
    assert deleted.status_code == 302 and not Synonym.objects.filter(pk=pair.pk).exists()
    assert client.get("/controllist/synonyms/999999999/").status_code == 404


# ---------------------------------------------------------------- API


def test_api_exporters_get_403_before_the_body_is_read(actors):
    pair = Synonym.objects.first()
    for name in ("owner", "outsider", "province", "agency", "customs"):
        api = api_for(getattr(actors, name))
        assert api.get("/api/controllist/synonyms/").status_code == 403, name
        assert api.post("/api/controllist/synonyms/", {}, format="json").status_code == 403, name
        assert api.put(f"/api/controllist/synonyms/{pair.pk}/", {}, format="json").status_code == 403, name
        assert api.delete(f"/api/controllist/synonyms/{pair.pk}/").status_code == 403, name
    assert APIClient().get("/api/controllist/synonyms/").status_code in (401, 403)
    assert Synonym.objects.filter(pk=pair.pk).exists()


def test_api_crud_for_the_ministry(actors):
    api = api_for(actors.ministry)
    listed = api.get("/api/controllist/synonyms/")
    assert listed.status_code == 200 and listed.json()["count"] == len(SEED_PAIRS)
    token = str(uuid.uuid4())
    made = api.post("/api/controllist/synonyms/", {"term_a": "磁钢", "term_b": "永磁材料"}, format="json",
                    HTTP_IDEMPOTENCY_KEY=token)
    assert made.status_code == 201 and made.json()["version"] == 1
    again = api.post("/api/controllist/synonyms/", {"term_a": "磁钢", "term_b": "永磁材料"}, format="json",
                     HTTP_IDEMPOTENCY_KEY=token)
    assert again.status_code == 201 and again.json()["id"] == made.json()["id"]
    pk = made.json()["id"]
    assert api.get(f"/api/controllist/synonyms/{pk}/").json()["term_b"] == "永磁材料"
    changed = api.put(f"/api/controllist/synonyms/{pk}/", {"term_a": "磁钢", "term_b": "永磁体", "version": 1},
                      format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = api.put(f"/api/controllist/synonyms/{pk}/", {"term_a": "磁钢", "term_b": "钕铁硼", "version": 1},
                    format="json")
    assert stale.status_code == 409
    assert api.delete(f"/api/controllist/synonyms/{pk}/?version=1").status_code == 409
    assert api.delete(f"/api/controllist/synonyms/{pk}/?version=2").status_code == 204
    assert api.get(f"/api/controllist/synonyms/{pk}/").status_code == 404


def test_api_bad_input(actors):
    api = api_for(actors.senior)
    before = Synonym.objects.count()
    for body in ({}, {"term_a": "磁钢"}, {"term_a": "磁钢", "term_b": "x" * 61}, {"term_a": "磁钢", "term_b": "a<b"},
                 {"term_a": "drone", "term_b": "Drones"}, ["磁钢", "永磁材料"]):
        response = api.post("/api/controllist/synonyms/", body, format="json")
        assert response.status_code == 400, body
    bad_key = api.post("/api/controllist/synonyms/", {"term_a": "磁钢", "term_b": "永磁材料"}, format="json",
                       HTTP_IDEMPOTENCY_KEY="not-a-uuid")
    assert bad_key.status_code == 400
    assert api.delete("/api/controllist/synonyms/1/?version=x").status_code == 400
    assert Synonym.objects.count() == before


def test_what_a_synonym_found_is_marked(shipped):
    hit = next(hit for hit in s.search("drone", version=shipped).hits if hit.entry.code == "9A012")
    assert "<mark>Unmanned</mark> <mark>aerial</mark> <mark>vehicles</mark>" in str(hit.description_en_html)
    assert "<mark>无人驾驶航空飞行器</mark>" not in str(hit.description_zh_html)  # not asked in Chinese
    zh = next(hit for hit in s.search("无人机", version=shipped).hits if hit.entry.code == "9A012")
    assert "<mark>无人驾驶航空飞行器</mark>" in str(zh.description_zh_html)
