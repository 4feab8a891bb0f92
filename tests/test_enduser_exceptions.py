"""Exceptions to the Control List (Law 18): a draft refused for a Control List match tells the
exporter how to apply; an exception awaiting the ministry still blocks, a granted one lets that
party name and entry version through, a refused one does not; only the exporter of the party
applies and withdraws, only the ministry decides, and everyone else gets 403/404 and changes nothing."""

import uuid
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from audit.models import AuditEvent
from enduser.exceptions import services as exceptions
from enduser.models import ExceptionState, ListChange, ListedParty, ListException, ListKind
from licensing.applications import services
from licensing.models import Application
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import DRAFT, PASSWORD, pdf_upload

pytestmark = pytest.mark.django_db

CONTROL_NAME = "华荣精密技术有限公司"
FILED_NAME = "華榮精密技術有限公司"
REASONS = "Civil end use verified on site; spare parts for a hospital MRI / 民用最终用途，已现场核实"


def listed(name, list_kind=ListKind.CONTROL):
    row = ListedParty.objects.create(list_kind=list_kind, names=[name], announcement="商务部公告2026年第1号",
                                     announced_on=date(2026, 1, 2), effective_on=date(2026, 1, 2), reason="test entry")
    ListChange.objects.create(listed=row, action=ListChange.Action.ADD, snapshot={"names": row.names},
                              on=row.effective_on)
    return row


def draft(actors, end_user_name=FILED_NAME, actor=None):
    data = {**DRAFT, "end_user": {**DRAFT["end_user"], "name": end_user_name}}
    app, _ = services.application_create(actor=actor or actors.owner, data=data)
    services.document_add(application_id=app.pk, actor=actor or actors.owner, kind="end_user_certificate",
                          upload=pdf_upload())
    app.refresh_from_db()
    return app


def submit_refused(app, actor):
    with pytest.raises(ValidationFailed) as refused:
        services.application_submit(application_id=app.pk, actor=actor)
    assert refused.value.code == "control_listed"
    with translation.override("zh-hans"):
        assert "第十八条" in str(refused.value.message) and "例外" in str(refused.value.message)
    with translation.override("en"):
        return str(refused.value.message)


def client_for(user):
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def request(actors, app, entry, **kwargs):
    return exceptions.exception_request(actor=actors.owner, application_party=app.end_user, listed_id=entry.pk,
                                        reasons=REASONS, **kwargs)


def test_the_whole_flow_refused_then_requested_then_granted_then_submitted(actors):
    entry = listed(CONTROL_NAME)
    app = draft(actors)
    message = submit_refused(app, actors.owner)
    assert f"/cases/{app.pk}/exceptions/new/" in message and "Art. 18" in message and FILED_NAME in message
    row = request(actors, app, entry)
    assert (row.state, row.party_name, row.listed_version, row.exporter_id) == (
        ExceptionState.REQUESTED, FILED_NAME, 1, app.exporter_id)
    message = submit_refused(app, actors.owner)
    assert "awaiting the ministry's decision" in message
    granted = exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=True,
                                          reasons="Civil use shown / 民用已证明", expected_version=1)
    assert granted.state == ExceptionState.GRANTED and granted.version == 2 and granted.decided_by == actors.ministry
    services.application_submit(application_id=app.pk, actor=actors.owner)
    app.refresh_from_db()
    assert app.status == "submitted"
    event = AuditEvent.objects.get(action="application.submit", object_id=str(app.pk))
    assert event.after["list_exceptions"] == [row.pk]
    # The hit is recorded for the ministry to see, still open, and the exception beside it.
    assert app.end_user.hits.get().listed == entry
    services.application_forward(application_id=app.pk, actor=actors.province)
    body = client_for(actors.ministry).get(f"/cases/{app.pk}/").content.decode()
    assert f'id="exception-{row.pk}"' in body and 'data-state="granted"' in body


def test_a_refused_exception_still_blocks_and_the_exporter_may_apply_again(actors):
    entry = listed(CONTROL_NAME)
    app = draft(actors)
    row = request(actors, app, entry)
    exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=False, reasons="Military end user")
    message = submit_refused(app, actors.owner)
    assert "awaiting" not in message and f"/cases/{app.pk}/exceptions/new/" in message
    assert Application.objects.get(pk=app.pk).status == "draft"
    again = request(actors, app, entry)
    assert again.pk != row.pk and again.state == ExceptionState.REQUESTED


