"""The matching examples of the end-user issue, one test each, plus the explanation a hit carries and
the `screening eval` command's contract. No database: the engine works on names alone."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from enduser.screening import index, names
from enduser.screening.index import THRESHOLD, ListEntry, Party, Screener

HUAWEI = ListEntry(id="hw", kind="company", names=("华为技术有限公司",), country="CN")


def hits(entries, name, kind="company", identifiers=None):
    screener = Screener(entries)
    return {h.entry: h for h in screener.screen(Party(id="q", kind=kind, name=name, identifiers=identifiers or {}))}


def score(entry, name, kind="company"):
    found = hits([entry], name, kind)
    return found[entry.id].score if entry.id in found else 0.0


# ---------------------------------------------------------------- 1-5: companies across scripts


def test_1_traditional_characters_hit_at_one_explained():
    hit = hits([HUAWEI], "華為技術有限公司")["hw"]
    assert hit.score == 1.0
    assert "traditional→simplified" in hit.why and hit.bridges[0] == "traditional→simplified"


@pytest.mark.parametrize("name", ["Huawei Jishu Youxian Gongsi", "HUA WEI JI SHU", "Huáwéi Jìshù", "hua2wei2 ji4shu4"])
def test_2_a_han_only_entry_is_hit_by_pinyin_in_any_spelling(name):
    hit = hits([HUAWEI], name)["hw"]
    assert hit.score >= THRESHOLD and "pinyin without tones" in hit.why
    assert {"query": hit.parts[0]["query"], "entry": hit.parts[0]["entry"]} == \
        {"query": hit.parts[0]["query"], "entry": "华为"}


@pytest.mark.parametrize("name", ["Huawei Technologies Co., Ltd.", "HUAWEI TECHNOLOGIES COMPANY LIMITED",
                                  "华为技术股份有限公司"])
def test_3_dictionary_words_and_company_forms_bridge_the_languages(name):
    hit = hits([HUAWEI], name)["hw"]
    assert hit.score == 1.0
    assert "dictionary words" in hit.why or "company forms" in hit.why


def test_3_the_part_table_says_which_part_matched_which():
    parts = hits([HUAWEI], "Huawei Technologies Co., Ltd.")["hw"].parts
    hows = {(p["query"], p["entry"]): p["how"] for p in parts}
    assert hows[("huawei", "华为")] == "pinyin without tones"
    assert "技术" in hows[("technologies", "技术")]
    assert hows[("co ltd", "有限公司")].startswith("company form")


SHENZHEN_FORMS = ["深圳市华为技术有限公司", "华为技术（深圳）有限公司", "Huawei Technologies (Shenzhen) Co Ltd",
                  "Shenzhen Huawei Technologies Co., Ltd."]


@pytest.mark.parametrize("listed", SHENZHEN_FORMS)
@pytest.mark.parametrize("query", SHENZHEN_FORMS)
def test_4_place_in_front_behind_or_in_brackets_is_one_name(listed, query):
    entry = ListEntry(id="x", kind="company", names=(listed,))
    assert score(entry, query) == 1.0


def test_5_region_industry_and_form_alone_never_hit():
    entry = ListEntry(id="hwsz", kind="company", names=("深圳市华为技术有限公司",))
    assert score(entry, "深圳市中兴技术有限公司") < THRESHOLD
    assert score(entry, "Shenzhen ZTE Technologies Co., Ltd.") < THRESHOLD
    assert score(entry, "深圳市技术有限公司") < THRESHOLD


# ---------------------------------------------------------------- 6-7: bodies without a distinctive part, units


BUAA = ListEntry(id="buaa", kind="company", names=("北京航空航天大学",), aliases=("北航",))


def test_6_university_in_english_and_its_alias_hit_another_city_does_not():
    assert score(BUAA, "Beijing University of Aeronautics and Astronautics") == 1.0
    alias = hits([BUAA], "北航")["buaa"]
    assert alias.score == 1.0 and "alias" in alias.why
    assert score(BUAA, "南京航空航天大学") < THRESHOLD
    assert score(BUAA, "Nanjing University of Aeronautics and Astronautics") < THRESHOLD
    assert score(BUAA, "北京科技大学") < THRESHOLD


CETC14 = ListEntry(id="cetc14", kind="company", names=("中国电子科技集团公司第十四研究所",))


def test_7_numbers_must_agree():
    assert score(CETC14, "中国电子科技集团公司第十四研究所") == 1.0
    assert score(CETC14, "中国电子科技集团公司第十研究所") < THRESHOLD
    assert score(CETC14, "中國電子科技集團公司第14研究所") == 1.0


def test_7_an_alias_of_the_body_stands_in_for_it_before_the_unit():
    assert score(CETC14, "CETC 14th Research Institute") < THRESHOLD  # no alias stored: nothing to join
    with_alias = ListEntry(id="cetc14", kind="company", names=CETC14.names, aliases=("CETC",))
    hit = hits([with_alias], "CETC 14th Research Institute")["cetc14"]
    assert hit.score == 1.0 and "alias" in hit.why
    assert score(with_alias, "CETC 10th Research Institute") < THRESHOLD


# ---------------------------------------------------------------- 8: persons


@pytest.mark.parametrize("listed,query,bridge", [
    ("张家豪", "Zhang Jiahao", "pinyin without tones"),
    ("张家豪", "Chang Chia-hao", "Wade-Giles"),
    ("张家豪", "CHANG, Chia Hao", "Wade-Giles"),
    ("张家豪", "Jiahao ZHANG", "pinyin without tones"),
    ("陈大文", "Chan Tai Man", "Cantonese (Hong Kong)"),
    ("黄志明", "Wong Chi Ming", "Cantonese (Hong Kong)"),
    ("单立新", "Shan Lixin", "pinyin without tones"),
    ("張家豪", "Zhang Jiahao", "pinyin without tones"),
])
def test_8_persons_in_every_romanisation(listed, query, bridge):
    entry = ListEntry(id="p", kind="person", names=(listed,))
    hit = hits([entry], query, kind="person")["p"]
    assert hit.score == 1.0 and bridge in hit.why
    assert [p["how"].split(",")[0] for p in hit.parts] == ["surname", "given name"]


def test_8_han_against_han_is_judged_in_han():
    entry = ListEntry(id="p", kind="person", names=("张家豪",))
    assert score(entry, "张家浩", kind="person") == 0.0
    assert score(entry, "張家豪", kind="person") == 1.0
    assert score(entry, "Zhang Jiahao", kind="company") == 0.0  # a company is not a person


def test_8_a_listed_romanised_name_is_hit_by_the_han_name():
    entry = ListEntry(id="p", kind="person", names=("Chan Tai Man",))
    assert score(entry, "陈大文", kind="person") == 1.0


# ---------------------------------------------------------------- 9: fuzzy


def test_9_one_wrong_han_character_in_a_part_of_three_or_more_hits_marked_fuzzy():
    entry = ListEntry(id="x", kind="company", names=("深圳市大疆创新科技有限公司",))
    hit = hits([entry], "深圳市大疆创心科技有限公司")["x"]
    assert THRESHOLD <= hit.score < 1.0 and hit.fuzzy and "fuzzy" in hit.why
    assert score(entry, "深圳市大江创心科技有限公司") < THRESHOLD  # two characters: no
    assert score(HUAWEI, "华伟技术有限公司") < THRESHOLD  # a part of two characters must be exact


def test_9_one_wrong_letter_in_a_key_of_six_or_more_hits_marked_fuzzy():
    hit = hits([HUAWEI], "Huawai Technologies")["hw"]
    assert THRESHOLD <= hit.score < 1.0 and hit.fuzzy
    assert score(HUAWEI, "Hauwai Technologies") < THRESHOLD  # two letters: no
    short = ListEntry(id="s", kind="company", names=("Acme Ltd",))
    assert score(short, "Acmo Ltd") < THRESHOLD  # a key under six letters must be exact


def test_9_two_character_given_names_are_not_fuzzy():
    entry = ListEntry(id="p", kind="person", names=("王小明",))
    assert score(entry, "王小名", kind="person") == 0.0


# ---------------------------------------------------------------- 10: identifiers

USCC = "91350100M000100Y43"
OTHER_USCC = "91110000100000000R"


def test_10_the_same_registration_number_hits_at_one_whatever_the_names():
    entry = ListEntry(id="x", kind="company", names=("某某贸易有限公司",), identifiers={"uscc": USCC})
    hit = hits([entry], "Completely Different GmbH", identifiers={"uscc": USCC.lower()})["x"]
    assert hit.score == 1.0 and "same uscc" in hit.why


def test_10_same_names_with_another_valid_number_hit_flagged_as_identifier_conflict():
    from stdnum.cn import uscc

    assert uscc.is_valid(USCC) and uscc.is_valid(OTHER_USCC)
    entry = ListEntry(id="hw", kind="company", names=HUAWEI.names, identifiers={"uscc": USCC})
    hit = hits([entry], "华为技术有限公司", identifiers={"uscc": OTHER_USCC})["hw"]
    assert hit.score == 1.0 and hit.identifier_conflict and "identifier conflict" in hit.why
    plain = hits([entry], "华为技术有限公司")["hw"]
    assert not plain.identifier_conflict


# ---------------------------------------------------------------- 11: a branch by its name


def test_11_a_branch_hits_its_listed_head_office_with_the_path():
    hit = hits([HUAWEI], "华为技术有限公司北京分公司")["hw"]
    assert hit.score == 1.0 and hit.branch_of == "hw" and "branch" in hit.why
    assert score(HUAWEI, "中兴通讯股份有限公司北京分公司") < THRESHOLD


# ---------------------------------------------------------------- versions, stored forms


def test_a_hit_names_the_versions_it_was_made_with(tmp_path):
    screener = Screener([HUAWEI], list_version="control-list-2026-12")
    hit = screener.screen(Party(id="q", kind="company", name="Huawei Technologies"))[0]
    assert hit.versions == {"algorithm": index.ALGORITHM_VERSION, "dictionary": names.dictionary().version,
                            "threshold": THRESHOLD, "list": "control-list-2026-12"}
    path = tmp_path / "forms.pickle"
    screener.dump(path)
    again = Screener.load(path).screen(Party(id="q", kind="company", name="Huawei Technologies"))[0]
    assert (again.entry, again.score, again.why, again.versions) == (hit.entry, hit.score, hit.why, hit.versions)


def test_stored_forms_of_another_algorithm_version_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "forms.pickle"
    Screener([HUAWEI]).dump(path)
    monkeypatch.setattr(index, "ALGORITHM_VERSION", "something-else")
    with pytest.raises(ValueError):
        Screener.load(path)


def test_a_threshold_can_be_raised_per_screening():
    screener = Screener([HUAWEI])
    party = Party(id="q", kind="company", name="Huawai Technologies")
    assert screener.screen(party)
    assert screener.screen(party, threshold=0.95) == []


# ---------------------------------------------------------------- properties

LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz 华为技术有限公司深圳北京中兴張陳", min_size=0, max_size=30)


@settings(max_examples=150, deadline=None)
@given(a=LETTERS, b=LETTERS)
def test_scores_stay_in_range_and_a_name_always_hits_itself(a, b):
    entry = ListEntry(id="e", kind="company", names=(a,))
    found = Screener([entry]).screen(Party(id="q", kind="company", name=b), threshold=0.0)
    assert all(0.0 <= h.score <= 1.0 for h in found)
    own = Screener([entry]).screen(Party(id="q", kind="company", name=a))
    if names.form(a, "company").distinctive:
        assert own and own[0].score == 1.0


# ---------------------------------------------------------------- the evaluation command (a contract)


def _jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def test_eval_prints_one_json_line_per_query_with_hits_at_or_above_the_threshold(tmp_path, capsys):
    listed = _jsonl(tmp_path / "list.jsonl", [
        {"id": "L1", "kind": "company", "names": ["华为技术有限公司"], "country": "CN", "identifiers": {}},
        {"id": "L2", "kind": "person", "names": ["张家豪"], "country": "CN", "identifiers": {}},
    ])
    queries = _jsonl(tmp_path / "q.jsonl", [
        {"id": "Q1", "kind": "company", "name": "Huawei Technologies Co., Ltd.", "country": "CN", "identifiers": {}},
        {"id": "Q2", "kind": "person", "name": "Chang Chia-hao", "country": "TW", "identifiers": {}},
        {"id": "Q3", "kind": "company", "name": "深圳市中兴技术有限公司", "country": "CN", "identifiers": {}},
    ])
    out = io.StringIO()
    call_command("screening", "eval", listed, queries, stdout=out)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [line["id"] for line in lines] == ["Q1", "Q2", "Q3"]
    assert [[h["entry"] for h in line["hits"]] for line in lines] == [["L1"], ["L2"], []]
    assert set(lines[0]["hits"][0]) == {"entry", "score", "why"}
    assert all(h["score"] >= THRESHOLD for line in lines for h in line["hits"])


def test_eval_refuses_a_malformed_file_with_a_clear_error(tmp_path):
    bad = tmp_path / "list.jsonl"
    bad.write_text('{"id": "L1", "names": ["x"]}\nnot json\n', encoding="utf-8")
    good = _jsonl(tmp_path / "q.jsonl", [{"id": "Q", "kind": "company", "name": "x"}])
    with pytest.raises(CommandError, match="list.jsonl:2"):
        call_command("screening", "eval", str(bad), good)
    with pytest.raises(CommandError):
        call_command("screening", "eval", str(tmp_path / "missing.jsonl"), good)


# ---------------------------------------------------------------- found by the benchmark


@pytest.mark.parametrize("query", ["Lü Wei", "Lu Wei", "Lv Wei"])
def test_u_umlaut_is_read_as_written_on_passports(query):
    entry = ListEntry(id="p", kind="person", names=("吕伟",))
    assert score(entry, query, kind="person") == 1.0


def test_wade_giles_with_u_umlaut():
    entry = ListEntry(id="p", kind="person", names=("许军",))
    assert score(entry, "Hsü Chün", kind="person") == 1.0
    assert score(entry, "Hsu Chun", kind="person") == 1.0


def test_a_split_syllable_that_is_also_an_english_word_is_kept():
    entry = ListEntry(id="x", kind="company", names=("深圳市德嘉瑞技术有限公司",))
    assert score(entry, "Shenzhen De Jia Rui Technologies Co., Ltd.") == 1.0


def test_a_romanised_alias_does_not_let_han_hit_a_different_han_name():
    entry = ListEntry(id="p", kind="person", names=("张家豪", "ZHANG Jiahao"))
    assert score(entry, "张家浩", kind="person") == 0.0
    assert score(entry, "Zhang Jiahao", kind="person") == 1.0


def test_stored_forms_load_with_single_postings_as_numbers(tmp_path):
    screener = Screener([HUAWEI, ListEntry(id="zte", kind="company", names=("中兴通讯股份有限公司",))])
    assert any(isinstance(p, int) for p in screener.keys.values())
    path = tmp_path / "forms.pickle"
    screener.dump(path)
    loaded = Screener.load(path)
    assert [h.entry for h in loaded.screen(Party(id="q", kind="company", name="ZTE 中兴通讯"))] == \
        [h.entry for h in screener.screen(Party(id="q", kind="company", name="ZTE 中兴通讯"))]


def test_eval_takes_one_name_given_as_text(tmp_path, capsys):
    listed = _jsonl(tmp_path / "list.jsonl", [{"id": "L1", "kind": "company", "names": "华为技术有限公司"}])
    queries = _jsonl(tmp_path / "q.jsonl", [{"id": "Q1", "kind": "company", "name": "Huawei Technologies"}])
    call_command("screening", "eval", listed, queries)
    line = json.loads(capsys.readouterr().out.strip())
    assert [h["entry"] for h in line["hits"]] == ["L1"]


# ---------------------------------------------------------------- beyond the examples


def test_other_scripts_are_read_in_latin_letters_and_say_so():
    rostec = ListEntry(id="r", kind="company", names=("Rostec State Corporation", "Государственная корпорация Ростех"))
    hit = hits([rostec], "Ростех")["r"]
    assert hit.score == 1.0
    assert score(rostec, "ROSTEC") == 1.0  # "State Corporation" is a company form
    person = ListEntry(id="i", kind="person", names=("Ivanov Sergei",))
    found = hits([person], "Иванов Сергей", kind="person")["i"]
    assert found.score >= THRESHOLD and "other script read in Latin letters" in found.bridges
    assert score(person, "Петров Сергей", kind="person") < THRESHOLD


def test_taiwan_words_are_made_the_mainland_words_for_companies_only():
    sugon = ListEntry(id="s", kind="company", names=("曙光信息产业股份有限公司",))
    hit = hits([sugon], "曙光資訊產業股份有限公司")["s"]  # 資訊 is Taiwan's word for 信息
    assert hit.score == 1.0 and "traditional→simplified" in hit.bridges
    assert score(ListEntry(id="w", kind="company", names=("深圳网络软件有限公司",)), "深圳網路軟體有限公司") == 1.0
    # A person's characters are converted one by one, never as words.
    person = ListEntry(id="p", kind="person", names=("李资讯",))
    assert score(person, "李資訊", kind="person") == 1.0


def test_wade_giles_spellings_of_the_dictionary_words():
    assert score(HUAWEI, "Hua-wei Chi-shu Yu-hsien Kung-ssu") == 1.0
    beihang = ListEntry(id="b", kind="company", names=("北京航空航天大学",))
    assert score(beihang, "Pei-ching Hang-k'ung Hang-t'ien Ta-hsüeh") == 1.0
    assert score(beihang, "Nan-ching Hang-k'ung Hang-t'ien Ta-hsüeh") < THRESHOLD  # another city


def test_abbreviations_and_foreign_company_forms():
    nudt = ListEntry(id="n", kind="company", names=("国防科技大学", "National University of Defense Technology"))
    assert score(nudt, "National Univ. of Defense Tech.") == 1.0
    assert score(nudt, "Guofang Keji Daxue") == 1.0
    russian = ListEntry(id="k", kind="company", names=('OOO "Kaluga Avia"',))
    assert score(russian, "Kaluga Avia LLC") == 1.0
    assert score(russian, 'ООО «Калуга Авиа»') >= THRESHOLD
    assert score(russian, "Kaluga Avto LLC") < THRESHOLD


def test_hyphenated_and_compound_surnames():
    ouyang = ListEntry(id="o", kind="person", names=("欧阳明",))
    for name in ("Ouyang Ming", "Ou-yang Ming", "Ou Yang Ming", "Ming OUYANG"):
        assert score(ouyang, name, kind="person") == 1.0, name
    assert score(ouyang, "Ou Ming", kind="person") < THRESHOLD


def test_western_middle_names_and_initials_hit_below_a_sure_match():
    smith = ListEntry(id="s", kind="person", names=("Smith, John Robert",))
    for name in ("John Smith", "John R. Smith", "SMITH, John R"):
        hit = hits([smith], name, kind="person")["s"]
        assert THRESHOLD <= hit.score < 1.0 and "middle name missing or an initial" in hit.bridges, name
    assert score(smith, "John Robert Smith", kind="person") == 1.0
    assert score(smith, "Robert Smith", kind="person") < THRESHOLD  # the first given names differ
    assert score(smith, "John T. Smith", kind="person") < THRESHOLD  # an initial that is not Robert's
    assert score(smith, "Jane Smith", kind="person") < THRESHOLD


def test_names_written_in_characters_for_their_sounds():
    entry = ListEntry(id="m", kind="person", names=("买买提·艾力",))
    for name in ("Maimaiti Aili", "AILI, Maimaiti", "Maimaiti·Aili", "买买提艾力"):
        assert score(entry, name, kind="person") == 1.0, name
    assert score(entry, "Maimaiti Tursun", kind="person") < THRESHOLD
