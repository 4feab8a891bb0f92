""""Do I need a licence?": the answers and the rules they cite, prohibitions of each kind, fuzzy
party names in both scripts, temporary controls, the page and the API; and the same check at
application submission."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from controllist.codes import sort_key
from controllist.controls import determination as d
from controllist.controls import services as controls
from controllist.controls.determination import Outcome, determine, names_match
from controllist.models import Entry, ListVersion, TemporaryControl, VersionState
from controllist.search.engine import index_entries
from licensing.models import RoutingRule
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _english(client):
    """The assertions read the English texts (pages default to Chinese)."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield

pytestmark = pytest.mark.django_db

ENTRIES = [
    ("1C902", "钐相关物项", "Samarium-related items"),
    ("1C902.a", "钐金属及钐钴合金", "Samarium metal and samarium-cobalt alloys"),
    ("1C903", "钆相关物项", "Gadolinium-related items"),
    ("3A001", "电子元器件", "Electronic components"),
    ("3A001.a", "集成电路", "Integrated circuits"),
]


def today():
    return timezone.localdate()


def make_version(label, entries=ENTRIES, effective_from=None) -> ListVersion:
    """A published list version in force from `effective_from` (default: 10 days ago, so after the
    shipped sample list of 2024-12-01 when that is loaded)."""
    version = ListVersion.objects.create(
        label=label, title_zh=label, title_en=label, state=VersionState.PUBLISHED,
        effective_from=effective_from or today() - timedelta(days=10), entry_count=len(entries))
    made = {}
    for code, zh, en in entries:
        parent = made.get(code.rsplit(".", 1)[0]) if "." in code else None
        made[code] = Entry.objects.create(version=version, code=code, parent=parent, depth=code.count("."),
                                          sort_key=sort_key(code), description_zh=zh, description_en=en)
    index_entries(made.values())
    return version


@pytest.fixture
def version(db):
    return make_version("t-det")


def ban(actors, **data):
    return controls.prohibition_create(actor=actors.ministry, data={
        "reason_zh": "禁止理由", "reason_en": "Banned by announcement", "effective_from": today() - timedelta(days=1),
        **data})


def temporary(actors, **data):
    return controls.temporary_control_create(actor=actors.ministry, data={
        "title_zh": "高纯镓", "title_en": "High-purity gallium", "starts_on": today() - timedelta(days=5),
        "ends_on": today() + timedelta(days=200), **data})


NO = {"national_security": False, "wmd": False, "terrorism": False}


def ask(items, destination="DE", **kwargs):
    items = [item if isinstance(item, dict) else {"control_code": item} for item in items]
    return determine(exporter=None, items=items, destination=destination, **kwargs)


def articles(answer):
    return [(c.law.split(" / ")[1], c.article) for c in answer.citations]


# ---------------------------------------------------------------- the answers


def test_a_listed_item_needs_a_licence(version):
    answer = ask(["1C902.a"], catch_all=NO)
    assert answer.outcome == Outcome.LICENCE_REQUIRED
    assert articles(answer) == [("Export Control Law", "Art. 12(1)"),
                                ("Regulations on Export Control of Dual-use Items", "Art. 15")]
    routes = {route.key: route.status for route in answer.routes}
    assert routes == {"individual": "open", "general": "conditional", "registration": "conditional"}
    general = next(route for route in answer.routes if route.key == "general")
    assert "subject to the ministry's check" in str(general.reason).lower()
    finding = answer.items[0]
    assert finding.entry.code == "1C902.a" and finding.entry.version == version
    assert answer.list_version == version
    assert finding.regime.regime_en == "China's own controls" and "MIIT" in finding.regime.agency_codes


def test_agencies_come_from_the_routing_rules_read_once_for_every_item(version):
    """Every item's agencies come from the routing table, read once whatever the number of items."""
    def routing_queries(codes):
        with CaptureQueriesContext(connection) as context:
            answer = ask(codes, catch_all=NO)
        return answer, sum("licensing_routingrule" in query["sql"] for query in context.captured_queries)

    one, queries_for_one = routing_queries(["1C902.a"])
    many, queries_for_many = routing_queries(["1C902.a", "3A001.a", "1C902", "2B950", "1C902.a.7"])
    assert queries_for_one == queries_for_many == 2  # the rules, then their agencies
    assert [finding.regime.agency_codes for finding in many.items if finding.regime] == [["MIIT"]] * 4
    RoutingRule.objects.filter(regime_digit="9", sector="1").update(active=False)
    RoutingRule.objects.filter(regime_digit="9", sector="").update(active=False)
    assert ask(["1C902.a"], catch_all=NO).items[0].regime.agency_codes == []


