"""The exporter's address book of parties: services (create, edit with version, archive, checks of
names, kinds and registration numbers), screening when a record changes and on demand, drafts
that pick or type a party, the snapshot a case keeps of each party as filed, and who sees what
(owner, colleague, other exporter, province, ministry, agency referred or not, customs)."""

import uuid
from datetime import date

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from enduser.models import ListChange, ListedParty, ListKind, Party, ScreeningHit
from enduser.parties import selectors, services
from enduser.screening import services as screening
from licensing.applications import services as applications
from licensing.models import Application
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import DRAFT, UserFactory, authority, make_uscc, pdf_upload
from tests.test_review_referrals import sent

pytestmark = pytest.mark.django_db

PARTY = {"name": "Magnetec Handels GmbH", "name_zh": "马格内泰克贸易有限公司", "name_latin": "Magnetec Handels GmbH",
         "aliases": ["Magnetec"], "kind": "company", "address": "Industriestr. 5, Stuttgart", "country": "DE",
         "identifiers": {"registration": "HRB 12345"}}
LISTED_NAME = "华荣精密技术有限公司"


def listed(name=LISTED_NAME, list_kind=ListKind.CONTROL):
    row = ListedParty.objects.create(list_kind=list_kind, names=[name], announcement="商务部公告2026年第1号",
                                     announced_on=date(2026, 1, 2), effective_on=date(2026, 1, 2), reason="test entry")
    ListChange.objects.create(listed=row, action=ListChange.Action.ADD, snapshot={"names": row.names},
                              on=row.effective_on)
    return row


def create(actor, **overrides):
    party, _created = services.party_create(actor=actor, data={**PARTY, **overrides})
    return party


def page_client(user):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# ---------------------------------------------------------------- services


def test_create_keeps_every_name_and_number_audits_and_is_idempotent(actors):
    token = uuid.uuid4()
    party, created = services.party_create(actor=actors.owner, data=PARTY, client_token=token)
    assert created and party.exporter_id == actors.owner.organisation_id and party.version == 1
    assert (party.name_zh, party.aliases, party.identifiers) == (PARTY["name_zh"], ["Magnetec"],
                                                                 {"registration": "HRB 12345"})
    assert AuditEvent.objects.filter(action="party.create", object_id=str(party.pk)).count() == 1
    again, created = services.party_create(actor=actors.owner, data=PARTY, client_token=token)  # double click
    assert not created and again.pk == party.pk and Party.objects.count() == 1


@pytest.mark.parametrize("bad", [
    {"name": ""}, {"name": "x" * 301}, {"country": "XX"}, {"address": None}, {"kind": "alien"},
    {"identifiers": {"passport": "1"}}, {"identifiers": {"uscc": "91310115MA1H7XQK4Z"}}, {"identifiers": "HRB 1"},
    {"aliases": "x" * 301}, {"aliases": [1]}, {"roles": ["buyer"]}, {"name_zh": "a\x00b"},
])
def test_bad_input_is_refused_and_nothing_is_saved(actors, bad):
    with pytest.raises(ValidationFailed):
        services.party_create(actor=actors.owner, data={**PARTY, **bad})
    assert not Party.objects.exists() and not AuditEvent.objects.filter(action="party.create").exists()


def test_a_valid_unified_social_credit_code_is_kept_compact(actors):
    code = make_uscc(77)
    party = create(actors.owner, identifiers={"uscc": f" {code[:9]} {code[9:]} "})
    assert party.identifiers == {"uscc": code}
    assert services.registration_identifiers(code) == {"uscc": code}
    assert services.registration_identifiers("HRB 1") == {"registration": "HRB 1"}


@pytest.mark.parametrize("role", ["province", "ministry", "agency", "customs"])
def test_only_exporters_keep_parties(actors, role):
    with pytest.raises(NotAllowed):
        services.party_create(actor=getattr(actors, role), data=PARTY)
    party = create(actors.owner)
    with pytest.raises((NotAllowed, NotFound)):
        services.party_update(actor=getattr(actors, role), party_id=party.pk, data={"name": "X"})
    with pytest.raises((NotAllowed, NotFound)):
        services.party_archive(actor=getattr(actors, role), party_id=party.pk)
    assert Party.objects.get().name == PARTY["name"]