def test_an_exception_holds_for_that_name_and_entry_version_only(actors):
    entry = listed(CONTROL_NAME)
    app = draft(actors)
    row = request(actors, app, entry)
    exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=True, reasons="ok")
    other_name = draft(actors, end_user_name=CONTROL_NAME)  # the simplified form: another name as filed
    submit_refused(other_name, actors.owner)
    ListedParty.objects.filter(pk=entry.pk).update(version=2)  # the entry changed
    submit_refused(app, actors.owner)
    # Another exporter filing the same name is not covered by this exporter's exception.
    outsider_app = draft(actors, actor=actors.outsider)
    submit_refused(outsider_app, actors.outsider)


def test_validation_reasons_matching_list_kind_and_owner(actors):
    entry = listed(CONTROL_NAME)
    watch = listed(FILED_NAME, list_kind=ListKind.WATCH)
    unrelated = listed("Motorenwerk Hamburg AG")
    app = draft(actors)
    for reasons in ("", "   ", "x" * 5001, None):
        with pytest.raises(ValidationFailed):
            exceptions.exception_request(actor=actors.owner, application_party=app.end_user, listed_id=entry.pk,
                                         reasons=reasons)
    with pytest.raises(ValidationFailed) as not_matching:
        exceptions.exception_request(actor=actors.owner, application_party=app.end_user, listed_id=unrelated.pk,
                                     reasons=REASONS)
    assert "listed" in not_matching.value.fields
    with pytest.raises(ValidationFailed):  # a Watch List entry is not excepted: it does not block
        exceptions.exception_request(actor=actors.owner, application_party=app.end_user, listed_id=watch.pk,
                                     reasons=REASONS)
    with pytest.raises(ValidationFailed):  # the importer does not match the entry
        exceptions.exception_request(actor=actors.owner, application_party=app.importer, listed_id=entry.pk,
                                     reasons=REASONS)
    with pytest.raises(NotFound):  # another company's party
        exceptions.exception_request(actor=actors.outsider, application_party=app.end_user, listed_id=entry.pk,
                                     reasons=REASONS)
    for who in ("province", "ministry", "agency"):
        with pytest.raises(NotAllowed):
            exceptions.exception_request(actor=getattr(actors, who), application_party=app.end_user,
                                         listed_id=entry.pk, reasons=REASONS)
    with pytest.raises(NotFound):
        exceptions.exception_request(actor=actors.owner, application_party=999999, listed_id=entry.pk,
                                     reasons=REASONS)
    ListedParty.objects.filter(pk=entry.pk).update(removed_on=date(2026, 3, 1))
    with pytest.raises(ValidationFailed):  # no longer in force
        request(actors, app, entry)
    assert not ListException.objects.exists()


def test_a_double_click_returns_the_same_application(actors):
    entry = listed(CONTROL_NAME)
    app = draft(actors)
    token = uuid.uuid4()
    first = request(actors, app, entry, client_token=token)
    assert request(actors, app, entry, client_token=token).pk == first.pk
    assert request(actors, app, entry).pk == first.pk  # no token: the live one for that name and version
    colleague = exceptions.exception_request(actor=actors.colleague, application_party=app.end_user,
                                             listed_id=entry.pk, reasons="other words")
    assert colleague.pk == first.pk
    assert ListException.objects.count() == 1
    assert AuditEvent.objects.filter(action="list_exception.request").count() == 1


def test_decide_checks_role_reasons_version_and_a_second_decision(actors):
    entry = listed(CONTROL_NAME)
    row = request(actors, draft(actors), entry)
    for who in ("owner", "colleague", "province", "agency"):
        with pytest.raises(NotAllowed):
            exceptions.exception_decide(actor=getattr(actors, who), exception_id=row.pk, grant=True, reasons="ok")
    with pytest.raises(ValidationFailed):
        exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=True, reasons=" ")
    with pytest.raises(StaleVersion):
        exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=True, reasons="ok",
                                    expected_version=7)
    with pytest.raises(NotFound):
        exceptions.exception_decide(actor=actors.ministry, exception_id=999999, grant=True, reasons="ok")
    decided = exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=True, reasons="ok",
                                          expected_version=1)
    again = exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=True, reasons="double",
                                        expected_version=1)
    assert again.version == decided.version == 2 and again.decision_reasons == "ok"  # a double click: no change
    with pytest.raises(InvalidTransition):
        exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=False, reasons="no")
    with pytest.raises(InvalidTransition):
        exceptions.exception_decide(actor=actors.senior, exception_id=row.pk, grant=True, reasons="me too")
    assert AuditEvent.objects.filter(action="list_exception.decide").count() == 1


