"""Corrections (补正), requests for information and clock pauses: the services, their pages and
their API; who may do what; bad input, stale versions and double clicks."""

from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from licensing.models import CaseRequest, ClockPause, Document, PauseKind
from licensing.requests import services as rq
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import PASSWORD, UserFactory, pdf_upload
from workdays.services import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are checked in English here (the portal's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff_without_access(actors):
    """Exporter staff of the owner's company who neither created nor was given the case."""
    return UserFactory(organisation=actors.owner.organisation, role=Role.EXPORTER_STAFF)


@pytest.fixture
def forwarded(case_factory):
    return case_factory("forwarded")


@pytest.fixture
def accepted(case_factory):
    return case_factory("accepted")


def later(days=10) -> date:
    return timezone.localdate() + timedelta(days=days)


def page_as(user, lang="en"):
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = lang
    return client


def api_as(user, lang="en"):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    # These tests judge bodies and flows; 428 and If-Match are tested in tests/test_api_manners.py.
    client.credentials(HTTP_ACCEPT_LANGUAGE=lang, HTTP_IF_MATCH="*")
    return client


def events(app, action) -> int:
    return AuditEvent.objects.filter(object_id=str(app.pk), action=action).count()


def snapshot(app) -> tuple:
    app.refresh_from_db()
    return (app.status, app.version, CaseRequest.objects.filter(application=app).count(),
            ClockPause.objects.filter(application=app).count(), Document.objects.filter(application=app).count(),
            AuditEvent.objects.count())


def ask_corrections(app, actors, **kwargs):
    params = {"items": ["Signed contract", "End-user certificate with the seal"], "respond_by": later()}
    return rq.corrections_request(application_id=app.pk, actor=actors.ministry, **{**params, **kwargs})


# ---------------------------------------------------------------- corrections


def test_corrections_request_answer_and_the_case_comes_back(actors, forwarded, calendar_2027,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req = ask_corrections(forwarded, actors, note="Please use the 2025 template.")
    forwarded.refresh_from_db()
    assert forwarded.status == "correcting" and forwarded.corrections_requested_at is not None
    assert req.items == ["Signed contract", "End-user certificate with the seal"] and req.is_open
    assert forwarded.pauses.get().kind == PauseKind.CORRECTION and forwarded.acceptance_due is None
    told = set(Notification.objects.filter(key=f"case-request:{req.pk}:asked").values_list("recipient", flat=True))
    assert told == {actors.owner.pk, actors.colleague.pk}  # the creator and the company's administrator

    with django_capture_on_commit_callbacks(execute=True):
        rq.corrections_answer(application_id=forwarded.pk, actor=actors.owner, answer="Both attached.",
                              uploads=[pdf_upload("contract.pdf"), pdf_upload("certificate.pdf")])
    forwarded.refresh_from_db()
    req.refresh_from_db()
    assert forwarded.status == "forwarded" and not req.is_open and req.answer == "Both attached."
    assert [d.original_name for d in req.documents.all()] == ["contract.pdf", "certificate.pdf"]
    assert set(req.documents.values_list("kind", flat=True)) == {"correction"}
    assert forwarded.pauses.get().ended_on == timezone.localdate()
    # 5 working days again from the answer (exact dates: test_review_clock.py).
    assert forwarded.acceptance_due == add_working_days(timezone.localdate(), 5)
    officer = Notification.objects.get(key=f"case-request:{req.pk}:answered")
    assert officer.recipient == actors.ministry  # no assigned officer yet: the one who asked
    assert events(forwarded, "application.request_corrections") == 1
    assert events(forwarded, "application.answer_corrections") == 1
    # Back with the ministry, the case can now be accepted.
    from licensing.applications import services
    services.application_accept(application_id=forwarded.pk, actor=actors.ministry)


def test_corrections_are_asked_once_only(actors, forwarded):
    ask_corrections(forwarded, actors)
    with pytest.raises(InvalidTransition, match="once"):
        ask_corrections(forwarded, actors, items=["Something else"])
    rq.corrections_answer(application_id=forwarded.pk, actor=actors.owner, answer="Done")
    with pytest.raises(InvalidTransition) as caught:
        ask_corrections(forwarded, actors, items=["One more thing"])
    assert "ask once" in str(caught.value) and caught.value.status_code == 409
    resp = api_as(actors.senior).post(f"/api/applications/{forwarded.pk}/corrections/",
                                      {"items": ["More"], "respond_by": later().isoformat()}, format="json")
    assert resp.status_code == 409 and "ask once" in resp.json()["messages"]["en"]
    assert CaseRequest.objects.filter(application=forwarded).count() == 1


def test_corrections_only_before_acceptance(actors, accepted):
    with pytest.raises(InvalidTransition):
        ask_corrections(accepted, actors)


def test_double_click_on_corrections_is_one_request(actors, forwarded):
    first = ask_corrections(forwarded, actors)
    second = ask_corrections(forwarded, actors)
    assert first.pk == second.pk
    assert CaseRequest.objects.count() == 1 and ClockPause.objects.count() == 1
    assert events(forwarded, "application.request_corrections") == 1
    client = api_as(actors.owner)
    body = {"answer": "Attached", "version": forwarded.version + 1}
    assert client.post(f"/api/applications/{forwarded.pk}/corrections/answer/", body, format="json").status_code == 200
    again = client.post(f"/api/applications/{forwarded.pk}/corrections/answer/", body, format="json")
    assert again.status_code == 200 and again.json()["request"]["id"] == first.pk
    assert events(forwarded, "application.answer_corrections") == 1


@pytest.mark.parametrize("kwargs,field", [
    ({"items": [f"item {n}" for n in range(31)]}, "items"),
    ({"items": []}, "items"),
    ({"items": ["", "   "]}, "items"),
    ({"items": "Signed contract"}, "items"),
    ({"items": ["x" * 501]}, "items"),
    ({"respond_by": date(2020, 1, 1)}, "respond_by"),
    ({"respond_by": "today"}, "respond_by"),
    ({"respond_by": None}, "respond_by"),
    ({"note": "x" * 2001}, "note"),
])
def test_bad_corrections_request_is_400_and_changes_nothing(actors, forwarded, kwargs, field):
    before = snapshot(forwarded)
    with pytest.raises(ValidationFailed) as caught:
        ask_corrections(forwarded, actors, **kwargs)
    assert field in caught.value.fields
    assert snapshot(forwarded) == before


def test_today_is_not_a_future_respond_by(actors, forwarded):
    with pytest.raises(ValidationFailed):
        ask_corrections(forwarded, actors, respond_by=timezone.localdate())


@pytest.mark.parametrize("uploads,answer", [
    ([pdf_upload("notes.txt", b"plain text, not a PDF")], "ok"),
    ([pdf_upload(f"doc{n}.pdf") for n in range(6)], "ok"),
    ([pdf_upload()], ""),
    ([pdf_upload()], "   "),
])
def test_bad_corrections_answer_is_400_and_nothing_is_stored(actors, forwarded, uploads, answer, settings):
    ask_corrections(forwarded, actors)
    before = snapshot(forwarded)
    with pytest.raises(ValidationFailed):
        rq.corrections_answer(application_id=forwarded.pk, actor=actors.owner, answer=answer, uploads=uploads)
    assert snapshot(forwarded) == before
    media = settings.MEDIA_ROOT / "documents" / str(forwarded.pk)
    assert len(list(media.iterdir())) == 1  # only the end-user certificate of the application


# ---------------------------------------------------------------- requests for information


def test_rfi_asked_answered_with_documents_and_the_clock(actors, accepted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Who installs the motors?",
                         respond_by=later(7))
    accepted.refresh_from_db()
    assert accepted.clock_state == "paused" and accepted.clock_paused_since == timezone.localdate()
    assert req.pause.kind == "rfi" and req.pause.ended_on is None
    assert Notification.objects.filter(key=f"case-request:{req.pk}:asked", recipient=actors.owner).exists()
    assert not Notification.objects.filter(recipient=actors.outsider).exists()

    with django_capture_on_commit_callbacks(execute=True):
        rq.rfi_answer(application_id=accepted.pk, request_id=req.pk, actor=actors.colleague,
                      answer="Our subsidiary in Munich.", uploads=[pdf_upload("installer.pdf")])
    accepted.refresh_from_db()
    req.refresh_from_db()
    assert accepted.clock_state == "running" and accepted.clock_paused_since is None
    assert req.pause.ended_on == timezone.localdate() and req.answered_by == actors.colleague
    doc = req.documents.get()
    assert doc.kind == "rfi_answer" and doc.application_id == accepted.pk
    assert Notification.objects.get(key=f"case-request:{req.pk}:answered").recipient == actors.ministry
    assert events(accepted, "request.rfi") == 1 and events(accepted, "request.answer") == 1
    # The document downloads through the case's document URL, for those who see the case only.
    for who, status in [(actors.ministry, 200), (actors.owner, 200), (actors.outsider, 404)]:
        assert page_as(who).get(f"/cases/{accepted.pk}/documents/{doc.pk}/").status_code == status


def test_rfi_only_while_under_review_one_at_a_time(actors, forwarded, accepted):
    with pytest.raises(InvalidTransition):
        rq.rfi_ask(application_id=forwarded.pk, actor=actors.ministry, question="Q?")
    first = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    assert rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?").pk == first.pk
    with pytest.raises(InvalidTransition):
        rq.rfi_ask(application_id=accepted.pk, actor=actors.senior, question="Another question?")
    assert CaseRequest.objects.filter(application=accepted).count() == 1
    assert ClockPause.objects.filter(application=accepted).count() == 1
    assert events(accepted, "request.rfi") == 1


def test_withdrawn_rfi_restarts_the_clock(actors, accepted, django_capture_on_commit_callbacks):
    req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    with django_capture_on_commit_callbacks(execute=True):
        rq.rfi_withdraw(application_id=accepted.pk, request_id=req.pk, actor=actors.ministry, reason="Found it")
    req.refresh_from_db()
    accepted.refresh_from_db()
    assert req.withdrawn_at and req.pause.ended_on and accepted.clock_state == "running"
    rq.rfi_withdraw(application_id=accepted.pk, request_id=req.pk, actor=actors.ministry)  # again: no-op
    assert events(accepted, "request.withdraw") == 1
    with pytest.raises(InvalidTransition):
        rq.rfi_answer(application_id=accepted.pk, request_id=req.pk, actor=actors.owner, answer="late")
    assert Notification.objects.filter(key=f"case-request:{req.pk}:withdrawn", recipient=actors.owner).exists()


def test_exporter_cannot_ask_and_ministry_cannot_answer(actors, accepted, forwarded):
    with pytest.raises(NotAllowed):
        rq.rfi_ask(application_id=accepted.pk, actor=actors.owner, question="Q?")
    with pytest.raises(NotAllowed):
        rq.corrections_request(application_id=forwarded.pk, actor=actors.colleague, items=["x"],
                               respond_by=later())
    req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    with pytest.raises(NotAllowed):
        rq.rfi_answer(application_id=accepted.pk, request_id=req.pk, actor=actors.ministry, answer="A")
    with pytest.raises(NotAllowed):
        rq.rfi_withdraw(application_id=accepted.pk, request_id=req.pk, actor=actors.owner)
    with pytest.raises(NotAllowed):
        rq.pause_start(application_id=accepted.pk, actor=actors.owner, kind="expert")
    with pytest.raises(NotFound):
        rq.rfi_answer(application_id=accepted.pk, request_id=req.pk, actor=actors.outsider, answer="A")
    with pytest.raises(NotFound):
        rq.rfi_answer(application_id=accepted.pk, request_id=req.pk + 999, actor=actors.owner, answer="A")


# ---------------------------------------------------------------- pauses


def test_pause_start_and_end(actors, accepted):
    pause = rq.pause_start(application_id=accepted.pk, actor=actors.ministry, kind="onsite", note="Visit")
    assert rq.pause_start(application_id=accepted.pk, actor=actors.ministry, kind="onsite", note="Visit").pk == pause.pk
    accepted.refresh_from_db()
    assert accepted.clock_state == "paused" and events(accepted, "clock.pause") == 1
    version = accepted.version
    rq.pause_end(application_id=accepted.pk, pause_id=pause.pk, actor=actors.ministry, expected_version=version)
    rq.pause_end(application_id=accepted.pk, pause_id=pause.pk, actor=actors.ministry, expected_version=version)
    accepted.refresh_from_db()
    assert accepted.clock_state == "running" and events(accepted, "clock.resume") == 1
    with pytest.raises(InvalidTransition):
        rq.pause_end(application_id=accepted.pk, pause_id=pause.pk, actor=actors.senior)


def test_request_pauses_end_only_with_their_request(actors, accepted):
    req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    with pytest.raises(InvalidTransition):
        rq.pause_end(application_id=accepted.pk, pause_id=req.pause.pk, actor=actors.ministry)
    with pytest.raises(ValidationFailed):
        rq.pause_start(application_id=accepted.pk, actor=actors.ministry, kind="rfi")
    with pytest.raises(ValidationFailed):
        rq.pause_start(application_id=accepted.pk, actor=actors.ministry, kind="holiday")


def test_stale_versions_are_409_and_change_nothing(actors, accepted, forwarded):
    stale = accepted.version - 1
    for call in (
        lambda: rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?", expected_version=stale),
        lambda: rq.pause_start(application_id=accepted.pk, actor=actors.ministry, kind="expert",
                               expected_version=stale),
        lambda: ask_corrections(forwarded, actors, expected_version=forwarded.version - 1),
    ):
        with pytest.raises(StaleVersion):
            call()
    assert not CaseRequest.objects.exists() and not ClockPause.objects.exists()
    resp = api_as(actors.ministry).post(f"/api/applications/{accepted.pk}/pauses/",
                                        {"kind": "expert", "version": stale}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    resp = page_as(actors.ministry).post(f"/cases/{accepted.pk}/rfi/", {"rfi-question": "Q?", "rfi-version": stale})
    assert resp.status_code == 409 and "Reload the page" in resp.content.decode()
    assert not CaseRequest.objects.exists()


# ---------------------------------------------------------------- pages


def test_pages_ministry_asks_exporter_answers(actors, forwarded):
    ministry, exporter = page_as(actors.ministry), page_as(actors.owner)
    page = ministry.get(f"/cases/{forwarded.pk}/").content.decode()
    assert 'id="corrections-form"' in page and 'id="acceptance-clock"' in page
    resp = ministry.post(f"/cases/{forwarded.pk}/corrections/", {
        "corr-items": "Signed contract\n\nEnd-user certificate with the seal\n",
        "corr-respond_by": later().isoformat(), "corr-version": forwarded.version})
    assert resp.status_code == 302
    req = CaseRequest.objects.get()
    assert req.items == ["Signed contract", "End-user certificate with the seal"]
    assert 'id="corrections-form"' not in ministry.get(f"/cases/{forwarded.pk}/").content.decode()

    page = exporter.get(f"/cases/{forwarded.pk}/").content.decode()
    assert f'id="answer-form-{req.pk}"' in page and "End-user certificate with the seal" in page
    assert 'enctype="multipart/form-data"' in page
    forwarded.refresh_from_db()
    resp = exporter.post(f"/cases/{forwarded.pk}/corrections/answer/", {
        "answer-answer": "Here they are", "answer-version": forwarded.version,
        "answer-documents": [pdf_upload("contract.pdf"), pdf_upload("cert.pdf")]})
    assert resp.status_code == 302
    forwarded.refresh_from_db()
    assert forwarded.status == "forwarded"
    page = ministry.get(f"/cases/{forwarded.pk}/").content.decode()
    assert "Here they are" in page and "contract.pdf" in page and 'id="clock-history"' in page
    assert "Corrections requested" in page  # the case history names the event


def test_page_bad_input_is_400_with_the_form_kept(actors, forwarded, accepted):
    ministry = page_as(actors.ministry)
    items = "\n".join(f"Missing item {n}" for n in range(31))
    resp = ministry.post(f"/cases/{forwarded.pk}/corrections/", {
        "corr-items": items, "corr-respond_by": later().isoformat(), "corr-version": forwarded.version})
    assert resp.status_code == 400 and "At most 30 items" in resp.content.decode()
    assert "Missing item 30" in resp.content.decode()  # what was typed is still there
    resp = ministry.post(f"/cases/{forwarded.pk}/corrections/", {
        "corr-items": "x", "corr-respond_by": "2020-01-01", "corr-version": forwarded.version})
    assert resp.status_code == 400 and "must be in the future" in resp.content.decode()
    resp = ministry.post(f"/cases/{forwarded.pk}/corrections/", {"corr-items": "x", "corr-respond_by": "soon"})
    assert resp.status_code == 400
    resp = ministry.post(f"/cases/{accepted.pk}/rfi/", {"rfi-question": ""})
    assert resp.status_code == 400
    assert not CaseRequest.objects.exists()
    req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    resp = page_as(actors.owner).post(f"/cases/{accepted.pk}/rfi/{req.pk}/answer/", {
        "answer-answer": "A", "answer-documents": [pdf_upload("x.pdf", b"not a pdf")]})
    assert resp.status_code == 400 and "Only PDF files are accepted" in resp.content.decode()
    req.refresh_from_db()
    assert req.is_open and not req.documents.exists()


def test_page_pause_buttons(actors, accepted):
    ministry = page_as(actors.ministry)
    page = ministry.get(f"/cases/{accepted.pk}/").content.decode()
    assert 'id="pause-form"' in page and 'id="rfi-form"' in page
    resp = ministry.post(f"/cases/{accepted.pk}/pauses/", {"pause-kind": "expert", "pause-note": "Panel",
                                                          "pause-version": accepted.version})
    assert resp.status_code == 302
    pause = ClockPause.objects.get()
    page = ministry.get(f"/cases/{accepted.pk}/").content.decode()
    assert f'id="pause-end-{pause.pk}"' in page and 'id="clock-paused"' in page
    accepted.refresh_from_db()
    assert ministry.post(f"/cases/{accepted.pk}/pauses/{pause.pk}/end/",
                         {"version": accepted.version}).status_code == 302
    pause.refresh_from_db()
    assert pause.ended_on == timezone.localdate()
    exporter_page = page_as(actors.owner).get(f"/cases/{accepted.pk}/").content.decode()
    assert 'id="pause-form"' not in exporter_page and 'id="rfi-form"' not in exporter_page
    assert "Panel" not in exporter_page  # the officer's note is for the ministry


# ---------------------------------------------------------------- permissions on every page and API


def _endpoints(app, req_id, pause_id):
    api = f"/api/applications/{app.pk}"
    return {
        "api_get": [f"{api}/clock/", f"{api}/requests/"],
        "api_post": [
            (f"{api}/corrections/", {"items": ["x"], "respond_by": later().isoformat()}),
            (f"{api}/corrections/answer/", {"answer": "a"}),
            (f"{api}/requests/", {"question": "q"}),
            (f"{api}/requests/{req_id}/answer/", {"answer": "a"}),
            (f"{api}/requests/{req_id}/withdraw/", {}),
            (f"{api}/pauses/", {"kind": "expert"}),
            (f"{api}/pauses/{pause_id}/end/", {}),
        ],
        "pages": [
            (f"/cases/{app.pk}/corrections/", {"corr-items": "x", "corr-respond_by": later().isoformat()}),
            (f"/cases/{app.pk}/corrections/answer/", {"answer-answer": "a"}),
            (f"/cases/{app.pk}/rfi/", {"rfi-question": "q"}),
            (f"/cases/{app.pk}/rfi/{req_id}/answer/", {"answer-answer": "a"}),
            (f"/cases/{app.pk}/rfi/{req_id}/withdraw/", {}),
            (f"/cases/{app.pk}/pauses/", {"pause-kind": "expert"}),
            (f"/cases/{app.pk}/pauses/{pause_id}/end/", {}),
        ],
    }


@pytest.fixture
def busy_case(actors, accepted):
    req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    pause = rq.pause_start(application_id=accepted.pk, actor=actors.ministry, kind="identification")
    return accepted, req, pause


@pytest.mark.parametrize("who", ["outsider", "other_province", "agency", "customs", "staff_without_access"])
def test_strangers_get_404_everywhere(actors, busy_case, who, staff_without_access):
    app, req, pause = busy_case
    user = staff_without_access if who == "staff_without_access" else getattr(actors, who)
    before = snapshot(app)
    urls = _endpoints(app, req.pk, pause.pk)
    for url in urls["api_get"]:
        assert api_as(user).get(url).status_code == 404, url
    for url, body in urls["api_post"]:
        assert api_as(user).post(url, body, format="json").status_code == 404, url
    for url, body in urls["pages"]:
        assert page_as(user).post(url, body).status_code == 404, url
    assert snapshot(app) == before


def test_anonymous_gets_nothing(busy_case):
    app, req, pause = busy_case
    urls = _endpoints(app, req.pk, pause.pk)
    for url in urls["api_get"]:
        assert APIClient().get(url).status_code == 403, url
    for url, body in urls["api_post"]:
        assert APIClient().post(url, body, format="json").status_code == 403, url
    for url, body in urls["pages"]:
        resp = Client().post(url, body)
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("who", ["owner", "colleague", "province"])
def test_the_ministry_s_actions_are_403_for_others_who_see_the_case(actors, busy_case, who):
    app, req, pause = busy_case
    user = getattr(actors, who)
    before = snapshot(app)
    api = f"/api/applications/{app.pk}"
    for url, body in [(f"{api}/requests/", {"question": "q"}), (f"{api}/requests/{req.pk}/withdraw/", {}),
                      (f"{api}/pauses/", {"kind": "expert"}), (f"{api}/pauses/{pause.pk}/end/", {}),
                      (f"{api}/corrections/", {"items": ["x"], "respond_by": later().isoformat()})]:
        assert api_as(user).post(url, body, format="json").status_code == 403, url
    for url, body in [(f"/cases/{app.pk}/rfi/", {"rfi-question": "q"}),
                      (f"/cases/{app.pk}/pauses/", {"pause-kind": "expert"}),
                      (f"/cases/{app.pk}/pauses/{pause.pk}/end/", {})]:
        assert page_as(user).post(url, body).status_code == 403, url
    assert snapshot(app) == before
    assert api_as(user).get(f"{api}/requests/").status_code == 200


@pytest.mark.parametrize("who", ["ministry", "senior", "province"])
def test_answers_are_403_for_all_but_the_exporter(actors, busy_case, who):
    app, req, _pause = busy_case
    user = getattr(actors, who)
    before = snapshot(app)
    resp = api_as(user).post(f"/api/applications/{app.pk}/requests/{req.pk}/answer/", {"answer": "a"}, format="json")
    assert resp.status_code == 403
    resp = page_as(user).post(f"/cases/{app.pk}/rfi/{req.pk}/answer/", {"answer-answer": "a"})
    assert resp.status_code == 403
    assert snapshot(app) == before


def test_a_referred_agency_sees_but_cannot_act(actors, busy_case):
    from licensing.models import Referral

    app, req, pause = busy_case
    Referral.objects.create(application=app, agency=actors.agency.organisation, state="sent",
                            sent_at=timezone.now())
    assert api_as(actors.agency).get(f"/api/applications/{app.pk}/requests/").status_code == 200
    assert api_as(actors.agency).post(f"/api/applications/{app.pk}/pauses/", {"kind": "expert"},
                                      format="json").status_code == 403
    assert api_as(actors.agency).post(f"/api/applications/{app.pk}/requests/{req.pk}/answer/",
                                      {"answer": "a"}, format="json").status_code == 403


# ---------------------------------------------------------------- the API


def test_api_flow_rfi_and_pause(actors, accepted):
    ministry, owner = api_as(actors.ministry), api_as(actors.owner)
    api = f"/api/applications/{accepted.pk}"
    resp = ministry.post(f"{api}/requests/", {"question": "Who installs?", "respond_by": later().isoformat(),
                                              "version": accepted.version}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    req_id, version = body["request"]["id"], body["version"]
    assert body["clock"]["state"] == "paused" and body["request"]["is_open"]
    again = ministry.post(f"{api}/requests/", {"question": "Who installs?", "respond_by": later().isoformat(),
                                               "version": accepted.version}, format="json")
    assert again.status_code == 201 and again.json()["request"]["id"] == req_id  # double click
    listed = owner.get(f"{api}/requests/").json()
    assert [r["id"] for r in listed["requests"]] == [req_id] and listed["version"] == version

    resp = owner.post(f"{api}/requests/{req_id}/answer/", {
        "answer": "Our subsidiary", "version": version,
        "documents": [pdf_upload("a.pdf"), pdf_upload("b.pdf")]}, format="multipart")
    assert resp.status_code == 200, resp.json()
    docs = resp.json()["request"]["documents"]
    assert [d["original_name"] for d in docs] == ["a.pdf", "b.pdf"]
    download = owner.get(docs[0]["download"])
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    version = resp.json()["version"]

    resp = ministry.post(f"{api}/pauses/", {"kind": "identification", "note": "lab", "version": version},
                         format="json")
    assert resp.status_code == 201 and resp.json()["pause"]["kind"] == "identification"
    pause_id, version = resp.json()["pause"]["id"], resp.json()["version"]
    assert resp.json()["pause"]["note"] == "lab"
    assert owner.get(f"{api}/clock/").json()["history"][1]["note"] == ""
    resp = ministry.post(f"{api}/pauses/{pause_id}/end/", {"version": version}, format="json")
    assert resp.status_code == 200 and resp.json()["clock"]["state"] == "running"


def test_api_corrections_flow(actors, forwarded):
    resp = api_as(actors.ministry).post(f"/api/applications/{forwarded.pk}/corrections/", {
        "items": ["Signed contract"], "respond_by": later().isoformat(), "version": forwarded.version},
        format="json")
    assert resp.status_code == 201 and resp.json()["status"] == "correcting"
    assert resp.json()["clock"]["acceptance"]["waiting_since"] == timezone.localdate().isoformat()
    resp = api_as(actors.owner).post(f"/api/applications/{forwarded.pk}/corrections/answer/", {
        "answer": "Signed", "documents": [pdf_upload()]}, format="multipart")
    assert resp.status_code == 200 and resp.json()["status"] == "forwarded"


@pytest.mark.parametrize("path,body", [
    ("corrections/", {"items": "Signed contract", "respond_by": "2099-01-01"}),
    ("corrections/", {"items": [1, 2], "respond_by": "2099-01-01"}),
    ("corrections/", {"items": ["x"], "respond_by": 20990101}),
    ("corrections/", {"items": ["x"], "respond_by": "2020-01-01"}),
    ("corrections/", {"items": [f"i{n}" for n in range(31)], "respond_by": "2099-01-01"}),
    ("corrections/", {"items": ["x"]}),
    ("corrections/", {"items": ["x"], "respond_by": "2099-01-01", "version": "abc"}),
    ("corrections/", {"items": ["x"], "respond_by": "2099-01-01", "version": "3"}),
    ("corrections/", {"items": ["x"], "respond_by": "2099-01-01", "note": 5}),
    ("corrections/", ["x"]),
])
def test_api_wrong_types_are_400_and_change_nothing(actors, forwarded, path, body):
    before = snapshot(forwarded)
    resp = api_as(actors.ministry).post(f"/api/applications/{forwarded.pk}/{path}", body, format="json")
    assert resp.status_code == 400, resp.content
    assert set(resp.json()) >= {"code", "detail", "messages"}
    assert snapshot(forwarded) == before


@pytest.mark.parametrize("path,body", [
    ("requests/", {"question": 42}),
    ("requests/", {"question": ""}),
    ("requests/", {"question": "q", "respond_by": "tomorrow"}),
    ("requests/", {"question": ["q"]}),
    ("pauses/", {"kind": "rfi"}),
    ("pauses/", {"kind": 1}),
    ("pauses/", {"kind": "expert", "note": {"a": 1}}),
    ("pauses/", {"kind": "expert", "version": True}),
])
def test_api_review_wrong_types_are_400_and_change_nothing(actors, accepted, path, body):
    before = snapshot(accepted)
    resp = api_as(actors.ministry).post(f"/api/applications/{accepted.pk}/{path}", body, format="json")
    assert resp.status_code == 400, resp.content
    assert snapshot(accepted) == before


def test_api_answer_bad_files_are_400(actors, accepted):
    req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    url = f"/api/applications/{accepted.pk}/requests/{req.pk}/answer/"
    before = snapshot(accepted)
    for documents in ([pdf_upload(f"d{n}.pdf") for n in range(6)], [pdf_upload("x.pdf", b"GIF89a")]):
        resp = api_as(actors.owner).post(url, {"answer": "A", "documents": documents}, format="multipart")
        assert resp.status_code == 400
    resp = api_as(actors.owner).post(url, {"answer": 7}, format="json")
    assert resp.status_code == 400
    assert snapshot(accepted) == before
    req.refresh_from_db()
    assert req.is_open


def test_an_upload_that_fails_late_leaves_no_file(actors, accepted, monkeypatch):
    req = rq.rfi_ask(application_id=accepted.pk, actor=actors.ministry, question="Q?")
    stored = []
    real_save = default_storage.save

    def spy(name, content, max_length=None):
        stored.append(real_save(name, content, max_length=max_length))
        return stored[-1]

    monkeypatch.setattr(default_storage, "save", spy)
    monkeypatch.setattr(rq, "_end_pause", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError):
        rq.rfi_answer(application_id=accepted.pk, request_id=req.pk, actor=actors.owner, answer="A",
                      uploads=[pdf_upload()])
    assert stored and not any(default_storage.exists(name) for name in stored)
    assert not Document.objects.filter(request=req).exists()



# ---------------------------------------------------------------- at the same moment (PostgreSQL)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_answer_and_withdrawal_at_once_one_wins(actors, case_factory):
    from tests.test_concurrency import race

    app = case_factory("accepted")
    req = rq.rfi_ask(application_id=app.pk, actor=actors.ministry, question="Q?")
    results = race(
        lambda: rq.rfi_answer(application_id=app.pk, request_id=req.pk, actor=actors.owner, answer="A"),
        lambda: rq.rfi_withdraw(application_id=app.pk, request_id=req.pk, actor=actors.ministry),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), results
    req.refresh_from_db()
    assert bool(req.answered_at) != bool(req.withdrawn_at)
    assert ClockPause.objects.get(request=req).ended_on is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_asking_at_once_make_one_request(actors, case_factory):
    from tests.test_concurrency import race

    app = case_factory("accepted")
    results = race(
        lambda: rq.rfi_ask(application_id=app.pk, actor=actors.ministry, question="First?"),
        lambda: rq.rfi_ask(application_id=app.pk, actor=actors.senior, question="Second?"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), results
    assert CaseRequest.objects.filter(application=app).count() == 1
    assert ClockPause.objects.filter(application=app, ended_on__isnull=True).count() == 1