def test_update_checks_the_version_and_the_organisation(actors):
    party = create(actors.owner)
    updated = services.party_update(actor=actors.colleague, party_id=party.pk, data={"address": "Neue Str. 1"},
                                    expected_version=1)
    assert updated.version == 2 and updated.address == "Neue Str. 1" and updated.name == PARTY["name"]
    with pytest.raises(StaleVersion):
        services.party_update(actor=actors.owner, party_id=party.pk, data={"address": "Alte Str. 2"},
                              expected_version=1)
    with pytest.raises(NotFound):
        services.party_update(actor=actors.outsider, party_id=party.pk, data={"address": "Alte Str. 2"})
    same = services.party_update(actor=actors.owner, party_id=party.pk, data={"address": "Neue Str. 1"})
    assert same.version == 2  # nothing changed: no new version, no event
    assert AuditEvent.objects.filter(action="party.update").count() == 1
    assert Party.objects.get().address == "Neue Str. 1"


def test_archive_hides_the_party_from_new_applications_and_can_be_undone(actors):
    party = create(actors.owner)
    archived = services.party_archive(actor=actors.owner, party_id=party.pk, expected_version=1)
    assert archived.archived and archived.version == 2
    assert services.party_archive(actor=actors.owner, party_id=party.pk).version == 2  # twice: harmless
    assert selectors.book_choices(actors.owner.organisation_id) == []
    with pytest.raises(ValidationFailed):
        applications.application_create(actor=actors.owner, data={"importer_party": party.pk})
    with pytest.raises(StaleVersion):
        services.party_archive(actor=actors.owner, party_id=party.pk, archived=False, expected_version=1)
    services.party_archive(actor=actors.owner, party_id=party.pk, archived=False, expected_version=2)
    assert [p.pk for p in selectors.book_choices(actors.owner.organisation_id)] == [party.pk]


# ---------------------------------------------------------------- screening


def test_a_new_or_renamed_party_is_screened_at_once(actors):
    entry = listed()
    party = create(actors.owner, name="Harmless Trading Ltd", name_zh="")
    assert not ScreeningHit.objects.exists()
    services.party_update(actor=actors.owner, party_id=party.pk, data={"name": "華榮精密技術有限公司"})
    hit = ScreeningHit.objects.get()
    assert hit.party_id == party.pk and hit.listed_id == entry.pk and hit.party_name == "華榮精密技術有限公司"
    assert AuditEvent.objects.filter(action="screening.hit").count() == 1


def test_only_changes_screening_reads_screen_again(actors, monkeypatch):
    calls = []
    monkeypatch.setattr(screening, "screen_party", lambda **kwargs: calls.append(kwargs["party"].pk) or [])
    party = create(actors.owner)
    services.party_update(actor=actors.owner, party_id=party.pk, data={"contact": "+49 711 1"})
    services.party_update(actor=actors.owner, party_id=party.pk, data={"address": "Neue Str. 1"})
    assert calls == [party.pk]  # at creation only
    services.party_update(actor=actors.owner, party_id=party.pk, data={"aliases": ["MH GmbH"]})
    services.party_update(actor=actors.owner, party_id=party.pk, data={"kind": "research"})
    services.party_update(actor=actors.owner, party_id=party.pk, data={"identifiers": {"other": "DUNS 1"}})
    assert calls == [party.pk] * 4


@pytest.mark.parametrize("kind", ["company", "government", "research"])
def test_every_kind_but_a_person_is_screened_as_a_company(actors, kind):
    listed()
    create(actors.owner, name="華榮精密技術有限公司", kind=kind)
    assert ScreeningHit.objects.count() == 1