def test_withdraw_by_the_exporter_while_requested(actors):
    entry = listed(CONTROL_NAME)
    row = request(actors, draft(actors), entry)
    for who in ("outsider",):
        with pytest.raises(NotFound):
            exceptions.exception_withdraw(actor=getattr(actors, who), exception_id=row.pk)
    for who in ("ministry", "province", "agency"):
        with pytest.raises(NotAllowed):
            exceptions.exception_withdraw(actor=getattr(actors, who), exception_id=row.pk)
    with pytest.raises(StaleVersion):
        exceptions.exception_withdraw(actor=actors.owner, exception_id=row.pk, expected_version=3)
    withdrawn = exceptions.exception_withdraw(actor=actors.owner, exception_id=row.pk, expected_version=1)
    assert withdrawn.state == ExceptionState.WITHDRAWN
    assert exceptions.exception_withdraw(actor=actors.owner, exception_id=row.pk).version == withdrawn.version
    with pytest.raises(InvalidTransition):
        exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=True, reasons="late")
    granted = request(actors, draft(actors), entry)
    exceptions.exception_decide(actor=actors.ministry, exception_id=granted.pk, grant=True, reasons="ok")
    with pytest.raises(InvalidTransition):
        exceptions.exception_withdraw(actor=actors.owner, exception_id=granted.pk)
    assert AuditEvent.objects.filter(action="list_exception.withdraw", object_id=str(row.pk)).count() == 1


def test_audit_events_and_notifications(actors):
    entry = listed(CONTROL_NAME)
    row = request(actors, draft(actors), entry)
    event = AuditEvent.objects.get(action="list_exception.request", object_id=str(row.pk))
    assert event.actor == actors.owner and event.after["party_name"] == FILED_NAME and event.after["why"]
    told = set(Notification.objects.filter(kind="list_exception.request").values_list("recipient", flat=True))
    assert told == {actors.ministry.pk, actors.senior.pk}
    exceptions.exception_decide(actor=actors.ministry, exception_id=row.pk, grant=False, reasons="Military use")
    event = AuditEvent.objects.get(action="list_exception.decide", object_id=str(row.pk))
    assert event.before["state"] == "requested" and event.after["state"] == "refused"
    told = Notification.objects.filter(kind="list_exception.decide")
    assert set(told.values_list("recipient", flat=True)) == {actors.owner.pk, actors.colleague.pk}
    assert all(note.url == f"/lists/exceptions/{row.pk}/" and note.body_en == "Military use" for note in told)


# ---------------------------------------------------------------- pages and API


def test_the_apply_page_screens_read_only_and_applies(actors):
    entry = listed(CONTROL_NAME)
    app = draft(actors)
    url = f"/cases/{app.pk}/exceptions/new/"
    owner = client_for(actors.owner)
    screened = app.end_user.hits.count()  # the new party was screened when it was saved
    page = owner.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'id="match-end_user-{entry.pk}"' in body and CONTROL_NAME in body and "商务部公告2026年第1号" in body
    assert app.end_user.hits.count() == screened  # read-only: no hit recorded
    case_page = owner.get(f"/cases/{app.pk}/").content.decode()
    assert 'id="apply-exception"' in case_page
    assert owner.post(url, {"party": "end_user", "listed": entry.pk, "reasons": ""}).status_code == 400
    response = owner.post(url, {"party": "end_user", "listed": entry.pk, "reasons": REASONS,
                                "token": str(uuid.uuid4())})
    assert response.status_code == 302 and response["Location"] == f"/cases/{app.pk}/"
    row = ListException.objects.get()
    case_page = owner.get(f"/cases/{app.pk}/").content.decode()
    assert f'id="exception-{row.pk}"' in case_page and 'id="apply-exception"' not in case_page
    for who in ("outsider", "province", "agency", "ministry"):
        client = client_for(getattr(actors, who))
        assert client.get(url).status_code in (403, 404)
        assert client.post(url, {"party": "end_user", "listed": entry.pk, "reasons": REASONS}).status_code in (403, 404)
    assert ListException.objects.count() == 1


def test_the_ministry_pages_list_and_decide(actors, django_assert_max_num_queries):
    entry = listed(CONTROL_NAME)
    first = request(actors, draft(actors), entry)
    exceptions.exception_decide(actor=actors.ministry, exception_id=first.pk, grant=False, reasons="no")
    second = request(actors, draft(actors), entry)
    ministry = client_for(actors.ministry)
    with django_assert_max_num_queries(12):
        page = ministry.get("/lists/exceptions/")
    body = page.content.decode()
    assert body.index(f'id="exception-{second.pk}"') < body.index(f'id="exception-{first.pk}"')  # requested first
    assert ministry.get(f"/lists/exceptions/{second.pk}/").status_code == 200
    assert ministry.post(f"/lists/exceptions/{second.pk}/", {"decision": "grant", "reasons": ""}).status_code == 400
    assert ministry.post(f"/lists/exceptions/{second.pk}/", {"decision": "grant", "reasons": "ok",
                                                             "version": 5}).status_code == 409
    response = ministry.post(f"/lists/exceptions/{second.pk}/", {"decision": "grant", "reasons": "ok",
                                                                 "version": 1})
    assert response.status_code == 302
    assert ListException.objects.get(pk=second.pk).state == ExceptionState.GRANTED


