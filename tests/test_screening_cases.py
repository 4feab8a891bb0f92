"""Screening in the case: parties are screened at submission; a Control List hit blocks it with the
explanation and changes nothing; a Watch List hit lets it through, shows on the case page for the
ministry only and lifts the 45-day limit at acceptance; the officer judges each hit, and one judged
false is not raised again for that party name and entry version."""

from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from audit.models import AuditEvent
from enduser.models import HitState, ListChange, ListedParty, ListKind, ScreeningHit
from enduser.screening import services as screening
from licensing.applications import services
from licensing.models import Application, PauseKind
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.conftest import WATCH_LIST_DOCUMENTS
from tests.factories import DRAFT, PASSWORD, pdf_upload

WATCHED = ("end_user_certificate", *WATCH_LIST_DOCUMENTS)

pytestmark = pytest.mark.django_db

CONTROL_NAME = "华荣精密技术有限公司"


def listed(name, list_kind=ListKind.CONTROL, kind="company", **extra):
    fields = {"announcement": "商务部公告2026年第1号", "announced_on": date(2026, 1, 2),
              "effective_on": date(2026, 1, 2), "reason": "test entry", **extra}
    row = ListedParty.objects.create(list_kind=list_kind, kind=kind, names=[name], **fields)
    ListChange.objects.create(listed=row, action=ListChange.Action.ADD, snapshot={"names": row.names},
                              on=row.effective_on)
    return row


def draft_with_end_user(actors, end_user_name):
    data = {**DRAFT, "end_user": {**DRAFT["end_user"], "name": end_user_name}}
    app, _ = services.application_create(actor=actors.owner, data=data)
    services.document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate", upload=pdf_upload())
    app.refresh_from_db()
    return app


def test_a_traditional_variant_of_a_control_list_entry_blocks_submission_with_the_explanation(actors):
    entry = listed(CONTROL_NAME)
    app = draft_with_end_user(actors, "華榮精密技術有限公司")
    screened = ScreeningHit.objects.count()  # the new party was screened when it was saved
    with pytest.raises(ValidationFailed) as refused:
        services.application_submit(application_id=app.pk, actor=actors.owner)
    assert refused.value.code == "control_listed"
    with translation.override("en"):
        message = str(refused.value.message)
    assert "華榮精密技術有限公司" in message and CONTROL_NAME in message and entry.announcement in message
    assert "traditional→simplified / 繁体转简体" in message and "Art. 18" in message
    app.refresh_from_db()
    assert app.status == "draft" and app.reference is None
    assert ScreeningHit.objects.count() == screened  # a refused submission changes nothing


def test_a_party_unlike_any_entry_submits_and_records_no_hit(actors):
    listed(CONTROL_NAME)
    app = draft_with_end_user(actors, "Motorenwerk München GmbH")
    services.application_submit(application_id=app.pk, actor=actors.owner)
    app.refresh_from_db()
    assert app.status == "submitted" and not ScreeningHit.objects.exists()
    event = AuditEvent.objects.filter(action="application.submit", object_id=str(app.pk)).get()
    assert event.after["screening"] == {"hits": [], "control": [], "watch": []}


def test_a_removed_or_future_entry_does_not_block(actors):
    listed(CONTROL_NAME, removed_on=date(2026, 6, 1))
    listed("华荣精密技术有限公司", effective_on=date(2099, 1, 1))
    app = draft_with_end_user(actors, "華榮精密技術有限公司")
    services.application_submit(application_id=app.pk, actor=actors.owner)
    assert Application.objects.get(pk=app.pk).status == "submitted"


def test_a_watch_list_hit_passes_shows_to_the_ministry_and_lifts_the_limit_at_acceptance(actors, case_factory):
    entry = listed("Motorenwerk München GmbH", list_kind=ListKind.WATCH)
    app = case_factory("accepted", documents=WATCHED)
    hit = ScreeningHit.objects.get()
    assert hit.listed == entry and hit.state == HitState.OPEN and hit.score == 1
    pause = app.pauses.get(kind=PauseKind.WATCH_LIST)
    assert pause.started_by is None and pause.ended_on is None
    app.refresh_from_db()
    assert app.clock_state == "no_limit"
    # Once only, however often the parties are screened again.
    screening.screen_parties(parties=[app.importer, app.end_user])
    assert ScreeningHit.objects.count() == 1


def test_the_case_page_shows_hits_to_the_ministry_only(actors, case_factory):
    listed("Motorenwerk München GmbH", list_kind=ListKind.WATCH)
    app = case_factory("forwarded", documents=WATCHED)
    pages = {}
    for who in ("ministry", "owner", "colleague", "province", "agency"):
        client = Client()
        client.login(username=getattr(actors, who).username, password=PASSWORD)
        pages[who] = client.get(f"/cases/{app.pk}/")
    assert pages["ministry"].status_code == 200
    body = pages["ministry"].content.decode()
    assert 'id="screening-hits"' in body and "Motorenwerk München GmbH" in body and "same letters" in body
    for who in ("owner", "colleague", "province"):
        assert pages[who].status_code == 200 and "screening-panel" not in pages[who].content.decode()
    assert pages["agency"].status_code == 404