def test_the_officer_screens_the_case_parties_again_from_the_case_page(actors, case_factory):
    app = case_factory("forwarded")
    listed(DRAFT["end_user"]["name"])  # listed after the case was filed
    assert not ScreeningHit.objects.exists()
    body = page_client(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="screen-again"' in body
    url = f"/cases/{app.pk}/screening/screen/"
    data = {"party": [app.importer_id, app.end_user_id]}
    assert page_client(actors.owner).post(url, data).status_code == 403
    assert page_client(actors.agency).post(url, data).status_code == 403
    assert page_client(actors.ministry).post(url, {"party": "x"}).status_code == 400
    assert not ScreeningHit.objects.exists()
    response = page_client(actors.ministry).post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/cases/{app.pk}/"
    assert ScreeningHit.objects.get().party_id == app.end_user_id
    assert AuditEvent.objects.filter(action="screening.party_screen").count() == 2
    page_client(actors.ministry).post(url, data)  # again: the hit is not recorded twice
    assert ScreeningHit.objects.count() == 1
    assert 'id="screen-again"' not in page_client(actors.owner).get(f"/cases/{app.pk}/").content.decode()


# ---------------------------------------------------------------- drafts and snapshots


def test_a_draft_picks_its_own_party_or_types_one_into_the_book(actors):
    party = create(actors.owner)
    app, _ = applications.application_create(actor=actors.owner, data={
        "importer_party": party.pk, "end_user": {"name": "Lion Labs", "address": "2 Science Park", "country": "SG",
                                                 "kind": "research", "name_zh": "狮子实验室"}})
    assert app.importer_id == party.pk
    typed = app.end_user
    assert typed.exporter_id == actors.owner.organisation_id and typed.kind == "research"
    assert typed.roles == ["end_user"] and typed.name_zh == "狮子实验室"
    assert AuditEvent.objects.filter(action="party.create", object_id=str(typed.pk)).exists()


def test_another_exporters_party_is_refused_everywhere(actors):
    theirs = create(actors.outsider)
    with pytest.raises(ValidationFailed) as refused:
        applications.application_create(actor=actors.owner, data={"importer_party": theirs.pk})
    assert refused.value.fields == {"importer_party": [refused.value.message]}
    response = api(actors.owner).post("/api/applications/", {"end_user_party": theirs.pk}, format="json")
    assert response.status_code == 400 and "end_user_party" in response.json()["fields"]
    response = page_client(actors.owner).post("/cases/new/", {"importer_party": theirs.pk})
    assert response.status_code == 400
    assert not Application.objects.exists()
    mine, _ = applications.application_create(actor=actors.owner, data={})
    with pytest.raises(ValidationFailed):
        applications.application_update_draft(application_id=mine.pk, actor=actors.owner,
                                              data={"importer_party": theirs.pk})
    assert Application.objects.get().importer_id is None


def test_picking_and_typing_the_same_party_at_once_is_refused(actors):
    party = create(actors.owner)
    with pytest.raises(ValidationFailed):
        applications.application_create(actor=actors.owner, data={"importer_party": party.pk,
                                                                   "importer": DRAFT["importer"]})
    with pytest.raises(ValidationFailed):
        applications.application_create(actor=actors.owner, data={"importer_party": "1; drop"})
    assert not Application.objects.exists()


def test_a_draft_edits_its_own_record_in_place(actors):
    app, _ = applications.application_create(actor=actors.owner, data=DRAFT)
    party_id = app.importer_id
    applications.application_update_draft(application_id=app.pk, actor=actors.owner,
                                          data={"importer": {**DRAFT["importer"], "address": "Neue Str. 1"}})
    app.refresh_from_db()
    assert app.importer_id == party_id and app.importer.address == "Neue Str. 1" and app.importer.version == 2


def test_a_record_used_by_a_submitted_application_is_never_changed_by_a_draft(actors, case_factory):
    filed = case_factory("submitted")
    party = filed.importer
    draft, _ = applications.application_create(actor=actors.owner, data={"importer_party": party.pk})
    assert draft.importer_id == party.pk
    applications.application_update_draft(application_id=draft.pk, actor=actors.owner,
                                          data={"importer": {**DRAFT["importer"], "name": "Magnetec Neu GmbH"}})
    draft.refresh_from_db()
    party.refresh_from_db()
    assert draft.importer_id != party.pk and draft.importer.name == "Magnetec Neu GmbH"
    assert party.name == DRAFT["importer"]["name"] and party.version == 1
    assert Party.objects.filter(exporter_id=actors.owner.organisation_id).count() == 3


def test_a_returned_case_gets_a_new_record_and_keeps_its_snapshot(actors, case_factory):
    app = case_factory("submitted")
    applications.application_return(application_id=app.pk, actor=actors.province, reason="Fix the address")
    first = app.end_user_id
    applications.application_update_draft(application_id=app.pk, actor=actors.owner,
                                          data={"end_user": {**DRAFT["end_user"], "address": "Neue Str. 1"}})
    app.refresh_from_db()
    assert app.end_user_id != first and Party.objects.get(pk=first).address == DRAFT["end_user"]["address"]
    assert app.end_user_snapshot["address"] == DRAFT["end_user"]["address"]  # as filed the first time
    applications.application_submit(application_id=app.pk, actor=actors.owner)
    app.refresh_from_db()
    assert app.end_user_snapshot["address"] == "Neue Str. 1" and app.end_user_snapshot["id"] == app.end_user_id


def test_the_case_shows_the_party_as_filed_after_the_record_changes(actors, case_factory):
    app = case_factory("forwarded")
    assert app.importer_snapshot["name"] == DRAFT["importer"]["name"]
    assert app.importer_snapshot["id"] == app.importer_id and app.importer_snapshot["version"] == 1
    services.party_update(actor=actors.owner, party_id=app.importer_id, data={"name": "Renamed Handels GmbH"})
    assert Party.objects.get(pk=app.importer_id).name == "Renamed Handels GmbH"
    for user in (actors.owner, actors.province, actors.ministry):
        body = page_client(user).get(f"/cases/{app.pk}/").content.decode()
        assert DRAFT["importer"]["name"] in body and "Renamed Handels GmbH" not in body
        data = api(user).get(f"/api/applications/{app.pk}/").json()
        assert data["importer"]["name"] == DRAFT["importer"]["name"] and data["importer"]["version"] == 1


def test_the_application_form_offers_only_the_exporters_own_parties(actors):
    mine = create(actors.owner, name="Mine Handels GmbH")
    theirs = create(actors.outsider, name="Theirs Handels GmbH")
    archived = create(actors.owner, name="Old Handels GmbH")
    services.party_archive(actor=actors.owner, party_id=archived.pk)
    body = page_client(actors.owner).get("/cases/new/").content.decode()
    assert "Mine Handels GmbH" in body and "Theirs Handels GmbH" not in body and "Old Handels GmbH" not in body
    response = page_client(actors.owner).post("/cases/new/", {"importer_party": mine.pk,
                                                             "client_token": str(uuid.uuid4())})
    assert response.status_code == 302
    app = Application.objects.get()
    assert app.importer_id == mine.pk
    edit = page_client(actors.owner).get(f"/cases/{app.pk}/edit/").content.decode()
    assert f'<option value="{mine.pk}" selected>' in edit
    assert theirs.pk not in {p.pk for p in selectors.book_choices(actors.owner.organisation_id)}


def test_a_new_party_typed_on_the_form_is_saved_with_its_registration_number(actors):
    response = page_client(actors.owner).post("/cases/new/", {
        "client_token": str(uuid.uuid4()), "end_user_name": "Lion Labs", "end_user_name_zh": "狮子实验室",
        "end_user_kind": "research", "end_user_address": "2 Science Park", "end_user_country": "SG",
        "end_user_registration": "UEN 201912345K"})
    assert response.status_code == 302
    party = Application.objects.get().end_user
    assert (party.name_zh, party.kind, party.identifiers) == ("狮子实验室", "research", {"registration": "UEN 201912345K"})


# ---------------------------------------------------------------- who sees what: pages


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_the_exporters_users_see_and_edit_their_parties(actors, who):
    party = create(actors.owner)
    other = create(actors.outsider, name="Outsider Trading Ltd")
    client = page_client(getattr(actors, who))
    listing = client.get("/parties/").content.decode()
    assert PARTY["name"] in listing and "Outsider Trading Ltd" not in listing
    assert client.get(f"/parties/{party.pk}/").status_code == 200
    assert client.get(f"/parties/{other.pk}/").status_code == 404
    assert client.get(f"/parties/{party.pk}/edit/").status_code == 200
    response = client.post(f"/parties/{party.pk}/edit/", {**PARTY, "aliases": "Magnetec\nMH", "version": 1,
                                                          "identifiers": "", "registration": "HRB 12345"})
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.aliases == ["Magnetec", "MH"] and party.version == 2


def test_search_finds_a_party_by_any_name_alias_or_number(actors):
    create(actors.owner, aliases=["Magnetec", "磁铁行"])
    create(actors.owner, name="Lion Labs", name_zh="", name_latin="", aliases=["狮子"], identifiers={})
    client = page_client(actors.owner)
    for q in ("马格内泰克", "magnetec", "HRB 12345", "磁铁行"):
        body = client.get("/parties/", {"q": q}).content.decode()
        assert PARTY["name"] in body and "Lion Labs" not in body


def test_the_list_page_does_not_query_per_row(actors, django_assert_max_num_queries):
    for n in range(15):
        create(actors.owner, name=f"Party {n} GmbH")
    client = page_client(actors.ministry)
    with django_assert_max_num_queries(12):
        body = client.get("/parties/").content.decode()
    assert "Party 14 GmbH" in body


def test_the_exporter_creates_archives_and_restores_by_page(actors):
    client = page_client(actors.owner)
    assert client.post("/parties/new/", {"name": "", "kind": "company"}).status_code == 400
    token = str(uuid.uuid4())
    data = {"name": "Lion Labs", "kind": "person", "address": "2 Science Park", "country": "SG",
            "client_token": token}
    response = client.post("/parties/new/", data)
    assert response.status_code == 302
    assert client.post("/parties/new/", data).status_code == 302  # double click
    party = Party.objects.get()
    assert client.post(f"/parties/{party.pk}/archive/", {"version": 5}).status_code == 409
    assert client.post(f"/parties/{party.pk}/archive/", {"version": 1}).status_code == 302
    assert "Lion Labs" not in client.get("/parties/").content.decode()
    assert "Lion Labs" in client.get("/parties/", {"archived": "1"}).content.decode()
    assert client.post(f"/parties/{party.pk}/archive/", {"version": 2, "archived": "0"}).status_code == 302
    assert not Party.objects.get().archived


def test_the_ministry_views_every_exporters_parties_read_only(actors):
    party = create(actors.owner)
    create(actors.outsider, name="Outsider Trading Ltd")
    client = page_client(actors.ministry)
    listing = client.get("/parties/").content.decode()
    assert PARTY["name"] in listing and "Outsider Trading Ltd" in listing and 'id="party-new"' not in listing
    detail = client.get(f"/parties/{party.pk}/").content.decode()
    assert PARTY["name_zh"] in detail and 'id="party-edit"' not in detail
    assert client.get("/parties/new/").status_code == 403
    assert client.get(f"/parties/{party.pk}/edit/").status_code == 403
    assert client.post(f"/parties/{party.pk}/edit/", {**PARTY, "name": "X"}).status_code == 403
    assert client.post(f"/parties/{party.pk}/archive/", {}).status_code == 403
    assert Party.objects.get(pk=party.pk).name == PARTY["name"]


@pytest.mark.parametrize("who", ["province", "other_province", "agency", "customs"])
def test_other_roles_see_no_address_book(actors, who):
    party = create(actors.owner)
    client = page_client(getattr(actors, who))
    for url in ("/parties/", f"/parties/{party.pk}/", "/parties/new/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/parties/{party.pk}/archive/", {}).status_code == 403
    for url in ("/api/parties/", f"/api/parties/{party.pk}/"):
        assert api(getattr(actors, who)).get(url).status_code == 403
    assert not Party.objects.get().archived


def test_the_anonymous_visitor_is_sent_to_sign_in(actors):
    party = create(actors.owner)
    assert Client().get(f"/parties/{party.pk}/").status_code == 302
    assert APIClient().get("/api/parties/").status_code in (401, 403)


# ---------------------------------------------------------------- who sees what: agencies


def test_an_agency_sees_the_parties_as_filed_only_on_cases_referred_to_it(actors, case_factory, calendar_2027,
                                                                           django_capture_on_commit_callbacks):
    app = sent(actors, case_factory, django_capture_on_commit_callbacks)
    services.party_update(actor=actors.owner, party_id=app.end_user_id, data={"name": "Renamed Werk GmbH"})
    body = page_client(actors.agency).get(f"/cases/{app.pk}/").content.decode()
    assert DRAFT["end_user"]["name"] in body and "Renamed Werk GmbH" not in body
    data = api(actors.agency).get(f"/api/applications/{app.pk}/").json()
    assert data["end_user"]["name"] == DRAFT["end_user"]["name"]
    assert api(actors.agency).get(f"/api/parties/{app.end_user_id}/").status_code == 403
    not_referred = UserFactory(organisation=authority("MFA"), role=Role.AGENCY_REVIEWER)
    assert page_client(not_referred).get(f"/cases/{app.pk}/").status_code == 404
    assert api(not_referred).get(f"/api/applications/{app.pk}/").status_code == 404


# ---------------------------------------------------------------- API


def test_api_create_list_edit_archive(actors):
    client = api(actors.owner)
    token = str(uuid.uuid4())
    response = client.post("/api/parties/", PARTY, format="json", HTTP_IDEMPOTENCY_KEY=token)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name_zh"] == PARTY["name_zh"] and body["version"] == 1 and body["kind"] == "company"
    again = client.post("/api/parties/", PARTY, format="json", HTTP_IDEMPOTENCY_KEY=token)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    listing = client.get("/api/parties/", {"q": "magnetec"}).json()
    assert [row["id"] for row in listing["results"]] == [body["id"]]
    url = f"/api/parties/{body['id']}/"
    edited = client.patch(url, {"name_latin": "Magnetec Trading", "version": 1}, format="json")
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.patch(url, {"name_latin": "Other", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    archived = client.post(f"{url}archive/", {"version": 2}, format="json")
    assert archived.status_code == 200 and archived.json()["archived"]
    assert client.get("/api/parties/").json()["results"] == []
    assert client.get("/api/parties/", {"archived": "true"}).json()["results"][0]["id"] == body["id"]


@pytest.mark.parametrize("bad", [
    {"name": 5}, {"country": "XX"}, {"kind": "alien"}, {"identifiers": {"passport": "1"}}, {"aliases": "Magnetec"},
    {"identifiers": {"uscc": "123"}},
])
def test_api_bad_input_is_a_400_and_changes_nothing(actors, bad):
    response = api(actors.owner).post("/api/parties/", {**PARTY, **bad}, format="json")
    assert response.status_code == 400 and set(response.json()) >= {"code", "detail", "messages"}
    assert not Party.objects.exists()


def test_api_an_exporter_never_sees_another_organisations_parties(actors):
    party = create(actors.owner)
    outsider = api(actors.outsider)
    assert outsider.get("/api/parties/").json()["results"] == []
    assert outsider.get(f"/api/parties/{party.pk}/").status_code == 404
    assert outsider.patch(f"/api/parties/{party.pk}/", {"name": "X"}, format="json").status_code == 404
    assert outsider.post(f"/api/parties/{party.pk}/archive/", {}, format="json").status_code == 404
    assert api(actors.colleague).get(f"/api/parties/{party.pk}/").status_code == 200
    ministry = api(actors.ministry)
    assert ministry.get(f"/api/parties/{party.pk}/").status_code == 200
    assert ministry.post("/api/parties/", PARTY, format="json").status_code == 403
    assert ministry.patch(f"/api/parties/{party.pk}/", {"name": "X"}, format="json").status_code == 403
    assert Party.objects.get().name == PARTY["name"] and not Party.objects.get().archived


def test_api_a_draft_picks_a_party_and_the_case_shows_it_as_filed(actors):
    party = create(actors.owner)
    client = api(actors.owner)
    response = client.post("/api/applications/", {**DRAFT, "importer": None, "importer_party": party.pk},
                           format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["importer"]["id"] == party.pk and body["importer"]["name_zh"] == PARTY["name_zh"]
    both = client.patch(f"/api/applications/{body['id']}/", {"importer_party": party.pk, "version": body["version"],
                                                              "importer": DRAFT["importer"]}, format="json")
    assert both.status_code == 400
    with translation.override("en"):
        assert "not both" in both.json()["messages"]["en"]
    applications.document_add(application_id=body["id"], actor=actors.owner, kind="end_user_certificate",
                              upload=pdf_upload())
    assert client.post(f"/api/applications/{body['id']}/submit/", {}, format="json",
                       HTTP_IF_MATCH="*").status_code == 200
    assert Application.objects.get().importer_snapshot["identifiers"] == {"registration": "HRB 12345"}


def test_the_migration_fills_the_snapshots_of_cases_filed_before_them(actors, case_factory):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("licensing.migrations.0011_party_snapshots")
    filed, draft = case_factory("submitted"), case_factory()
    Application.objects.update(importer_snapshot=None, end_user_snapshot=None)
    migration.fill_snapshots(apps, None)
    filed.refresh_from_db()
    draft.refresh_from_db()
    assert filed.importer_snapshot == filed.importer.snapshot() and filed.end_user_snapshot["name"] == \
        DRAFT["end_user"]["name"]
    assert draft.importer_snapshot is None



def test_every_name_of_a_party_is_screened_and_the_hit_says_which(actors):
    """A party whose legal name is in Latin letters is hit on its Chinese name, an alias too, and
    the part table says which of its names was hit."""
    listed("东辰精密电子有限公司")
    party = create(actors.owner, name="Eastern Star Trading Pte Ltd", name_zh="東辰精密電子有限公司",
                   name_latin="", aliases=[], identifiers={})
    hits = list(ScreeningHit.objects.filter(party=party))
    assert len(hits) == 1 and hits[0].party_name == "Eastern Star Trading Pte Ltd"
    assert hits[0].parts[0]["query"] == "東辰精密電子有限公司" and "another name" in hits[0].parts[0]["how"]
    other = create(actors.owner, name="Eastern Star Trading Pte Ltd", name_zh="", name_latin="",
                   aliases=["Dongchen Jingmi Dianzi"], identifiers={})
    assert ScreeningHit.objects.filter(party=other).count() == 1
    plain = create(actors.owner, name="Eastern Star Trading Pte Ltd", name_zh="", name_latin="", aliases=[],
                   identifiers={})
    assert not ScreeningHit.objects.filter(party=plain).exists()


def test_the_same_party_typed_on_two_drafts_is_one_record_in_the_book(actors):
    first, _ = applications.application_create(actor=actors.owner, data=DRAFT)
    second, _ = applications.application_create(actor=actors.owner, data=DRAFT)
    assert first.importer_id == second.importer_id and first.end_user_id == second.end_user_id
    changed, _ = applications.application_create(actor=actors.owner, data={
        **DRAFT, "importer": {**DRAFT["importer"], "address": "Another street 1, Stuttgart"}})
    assert changed.importer_id != first.importer_id  # a different address is another record
    other, _ = applications.application_create(actor=actors.outsider, data=DRAFT)
    assert other.importer_id != first.importer_id  # never another exporter's record