def test_pages_refuse_the_wrong_actors_and_change_nothing(actors):
    entry = listed(CONTROL_NAME)
    row = request(actors, draft(actors), entry)
    owner = client_for(actors.owner)
    assert owner.get(f"/lists/exceptions/{row.pk}/").status_code == 200
    assert owner.post(f"/lists/exceptions/{row.pk}/", {"decision": "grant", "reasons": "mine"}).status_code == 403
    for who in ("outsider", "province", "agency", "customs"):
        client = client_for(getattr(actors, who))
        listing = client.get("/lists/exceptions/")
        assert listing.status_code == 403 or f'id="exception-{row.pk}"' not in listing.content.decode()
        assert client.get(f"/lists/exceptions/{row.pk}/").status_code == 404
        assert client.post(f"/lists/exceptions/{row.pk}/", {"decision": "grant", "reasons": "x"}).status_code == 404
        assert client.post(f"/lists/exceptions/{row.pk}/withdraw/").status_code == 404
    assert client_for(actors.ministry).post(f"/lists/exceptions/{row.pk}/withdraw/").status_code == 403
    assert Client().get("/lists/exceptions/").status_code == 302  # sign in first
    assert ListException.objects.get().state == ExceptionState.REQUESTED and ListException.objects.get().version == 1
    response = owner.post(f"/lists/exceptions/{row.pk}/withdraw/", {"version": 1})
    assert response.status_code == 302 and ListException.objects.get().state == ExceptionState.WITHDRAWN


def test_the_api(actors):
    entry = listed(CONTROL_NAME)
    app = draft(actors)
    owner, ministry = client_for(actors.owner), client_for(actors.ministry)
    body = {"party": app.end_user_id, "listed": entry.pk, "reasons": REASONS}
    key = str(uuid.uuid4())
    created = owner.post("/api/list-exceptions/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert created.status_code == 201 and created.json()["state"] == "requested"
    again = owner.post("/api/list-exceptions/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.json()["id"] == created.json()["id"]
    pk = created.json()["id"]
    assert owner.post("/api/list-exceptions/", {**body, "reasons": 5},
                      content_type="application/json").status_code == 400
    assert owner.get("/api/list-exceptions/").json()["results"][0]["id"] == pk
    assert ministry.get("/api/list-exceptions/").json()["count"] == 1
    for who in ("outsider", "province", "agency"):
        client = client_for(getattr(actors, who))
        assert client.get("/api/list-exceptions/").json()["count"] == 0
        assert client.post("/api/list-exceptions/", body, content_type="application/json").status_code in (403, 404)
        assert client.post(f"/api/list-exceptions/{pk}/decide/", {"grant": True, "reasons": "x"},
                           content_type="application/json").status_code in (403, 404)
        assert client.post(f"/api/list-exceptions/{pk}/withdraw/", {},
                           content_type="application/json").status_code in (403, 404)
    assert owner.post(f"/api/list-exceptions/{pk}/decide/", {"grant": True, "reasons": "x"},
                      content_type="application/json").status_code == 403
    assert ministry.post(f"/api/list-exceptions/{pk}/withdraw/", {},
                         content_type="application/json").status_code == 403
    assert ministry.post(f"/api/list-exceptions/{pk}/decide/", {"grant": True, "reasons": ""},
                         content_type="application/json").status_code == 400
    assert ministry.post(f"/api/list-exceptions/{pk}/decide/", {"grant": True, "reasons": "ok", "version": 4},
                         content_type="application/json").status_code == 409
    assert ListException.objects.get().state == ExceptionState.REQUESTED
    decided = ministry.post(f"/api/list-exceptions/{pk}/decide/", {"grant": True, "reasons": "ok", "version": 1},
                            content_type="application/json")
    assert decided.status_code == 200 and decided.json()["state"] == "granted"
    assert ministry.post(f"/api/list-exceptions/{pk}/decide/", {"grant": False, "reasons": "no"},
                         content_type="application/json").status_code == 409
    assert owner.post(f"/api/list-exceptions/{pk}/withdraw/", {},
                      content_type="application/json").status_code == 409
    services.application_submit(application_id=app.pk, actor=actors.owner)