def test_the_officer_judges_a_hit_and_a_false_one_is_not_raised_again(actors, case_factory):
    listed("Motorenwerk München GmbH", list_kind=ListKind.WATCH)
    case_factory("forwarded", documents=WATCHED)
    hit = ScreeningHit.objects.get()
    with pytest.raises(ValidationFailed):
        screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="false", note="")  # a reason is required
    with pytest.raises(ValidationFailed):
        screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="maybe")
    with pytest.raises(NotAllowed):
        screening.hit_decide(hit_id=hit.pk, actor=actors.owner, verdict="false", note="mine")
    with pytest.raises(StaleVersion):
        screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="true", expected_version=9)
    with pytest.raises(NotFound):
        screening.hit_decide(hit_id=999999, actor=actors.ministry, verdict="true")
    decided = screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="false",
                                   note="A different company in Munich / 另一家公司", expected_version=1)
    assert decided.state == HitState.FALSE and decided.version == 2
    again = screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="false", note="double click")
    assert again.version == 2  # a double click changes nothing
    assert AuditEvent.objects.filter(action="screening.hit_decide", object_id=str(hit.pk)).count() == 1
    # The same name on another case (another record: the address differs): recorded, but not raised.
    second = case_factory("forwarded", documents=WATCHED, data={"end_user": {
        **DRAFT["end_user"], "address": "Another street 9, München"}})
    new = ScreeningHit.objects.exclude(pk=hit.pk).get()
    assert new.party_id == second.end_user_id and new.state == HitState.FALSE and str(hit.pk) in new.note
    # ... until the entry changes.
    ListedParty.objects.filter(pk=hit.listed_id).update(version=2)
    screening.screen_parties(parties=[second.end_user])
    assert ScreeningHit.objects.filter(listed_version=2, state=HitState.OPEN).count() == 1


def test_a_closed_hit_cannot_be_judged(actors, case_factory):
    listed("Motorenwerk München GmbH", list_kind=ListKind.WATCH)
    case_factory("forwarded", documents=WATCHED)
    hit = ScreeningHit.objects.get()
    ScreeningHit.objects.filter(pk=hit.pk).update(state=HitState.CLOSED)
    with pytest.raises(InvalidTransition):
        screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="true")


def test_the_judgement_page_and_api_check_role_input_and_version(actors, case_factory):
    listed("Motorenwerk München GmbH", list_kind=ListKind.WATCH)
    app = case_factory("forwarded", documents=WATCHED)
    hit = ScreeningHit.objects.get()
    url = f"/cases/{app.pk}/screening/{hit.pk}/decide/"
    for who in ("owner", "province", "agency"):
        client = Client()
        client.login(username=getattr(actors, who).username, password=PASSWORD)
        assert client.post(url, {"verdict": "true"}).status_code in (403, 404)
        assert client.post(f"/api/screening-hits/{hit.pk}/decide/", {"verdict": "true"},
                           content_type="application/json").status_code in (403, 404)
        assert client.get(f"/api/screening-hits/{hit.pk}/").status_code == 404
    ministry = Client()
    ministry.login(username=actors.ministry.username, password=PASSWORD)
    assert ministry.get(url).status_code == 405
    assert ministry.post(url, {"verdict": "false"}).status_code == 400  # no reason
    assert ministry.post(f"/api/screening-hits/{hit.pk}/decide/", {"verdict": 1},
                         content_type="application/json").status_code == 400
    assert ministry.post(f"/api/screening-hits/{hit.pk}/decide/", {"verdict": "true", "version": 5},
                         content_type="application/json").status_code == 409
    assert ScreeningHit.objects.get().state == HitState.OPEN  # nothing changed so far
    response = ministry.post(url, {"verdict": "true", "version": "1"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{app.pk}/"
    detail = ministry.get(f"/api/screening-hits/{hit.pk}/").json()
    assert detail["state"] == "true" and detail["list_kind"] == "watch" and detail["parts"]
    assert detail["versions"]["algorithm"]


def test_a_watch_list_party_needs_a_risk_assessment_and_an_undertaking_before_submission(actors):
    listed("Motorenwerk München GmbH", list_kind=ListKind.WATCH)
    app = draft_with_end_user(actors, "Motorenwerk München GmbH")
    with translation.override("en"):
        missing = [str(m) for m in services.missing_for_submission(app)]
    assert any("risk assessment" in m and "Motorenwerk München GmbH" in m for m in missing)
    assert any("compliance undertaking" in m for m in missing)
    screened = ScreeningHit.objects.count()  # the new party was screened when it was saved
    with pytest.raises(ValidationFailed) as refused:
        services.application_submit(application_id=app.pk, actor=actors.owner)
    assert refused.value.code == "incomplete" and ScreeningHit.objects.count() == screened
    services.document_add(application_id=app.pk, actor=actors.owner, kind="risk_assessment", upload=pdf_upload())
    assert len(services.missing_for_submission(app)) == 1
    services.document_add(application_id=app.pk, actor=actors.owner, kind="compliance_undertaking",
                          upload=pdf_upload())
    assert services.missing_for_submission(app) == []
    services.application_submit(application_id=app.pk, actor=actors.owner)
    assert Application.objects.get(pk=app.pk).status == "submitted" and ScreeningHit.objects.count() == 1


def test_parties_not_on_the_watch_list_need_no_extra_document(actors):
    listed("Motorenwerk München GmbH", list_kind=ListKind.CONTROL, removed_on=date(2026, 3, 1))
    app = draft_with_end_user(actors, "Motorenwerk München GmbH")
    assert services.missing_for_submission(app) == []


def test_a_watch_list_match_judged_not_the_same_party_asks_for_no_documents(actors, case_factory):
    listed("Motorenwerk München GmbH", list_kind=ListKind.WATCH)
    case_factory("forwarded", documents=WATCHED)
    hit = ScreeningHit.objects.get()
    screening.hit_decide(hit_id=hit.pk, actor=actors.ministry, verdict="false", note="Another company / 另一家公司")
    app = draft_with_end_user(actors, "Motorenwerk München GmbH")
    assert services.missing_for_submission(app) == []
