"""The Control List (管控名单, Law 18, Reg. 28-30) and the Watch List (关注名单, Reg. 26): publishing
by service, form and API, removal, file imports checked whole, the changes and audit trail, the
public pages and API, who may write, and the demo lists."""

import csv
import io
import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from audit.models import AuditEvent
from enduser.lists import demo, importer, selectors, services
from enduser.models import ListChange, ListedParty, RescreenJob
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import PASSWORD, make_uscc

pytestmark = pytest.mark.django_db

NOT_MINISTRY = ["owner", "colleague", "outsider", "province", "other_province", "agency", "customs"]


@pytest.fixture(autouse=True)
def _english(client):
    """The assertions read the English texts (pages default to Chinese)."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def today():
    return timezone.localdate()


def entry_data(**overrides):
    return {"list_kind": "control", "kind": "company",
            "names": ["洛克希德·马丁导弹与火控公司", "Lockheed Martin Missiles and Fire Control"],
            "aliases": ["LMMFC"], "addresses": ["1701 W Marshall Dr, Grand Prairie, Texas"], "country": "US",
            "identifiers": {}, "announcement": "商务部公告2025年第1号", "announced_on": date(2025, 1, 2),
            "effective_on": date(2025, 1, 2), "reason": "维护国家安全和利益 / national security",
            "effect": "禁止出口两用物项 / no export of dual-use items", "uncertain": False, **overrides}


def publish(actor, **overrides):
    return services.listed_party_publish(actor=actor, data=entry_data(**overrides))


def counts():
    return (ListedParty.objects.count(), ListChange.objects.count(),
            AuditEvent.objects.filter(action__startswith="enduser.").count())


def page_as(user):
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


CSV_HEADER = list(importer.COLUMNS)


def csv_row(**overrides):
    row = {"list_kind": "control", "kind": "company", "names": "雷神导弹与防务公司|Raytheon Missiles & Defense",
           "aliases": "RMD", "addresses": "Tucson, Arizona", "country": "US", "uscc": "", "registration": "",
           "announcement": "商务部公告2025年第1号", "announced_on": "2025-01-02", "effective_on": "2025-01-02",
           "reason": "国家安全 / national security", "effect": "禁止出口 / no export", "uncertain": "no",
           **overrides}
    return [row[name] for name in CSV_HEADER]


def csv_bytes(rows, header=CSV_HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


def good_rows():
    return [csv_row(),
            csv_row(list_kind="watch", names="斯巴鲁株式会社|SUBARU Corporation", country="JP",
                    announcement="商务部公告2026年第12号", announced_on="2026-02-24", effective_on="2026-02-24",
                    uncertain="yes", aliases=""),
            csv_row(kind="person", names="张三|Zhang San", aliases="", addresses="", country="SG",
                    registration="S1234567A")]


def upload(name, content):
    return SimpleUploadedFile(name, content)


# ---------------------------------------------------------------- publishing by service


def test_publish_writes_the_entry_its_change_and_the_audit_event(actors):
    party = publish(actors.ministry, identifiers={"uscc": make_uscc(7)})
    assert party.names[0] == "洛克希德·马丁导弹与火控公司" and party.country.code == "US"
    assert party.identifiers == {"uscc": make_uscc(7)} and party.version == 1
    change = ListChange.objects.get()
    assert change.listed == party and change.action == "add" and change.by == actors.ministry
    assert change.on == party.effective_on and change.announcement == "商务部公告2025年第1号"
    assert change.snapshot["names"] == party.names and change.snapshot["id"] == party.pk
    assert "client_token" not in change.snapshot
    event = AuditEvent.objects.get(action="enduser.listed_party_publish")
    assert event.object_id == str(party.pk) and event.actor == actors.ministry
    assert event.after["announcement"] == party.announcement


def test_publish_schedules_the_rescreening_hook_on_commit(actors, monkeypatch, django_capture_on_commit_callbacks):
    called = []
    monkeypatch.setattr(services, "after_change", lambda ids: called.append(ids))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(actors.ministry)
    assert len(callbacks) == 1 and called == []
    callbacks[0]()
    assert called == [[ListChange.objects.get().pk]]


def test_the_hook_starts_a_rescreening(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(actors.ministry)
    job = RescreenJob.objects.get()  # what it does: tests/test_enduser_rescreen.py
    assert job.change_ids == [ListChange.objects.get().pk]


def test_publish_cleans_the_input(actors):
    party = publish(actors.senior, list_kind=" Watch ", names=["  Ａｃｍｅ Ltd  ", "acme ltd", "", "阿克美"],
                    country="jp", identifiers={"uscc": " " + make_uscc(8)[:9] + " " + make_uscc(8)[9:]},
                    announced_on="2026-02-24", effective_on="2026-03-01", kind=None)
    assert party.list_kind == "watch" and party.kind == "company" and party.country.code == "JP"
    assert party.names == ["Ａｃｍｅ Ltd", "阿克美"]  # the same name twice (any case) is kept once
    assert party.identifiers == {"uscc": make_uscc(8)}
    assert party.effective_on == date(2026, 3, 1)


@pytest.mark.parametrize("overrides,field", [
    ({"list_kind": None}, "list_kind"),
    ({"list_kind": "black"}, "list_kind"),
    ({"kind": "robot"}, "kind"),
    ({"names": []}, "names"),
    ({"names": ["  "]}, "names"),
    ({"names": "Lockheed"}, "names"),
    ({"names": [5]}, "names"),
    ({"names": ["x" * 301]}, "names"),
    ({"names": ["bad\x00name"]}, "names"),
    ({"names": [f"n{i}" for i in range(51)]}, "names"),
    ({"aliases": "LMMFC"}, "aliases"),
    ({"aliases": [None]}, "aliases"),
    ({"addresses": ["x" * 501]}, "addresses"),
    ({"country": "ZZ"}, "country"),
    ({"country": "USA"}, "country"),
    ({"country": 5}, "country"),
    ({"identifiers": {"uscc": "91310115MA1H7XQK4Y"}}, "uscc"),
    ({"identifiers": {"passport": "E1234"}}, "identifiers"),
    ({"identifiers": "91310115MA1H7XQK4X"}, "identifiers"),
    ({"identifiers": {"registration": "x" * 101}}, "registration"),
    ({"announcement": ""}, "announcement"),
    ({"announcement": "x" * 121}, "announcement"),
    ({"announcement": 2025}, "announcement"),
    ({"announced_on": None}, "announced_on"),
    ({"announced_on": "2025-13-01"}, "announced_on"),
    ({"announced_on": "1900-01-01"}, "announced_on"),
    ({"effective_on": ""}, "effective_on"),
    ({"effective_on": date(2025, 1, 1)}, "effective_on"),  # before the announcement
    ({"reason": ""}, "reason"),
    ({"reason": "x" * 2001}, "reason"),
    ({"effect": "x" * 2001}, "effect"),
    ({"uncertain": "yes"}, "uncertain"),
])
def test_bad_input_is_refused_by_field_and_changes_nothing(actors, overrides, field):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        publish(actors.ministry, **overrides)
    assert field in exc.value.fields, exc.value.fields
    assert counts() == before


def test_every_problem_is_reported_at_once_in_both_languages(actors):
    with pytest.raises(ValidationFailed) as exc:
        publish(actors.ministry, names=[], country="ZZ", announcement="", reason="")
    assert set(exc.value.fields) == {"names", "country", "announcement", "reason"}
    message = exc.value.fields["country"][0]
    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    assert "ISO 3166" in en and zh != en and "国家" in zh


def test_a_replayed_client_token_returns_the_same_entry(actors):
    token = uuid.uuid4()
    first = services.listed_party_publish(actor=actors.ministry, data=entry_data(), client_token=token)
    again = services.listed_party_publish(actor=actors.ministry, data=entry_data(names=["other"]), client_token=str(token))
    assert again.pk == first.pk and again.names == first.names
    assert counts() == (1, 1, 1)
    with pytest.raises(ValidationFailed):
        services.listed_party_publish(actor=actors.ministry, data=entry_data(), client_token="not-a-uuid")


def test_person_names_may_repeat_and_companies_only_once_per_list(actors):
    first = publish(actors.ministry)
    with pytest.raises(ValidationFailed) as exc:
        publish(actors.ministry, names=["洛克希德 · 马丁导弹与火控公司"])
    assert f"entry {first.pk}" in str(exc.value.fields["names"][0])
    publish(actors.ministry, list_kind="watch")  # the other list
    publish(actors.ministry, country="GB")  # another country
    publish(actors.ministry, kind="person", names=["Zhang San"])
    publish(actors.ministry, kind="person", names=["Zhang San"])
    services.listed_party_remove(actor=actors.ministry, listed_id=first.pk, removed_on=today(),
                                 announcement="移出公告", expected_version=1)
    publish(actors.ministry)  # listed again after its removal


@pytest.mark.parametrize("who", NOT_MINISTRY + [None])
def test_only_the_ministry_writes(actors, who):
    party = publish(actors.ministry)
    user = getattr(actors, who) if who else None
    before = counts()
    with pytest.raises(NotAllowed):
        publish(user, names=["Other Co."])
    with pytest.raises(NotAllowed):
        services.listed_party_remove(actor=user, listed_id=party.pk, removed_on=today(), announcement="x",
                                     expected_version=1)
    with pytest.raises(NotAllowed):
        services.list_import(actor=user, upload=upload("l.csv", csv_bytes(good_rows())))
    assert counts() == before


# ---------------------------------------------------------------- removal


def test_removal_takes_the_entry_off_from_its_date(actors, monkeypatch, django_capture_on_commit_callbacks):
    called = []
    monkeypatch.setattr(services, "after_change", lambda ids: called.append(ids))
    party = publish(actors.ministry)
    day = date(2026, 6, 1)
    with django_capture_on_commit_callbacks(execute=True):
        removed = services.listed_party_remove(actor=actors.ministry, listed_id=party.pk, removed_on=day,
                                               announcement="商务部公告2026年第30号", expected_version=1)
    assert removed.removed_on == day and removed.version == 2
    assert removed.removal_announcement == "商务部公告2026年第30号"
    change = ListChange.objects.get(action="remove")
    assert change.on == day and change.snapshot["removed_on"] == "2026-06-01" and change.by == actors.ministry
    assert called == [[change.pk]]
    event = AuditEvent.objects.get(action="enduser.listed_party_remove")
    assert event.before["removed_on"] is None and event.after["removed_on"] == "2026-06-01"
    assert party in ListedParty.objects.in_force(day - timedelta(days=1))
    assert party not in ListedParty.objects.in_force(day)


def test_removal_twice_is_409_and_stale_is_409(actors):
    party = publish(actors.ministry)
    with pytest.raises(StaleVersion):
        services.listed_party_remove(actor=actors.ministry, listed_id=party.pk, removed_on=today(),
                                     announcement="x", expected_version=7)
    services.listed_party_remove(actor=actors.ministry, listed_id=party.pk, removed_on=today(),
                                 announcement="x", expected_version=1)
    before = counts()
    with pytest.raises(InvalidTransition) as exc:
        services.listed_party_remove(actor=actors.ministry, listed_id=party.pk, removed_on=today(),
                                     announcement="x", expected_version=2)
    assert exc.value.status_code == 409 and "already removed" in str(exc.value.message)
    assert counts() == before


@pytest.mark.parametrize("removed_on,announcement,version,field", [
    (date(2025, 1, 1), "x", 1, "removed_on"),  # before the entry came into force
    ("2026-02-30", "x", 1, "removed_on"),
    (None, "x", 1, "removed_on"),
    (date(2026, 1, 1), "", 1, "announcement"),
    (date(2026, 1, 1), "x" * 121, 1, "announcement"),
    (date(2026, 1, 1), "x", None, "version"),
])
def test_bad_removal_is_400_and_changes_nothing(actors, removed_on, announcement, version, field):
    party = publish(actors.ministry)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.listed_party_remove(actor=actors.ministry, listed_id=party.pk, removed_on=removed_on,
                                     announcement=announcement, expected_version=version)
    assert field in exc.value.fields
    party.refresh_from_db()
    assert party.removed_on is None and party.version == 1 and counts() == before


def test_removal_on_the_day_it_came_into_force_is_allowed(actors):
    party = publish(actors.ministry)
    services.listed_party_remove(actor=actors.ministry, listed_id=party.pk, removed_on=party.effective_on,
                                 announcement="x", expected_version=1)
    with pytest.raises(NotFound):
        services.listed_party_remove(actor=actors.ministry, listed_id=999999, removed_on=today(),
                                     announcement="x", expected_version=1)


# ---------------------------------------------------------------- imports


@pytest.mark.parametrize("name,make", [
    ("list.csv", lambda: csv_bytes(good_rows())),
    ("list.CSV", lambda: b"\xef\xbb\xbf" + csv_bytes(good_rows())),
    ("list.csv", lambda: csv_bytes([row for row in good_rows()], header=[c.upper() for c in CSV_HEADER])),
    ("list.json", lambda: json.dumps([
        {"list_kind": "control", "names": ["雷神导弹与防务公司", "Raytheon Missiles & Defense"], "aliases": ["RMD"],
         "addresses": ["Tucson, Arizona"], "country": "US", "announcement": "商务部公告2025年第1号",
         "announced_on": "2025-01-02", "effective_on": "2025-01-02", "reason": "国家安全 / national security",
         "effect": "禁止出口 / no export"},
        {"list_kind": "watch", "kind": "company", "names": ["斯巴鲁株式会社", "SUBARU Corporation"], "country": "JP",
         "announcement": "商务部公告2026年第12号", "announced_on": "2026-02-24", "effective_on": "2026-02-24",
         "reason": "国家安全 / national security", "effect": "禁止出口 / no export", "uncertain": True},
        {"list_kind": "control", "kind": "person", "names": ["张三", "Zhang San"], "country": "SG",
         "registration": "S1234567A", "announcement": "商务部公告2025年第1号", "announced_on": "2025-01-02",
         "effective_on": "2025-01-02", "reason": "国家安全 / national security"},
    ], ensure_ascii=False).encode()),
])
def test_a_good_file_publishes_every_entry_in_one_go(actors, name, make, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    called = []
    monkeypatch.setattr(services, "after_change", lambda ids: called.append(ids))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = services.list_import(actor=actors.ministry, upload=upload(name, make()))
    assert not result.replayed and len(result.entries) == 3
    raytheon, subaru, person = result.entries
    assert raytheon.names == ["雷神导弹与防务公司", "Raytheon Missiles & Defense"] and raytheon.aliases == ["RMD"]
    assert raytheon.addresses == ["Tucson, Arizona"] and not raytheon.uncertain
    assert subaru.list_kind == "watch" and subaru.uncertain and subaru.country.code == "JP"
    assert person.kind == "person" and person.identifiers == {"registration": "S1234567A"}
    assert ListChange.objects.filter(action="add").count() == 3
    assert AuditEvent.objects.filter(action="enduser.listed_party_publish").count() == 3
    event = AuditEvent.objects.get(action="enduser.list_import")
    assert event.after["entries"] == [p.pk for p in result.entries]
    assert len(callbacks) == 1 and called == [list(ListChange.objects.values_list("pk", flat=True))]


def test_the_same_file_twice_publishes_once(actors):
    content = csv_bytes(good_rows())
    first = services.list_import(actor=actors.ministry, upload=upload("a.csv", content))
    before = counts()
    again = services.list_import(actor=actors.ministry, upload=upload("renamed.csv", content))
    assert again.replayed and [p.pk for p in again.entries] == [p.pk for p in first.entries]
    assert counts() == before


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_written(actors):
    rows = [                                                      # row 1 is the header, row 2 a blank line
        csv_row(),                                                # row 3: good
        csv_row(list_kind="black", country="ZZ"),                 # row 4: two problems
        csv_row(names="", announcement=""),                       # row 5
        csv_row(names="Raytheon Missiles and Defense Co"),        # row 6: good
        csv_row(announced_on="2025-02-30", uncertain="maybe"),    # row 7
        csv_row(uscc="91310115MA1H7XQK4Y", effective_on="2024-12-31"),  # row 8
        csv_row(),                                                # row 9: the same party as row 3
    ]
    content = csv_bytes(rows).replace(b"\n", b"\n\n", 1)
    before = counts()
    with pytest.raises(services.ImportRefused) as exc:
        services.list_import(actor=actors.ministry, upload=upload("bad.csv", content))
    found = {(error.row, error.field) for error in exc.value.rows}
    assert found == {(4, "list_kind"), (4, "country"), (5, "names"), (5, "announcement"),
                     (7, "announced_on"), (7, "uncertain"), (8, "uscc"), (8, "effective_on"), (9, "names")}
    assert [error.row for error in exc.value.rows] == sorted(error.row for error in exc.value.rows)
    assert "rows.4.country" in exc.value.fields and exc.value.status_code == 400
    assert "row 3" in str(next(e.message for e in exc.value.rows if e.row == 9))
    messages = next(e for e in exc.value.rows if e.field == "country").as_dict()["messages"]
    assert "ISO 3166" in messages["en"] and messages["zh-hans"] != messages["en"]
    assert counts() == before


def test_json_rows_are_numbered_from_one(actors):
    good = {"list_kind": "control", "names": ["A Co."], "announcement": "a", "announced_on": "2025-01-02",
            "effective_on": "2025-01-02", "reason": "r"}
    entries = [good, "not an object", {**good, "names": "A Co."}, {**good, "names": ["B Co."], "name": "typo"},
               {**good, "names": ["C Co."], "uncertain": "yes"}, {}, {**good, "names": ["D Co."], "uscc": "x",
                                                                       "identifiers": {"uscc": "y"}}]
    with pytest.raises(services.ImportRefused) as exc:
        services.list_import(actor=actors.ministry,
                             upload=upload("l.json", json.dumps(entries).encode()))
    found = {(error.row, error.field) for error in exc.value.rows}
    assert {(2, "non_field_errors"), (3, "names"), (4, "non_field_errors"), (5, "uncertain"),
            (6, "list_kind"), (6, "names"), (6, "announcement"), (7, "identifiers")} <= found
    assert 1 not in {error.row for error in exc.value.rows}
    assert not ListedParty.objects.exists()


def test_a_company_already_listed_is_a_row_error(actors):
    party = publish(actors.ministry, names=["雷神导弹与防务公司"])
    with pytest.raises(services.ImportRefused) as exc:
        services.list_import(actor=actors.ministry, upload=upload("l.csv", csv_bytes(good_rows())))
    assert [(e.row, e.field) for e in exc.value.rows] == [(2, "names")]
    assert f"entry {party.pk}" in str(exc.value.rows[0].message)


@pytest.mark.parametrize("name,content,reason", [
    ("list.csv", "list_kind,names\n管控,名字\n".encode("gb18030"), "UTF-8"),
    ("list.csv", b"", "empty"),
    ("list.csv", csv_bytes([]), "no entries"),
    ("list.csv", b"\n\n", "header"),
    ("list.json", b"[]", "no entries"),
    ("list.json", b"{\"entries\": []}", "list of entries"),
    ("list.json", b"[{", "not valid JSON"),
    ("list.xlsx", b"PK\x03\x04...", ".csv or .json"),
    ("list.txt", csv_bytes(good_rows()), ".csv or .json"),
    ("list", csv_bytes(good_rows()), ".csv or .json"),
    ("list.csv", b"PK\x03\x04" + b"\x00" * 40, "not a CSV text file"),
    ("list.csv", b"names,colour\nA,red\n", "unknown columns: colour"),
    ("list.csv", b"list_kind,names,names\n", "repeated columns: names"),
    ("list.csv", b"list_kind,names,announcement\n", "missing columns: announced_on, effective_on, reason"),
])
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(actors, name, content, reason):
    with pytest.raises(ValidationFailed) as exc:
        services.list_import(actor=actors.ministry, upload=upload(name, content))
    assert reason in str(exc.value.message) and "file" in exc.value.fields
    assert counts() == (0, 0, 0)


def test_a_file_over_the_size_limit_is_refused(actors, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    content = csv_bytes([csv_row(reason="x" * 1500)])
    with pytest.raises(ValidationFailed) as exc:
        services.list_import(actor=actors.ministry, upload=upload("big.csv", content))
    assert exc.value.code == "too_large" and "file" in exc.value.fields
    assert not ListedParty.objects.exists()


def test_too_many_rows_are_refused(actors, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    with pytest.raises(ValidationFailed) as exc:
        services.list_import(actor=actors.ministry, upload=upload("l.csv", csv_bytes(good_rows())))
    assert "more than 2 entries" in str(exc.value.message)


# ---------------------------------------------------------------- what is in force, and search


@pytest.fixture
def lists(actors):
    """An entry in force on each list, a future one, a removed one and one not yet announced."""
    past = today() - timedelta(days=30)
    control = services.listed_party_publish(actor=actors.ministry, client_token=uuid.uuid4(),
                                            data=entry_data(announced_on=past, effective_on=past))
    watch = publish(actors.ministry, list_kind="watch", names=["華榮精密技術有限公司", "Huarong Precision"],
                    aliases=["华荣精密"], country="SG", announced_on=past, effective_on=past,
                    announcement="商务部公告2026年第12号")
    future = publish(actors.ministry, names=["Future Dynamics Inc."], announced_on=past,
                     effective_on=today() + timedelta(days=10))
    removed = publish(actors.ministry, names=["Removed Aerospace Ltd"], announced_on=past, effective_on=past)
    services.listed_party_remove(actor=actors.ministry, listed_id=removed.pk, removed_on=today(),
                                 announcement="移出公告 2026-99", expected_version=1)
    unannounced = publish(actors.ministry, names=["Secret Holdings Ltd"], announced_on=today() + timedelta(days=3),
                          effective_on=today() + timedelta(days=3))
    return {"control": control, "watch": watch, "future": future, "removed": removed, "unannounced": unannounced}


def names_of(entries):
    return {party.primary_name for party in entries}


def test_only_entries_in_force_are_listed(lists):
    assert names_of(selectors.entries_in_force()) == {lists["control"].primary_name, "華榮精密技術有限公司"}
    assert names_of(selectors.entries_in_force(list_kind="watch")) == {"華榮精密技術有限公司"}
    tomorrow_plus = today() + timedelta(days=10)
    assert "Future Dynamics Inc." in names_of(selectors.entries_in_force(day=tomorrow_plus))


@pytest.mark.parametrize("q,found", [
    ("华荣", "華榮精密技術有限公司"),          # simplified finds traditional
    ("華榮精密", "華榮精密技術有限公司"),
    ("huarong   PRECISION", "華榮精密技術有限公司"),
    ("新加坡", "華榮精密技術有限公司"),        # the country's name in Chinese
    ("singapore", "華榮精密技術有限公司"),
    ("2026年第12号", "華榮精密技術有限公司"),  # the announcement
    ("lmmfc", "洛克希德·马丁导弹与火控公司"),  # an alias
    ("Lockheed Martin fire", "洛克希德·马丁导弹与火控公司"),
    ("洛克希德马丁", "洛克希德·马丁导弹与火控公司"),  # punctuation ignored
])
def test_search_in_both_scripts(lists, q, found):
    assert names_of(selectors.entries_search(q=q)) == {found}


def test_search_finds_nothing_outside_the_lists_in_force(lists):
    assert selectors.entries_search(q="Removed Aerospace") == []
    assert selectors.entries_search(q="Future Dynamics") == []
    assert selectors.entries_search(q="华荣", list_kind="control") == []


# ---------------------------------------------------------------- public pages


def test_the_public_page_lists_what_is_in_force_without_sign_in(client, lists):
    response = client.get("/lists/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "華榮精密技術有限公司" in html and "洛克希德·马丁导弹与火控公司" in html and "LMMFC" in html
    assert "商务部公告2026年第12号" in html and "Singapore" in html and "no export of dual-use items" in html
    assert lists["control"].client_token is not None
    for hidden in ("Future Dynamics", "Removed Aerospace", "Secret Holdings", "client_token",
                   str(lists["control"].client_token)):
        assert hidden not in html
    assert 'id="list-new"' not in html


def test_the_public_page_searches_and_filters(client, lists):
    html = client.get("/lists/", {"q": "華榮"}).content.decode()
    assert "華榮精密技術有限公司" in html and "洛克希德" not in html
    html = client.get("/lists/", {"list_kind": "control"}).content.decode()
    assert "洛克希德" in html and "華榮精密技術有限公司" not in html
    html = client.get("/lists/", {"list_kind": "nonsense", "page": "x"}).content.decode()
    assert "洛克希德" in html and "華榮精密技術有限公司" in html
    partial = client.get("/lists/", {"q": "huarong"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"<html" not in partial.content and "華榮".encode() in partial.content


def test_the_public_page_is_in_chinese_by_default(lists):
    html = Client().get("/lists/").content.decode()
    assert '<html lang="zh-hans">' in html and "管控名单" in html and "关注名单" in html and "新加坡" in html


def test_the_entry_page_is_public_once_announced(client, lists, actors):
    for key in ("control", "future", "removed"):
        response = client.get(f"/lists/{lists[key].pk}/")
        assert response.status_code == 200, key
        assert 'id="form-remove"' not in response.content.decode()
    removed = client.get(f"/lists/{lists['removed'].pk}/").content.decode()
    assert 'data-status="removed"' in removed and "移出公告 2026-99" in removed
    assert 'data-status="scheduled"' in client.get(f"/lists/{lists['future'].pk}/").content.decode()
    assert client.get(f"/lists/{lists['unannounced'].pk}/").status_code == 404
    assert page_as(actors.owner).get(f"/lists/{lists['unannounced'].pk}/").status_code == 404
    assert page_as(actors.ministry).get(f"/lists/{lists['unannounced'].pk}/").status_code == 200
    assert client.get("/lists/999999/").status_code == 404


def test_the_header_links_the_lists(client, actors):
    assert 'id="nav-lists"' in client.get("/").content.decode()
    assert 'id="nav-list-changes"' not in page_as(actors.owner).get("/lists/").content.decode()
    assert 'id="nav-list-changes"' in page_as(actors.ministry).get("/lists/").content.decode()


def test_list_page_query_count(client, actors, django_assert_max_num_queries):
    for n in range(60):
        publish(actors.ministry, names=[f"Company {n}"], list_kind="watch" if n % 2 else "control")
    with django_assert_max_num_queries(3):
        assert client.get("/lists/").status_code == 200
    ministry = page_as(actors.ministry)
    with django_assert_max_num_queries(8):
        assert ministry.get("/lists/?page=2").status_code == 200
    with django_assert_max_num_queries(10):
        assert ministry.get("/lists/changes/").status_code == 200
    with django_assert_max_num_queries(10):
        assert ministry.get(f"/lists/{ListedParty.objects.first().pk}/").status_code == 200


# ---------------------------------------------------------------- ministry pages


FORM = {"list_kind": "control", "kind": "company", "names": "雷神导弹与防务公司\nRaytheon Missiles & Defense",
        "aliases": "RMD", "addresses": "", "country": "US", "uscc": "", "registration": "",
        "announcement": "商务部公告2025年第1号", "announced_on": "2025-01-02", "effective_on": "2025-01-02",
        "reason": "国家安全 / national security", "effect": "禁止出口 / no export"}


def test_publish_form_and_double_click(actors, django_capture_on_commit_callbacks):
    client = page_as(actors.ministry)
    form = client.get("/lists/new/")
    assert form.status_code == 200 and b'name="client_token"' in form.content
    body = {**FORM, "client_token": str(uuid.uuid4())}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = client.post("/lists/new/", body)
        second = client.post("/lists/new/", body)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    party = ListedParty.objects.get()
    assert first["Location"] == f"/lists/{party.pk}/"
    assert party.names == ["雷神导弹与防务公司", "Raytheon Missiles & Defense"] and party.aliases == ["RMD"]
    assert party.identifiers == {} and ListChange.objects.count() == 1
    assert RescreenJob.objects.count() == 1  # the double click started one rescreening
    assert [c.__qualname__ for c in callbacks].count("_schedule_after_change.<locals>.<lambda>") == 1


@pytest.mark.parametrize("overrides,text", [
    ({"names": "  "}, "at least one name"),
    ({"country": "ZZ"}, "ZZ"),
    ({"uscc": "91310115MA1H7XQK4Y"}, "unified social credit code"),
    ({"announced_on": "2025-13-01"}, "valid date"),
    ({"effective_on": "2024-12-01"}, "before it is announced"),
    ({"reason": "", "announcement": ""}, "This field is required"),
    ({"list_kind": "black"}, "valid choice"),
])
def test_publish_form_bad_input_is_400_with_the_messages(actors, overrides, text):
    response = page_as(actors.ministry).post("/lists/new/", {**FORM, **overrides})
    assert response.status_code == 400
    assert text in response.content.decode()
    assert counts() == (0, 0, 0)


def test_publish_form_shows_every_problem_at_once(actors):
    response = page_as(actors.ministry).post("/lists/new/", {**FORM, "announced_on": "someday", "names": "",
                                                             "reason": "", "uscc": "123"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid date" in html and "at least one name" in html and "unified social credit code" in html
    assert html.count('class="errorlist') >= 4


def test_remove_from_the_entry_page(actors):
    party = publish(actors.ministry)
    client = page_as(actors.ministry)
    page = client.get(f"/lists/{party.pk}/").content.decode()
    assert 'id="form-remove"' in page and 'name="version" value="1"' in page and 'id="entry-changes"' in page
    assert client.get(f"/lists/{party.pk}/remove/").status_code == 405
    bad = client.post(f"/lists/{party.pk}/remove/", {"version": 1, "removed_on": "2024-01-01", "announcement": "x"})
    assert bad.status_code == 400 and "on or after the day the entry came into force" in bad.content.decode()
    stale = client.post(f"/lists/{party.pk}/remove/", {"version": 5, "removed_on": "2026-01-01", "announcement": "x"})
    assert stale.status_code == 409
    done = client.post(f"/lists/{party.pk}/remove/", {"version": 1, "removed_on": "2026-01-01",
                                                      "announcement": "商务部公告2026年第30号"})
    assert done.status_code == 302
    party.refresh_from_db()
    assert party.removed_on == date(2026, 1, 1) and party.version == 2
    twice = client.post(f"/lists/{party.pk}/remove/", {"version": 2, "removed_on": "2026-01-01", "announcement": "x"})
    assert twice.status_code == 409 and "already removed" in twice.content.decode()
    assert client.post("/lists/999999/remove/", {"version": 1}).status_code == 404
    future = publish(actors.ministry, names=["Future Co."], announced_on=today(),
                     effective_on=today() + timedelta(days=20))
    page = client.get(f"/lists/{future.pk}/").content.decode()
    assert f'value="{(today() + timedelta(days=20)).isoformat()}"' in page  # a removal cannot precede it


def test_import_page_publishes_a_good_file_and_lists_every_bad_row(actors):
    client = page_as(actors.ministry)
    assert client.get("/lists/import/").status_code == 200
    bad = client.post("/lists/import/", {"file": upload("bad.csv", csv_bytes([csv_row(country="ZZ"), csv_row(),
                                                                              csv_row(names="")]))})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'id="import-errors"' in html
    assert "<td>2</td>" in html and "<td>4</td>" in html and "<td>3</td>" not in html
    assert "nothing was imported" in html and not ListedParty.objects.exists()
    for name, content, text in [("a.xlsx", b"PK", ".csv or .json"), ("a.csv", b"", "empty"),
                                ("a.csv", "names\n名".encode("utf-16"), "UTF-8")]:
        response = client.post("/lists/import/", {"file": upload(name, content)})
        assert response.status_code == 400 and text in response.content.decode(), name
    assert client.post("/lists/import/", {}).status_code == 400
    good = client.post("/lists/import/", {"file": upload("good.csv", csv_bytes(good_rows()))}, follow=True)
    assert good.redirect_chain[-1][0] == "/lists/changes/" and "3 entries published" in good.content.decode()
    assert ListedParty.objects.count() == 3
    again = client.post("/lists/import/", {"file": upload("good.csv", csv_bytes(good_rows()))}, follow=True)
    assert "imported before" in again.content.decode() and ListedParty.objects.count() == 3


def test_changes_page(actors):
    party = publish(actors.ministry)
    services.listed_party_remove(actor=actors.senior, listed_id=party.pk, removed_on=date(2026, 1, 1),
                                 announcement="移出公告", expected_version=1)
    html = page_as(actors.ministry).get("/lists/changes/").content.decode()
    assert html.count("<tr data-action=") == 2 and "移出公告" in html and actors.senior.username in html


@pytest.mark.parametrize("who", NOT_MINISTRY + [None])
def test_ministry_pages_are_403_for_everyone_else_and_change_nothing(actors, who):
    party = publish(actors.ministry)
    client = page_as(getattr(actors, who) if who else None)
    before = counts()
    for url in ("/lists/new/", "/lists/import/", "/lists/changes/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/lists/new/", {**FORM, "names": "Other Co."}).status_code == 403
    assert client.post("/lists/import/", {"file": upload("a.csv", csv_bytes(good_rows()))}).status_code == 403
    assert client.post(f"/lists/{party.pk}/remove/", {"version": 1, "removed_on": "2026-01-01",
                                                      "announcement": "x"}).status_code == 403
    page = client.get(f"/lists/{party.pk}/").content.decode()
    assert 'id="form-remove"' not in page and 'id="entry-changes"' not in page
    assert client.get("/lists/").status_code == 200
    assert counts() == before


# ---------------------------------------------------------------- API


def api_body(**overrides):
    return {**{key: (value.isoformat() if isinstance(value, date) else value)
               for key, value in entry_data().items()}, **overrides}


def test_api_lists_entries_in_force_without_sign_in(lists, actors):
    response = APIClient().get("/api/lists/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and {row["names"][0] for row in body["results"]} == {
        lists["control"].primary_name, "華榮精密技術有限公司"}
    row = next(row for row in body["results"] if row["list_kind"] == "watch")
    assert row["in_force"] is True and row["country"] == "SG" and row["aliases"] == ["华荣精密"]
    assert "client_token" not in row and "created_at" not in row
    assert APIClient().get("/api/lists/", {"q": "华荣", "list_kind": "watch"}).json()["count"] == 1
    assert APIClient().get("/api/lists/", {"list_kind": "control"}).json()["count"] == 1
    bad = APIClient().get("/api/lists/", {"list_kind": "black"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and set(bad.json()["messages"]) == {"zh-hans", "en"}
    assert APIClient().get("/api/lists/", {"q": "x" * 201}).status_code == 400
    assert APIClient().get("/api/lists/", {"page": 9}).status_code == 404
    detail = APIClient().get(f"/api/lists/{lists['removed'].pk}/")
    assert detail.status_code == 200 and detail.json()["in_force"] is False
    assert detail.json()["removal_announcement"] == "移出公告 2026-99"
    assert APIClient().get(f"/api/lists/{lists['unannounced'].pk}/").status_code == 404
    assert api_as(actors.owner).get(f"/api/lists/{lists['unannounced'].pk}/").status_code == 404
    assert api_as(actors.ministry).get(f"/api/lists/{lists['unannounced'].pk}/").status_code == 200


def test_api_publish_with_idempotency_key(actors, django_capture_on_commit_callbacks):
    client = api_as(actors.ministry)
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = client.post("/api/lists/", api_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
        again = client.post("/api/lists/", api_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201, first.content
    assert first.json()["id"] == again.json()["id"] and first.json()["version"] == 1
    assert counts() == (1, 1, 1) and RescreenJob.objects.count() == 1
    assert [c.__qualname__ for c in callbacks].count("_schedule_after_change.<locals>.<lambda>") == 1
    assert client.post("/api/lists/", api_body(), format="json", HTTP_IDEMPOTENCY_KEY="nope").status_code == 400
    duplicate = client.post("/api/lists/", api_body(), format="json")
    assert duplicate.status_code == 400 and "names" in duplicate.json()["fields"]
    assert counts() == (1, 1, 1)


@pytest.mark.parametrize("overrides,field", [
    ({"names": []}, "names"),
    ({"names": "Lockheed"}, "names"),
    ({"names": [0]}, "names.0"),
    ({"names": ["x" * 301]}, "names.0"),
    ({"list_kind": "black"}, "list_kind"),
    ({"country": "ZZ"}, "country"),
    ({"identifiers": {"uscc": "91310115MA1H7XQK4Y"}}, "uscc"),
    ({"identifiers": {"uscc": 5}}, "identifiers.uscc"),
    ({"announcement": ""}, "announcement"),
    ({"announced_on": "2025-02-30"}, "announced_on"),
    ({"effective_on": "2024-12-31"}, "effective_on"),
    ({"reason": None}, "reason"),
    ({"uncertain": "yes"}, "uncertain"),
    ({"uncertain": 1}, "uncertain"),
])
def test_api_bad_publish_is_400_by_field(actors, overrides, field):
    response = api_as(actors.ministry).post("/api/lists/", api_body(**overrides), format="json",
                                            HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"] and set(body["messages"]) == {"zh-hans", "en"}, body
    assert counts() == (0, 0, 0)


def test_api_remove(actors):
    party = publish(actors.ministry)
    client = api_as(actors.ministry)
    url = f"/api/lists/{party.pk}/remove/"
    assert client.post(url, {"removed_on": "2024-01-01", "announcement": "x", "version": 1},
                       format="json").status_code == 400
    assert client.post(url, {"removed_on": "2026-01-01", "announcement": "x"}, format="json").status_code == 400
    assert client.post(url, {"removed_on": "2026-01-01", "announcement": "x", "version": 3},
                       format="json").status_code == 409
    done = client.post(url, {"removed_on": "2026-01-01", "announcement": "x", "version": 1}, format="json")
    assert done.status_code == 200 and done.json()["removed_on"] == "2026-01-01" and done.json()["version"] == 2
    twice = client.post(url, {"removed_on": "2026-01-01", "announcement": "x", "version": 2}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    assert client.post("/api/lists/999999/remove/", {"removed_on": "2026-01-01", "announcement": "x",
                                                     "version": 1}, format="json").status_code == 404


def test_api_import(actors):
    client = api_as(actors.ministry)
    bad = client.post("/api/lists/import/", {"file": upload("bad.csv", csv_bytes([csv_row(), csv_row(country="ZZ"),
                                                                                 csv_row(names="")]))},
                      format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "bad_rows" and set(body["messages"]) == {"zh-hans", "en"}
    assert [(row["row"], row["field"]) for row in body["rows"]] == [(3, "country"), (4, "names")]
    assert set(body["rows"][0]["messages"]) == {"zh-hans", "en"} and "rows.3.country" in body["fields"]
    for content, name in [(b"", "e.csv"), (b"x", "x.xlsx")]:
        response = client.post("/api/lists/import/", {"file": upload(name, content)}, format="multipart")
        assert response.status_code == 400 and "file" in response.json()["fields"]
    assert client.post("/api/lists/import/", {}, format="multipart").status_code == 400
    assert not ListedParty.objects.exists()
    good = client.post("/api/lists/import/", {"file": upload("good.csv", csv_bytes(good_rows()))}, format="multipart")
    assert good.status_code == 201 and good.json()["published"] == 3 and not good.json()["replayed"]
    again = client.post("/api/lists/import/", {"file": upload("good.csv", csv_bytes(good_rows()))}, format="multipart")
    assert again.status_code == 200 and again.json()["replayed"] and again.json()["published"] == 0
    assert ListedParty.objects.count() == 3


def test_api_changes(actors):
    first = publish(actors.ministry)
    services.listed_party_remove(actor=actors.ministry, listed_id=first.pk, removed_on=date(2026, 1, 1),
                                 announcement="x", expected_version=1)
    client = api_as(actors.ministry)
    rows = client.get("/api/lists/changes/").json()["results"]
    assert [(row["listed"], row["action"]) for row in rows] == [(first.pk, "add"), (first.pk, "remove")]
    assert rows[1]["snapshot"]["removed_on"] == "2026-01-01" and rows[0]["by"] == actors.ministry.username
    after = client.get("/api/lists/changes/", {"after": rows[0]["id"]}).json()["results"]
    assert [row["action"] for row in after] == ["remove"]
    assert client.get("/api/lists/changes/", {"after": "x"}).status_code == 400


@pytest.mark.parametrize("who", NOT_MINISTRY + [None])
def test_api_writes_and_changes_are_403_for_everyone_else(actors, who):
    party = publish(actors.ministry)
    client = api_as(getattr(actors, who) if who else None)
    before = counts()
    assert client.post("/api/lists/", api_body(names=["Other Co."]), format="json").status_code == 403
    assert client.post("/api/lists/", {}, format="json").status_code == 403  # no hint from validation
    assert client.post(f"/api/lists/{party.pk}/remove/", {"removed_on": "2026-01-01", "announcement": "x",
                                                          "version": 1}, format="json").status_code == 403
    assert client.post("/api/lists/import/", {"file": upload("a.csv", csv_bytes(good_rows()))},
                       format="multipart").status_code == 403
    assert client.get("/api/lists/changes/").status_code == 403
    assert client.get("/api/lists/").status_code == 200
    assert client.get(f"/api/lists/{party.pk}/").status_code == 200
    assert counts() == before


def test_lists_appear_in_the_schema(actors):
    schema = api_as(actors.owner).get("/api/schema/").content.decode()
    for fragment in ("/api/lists/:", "/api/lists/{id}/:", "/api/lists/{id}/remove/:", "/api/lists/import/:",
                     "/api/lists/changes/:"):
        assert fragment in schema


# ---------------------------------------------------------------- demo lists


def test_demo_lists_are_sample_entries_marked_to_be_checked_and_seeded_once(actors):
    first = demo.seed_demo_lists(actors.ministry)
    again = demo.seed_demo_lists(actors.ministry)
    assert [p.pk for p in first] == [p.pk for p in again] and ListedParty.objects.count() == len(demo.DEMO_ENTRIES)
    assert ListChange.objects.count() == len(demo.DEMO_ENTRIES)
    assert {p.list_kind for p in first} == {"control", "watch"}
    assert all(p.uncertain for p in first)
    assert all("to be checked" in p.reason for p in first if "demo" not in p.announcement)
    assert all("made-up company for the demo" in p.reason for p in first if "demo" in p.announcement)
    assert any("商务部公告2025年第1号" in p.announcement for p in first)
    assert names_of(selectors.entries_search(q="華榮精密技術")) == {"华荣精密技术有限公司"}


def test_seed_demo_command_seeds_the_lists_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    assert ListedParty.objects.count() == len(demo.DEMO_ENTRIES)
    assert "/lists/" in capsys.readouterr().out