@pytest.mark.parametrize("code,entry", [("1C902.a.7", "1C902.a"), ("1C902", "1C902"), ("3A001.a", "3A001.a")])
def test_sub_item_and_parent_codes_count(version, code, entry):
    answer = ask([code])
    assert answer.outcome == Outcome.LICENCE_REQUIRED and answer.items[0].entry.code == entry


def test_a_parent_code_of_listed_sub_items_counts(db):
    make_version("t-children", entries=[("2B950.a", "子项", "A sub-item only")])
    answer = ask(["2B950"])
    assert answer.outcome == Outcome.LICENCE_REQUIRED and answer.items[0].entry.code == "2B950.a"


def test_a_listed_item_to_a_prohibited_destination(actors, version):
    hit = ban(actors, destination="KP")
    answer = ask(["1C902.a"], destination="KP", catch_all=NO)
    assert answer.outcome == Outcome.PROHIBITED
    assert articles(answer) == [("Export Control Law", "Art. 10"),
                                ("Regulations on Export Control of Dual-use Items", "Art. 13")]
    assert [h.prohibition for h in answer.prohibitions] == [hit] and answer.routes == []
    assert ask(["1C902.a"], destination="DE").outcome == Outcome.LICENCE_REQUIRED


def test_a_party_prohibition(actors, version):
    ban(actors, party_name="Example Trading Co., Ltd.", party_country="AE")
    answer = ask([{"description": "office chairs"}], destination="AE", end_user_name="EXAMPLE TRADING LIMITED",
                 end_user_country="AE", catch_all=NO)
    assert answer.outcome == Outcome.PROHIBITED and answer.prohibitions[0].party == "end_user"
    importer = ask([{"description": "office chairs"}], destination="AE", importer_name="example trading l.l.c.")
    assert importer.outcome == Outcome.PROHIBITED and importer.prohibitions[0].party == "importer"
    elsewhere = ask([{"description": "office chairs"}], destination="DE", end_user_name="Example Trading Ltd",
                    end_user_country="DE", catch_all=NO)
    assert elsewhere.outcome == Outcome.NOT_CONTROLLED  # the ban names a party in AE
    other = ask([{"description": "office chairs"}], destination="AE", end_user_name="Sample Logistics LLC",
                end_user_country="AE", catch_all=NO)
    assert other.outcome == Outcome.NOT_CONTROLLED


def test_a_chinese_party_name_matches_its_pinyin(actors, version):
    ban(actors, party_name="北京航天科技有限公司")
    answer = ask(["3A001.a"], end_user_name="Beijing Hangtian Keji Co., Ltd.")
    assert answer.outcome == Outcome.PROHIBITED
    assert ask(["3A001.a"], end_user_name="北京航天科技公司").outcome == Outcome.PROHIBITED
    assert ask(["3A001.a"], end_user_name="Shanghai Hangtian Keji Co., Ltd.").outcome == Outcome.LICENCE_REQUIRED


@pytest.mark.parametrize("a,b,same", [
    ("Example Trading Co., Ltd.", "EXAMPLE TRADING LIMITED", True),
    ("Motorenwerk München GmbH", "motorenwerk munchen", True),
    ("Huawei Technologies Co., Ltd.", "华为技术有限公司", True),    # dictionary words bridge the languages
    ("深圳市中兴技术有限公司", "深圳市华为技术有限公司", False),      # place, industry and form alone never match
    ("華為技術有限公司", "华为技术有限公司", True),
    ("Hua Wei Ji Shu", "华为技术有限公司", True),
    ("Huawei Jishu Youxian Gongsi", "华为技术有限公司", True),
    ("Example Trading", "Exemplary Tradings Group", False),
    ("", "Anything", False),
])
def test_names_match(a, b, same):
    assert names_match(a, b) is same


