"""Catch-all notices (Export Control Law Art. 12(3); the 2023 notice, §6): the ministry tells one
exporter, or all, that an export needs a licence; the notice reaches the inbox and is acknowledged
once per company; "do I need a licence?" and submission honour it while it is in force and ignore
it once withdrawn or ended; who may do what; bad input; double submits and stale versions."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from controllist.controls import services as controls
from controllist.controls.determination import Outcome, determine
from controllist.models import CatchAllNotice, NoticeAcknowledgement, NoticeCitation
from controllist.notices import matching, selectors
from controllist.notices import services as notices
from licensing.applications import services as applications
from notifications.models import Notification
from outbox.models import OutboxMessage
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import DRAFT, PASSWORD, ExporterFactory, UserFactory, pdf_upload

pytestmark = pytest.mark.django_db

RIG = {"catch_all": True, "description": "Custom vibration test rig 振动试验台", "quantity": "1", "unit": "set",
       "value_rmb": "850000"}


def today():
    return timezone.localdate()


def issue(actor, **data):
    return notices.notice_issue(actor=actor, data={
        "reason_zh": "可能危害国家安全", "reason_en": "May endanger national security", **data})


def to_company(actors, **data):
    return issue(actors.ministry, exporter=actors.owner.organisation_id,
                 **({"item_description": "vibration test rig\n振动试验台"} | data))


def page_as(user):
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ask(exporter, **kwargs):
    return determine(exporter=exporter, destination=kwargs.pop("destination", "DE"), **{
        "items": [{"description": "Custom vibration test rig"}], **kwargs})


def draft(actors, item=RIG, **data):
    app, _created = applications.application_create(actor=actors.owner, data={**DRAFT, "item": item, **data})
    applications.document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate",
                              upload=pdf_upload())
    return app


# ---------------------------------------------------------------- issue, inbox, acknowledge


def test_a_notice_to_one_exporter_reaches_its_users_only(actors):
    notice = to_company(actors)
    assert notice.number == f"TZ{today().year}-{notice.pk:04d}" and notice.in_force()
    told = set(Notification.objects.filter(kind="catch_all_notice_issued").values_list("recipient_id", flat=True))
    assert told == {actors.owner.pk, actors.colleague.pk}
    note = Notification.objects.get(recipient=actors.owner)
    assert notice.number in note.title_en and "May endanger national security" in note.body_en
    assert note.url == f"/controllist/notices/{notice.pk}/"
    mails = [m.kwargs for m in OutboxMessage.objects.filter(task="outbox.send_email")]
    assert sorted(m["to"][0] for m in mails) == sorted([actors.owner.email, actors.colleague.email])
    assert AuditEvent.objects.filter(action="controllist.notice_issue", object_id=str(notice.pk)).count() == 1


def test_a_notice_to_all_exporters_reaches_every_verified_exporter(actors):
    pending = ExporterFactory(verification="pending")
    newcomer = UserFactory(organisation=pending, role=Role.EXPORTER_ADMIN)
    notice = issue(actors.ministry, all_exporters=True, end_use="military end use\n军事最终用途")
    told = set(Notification.objects.filter(kind="catch_all_notice_issued").values_list("recipient_id", flat=True))
    assert {actors.owner.pk, actors.colleague.pk, actors.outsider.pk} <= told
    assert newcomer.pk not in told and actors.ministry.pk not in told and actors.province.pk not in told
    table = selectors.acknowledgement_table(notice)
    assert actors.owner.organisation in table["pending"] and actors.outsider.organisation in table["pending"]
    assert pending not in table["pending"]
    # Every exporter sees it, the unverified one too (it still must not export without a licence).
    for user in (actors.owner, actors.outsider, newcomer):
        assert selectors.notice_for(user, notice.pk) == notice


def test_acknowledging_is_once_per_company_and_idempotent(actors):
    notice = to_company(actors)
    first = notices.notice_acknowledge(actor=actors.owner, notice_id=notice.pk)
    again = notices.notice_acknowledge(actor=actors.owner, notice_id=notice.pk)
    colleague = notices.notice_acknowledge(actor=actors.colleague, notice_id=notice.pk)
    assert first.pk == again.pk == colleague.pk and first.acknowledged_by == actors.owner
    assert NoticeAcknowledgement.objects.count() == 1
    assert AuditEvent.objects.filter(action="controllist.notice_acknowledge").count() == 1
    table = selectors.acknowledgement_table(notice)
    assert [ack.exporter for ack in table["acknowledged"]] == [actors.owner.organisation] and table["pending"] == []


def test_the_banner_shows_until_the_company_acknowledges(actors):
    notice = to_company(actors)
    client = page_as(actors.colleague)
    page = client.get("/cases/").content.decode()
    assert 'id="notice-banner"' in page and notice.number in page
    assert 'id="notice-banner"' not in page_as(actors.outsider).get("/cases/").content.decode()
    assert 'id="notice-banner"' not in page_as(actors.ministry).get("/cases/").content.decode()
    response = page_as(actors.owner).post(f"/controllist/notices/{notice.pk}/acknowledge/")
    assert response.status_code == 302
    assert 'id="notice-banner"' not in client.get("/cases/").content.decode()
    detail = client.get(f"/controllist/notices/{notice.pk}/").content.decode()
    assert 'id="notice-acknowledged"' in detail and 'id="do-acknowledge"' not in detail


def test_another_exporter_never_sees_a_notice_to_someone_else(actors):
    notice = to_company(actors)
    outsider = actors.outsider
    assert selectors.notice_for(outsider, notice.pk) is None
    assert notice.number not in page_as(outsider).get("/controllist/notices/?status=all").content.decode()
    assert page_as(outsider).get(f"/controllist/notices/{notice.pk}/").status_code == 404
    assert page_as(outsider).post(f"/controllist/notices/{notice.pk}/acknowledge/").status_code == 404
    api = api_as(outsider)
    assert api.get("/api/catch-all-notices/").json()["results"] == []
    assert api.get(f"/api/catch-all-notices/{notice.pk}/").status_code == 404
    assert api.post(f"/api/catch-all-notices/{notice.pk}/acknowledge/").status_code == 404
    with pytest.raises(NotFound):
        notices.notice_acknowledge(actor=outsider, notice_id=notice.pk)
    assert not NoticeAcknowledgement.objects.exists()
    assert ask(outsider.organisation).outcome == Outcome.QUESTIONS_NEEDED


# ---------------------------------------------------------------- what a notice covers


@pytest.mark.parametrize("criteria,export,covered", [
    ({"item_description": "vibration test rig"}, {}, True),
    ({"item_description": "振动试验台"}, {"items": [{"description": "定制振动试验台"}]}, True),
    ({"item_description": "carbon fibre"}, {}, False),
    ({"item_codes": ["3A0"]}, {"items": [{"control_code": "3A001.a"}]}, True),
    ({"item_codes": ["3A001.a.1"]}, {"items": [{"control_code": "3A001.a.10"}]}, False),
    ({"item_keywords": ["8543"]}, {"items": [{"description": "x", "hs_code": "8543709990"}]}, True),
    ({"item_keywords": ["test rig"]}, {}, True),
    ({"end_user_names": ["华为技术有限公司"]}, {"parties": [("end_user", "華為技術有限公司", "CN")]}, True),
    ({"end_user_names": ["华为技术有限公司"]}, {"parties": [("end_user", "Huawei Technologies Co., Ltd.", "CN")]}, True),
    ({"end_user_names": ["华为技术有限公司"]}, {"parties": [("importer", "中兴通讯股份有限公司", "CN")]}, False),
    ({"end_use": "军事最终用途\nmilitary end use"}, {"end_use": "Military end use at a test range"}, True),
    ({"end_use": "military end use"}, {"end_use": "Research on motors"}, False),
    ({"item_description": "vibration test rig", "destinations": ["US"]}, {"destinations": {"DE"}}, False),
    ({"item_description": "vibration test rig", "destinations": ["US"]}, {"destinations": {"DE", "US"}}, True),
    # Every part named must match: the right item to another end user is not covered.
    ({"item_description": "vibration test rig", "end_user_names": ["Acme Defence"]},
     {"parties": [("end_user", "Motorenwerk München GmbH", "DE")]}, False),
])
def test_what_a_notice_covers(criteria, export, covered):
    notice = CatchAllNotice(**{"item_description": "", "item_codes": [], "item_keywords": [], "end_user_names": [],
                               "end_use": "", "destinations": [], **criteria})
    kwargs = {"items": [{"description": "Custom vibration test rig"}], "parties": [], "end_use": "",
              "destinations": {"DE"}, **export}
    assert (matching.notice_covers(notice, **kwargs) is not None) is covered


# ---------------------------------------------------------------- "do I need a licence?"


def test_the_answer_is_catch_all_citing_the_notice_in_both_languages(actors):
    notice = to_company(actors)
    answer = ask(actors.owner.organisation)
    assert answer.outcome == Outcome.CATCH_ALL and [hit.notice for hit in answer.notices] == [notice]
    cited = [c for c in answer.citations if c.article == notice.number]
    assert cited and "可能危害国家安全" in cited[0].text and "May endanger national security" in cited[0].text
    data = answer.as_dict()
    assert data["notices"][0]["number"] == notice.number and data["notices"][0]["items"] == [0]
    # The same question from the ministry (no exporter) or another company is not covered.
    assert ask(None).outcome == Outcome.QUESTIONS_NEEDED


def test_a_named_end_user_in_another_script_brings_the_notice_in(actors):
    issue(actors.ministry, all_exporters=True, end_user_names=["华为技术有限公司", "Huawei Technologies Co., Ltd."])
    answer = ask(actors.outsider.organisation, end_user_name="華為技術有限公司", end_user_country="CN", destination="CN")
    assert answer.outcome == Outcome.CATCH_ALL and answer.notices[0].party == "end_user"
    assert ask(actors.outsider.organisation, end_user_name="Motorenwerk München GmbH").outcome != Outcome.CATCH_ALL


def test_a_prohibition_still_comes_first(actors):
    to_company(actors)
    controls.prohibition_create(actor=actors.ministry, data={
        "destination": "DE", "reason_zh": "禁止", "reason_en": "Banned", "effective_from": today()})
    assert ask(actors.owner.organisation).outcome == Outcome.PROHIBITED


@pytest.mark.parametrize("change", ["withdrawn", "ended", "scheduled"])
def test_a_withdrawn_ended_or_future_notice_is_ignored(actors, change):
    notice = to_company(actors)
    if change == "withdrawn":
        notices.notice_withdraw(actor=actors.senior, notice_id=notice.pk, reason="Risk assessed again")
    elif change == "ended":
        CatchAllNotice.objects.filter(pk=notice.pk).update(issued_on=today() - timedelta(days=30),
                                                           ends_on=today() - timedelta(days=1))
    else:
        CatchAllNotice.objects.filter(pk=notice.pk).update(issued_on=today() + timedelta(days=3))
    answer = ask(actors.owner.organisation)
    assert answer.outcome == Outcome.QUESTIONS_NEEDED and answer.notices == []
    assert list(selectors.unacknowledged(actors.owner)) == []


def test_the_page_and_the_api_show_the_notice(actors):
    notice = to_company(actors)
    page = page_as(actors.owner).post("/controllist/determine/", {
        "destination": "DE", "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0",
        "items-0-description": "Custom vibration test rig"}).content.decode()
    assert 'data-outcome="catch_all"' in page and f'data-notice="{notice.number}"' in page
    answer = api_as(actors.owner).post("/api/controllist/determinations/", {
        "destination": "DE", "items": [{"description": "Custom vibration test rig"}]}, format="json").json()
    assert answer["outcome"] == "catch_all" and answer["notices"][0]["number"] == notice.number


# ---------------------------------------------------------------- submission


def test_submission_treats_the_item_as_catch_all_citing_the_notice(actors):
    notice = to_company(actors)
    app = draft(actors)
    page = page_as(actors.owner).get(f"/cases/{app.pk}/").content.decode()
    assert 'id="notices-preview"' in page and notice.number in page
    applications.application_submit(application_id=app.pk, actor=actors.owner)
    app.refresh_from_db()
    citation = NoticeCitation.objects.get()
    assert (citation.notice, citation.application_id, citation.case_reference) == (notice, app.pk, app.reference)
    assert citation.covered == {"items": [0], "party": "", "end_use": False}
    event = AuditEvent.objects.get(action="application.submit", object_id=str(app.pk))
    assert event.after["determination"] == "catch_all" and event.after["catch_all_notices"] == [notice.number]
    applications.application_forward(application_id=app.pk, actor=actors.province)
    for user in (actors.owner, actors.ministry):
        page = page_as(user).get(f"/cases/{app.pk}/").content.decode()
        assert 'id="notices-panel"' in page and f'data-notice="{notice.number}"' in page
    ministry_view = page_as(actors.ministry).get(f"/controllist/notices/{notice.pk}/").content.decode()
    assert app.reference in ministry_view
    assert 'id="notices-panel"' not in page_as(actors.province).get(f"/cases/{app.pk}/").content.decode()


def test_submission_ignores_a_withdrawn_notice_and_a_listed_item(actors):
    notice = to_company(actors)
    notices.notice_withdraw(actor=actors.ministry, notice_id=notice.pk, reason="No longer needed")
    app = draft(actors)
    applications.application_submit(application_id=app.pk, actor=actors.owner)
    assert not NoticeCitation.objects.exists()
    assert "catch_all_notices" not in AuditEvent.objects.get(action="application.submit").after
    # A listed item needs a licence anyway: a notice naming its code is not cited.
    issue(actors.ministry, exporter=actors.owner.organisation_id, item_codes=["1C902"])
    listed = draft(actors, item=DRAFT["item"])
    applications.application_submit(application_id=listed.pk, actor=actors.owner)
    assert not NoticeCitation.objects.exists()


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider", "province", "agency", "customs"])
def test_only_the_ministry_issues_and_withdraws(actors, who):
    user = getattr(actors, who)
    with pytest.raises(NotAllowed):
        issue(user, all_exporters=True, end_use="military end use")
    notice = issue(actors.senior, all_exporters=True, end_use="military end use")
    with pytest.raises(NotAllowed):
        notices.notice_withdraw(actor=user, notice_id=notice.pk, reason="x")
    api = api_as(user)
    body = {"all_exporters": True, "end_use": "x", "reason_zh": "理由", "reason_en": "reason"}
    assert api.post("/api/catch-all-notices/", body, format="json").status_code == 403
    assert api.post(f"/api/catch-all-notices/{notice.pk}/withdraw/", {"reason": "x"},
                    format="json").status_code in (403, 404)
    assert page_as(user).get("/controllist/notices/new/").status_code == 403
    assert page_as(user).post(f"/controllist/notices/{notice.pk}/withdraw/", {"reason": "x"}).status_code in (403, 404)
    assert CatchAllNotice.objects.count() == 1 and CatchAllNotice.objects.get().withdrawn_at is None


@pytest.mark.parametrize("who", ["province", "other_province", "agency", "customs"])
def test_other_authorities_see_no_notices(actors, who):
    notice = issue(actors.ministry, all_exporters=True, end_use="military end use")
    user = getattr(actors, who)
    assert page_as(user).get("/controllist/notices/").status_code == 403
    assert page_as(user).get(f"/controllist/notices/{notice.pk}/").status_code == 403
    assert api_as(user).get("/api/catch-all-notices/").status_code == 403
    assert api_as(user).get(f"/api/catch-all-notices/{notice.pk}/").status_code == 403
    with pytest.raises(NotAllowed):
        notices.notice_acknowledge(actor=user, notice_id=notice.pk)


def test_the_ministry_does_not_acknowledge(actors):
    notice = to_company(actors)
    with pytest.raises(NotAllowed):
        notices.notice_acknowledge(actor=actors.ministry, notice_id=notice.pk)
    assert api_as(actors.ministry).post(f"/api/catch-all-notices/{notice.pk}/acknowledge/").status_code == 403


def test_the_ministry_pages(actors):
    notice = to_company(actors)
    ended = to_company(actors)
    CatchAllNotice.objects.filter(pk=ended.pk).update(issued_on=today() - timedelta(days=9),
                                                      ends_on=today() - timedelta(days=2))
    client = page_as(actors.ministry)
    assert 'id="nav-notices"' in client.get("/cases/").content.decode()
    in_force = client.get("/controllist/notices/").content.decode()
    assert notice.number in in_force and ended.number not in in_force
    assert ended.number in client.get("/controllist/notices/?status=ended").content.decode()
    detail = client.get(f"/controllist/notices/{notice.pk}/").content.decode()
    assert f'data-exporter="{actors.owner.organisation.code}"' in detail and 'id="form-withdraw"' in detail
    notices.notice_acknowledge(actor=actors.colleague, notice_id=notice.pk)
    detail = client.get(f"/controllist/notices/{notice.pk}/").content.decode()
    assert actors.colleague.username in detail and "Nobody." in detail


def test_the_issue_form(actors):
    client = page_as(actors.ministry)
    assert client.get("/controllist/notices/new/").status_code == 200
    token = str(uuid.uuid4())
    form = {"client_token": token, "addressee": "one", "exporter": actors.owner.organisation.code,
            "item_description": "vibration test rig", "reason_zh": "理由", "reason_en": "Reason",
            "issued_on": today().isoformat()}
    response = client.post("/controllist/notices/new/", form)
    assert response.status_code == 302
    assert client.post("/controllist/notices/new/", form).status_code == 302  # a double click
    notice = CatchAllNotice.objects.get()
    assert notice.exporter == actors.owner.organisation and not notice.all_exporters
    bad = client.post("/controllist/notices/new/", {**form, "client_token": str(uuid.uuid4()), "item_description": ""})
    assert bad.status_code == 400 and CatchAllNotice.objects.count() == 1
    withdraw = client.post(f"/controllist/notices/{notice.pk}/withdraw/", {"reason": "", "version": notice.version})
    assert withdraw.status_code == 400
    assert client.post(f"/controllist/notices/{notice.pk}/withdraw/",
                       {"reason": "Done", "version": notice.version}).status_code == 302
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None and notice.status() == "withdrawn"


def test_the_exporters_list(actors):
    notice = to_company(actors)
    everyone = issue(actors.ministry, all_exporters=True, end_use="military end use")
    page = page_as(actors.owner).get("/controllist/notices/").content.decode()
    assert 'id="nav-notices"' in page and notice.number in page and everyone.number in page
    page = page_as(actors.outsider).get("/controllist/notices/").content.decode()
    assert notice.number not in page and everyone.number in page


# ---------------------------------------------------------------- bad input, double submits, stale versions


@pytest.mark.parametrize("data,field", [
    ({"all_exporters": True}, None),  # covers nothing
    ({"all_exporters": True, "exporter": 1, "end_use": "x"}, "exporter"),
    ({"end_use": "x"}, "exporter"),
    ({"exporter": "not a company", "end_use": "x"}, "exporter"),
    ({"all_exporters": "maybe", "end_use": "x"}, None),
    ({"all_exporters": True, "item_codes": ["ZZ9"]}, "item_codes"),
    ({"all_exporters": True, "end_use": "x", "destinations": ["XX"]}, "destinations"),
    ({"all_exporters": True, "end_use": "x", "reason_zh": ""}, "reason_zh"),
    ({"all_exporters": True, "end_use": "x", "ends_on": "2000-01-01"}, "ends_on"),
    ({"all_exporters": True, "end_use": "x", "issued_on": "2026-12-01", "ends_on": "2026-11-30"}, "ends_on"),
    ({"all_exporters": True, "end_use": "x", "end_user_names": "a" * 301}, "end_user_names"),
    ({"all_exporters": True, "end_use": ["x"]}, "end_use"),
])
def test_bad_input_changes_nothing(actors, data, field):
    with pytest.raises(ValidationFailed) as exc:
        issue(actors.ministry, **data)
    if field:
        assert field in exc.value.fields
    assert not CatchAllNotice.objects.exists() and not Notification.objects.exists()


def test_the_exporter_is_named_by_id_or_credit_code_and_must_be_an_exporter(actors):
    by_code = issue(actors.ministry, exporter=actors.outsider.organisation.code, end_use="x")
    assert by_code.exporter == actors.outsider.organisation
    with pytest.raises(ValidationFailed):
        issue(actors.ministry, exporter=actors.province.organisation_id, end_use="x")


def test_a_double_issue_with_one_token_makes_one_notice(actors):
    token = uuid.uuid4()
    first = notices.notice_issue(actor=actors.ministry, client_token=token, data={
        "all_exporters": True, "end_use": "x", "reason_zh": "理由", "reason_en": "r"})
    second = notices.notice_issue(actor=actors.ministry, client_token=token, data={
        "all_exporters": True, "end_use": "x", "reason_zh": "理由", "reason_en": "r"})
    assert first.pk == second.pk and CatchAllNotice.objects.count() == 1
    assert Notification.objects.filter(recipient=actors.owner).count() == 1


def test_withdrawing_needs_a_reason_and_the_current_version(actors):
    notice = to_company(actors)
    with pytest.raises(ValidationFailed):
        notices.notice_withdraw(actor=actors.ministry, notice_id=notice.pk, reason="  ")
    with pytest.raises(StaleVersion):
        notices.notice_withdraw(actor=actors.ministry, notice_id=notice.pk, reason="x", expected_version=7)
    done = notices.notice_withdraw(actor=actors.ministry, notice_id=notice.pk, reason="x", expected_version=1)
    again = notices.notice_withdraw(actor=actors.ministry, notice_id=notice.pk, reason="x", expected_version=1)
    assert done.version == again.version == 2
    with pytest.raises(InvalidTransition):
        notices.notice_withdraw(actor=actors.senior, notice_id=notice.pk, reason="y")
    with pytest.raises(InvalidTransition):
        notices.notice_acknowledge(actor=actors.owner, notice_id=notice.pk)
    with pytest.raises(NotFound):
        notices.notice_withdraw(actor=actors.ministry, notice_id=999999, reason="x")
    assert AuditEvent.objects.filter(action="controllist.notice_withdraw").count() == 1
    told = Notification.objects.filter(recipient=actors.owner, kind="catch_all_notice_withdrawn")
    assert told.count() == 1


# ---------------------------------------------------------------- API


def test_the_api_flow(actors):
    ministry = api_as(actors.ministry)
    body = {"exporter": actors.owner.organisation_id, "item_description": "vibration test rig",
            "item_codes": ["3A0"], "reason_zh": "理由", "reason_en": "Reason"}
    token = str(uuid.uuid4())
    made = ministry.post("/api/catch-all-notices/", body, format="json", HTTP_IDEMPOTENCY_KEY=token)
    assert made.status_code == 201, made.content
    again = ministry.post("/api/catch-all-notices/", body, format="json", HTTP_IDEMPOTENCY_KEY=token)
    assert again.json()["id"] == made.json()["id"] and CatchAllNotice.objects.count() == 1
    pk = made.json()["id"]
    assert made.json()["exporter"]["code"] == actors.owner.organisation.code and made.json()["status"] == "in_force"
    owner = api_as(actors.owner)
    assert [row["id"] for row in owner.get("/api/catch-all-notices/").json()["results"]] == [pk]
    assert owner.get(f"/api/catch-all-notices/{pk}/").json()["acknowledged"] is False
    ack = owner.post(f"/api/catch-all-notices/{pk}/acknowledge/")
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == actors.owner.username
    assert owner.post(f"/api/catch-all-notices/{pk}/acknowledge/").status_code == 200
    assert owner.get(f"/api/catch-all-notices/{pk}/").json()["acknowledged"] is True
    detail = ministry.get(f"/api/catch-all-notices/{pk}/").json()
    assert [row["exporter"]["id"] for row in detail["acknowledgements"]] == [actors.owner.organisation_id]
    assert detail["not_acknowledged"] == []
    stale = ministry.post(f"/api/catch-all-notices/{pk}/withdraw/", {"reason": "x", "version": 9}, format="json")
    assert stale.status_code == 409
    assert ministry.post(f"/api/catch-all-notices/{pk}/withdraw/", {}, format="json").status_code == 400
    gone = ministry.post(f"/api/catch-all-notices/{pk}/withdraw/", {"reason": "x", "version": 1}, format="json")
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"


@pytest.mark.parametrize("body", [
    {"all_exporters": True, "end_use": 5, "reason_zh": "r", "reason_en": "r"},
    {"all_exporters": True, "end_user_names": "华为", "reason_zh": "r", "reason_en": "r"},
    {"all_exporters": True, "end_use": "x"},
    {"all_exporters": True, "end_use": "x", "reason_zh": "r", "reason_en": "r", "ends_on": "soon"},
    [1, 2],
])
def test_the_api_refuses_bad_input(actors, body):
    response = api_as(actors.ministry).post("/api/catch-all-notices/", body, format="json")
    assert response.status_code == 400
    with translation.override("en"):
        assert response.json()["code"] and response.json()["messages"]["en"]
    assert not CatchAllNotice.objects.exists()


def test_the_api_schema_has_the_notices(actors):
    schema = api_as(actors.ministry).get("/api/schema/?format=json").json()
    assert {"/api/catch-all-notices/", "/api/catch-all-notices/{id}/acknowledge/"} <= set(schema["paths"])


def test_the_pages_render_in_chinese(actors):
    notice = to_company(actors)
    for user, urls in ((actors.ministry, ["/controllist/notices/", "/controllist/notices/new/",
                                          f"/controllist/notices/{notice.pk}/"]),
                       (actors.owner, ["/controllist/notices/", f"/controllist/notices/{notice.pk}/", "/cases/"])):
        client = page_as(user)
        client.cookies["django_language"] = "zh-hans"
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200 and 'lang="zh-hans"' in response.content.decode(), url
