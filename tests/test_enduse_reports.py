"""Reports of a change of end use (Reg. 25): the exporter of a submitted case reports, with PDFs;
the ministry takes the report under review and closes it with a note, and the exporter is told at
each step. Who sees what: the exporter's people on the case and the ministry, an agency only once the
case is referred to it, never the province, customs or another exporter."""

import uuid

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from licensing.applications import services as applications
from licensing.enduse import services as enduse
from licensing.models import EndUseReport, EndUseReportDocument
from notifications.models import Notification
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import PASSWORD, UserFactory, pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

DESCRIPTION = "The end user told us it will resell the alloy to a third party / 最终用户称将转售给第三方"


def page_as(user):
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def file(app, actor, kind="end_use_may_change", uploads=None, **kwargs):
    uploads = [pdf_upload("statement.pdf")] if uploads is None else uploads
    return enduse.enduse_report_file(actor=actor, application_id=app.pk, kind=kind, description=DESCRIPTION,
                                     uploads=uploads, **kwargs)


def stored_files() -> list[str]:
    try:
        return default_storage.listdir("enduse")[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def forwarded(case_factory):
    return case_factory("forwarded")


@pytest.fixture
def report(actors, forwarded):
    return file(forwarded, actors.owner)


@pytest.fixture
def stranger_staff(actors):
    """Staff of the same exporter with whom the case was not shared."""
    return UserFactory(organisation=actors.owner.organisation, role=Role.EXPORTER_STAFF)


# ---------------------------------------------------------------- the services


def test_the_whole_flow_filed_reviewed_closed_with_notes_audit_and_notifications(actors, forwarded):
    case_version = forwarded.version
    report = file(forwarded, actors.owner, uploads=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
    assert (report.state, report.version, report.application_id, report.created_by) == (
        "received", 1, forwarded.pk, actors.owner)
    assert [d.original_name for d in report.documents.all()] == ["a.pdf", "b.pdf"]
    assert len(stored_files()) == 2
    told = set(Notification.objects.filter(kind="enduse_report.file").values_list("recipient_id", flat=True))
    assert told == {actors.ministry.pk, actors.senior.pk}  # nobody assigned yet: every ministry officer
    assert Notification.objects.filter(kind="enduse_report.file").first().url == f"/enduse-reports/{report.pk}/"

    report = enduse.enduse_report_review(actor=actors.ministry, report_id=report.pk, note="Asking the end user",
                                         expected_version=1)
    assert (report.state, report.version, report.reviewed_by, report.review_note) == (
        "under_review", 2, actors.ministry, "Asking the end user")
    told = set(Notification.objects.filter(kind="enduse_report.review").values_list("recipient_id", flat=True))
    assert told == {actors.owner.pk, actors.colleague.pk}  # the filer and the company's administrator

    with pytest.raises(ValidationFailed):  # closing needs the note
        enduse.enduse_report_close(actor=actors.senior, report_id=report.pk, note="  ", expected_version=2)
    report = enduse.enduse_report_close(actor=actors.senior, report_id=report.pk, note="Export stopped; no breach",
                                        expected_version=2)
    assert (report.state, report.version, report.closed_by, report.close_note) == (
        "closed", 3, actors.senior, "Export stopped; no breach")
    assert Notification.objects.filter(kind="enduse_report.close", recipient=actors.owner).exists()
    actions = list(AuditEvent.objects.filter(object_type="licensing.endusereport", object_id=str(report.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["enduse_report.file", "enduse_report.review", "enduse_report.close"]
    forwarded.refresh_from_db()
    assert forwarded.version == case_version  # a report leaves the case's own forms valid


def test_the_assigned_officer_alone_is_told_of_a_new_report(actors, forwarded):
    from licensing.models import Application

    Application.objects.filter(pk=forwarded.pk).update(assigned_to=actors.ministry)
    report = file(forwarded, actors.owner, uploads=[])
    assert list(Notification.objects.filter(key=f"enduse-report:{report.pk}:file")
                .values_list("recipient_id", flat=True)) == [actors.ministry.pk]


def test_a_report_on_a_licence_and_on_a_refused_case(actors, case_factory, calendar_2027,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approved = case_factory("approved")
    assert approved.licence.number
    report = file(approved, actors.colleague, kind="certificate_expired")
    assert report.state == "received"
    assert approved.licence.number in page_as(actors.ministry).get(f"/enduse-reports/{report.pk}/").content.decode()
    assert api_as(actors.owner).get(f"/api/enduse-reports/{report.pk}/").json()["licence_number"] == \
        approved.licence.number
    body = page_as(actors.owner).get(f"/cases/{approved.pk}/").content.decode()
    assert 'id="licence-enduse-report"' in body and f"/cases/{approved.pk}/enduse-reports/new/" in body
    body = page_as(actors.ministry).get(f"/cases/{approved.pk}/").content.decode()
    assert 'id="enduse-panel"' in body and 'id="licence-enduse-report"' not in body


def test_only_submitted_cases_and_not_while_returned(actors, case_factory):
    draft = case_factory("draft")
    with pytest.raises(InvalidTransition):
        file(draft, actors.owner)
    submitted = case_factory("submitted")
    assert file(submitted, actors.owner).state == "received"  # still with the province: the ministry sees it
    applications.application_return(application_id=submitted.pk, actor=actors.province, reason="fix the address")
    with pytest.raises(InvalidTransition):
        file(submitted, actors.owner)
    assert EndUseReport.objects.count() == 1


def test_wrong_states_of_the_report(actors, report):
    with pytest.raises(InvalidTransition):  # received -> closed skips the review
        enduse.enduse_report_close(actor=actors.ministry, report_id=report.pk, note="done")
    enduse.enduse_report_review(actor=actors.ministry, report_id=report.pk)
    # The same officer again (a double click) changes nothing; another officer is refused.
    assert enduse.enduse_report_review(actor=actors.ministry, report_id=report.pk).version == 2
    with pytest.raises(InvalidTransition):
        enduse.enduse_report_review(actor=actors.senior, report_id=report.pk)
    enduse.enduse_report_close(actor=actors.ministry, report_id=report.pk, note="done")
    with pytest.raises(InvalidTransition), translation.override("en"):
        try:
            enduse.enduse_report_close(actor=actors.senior, report_id=report.pk, note="again")
        except InvalidTransition as exc:
            assert "Closed" in str(exc.message)
            raise
    report.refresh_from_db()
    assert (report.state, report.version, report.close_note) == ("closed", 3, "done")


def test_stale_version_is_refused_and_changes_nothing(actors, report):
    with pytest.raises(StaleVersion):
        enduse.enduse_report_review(actor=actors.ministry, report_id=report.pk, note="x", expected_version=2)
    report.refresh_from_db()
    assert (report.state, report.version, report.review_note) == ("received", 1, "")
    assert not AuditEvent.objects.filter(action="enduse_report.review").exists()


def test_double_submit_with_one_token_makes_one_report(actors, forwarded):
    token = uuid.uuid4()
    first = file(forwarded, actors.owner, client_token=token)
    again = file(forwarded, actors.owner, client_token=str(token), uploads=[pdf_upload(), pdf_upload()])
    assert again.pk == first.pk and EndUseReport.objects.count() == 1
    assert EndUseReportDocument.objects.count() == 1 and len(stored_files()) == 1
    with pytest.raises(ValidationFailed):
        file(forwarded, actors.owner, client_token="not-a-uuid")


@pytest.mark.parametrize("upload, code", [
    (lambda: pdf_upload("a.txt", b"hello, not a PDF"), "not_pdf"),
    (lambda: pdf_upload("broken.pdf", b"%PDF-1.7 garbage"), "bad_pdf"),
    (lambda: pdf_upload("empty.pdf", b""), "validation_failed"),
])
def test_bad_uploads_refuse_the_report_and_store_nothing(actors, forwarded, upload, code):
    with pytest.raises(ValidationFailed) as refused:
        file(forwarded, actors.owner, uploads=[pdf_upload("good.pdf"), upload()])
    assert refused.value.code == code and "documents" in refused.value.fields
    assert EndUseReport.objects.count() == 0 and stored_files() == []


def test_too_large_and_too_many_uploads(actors, forwarded, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed) as refused:
        file(forwarded, actors.owner, uploads=[pdf_upload("big.pdf", pdf_bytes() + b" " * (1024 * 1024))])
    assert refused.value.code == "too_large"
    with pytest.raises(ValidationFailed) as refused:
        file(forwarded, actors.owner, uploads=[pdf_upload() for _ in range(enduse.MAX_DOCUMENTS + 1)])
    assert refused.value.code == "too_many_documents"
    assert EndUseReport.objects.count() == 0 and stored_files() == []


def test_bad_kind_and_description(actors, forwarded):
    with pytest.raises(ValidationFailed) as refused:
        file(forwarded, actors.owner, kind="end_user_happy")
    assert "kind" in refused.value.fields
    with pytest.raises(ValidationFailed):
        enduse.enduse_report_file(actor=actors.owner, application_id=forwarded.pk, kind="end_use_changed",
                                  description=" ")
    with pytest.raises(ValidationFailed):
        enduse.enduse_report_file(actor=actors.owner, application_id=forwarded.pk, kind="end_use_changed",
                                  description="x" * (enduse.DESCRIPTION_MAX_CHARS + 1))
    assert EndUseReport.objects.count() == 0


@pytest.mark.parametrize("who, error", [
    ("outsider", NotFound), ("province", NotAllowed), ("ministry", NotAllowed), ("agency", NotAllowed),
    ("customs", NotAllowed), ("stranger_staff", NotFound),
])
def test_only_the_exporters_people_on_the_case_file(actors, forwarded, stranger_staff, who, error):
    user = stranger_staff if who == "stranger_staff" else getattr(actors, who)
    with pytest.raises(error):
        file(forwarded, user)
    assert EndUseReport.objects.count() == 0


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider", "province", "agency", "customs"])
def test_only_the_ministry_reviews_and_closes(actors, report, who):
    user = getattr(actors, who)
    with pytest.raises(NotAllowed):
        enduse.enduse_report_review(actor=user, report_id=report.pk)
    enduse.enduse_report_review(actor=actors.ministry, report_id=report.pk)
    with pytest.raises(NotAllowed):
        enduse.enduse_report_close(actor=user, report_id=report.pk, note="closing it myself")
    report.refresh_from_db()
    assert report.state == "under_review"


# ---------------------------------------------------------------- pages


def test_the_exporter_reports_from_the_case_page_and_the_ministry_works_the_queue(actors, forwarded):
    owner = page_as(actors.owner)
    body = owner.get(f"/cases/{forwarded.pk}/").content.decode()
    assert 'id="enduse-report-new"' in body
    form = owner.get(f"/cases/{forwarded.pk}/enduse-reports/new/")
    assert form.status_code == 200
    token = form.context["form"].initial["token"]
    data = {"token": str(token), "kind": "certificate_forged", "description": DESCRIPTION,
            "documents": [pdf_upload("cert.pdf")]}
    resp = owner.post(f"/cases/{forwarded.pk}/enduse-reports/new/", data)
    report = EndUseReport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/enduse-reports/{report.pk}/"
    # The double click: the same token again makes nothing new.
    again = owner.post(f"/cases/{forwarded.pk}/enduse-reports/new/", {**data, "documents": [pdf_upload()]})
    assert again.status_code == 302 and EndUseReport.objects.count() == 1 and report.documents.count() == 1
    body = owner.get(f"/cases/{forwarded.pk}/").content.decode()
    assert f'id="enduse-report-{report.pk}"' in body and 'data-state="received"' in body

    ministry = page_as(actors.ministry)
    queue = ministry.get("/enduse-reports/?state=received").content.decode()
    assert f'id="enduse-report-{report.pk}"' in queue and forwarded.reference in queue
    assert ministry.get("/enduse-reports/?state=closed").content.decode().count('id="enduse-report-') == 0
    assert 'id="nav-enduse-reports"' in queue
    assert 'id="enduse-reports-link"' in ministry.get("/review/").content.decode()
    detail = ministry.get(f"/enduse-reports/{report.pk}/").content.decode()
    assert "cert.pdf" in detail and 'id="form-enduse-review"' in detail and 'id="form-enduse-close"' not in detail
    doc = report.documents.get()
    download = ministry.get(f"/enduse-reports/{report.pk}/documents/{doc.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content if download.streaming else [download.content]).startswith(b"%PDF")

    resp = ministry.post(f"/enduse-reports/{report.pk}/review/", {"version": 1, "note": "Looking into it"})
    assert resp.status_code == 302
    resp = ministry.post(f"/enduse-reports/{report.pk}/close/", {"version": 2, "note": ""})
    assert resp.status_code == 400  # the note is required
    resp = ministry.post(f"/enduse-reports/{report.pk}/close/", {"version": 1, "note": "Closed"})
    assert resp.status_code == 409  # stale
    resp = ministry.post(f"/enduse-reports/{report.pk}/close/", {"version": 2, "note": "Referred to compliance"})
    assert resp.status_code == 302
    body = owner.get(f"/enduse-reports/{report.pk}/").content.decode()
    assert "Looking into it" in body and "Referred to compliance" in body and 'data-state="closed"' in body
    assert 'id="form-enduse-review"' not in body and 'id="form-enduse-close"' not in body


def test_the_form_shows_bad_uploads_and_keeps_nothing(actors, forwarded):
    client = page_as(actors.owner)
    client.cookies["django_language"] = "en"
    resp = client.post(f"/cases/{forwarded.pk}/enduse-reports/new/", {
        "kind": "end_user_changed", "description": DESCRIPTION, "documents": [pdf_upload("x.pdf", b"not a pdf")]})
    assert resp.status_code == 400 and "Only PDF files are accepted." in resp.content.decode()
    resp = page_as(actors.owner).post(f"/cases/{forwarded.pk}/enduse-reports/new/", {"kind": "nonsense"})
    assert resp.status_code == 400
    assert EndUseReport.objects.count() == 0


def test_the_form_is_refused_on_a_draft(actors, case_factory):
    draft = case_factory("draft")
    assert page_as(actors.owner).get(f"/cases/{draft.pk}/enduse-reports/new/").status_code == 403
    resp = page_as(actors.owner).post(f"/cases/{draft.pk}/enduse-reports/new/",
                                      {"kind": "end_user_changed", "description": DESCRIPTION})
    assert resp.status_code == 409 and EndUseReport.objects.count() == 0
    assert 'id="enduse-report-new"' not in page_as(actors.owner).get(f"/cases/{draft.pk}/").content.decode()


# Who sees a report on a forwarded case not referred to any agency: 200 or 404 (403: the page
# exists for the role but the action is not theirs).
PAGE_ACCESS = {"owner": 200, "colleague": 200, "ministry": 200, "senior": 200, "outsider": 404,
               "province": 404, "other_province": 404, "agency": 404, "customs": 404, "stranger_staff": 404}


@pytest.mark.parametrize("who", sorted(PAGE_ACCESS))
def test_who_sees_the_report_page_its_documents_and_the_case_panel(actors, report, stranger_staff, who):
    user = stranger_staff if who == "stranger_staff" else getattr(actors, who)
    client = page_as(user)
    doc = report.documents.get()
    expected = PAGE_ACCESS[who]
    assert client.get(f"/enduse-reports/{report.pk}/").status_code == expected
    assert client.get(f"/enduse-reports/{report.pk}/documents/{doc.pk}/").status_code == expected
    assert client.get(f"/enduse-reports/{report.pk}/documents/{doc.pk + 1000}/").status_code == 404
    case_page = client.get(f"/cases/{report.application_id}/")
    if case_page.status_code == 200:
        assert ('id="enduse-panel"' in case_page.content.decode()) == (expected == 200)
    queue = client.get("/enduse-reports/")
    assert queue.status_code == (200 if who in ("ministry", "senior") else 403)
    # Steps by anyone but the ministry change nothing.
    resp = client.post(f"/enduse-reports/{report.pk}/review/", {"version": 1})
    assert resp.status_code == (302 if who in ("ministry", "senior") else {200: 403}.get(expected, 404))
    new_form = client.get(f"/cases/{report.application_id}/enduse-reports/new/").status_code
    assert new_form == {"owner": 200, "colleague": 200, "province": 403, "ministry": 403,
                        "senior": 403}.get(who, 404)


def test_anonymous_gets_the_login_page_and_the_api_403(report):
    doc = report.documents.get()
    for path in ("/enduse-reports/", f"/enduse-reports/{report.pk}/",
                 f"/enduse-reports/{report.pk}/documents/{doc.pk}/",
                 f"/cases/{report.application_id}/enduse-reports/new/"):
        resp = Client().get(path)
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), path
    for path in ("/api/enduse-reports/", f"/api/enduse-reports/{report.pk}/"):
        assert APIClient().get(path).status_code == 403


def test_a_referred_agency_sees_the_reports_of_the_case_and_nothing_else(actors, case_factory, calendar_2027,
                                                                        django_capture_on_commit_callbacks):
    from tests.test_review_referrals import sent

    referred = sent(actors, case_factory, django_capture_on_commit_callbacks)  # MIIT, by the routing rules
    mine = file(referred, actors.owner)
    other = file(case_factory("forwarded"), actors.owner)
    client = page_as(actors.agency)
    assert 'id="enduse-panel"' in client.get(f"/cases/{referred.pk}/").content.decode()
    assert client.get(f"/enduse-reports/{mine.pk}/").status_code == 200
    assert client.get(f"/enduse-reports/{mine.pk}/documents/{mine.documents.get().pk}/").status_code == 200
    assert client.get(f"/enduse-reports/{other.pk}/").status_code == 404
    assert client.get("/enduse-reports/").status_code == 403
    assert client.post(f"/enduse-reports/{mine.pk}/review/", {}).status_code == 403
    listed = api_as(actors.agency).get("/api/enduse-reports/").json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]


def test_queue_filters_paginate_and_count_queries(actors, case_factory, django_assert_max_num_queries):
    app = case_factory("forwarded")
    for _ in range(3):
        file(app, actors.owner, uploads=[pdf_upload(), pdf_upload()])
    closed = file(app, actors.owner, kind="certificate_altered", uploads=[])
    enduse.enduse_report_review(actor=actors.ministry, report_id=closed.pk)
    enduse.enduse_report_close(actor=actors.ministry, report_id=closed.pk, note="done")
    client = page_as(actors.ministry)
    client.get("/enduse-reports/")  # warm the session and the language
    with django_assert_max_num_queries(8) as few:
        body = client.get("/enduse-reports/").content.decode()
    assert body.count('id="enduse-report-') == 4
    other = case_factory("forwarded")
    for _ in range(20):
        file(other, actors.colleague, kind="end_user_changed")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/enduse-reports/").content.decode()
    assert body.count('id="enduse-report-') == 24
    body = client.get("/enduse-reports/?state=closed&kind=certificate_altered").content.decode()
    assert body.count('id="enduse-report-') == 1 and f'id="enduse-report-{closed.pk}"' in body
    body = client.get("/enduse-reports/?kind=end_user_changed").content.decode()
    assert body.count('id="enduse-report-') == 20
    assert client.get("/enduse-reports/?state=bogus").status_code == 400


def test_queue_pages(actors, forwarded, monkeypatch):
    from licensing.enduse import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for _ in range(3):
        file(forwarded, actors.owner, uploads=[])
    client = page_as(actors.ministry)
    first = client.get("/enduse-reports/?state=received").content.decode()
    assert first.count('id="enduse-report-') == 2 and 'id="next-page"' in first and "state=received&amp;page=2" in first
    assert client.get("/enduse-reports/?state=received&page=2").content.decode().count('id="enduse-report-') == 1


# ---------------------------------------------------------------- the API


def test_api_file_review_close(actors, forwarded):
    owner = api_as(actors.owner)
    key = str(uuid.uuid4())
    body = {"application": forwarded.pk, "kind": "end_user_may_change", "description": DESCRIPTION,
            "documents": [pdf_upload("one.pdf")]}
    resp = owner.post("/api/enduse-reports/", body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert resp.status_code == 201, resp.json()
    data = resp.json()
    assert (data["state"], data["case_reference"], data["version"]) == ("received", forwarded.reference, 1)
    assert [d["original_name"] for d in data["documents"]] == ["one.pdf"]
    again = owner.post("/api/enduse-reports/", {**body, "documents": [pdf_upload()]}, format="multipart",
                       HTTP_IDEMPOTENCY_KEY=key)
    assert again.json()["id"] == data["id"] and EndUseReport.objects.count() == 1
    download = owner.get(data["documents"][0]["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"

    ministry = api_as(actors.ministry)
    assert ministry.post(f"/api/enduse-reports/{data['id']}/close/", {"note": "x"}, format="json").status_code == 409
    resp = ministry.post(f"/api/enduse-reports/{data['id']}/review/", {"note": "ok", "version": 1}, format="json")
    assert resp.status_code == 200 and resp.json()["state"] == "under_review"
    resp = ministry.post(f"/api/enduse-reports/{data['id']}/close/", {"note": "x", "version": 1}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "stale"
    assert ministry.post(f"/api/enduse-reports/{data['id']}/close/", {}, format="json").status_code == 400
    resp = ministry.post(f"/api/enduse-reports/{data['id']}/close/", {"note": "Done", "version": 2}, format="json")
    assert resp.status_code == 200 and resp.json()["close_note"] == "Done"
    assert owner.get(f"/api/enduse-reports/{data['id']}/").json()["state"] == "closed"
    listed = ministry.get("/api/enduse-reports/?state=closed").json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert ministry.get("/api/enduse-reports/?kind=nonsense").status_code == 400


def test_api_json_create_and_bad_input(actors, forwarded):
    owner = api_as(actors.owner)
    resp = owner.post("/api/enduse-reports/", {"application": forwarded.pk, "kind": "end_use_changed",
                                               "description": DESCRIPTION}, format="json")
    assert resp.status_code == 201 and resp.json()["documents"] == []
    for body in ({"application": forwarded.pk, "kind": "nonsense", "description": "x"},
                 {"application": forwarded.pk, "kind": "end_use_changed", "description": 5},
                 {"application": "x", "kind": "end_use_changed", "description": "x"}):
        resp = owner.post("/api/enduse-reports/", body, format="json")
        assert resp.status_code == 400 and resp.json()["code"] == "validation_failed"
    resp = owner.post("/api/enduse-reports/", {"application": forwarded.pk, "kind": "end_use_changed",
                                               "description": "x", "documents": [pdf_upload("a.pdf", b"GIF89a")]},
                      format="multipart")
    assert resp.status_code == 400 and resp.json()["code"] == "not_pdf"
    resp = owner.post("/api/enduse-reports/", {"application": forwarded.pk, "kind": "end_use_changed",
                                               "description": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="nope")
    assert resp.status_code == 400
    assert EndUseReport.objects.count() == 1


API_READ = {"owner": 200, "colleague": 200, "ministry": 200, "senior": 200, "outsider": 404, "province": 404,
            "other_province": 404, "agency": 404, "customs": 404}
API_CREATE = {"owner": 201, "colleague": 201, "ministry": 403, "senior": 403, "outsider": 404, "province": 403,
              "other_province": 403, "agency": 403, "customs": 403}


@pytest.mark.parametrize("who", sorted(API_READ))
def test_api_permissions_per_role(actors, report, who):
    user = getattr(actors, who)
    client = api_as(user)
    doc = report.documents.get()
    assert client.get(f"/api/enduse-reports/{report.pk}/").status_code == API_READ[who]
    assert client.get(f"/api/enduse-reports/{report.pk}/documents/{doc.pk}/").status_code == API_READ[who]
    listed = [row["id"] for row in client.get("/api/enduse-reports/").json()["results"]]
    assert (report.pk in listed) == (API_READ[who] == 200)
    resp = client.post("/api/enduse-reports/", {"application": report.application_id, "kind": "end_use_changed",
                                                "description": DESCRIPTION}, format="json")
    assert resp.status_code == API_CREATE[who]
    review = client.post(f"/api/enduse-reports/{report.pk}/review/", {"version": 1}, format="json").status_code
    assert review == (200 if who in ("ministry", "senior") else {200: 403}.get(API_READ[who], 404))
    close = client.post(f"/api/enduse-reports/{report.pk}/close/", {"note": "x"}, format="json").status_code
    assert close == (200 if who in ("ministry", "senior") else {200: 403}.get(API_READ[who], 404))
    report.refresh_from_db()
    assert report.state == ("closed" if who in ("ministry", "senior") else "received")


def test_another_exporter_never_sees_a_report(actors, report):
    client = api_as(actors.outsider)
    assert report.pk not in [row["id"] for row in client.get("/api/enduse-reports/").json()["results"]]
    assert client.get(f"/api/enduse-reports/{report.pk}/").status_code == 404
    body = page_as(actors.outsider).get(f"/enduse-reports/{report.pk}/")
    assert body.status_code == 404 and DESCRIPTION.encode() not in body.content