def test_an_unlisted_item_with_a_catch_all_yes(version):
    answer = ask(["9A999"], catch_all={**NO, "wmd": True})
    assert answer.outcome == Outcome.CATCH_ALL
    assert articles(answer) == [("Export Control Law", "Art. 12(3)"),
                                ("Regulations on Export Control of Dual-use Items", "Art. 14")]
    assert [q.key for q, _answer in answer.questions] == ["national_security", "wmd", "terrorism"]
    assert all(q.explanation for q, _answer in answer.questions)
    assert dict((q.key, a) for q, a in answer.questions)["wmd"] is True


def test_an_unlisted_item_with_all_answers_no(version):
    answer = ask(["9A999"], catch_all=NO)
    assert answer.outcome == Outcome.NOT_CONTROLLED
    assert articles(answer) == [("Export Control Law", "Art. 12")]
    assert "rests on your answers" in str(answer.citations[0].text)


@pytest.mark.parametrize("catch_all", [None, {}, {"wmd": False}, {**NO, "terrorism": None}])
def test_unanswered_questions_are_asked_for(version, catch_all):
    assert ask(["9A999"], catch_all=catch_all).outcome == Outcome.QUESTIONS_NEEDED


def test_an_item_under_a_temporary_control(actors, version):
    control = temporary(actors, hs_codes=["8112"], control_code="1C999")
    by_code = ask(["1C999"], catch_all=NO)
    by_hs = ask([{"description": "metal", "hs_code": "81129240"}], catch_all=NO)
    by_words = ask([{"description": "5N high purity gallium ingots"}], catch_all=NO)
    for answer in (by_code, by_hs, by_words):
        assert answer.outcome == Outcome.LICENCE_REQUIRED
        assert answer.items[0].temporary_controls[0][0] == control
        assert ("Export Control Law", "Art. 9") in articles(answer)
        assert ("Regulations on Export Control of Dual-use Items", "Art. 12") in articles(answer)
    assert [how for _c, how in by_hs.items[0].temporary_controls] == ["hs_code"]
    assert ask([{"description": "高纯镓锭"}]).outcome == Outcome.LICENCE_REQUIRED
    assert ask([{"description": "gallium nitride wafers"}], catch_all=NO).outcome == Outcome.NOT_CONTROLLED


def test_a_temporary_control_applies_only_while_in_force_and_to_its_destinations(actors, version):
    control = temporary(actors, destinations=["US"], starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    item = [{"description": "high-purity gallium"}]
    assert ask(item, destination="US", on=date(2026, 6, 30)).outcome == Outcome.LICENCE_REQUIRED
    assert ask(item, destination="US", on=date(2026, 7, 1), catch_all=NO).outcome == Outcome.NOT_CONTROLLED
    assert ask(item, destination="DE", on=date(2026, 6, 30), catch_all=NO).outcome == Outcome.NOT_CONTROLLED
    TemporaryControl.objects.filter(pk=control.pk).update(state="cancelled")
    assert ask(item, destination="US", on=date(2026, 6, 30), catch_all=NO).outcome == Outcome.NOT_CONTROLLED


@pytest.mark.parametrize("code,destination,banned", [
    ("1C902.a", "US", True), ("1C903", "US", True), ("3A001.a", "US", False), ("1C902.a", "DE", False),
])
def test_a_combined_item_and_destination_prohibition(actors, version, code, destination, banned):
    ban(actors, item_code="1C9", destination="US")
    outcome = ask([code], destination=destination).outcome
    assert (outcome == Outcome.PROHIBITED) is banned


def test_an_item_prohibition_matches_sub_items_only(actors, version):
    ban(actors, item_code="3A001.a")
    assert ask(["3A001.a"]).outcome == Outcome.PROHIBITED
    assert ask(["3A001"]).outcome == Outcome.LICENCE_REQUIRED
    assert ask(["1C902", "3A001.a"]).prohibitions[0].items == [1]


def test_a_prohibition_of_a_temporary_control_item(actors, version):
    control = temporary(actors)
    ban(actors, temporary_control=control.pk)
    assert ask([{"description": "high purity gallium"}]).outcome == Outcome.PROHIBITED
    assert ask(["1C902.a"]).outcome == Outcome.LICENCE_REQUIRED


def test_revoked_expired_and_future_prohibitions_do_not_apply(actors, version):
    revoked = ban(actors, destination="KP")
    controls.prohibition_revoke(actor=actors.ministry, prohibition_id=revoked.pk, reason="lifted")
    ban(actors, destination="KP", effective_from=today() - timedelta(days=30), effective_until=today() - timedelta(days=1))
    ban(actors, destination="KP", effective_from=today() + timedelta(days=1))
    assert ask(["1C902.a"], destination="KP").outcome == Outcome.LICENCE_REQUIRED
    ban(actors, destination="KP", effective_until=today())
    assert ask(["1C902.a"], destination="KP").outcome == Outcome.PROHIBITED


def test_free_text_gets_candidates_without_requiring_a_licence(version):
    answer = ask([{"description": "samarium cobalt alloy"}], catch_all=NO)
    assert answer.outcome == Outcome.NOT_CONTROLLED
    codes = [entry.code for entry in answer.items[0].candidates]
    assert codes and "1C902.a" in codes and len(codes) <= 5
    assert any("classification" in str(caution) for caution in answer.cautions)


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize("body,field", [
    ({"items": [], "destination": "DE"}, "items"),
    ({"items": [{"control_code": "1C902.a"}] * 11, "destination": "DE"}, "items"),
    ({"items": [{"control_code": "1X902"}], "destination": "DE"}, "items.0.control_code"),
    ({"items": [{"control_code": "1C902"}, {"description": ""}], "destination": "DE"}, "items.1"),
    ({"items": [{"control_code": "1C902"}], "destination": "XX"}, "destination"),
    ({"items": [{"control_code": "1C902"}], "destination": ""}, "destination"),
    ({"items": [{"control_code": "1C902"}], "destination": "DE", "end_user_country": "Germany"}, "end_user_country"),
    ({"items": [{"control_code": 1902}], "destination": "DE"}, "items.0.control_code"),
    ({"items": "1C902", "destination": "DE"}, "items"),
    ({"items": [{"control_code": "1C902"}], "destination": "DE", "catch_all": {"wmd": "yes"}}, "catch_all"),
    ({"items": [{"control_code": "1C902"}], "destination": "DE", "catch_all": {"other": True}}, "catch_all"),
    ({"items": [{"description": "x", "hs_code": "12"}], "destination": "DE"}, "items.0.hs_code"),
])
def test_clean_request_refuses_bad_input(body, field):
    with pytest.raises(d.ValidationFailed) as exc:
        d.clean_request(body)
    assert field in exc.value.fields


# ---------------------------------------------------------------- API and page


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_as(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("who", ["owner", "outsider", "province", "ministry", "agency", "customs"])
def test_everyone_signed_in_can_ask(actors, version, who):
    user = getattr(actors, who)
    resp = api_as(user).post("/api/controllist/determinations/", {
        "items": [{"control_code": "1C902.a"}, {"description": "samarium alloy"}], "destination": "DE",
        "end_user_name": "Motorenwerk", "catch_all": {"national_security": False, "wmd": False, "terrorism": None}},
        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["outcome"] == "licence_required" and body["list_version"]["label"] == "t-det"
    assert body["items"][0]["entry"]["code"] == "1C902.a"
    assert body["items"][0]["entry"]["url"] == "/controllist/entry/t-det/1C902.a/"
    assert [r["key"] for r in body["routes"]] == ["individual", "general", "registration"]
    assert {c["article"] for c in body["citations"]} == {"Art. 12(1)", "Art. 15"}
    assert [q["key"] for q in body["questions"]] == ["national_security", "wmd", "terrorism"]
    assert page_as(user).get("/controllist/determine/").status_code == 200


@pytest.mark.parametrize("body", [
    {"items": [{"control_code": "1C902.a"}] * 11, "destination": "DE"},
    {"items": [{"control_code": "1C9"}], "destination": "DE"},
    {"items": [{"control_code": "1C902.a"}], "destination": "ZZ"},
    {"items": {"control_code": "1C902.a"}, "destination": "DE"},
    {"items": [{"control_code": "1C902.a"}], "destination": "DE", "catch_all": {"wmd": "maybe"}},
    {"items": [{"control_code": "1C902.a"}], "destination": "DE", "catch_all": {"wmd": "true"}},
    {"items": [{"control_code": ["1C902.a"]}], "destination": "DE"},
    {"destination": "DE"},
    [],
])
def test_api_bad_determination_is_400(actors, version, body):
    resp = api_as(actors.owner).post("/api/controllist/determinations/", body, format="json")
    assert resp.status_code == 400, resp.content
    assert set(resp.json()) >= {"code", "detail", "messages"}


def _page_body(rows, **extra):
    body = {"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "10", "destination": "DE", **extra}
    for index, row in enumerate(rows):
        for key, value in row.items():
            body[f"items-{index}-{key}"] = value
    return body


def test_page_answers_a_listed_item(actors, version):
    client = page_as(actors.owner)
    form = client.get("/controllist/determine/")
    assert b'name="q_wmd"' in form.content and b"items-2-control_code" in form.content
    assert b"items-9-control_code" in client.get("/controllist/determine/?rows=10").content
    resp = client.post("/controllist/determine/", _page_body([{"control_code": "1C902.a"}, {"control_code": ""}]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-outcome="licence_required"' in html and "Art. 12(1)" in html
    assert 'data-route="general"' in html and "/controllist/entry/t-det/1C902.a/" in html


def test_page_free_text_shows_candidates_and_questions(actors, version):
    resp = page_as(actors.owner).post("/controllist/determine/", _page_body(
        [{"description": "samarium cobalt alloy"}], q_national_security="no", q_wmd="no"))
    html = resp.content.decode()
    assert resp.status_code == 200 and 'data-outcome="questions_needed"' in html
    assert re.search(r'href="/controllist/entry/t-det/1C902\.a/"', html)
    assert "catch-all-questions" in html


def test_page_catch_all_and_prohibited(actors, version):
    ban(actors, party_name="Example Trading", reason_en="Listed for diversion")
    client = page_as(actors.owner)
    yes = client.post("/controllist/determine/", _page_body([{"control_code": "9A999"}], q_terrorism="yes"))
    assert 'data-outcome="catch_all"' in yes.content.decode()
    banned = client.post("/controllist/determine/", _page_body([{"control_code": "9A999"}],
                                                               end_user_name="Example Trading GmbH"))
    html = banned.content.decode()
    assert 'data-outcome="prohibited"' in html and "Listed for diversion" in html and "Art. 10" in html


@pytest.mark.parametrize("rows,extra", [
    ([{"control_code": "1C902.a"}] * 11, {}),
    ([{"control_code": "1X902"}], {}),
    ([{"control_code": "1C902.a"}], {"destination": "XX"}),
    ([{"control_code": "1C902.a"}], {"q_wmd": "perhaps"}),
    ([{"control_code": ""}], {}),
])
def test_page_bad_input_is_400(actors, version, rows, extra):
    resp = page_as(actors.owner).post("/controllist/determine/", _page_body(rows, **extra))
    assert resp.status_code == 400
    assert b'data-outcome=' not in resp.content


# ---------------------------------------------------------------- at application submission


def _submit(app, user):
    from licensing.applications import services as licensing

    return licensing.application_submit(application_id=app.pk, actor=user, expected_version=app.version)


def _submit_events(app):
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(action="application.submit", object_id=str(app.pk))


def test_a_draft_code_must_be_in_the_list_in_force(actors, version):
    from licensing.applications import services as licensing
    from tests.factories import DRAFT

    with pytest.raises(d.ValidationFailed) as exc:
        licensing.application_create(actor=actors.owner, data={**DRAFT, "item": {**DRAFT["item"],
                                                                                "control_code": "3A999"}})
    assert exc.value.code == "not_listed" and "item.control_code" in exc.value.fields
    assert "3A999" in str(exc.value.message) and "(t-det, effective" in str(exc.value.message)
    temporary(actors, control_code="3A999")
    app, _created = licensing.application_create(actor=actors.owner, data={
        **DRAFT, "item": {**DRAFT["item"], "control_code": "3A999"}})
    assert app.items.get().control_code == "3A999"


def test_a_code_removed_by_a_newer_version_blocks_submission(actors, version, case_factory):
    app = case_factory("draft")
    make_version("t-new", entries=[("3A001", "电子元器件", "Electronic components")], effective_from=today())
    with pytest.raises(d.ValidationFailed) as exc:
        _submit(app, actors.owner)
    assert exc.value.code == "not_listed"
    assert "1C902.a" in str(exc.value.message) and "t-new" in str(exc.value.message)
    app.refresh_from_db()
    assert app.status == "draft" and app.list_version is None and not _submit_events(app).exists()


def test_a_code_still_listed_passes_and_the_case_keeps_the_new_version(actors, version, case_factory):
    app = case_factory("draft")
    newer = make_version("t-new", effective_from=today())
    _submit(app, actors.owner)
    app.refresh_from_db()
    assert app.status == "submitted" and app.list_version == newer
    after = _submit_events(app).get().after
    assert after["list_version"] == newer.pk and after["list_version_label"] == "t-new"
    assert after["determination"] == "licence_required"
    page = page_as(actors.owner).get(f"/cases/{app.pk}/")
    assert b'id="list-version"' in page.content and b"t-new" in page.content
    api = APIClient()
    api.force_authenticate(actors.owner)
    assert api.get(f"/api/applications/{app.pk}/").json()["list_version"] == "t-new"
    # A later list leaves the submitted case on the version it was submitted under.
    make_version("t-later", effective_from=today() + timedelta(days=1))
    app.refresh_from_db()
    assert app.list_version == newer


@pytest.mark.parametrize("kind", ["destination", "party"])
def test_a_prohibited_application_is_blocked_at_submission(actors, version, case_factory, kind):
    app = case_factory("draft")
    version_before = app.version
    data = {"destination": "DE"} if kind == "destination" else {"party_name": "MOTORENWERK MUNCHEN"}
    ban(actors, reason_zh="违反最终用途承诺", reason_en="Breach of end-use undertakings", **data)
    resp = api_as(actors.owner).post(f"/api/applications/{app.pk}/submit/", {"version": app.version},
                                     format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "prohibited"
    assert "Breach of end-use undertakings" in body["messages"]["en"] and "Art. 10" in body["messages"]["en"]
    assert "违反最终用途承诺" in body["messages"]["zh-hans"]
    app.refresh_from_db()
    assert app.status == "draft" and app.version == version_before and app.reference is None
    assert not _submit_events(app).exists()


# ---------------------------------------------------------------- odd input (review)


@pytest.mark.parametrize("rows", ["²", "٣", "9" * 5000, "-1", "0", "abc"])
def test_odd_row_counts_do_not_crash_the_page(actors, rows):
    resp = page_as(actors.owner).get("/controllist/determine/", {"rows": rows})
    assert resp.status_code == 200
    assert 1 <= resp.context["rows"].total_form_count() <= d.MAX_ITEMS



def test_a_destination_ban_catches_an_end_user_in_that_country_shipped_via_another(actors, version):
    """The destination that counts is where the items end up: shipping to a third country first
    does not take an export to an end user in a banned country out of the ban (Law 10)."""
    ban(actors, destination="KP")
    via = ask(["1C902.a"], destination="DE", end_user_name="Ryugyong Trading", end_user_country="KP")
    assert via.outcome == Outcome.PROHIBITED
    assert ask(["1C902.a"], destination="DE", end_user_country="DE").outcome == Outcome.LICENCE_REQUIRED
    temporary(actors, destinations=["US"])
    item = [{"description": "high-purity gallium"}]
    assert ask(item, destination="DE", end_user_country="US", catch_all=NO).outcome == Outcome.LICENCE_REQUIRED
    assert ask(item, destination="DE", end_user_country="JP", catch_all=NO).outcome == Outcome.NOT_CONTROLLED


def test_a_null_character_is_400_not_a_crash(actors, version):
    api, page = api_as(actors.owner), page_as(actors.owner)
    for body in ({"items": [{"description": "gallium\x00"}], "destination": "DE"},
                 {"items": [{"control_code": "1C902.a\x00"}], "destination": "DE"},
                 {"items": [{"control_code": "1C902.a"}], "destination": "DE", "end_user_name": "A\x00B"}):
        assert api.post("/api/controllist/determinations/", body, format="json").status_code == 400
    assert page.post("/controllist/determine/", _page_body([{"description": "gallium\x00"}])).status_code == 400
    assert page.post("/controllist/determine/", _page_body([{"control_code": "1C902.a"}],
                                                           importer_name="A\x00B")).status_code == 400

