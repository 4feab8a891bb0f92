"""Exporter reports on a licence (Reg. 18): requirements made at issue from the editable defaults,
the ministry's changes to them, the exporter's reports with PDFs (never changed once filed), the
beat's reminders and overdue flags (each once), and the API with its permissions for every role."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from licensing.licences import services as licences
from licensing.models import Licence, LicenceReport, ReportDefault, ReportRequirement
from licensing.reporting import services as reporting
from licensing.reporting.tasks import licence_reports_remind
from notifications.models import Notification
from portal.errors import NotAllowed, NotFound, ValidationFailed
from tests.factories import pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

TEXT = "Shipped 20 t of NdFeB alloy on MV Ever Given, B/L 123 / 已出运"


@pytest.fixture
def licence(case_factory, calendar_2027) -> Licence:
    app = case_factory("approved")
    return licences.licence_issue(application_id=app.pk)


def file(licence, actor, kind="shipment", uploads=None, **kwargs):
    uploads = [pdf_upload("bill-of-lading.pdf")] if uploads is None else uploads
    kwargs.setdefault("event_on", licence.valid_from)
    return reporting.licence_report_file(actor=actor, licence_id=licence.pk, kind=kind, text=TEXT, uploads=uploads,
                                         **kwargs)


def stored_files() -> list[str]:
    try:
        return default_storage.listdir("licence-reports")[1]
    except FileNotFoundError:
        return []


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def due(licence) -> dict:
    return dict(licence.report_requirements.values_list("kind", "due_on"))


# ---------------------------------------------------------------- requirements


def test_issue_creates_the_requirements_from_the_defaults_once(licence):
    assert licence.licence_type == "individual"
    assert due(licence) == {"shipment": licence.valid_until + timedelta(days=30),
                            "arrival": licence.valid_until + timedelta(days=90)}
    assert set(licence.report_requirements.values_list("set_by", flat=True)) == {None}
    assert AuditEvent.objects.filter(action="licence_report.requirements_from_defaults",
                                     object_id=str(licence.pk)).count() == 1
    assert reporting.report_requirements_from_defaults(licence_id=licence.pk) == []
    assert licences.licence_issue(application_id=licence.application_id).pk == licence.pk
    assert ReportRequirement.objects.filter(licence=licence).count() == 2


def test_the_defaults_are_data_per_licence_type(licence):
    ReportDefault.objects.filter(licence_type="individual", kind="installation").update(required=True, days=10)
    ReportDefault.objects.filter(licence_type="individual", kind="arrival").update(required=False)
    licence.report_requirements.all().delete()
    reporting.report_requirements_from_defaults(licence_id=licence.pk)
    assert due(licence) == {"shipment": licence.valid_until + timedelta(days=30),
                            "installation": licence.valid_until + timedelta(days=10)}
    Licence.objects.filter(pk=licence.pk).update(licence_type="general")
    licence.report_requirements.all().delete()
    reporting.report_requirements_from_defaults(licence_id=licence.pk)
    issued_on = timezone.localdate(licence.issued_at)
    assert due(licence) == {"shipment": licence.valid_until + timedelta(days=30),
                            "arrival": licence.valid_until + timedelta(days=90),
                            "use": issued_on + timedelta(days=365)}


def test_the_ministry_adds_moves_and_removes_a_requirement_audited_and_told(actors, licence):
    day = licence.valid_until + timedelta(days=200)
    req = reporting.report_requirement_set(actor=actors.ministry, licence_id=licence.pk, kind="installation",
                                           due_on=day, reason="Sensitive item: installation must be confirmed")
    assert (req.kind, req.due_on, req.set_by) == ("installation", day, actors.ministry)
    told = Notification.objects.filter(kind="licence_report.requirement")
    assert set(told.values_list("recipient_id", flat=True)) == {actors.owner.pk, actors.colleague.pk}
    assert AuditEvent.objects.filter(action="licence_report.require").count() == 1

    shipment = licence.report_requirements.get(kind="shipment")
    shipment.reminded_at = shipment.overdue_flagged_at = timezone.now()
    shipment.save()
    later = shipment.due_on + timedelta(days=14)
    moved = reporting.report_requirement_set(actor=actors.senior, licence_id=licence.pk, kind="shipment",
                                             due_on=later, reason="Shipment delayed by the carrier")
    assert (moved.pk, moved.due_on, moved.reminded_at, moved.overdue_flagged_at) == (shipment.pk, later, None, None)
    event = AuditEvent.objects.get(action="licence_report.move_due")
    assert event.before["due_on"] == shipment.due_on.isoformat() and event.after["due_on"] == later.isoformat()
    # The same date again (a double click) changes nothing and tells nobody again.
    count = told.count()
    reporting.report_requirement_set(actor=actors.senior, licence_id=licence.pk, kind="shipment", due_on=later,
                                     reason="again")
    assert told.count() == count

    reporting.report_requirement_remove(actor=actors.ministry, licence_id=licence.pk, kind="arrival",
                                        reason="Goods stay at the bonded warehouse")
    assert set(due(licence)) == {"shipment", "installation"}
    assert AuditEvent.objects.get(action="licence_report.waive").before["kind"] == "arrival"
    with pytest.raises(NotFound):
        reporting.report_requirement_remove(actor=actors.ministry, licence_id=licence.pk, kind="arrival",
                                            reason="again")


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider", "province", "agency", "customs"])
def test_only_the_ministry_sets_requirements(actors, licence, who):
    with pytest.raises(NotAllowed):
        reporting.report_requirement_set(actor=getattr(actors, who), licence_id=licence.pk, kind="use",
                                         due_on=licence.valid_until, reason="x")
    with pytest.raises(NotAllowed):
        reporting.report_requirement_remove(actor=getattr(actors, who), licence_id=licence.pk, kind="shipment",
                                            reason="x")
    assert set(due(licence)) == {"shipment", "arrival"}


def test_bad_requirement_input(actors, licence):
    cases = [({"kind": "audit"}, "kind"), ({"due_on": "tomorrow"}, "due_on"), ({"reason": ""}, "reason"),
             ({"due_on": licence.valid_from - timedelta(days=1)}, "due_on")]
    for change, field in cases:
        args = {"kind": "use", "due_on": licence.valid_until, "reason": "r", **change}
        with pytest.raises(ValidationFailed) as refused:
            reporting.report_requirement_set(actor=actors.ministry, licence_id=licence.pk, **args)
        assert field in refused.value.fields
    file(licence, actors.owner)
    with pytest.raises(ValidationFailed) as refused:
        reporting.report_requirement_set(actor=actors.ministry, licence_id=licence.pk, kind="shipment",
                                         due_on=licence.valid_until, reason="r")
    assert refused.value.code == "already_filed"


# ---------------------------------------------------------------- filing


@pytest.mark.parametrize("kind", ["shipment", "arrival", "installation", "use"])
def test_filing_each_kind_with_documents(actors, licence, kind):
    report = file(licence, actors.colleague, kind=kind, uploads=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
    assert (report.kind, report.text, report.event_on, report.filed_by) == (
        kind, TEXT, licence.valid_from, actors.colleague)
    assert [d.original_name for d in report.documents.all()] == ["a.pdf", "b.pdf"]
    assert len(stored_files()) == 2
    requirement = licence.report_requirements.filter(kind=kind).first()
    if kind in ("shipment", "arrival"):  # required by default: now fulfilled
        assert requirement.fulfilled_report == report
    else:
        assert requirement is None
    event = AuditEvent.objects.get(action="licence_report.file")
    assert event.after["kind"] == kind and len(event.after["documents"]) == 2
    assert list(Notification.objects.filter(kind="licence_report.file").values_list("recipient_id", flat=True)) == [
        actors.ministry.pk]


def test_a_filed_report_is_never_changed_a_correction_is_a_new_report(actors, licence):
    first = file(licence, actors.owner)
    first.text = "changed"
    with pytest.raises(ValueError):
        first.save()
    assert LicenceReport.objects.get(pk=first.pk).text == TEXT
    correction = file(licence, actors.owner, corrects_id=first.pk, uploads=[])
    assert correction.corrects == first
    assert licence.report_requirements.get(kind="shipment").fulfilled_report == first
    with pytest.raises(ValidationFailed) as refused:
        file(licence, actors.owner, kind="arrival", corrects_id=first.pk)
    assert "corrects" in refused.value.fields


@pytest.mark.parametrize("upload, code", [
    (lambda: pdf_upload("a.txt", b"hello, not a PDF"), "not_pdf"),
    (lambda: pdf_upload("broken.pdf", b"%PDF-1.7 garbage"), "bad_pdf"),
    (lambda: pdf_upload("empty.pdf", b""), "validation_failed"),
])
def test_bad_uploads_refuse_the_report_and_store_nothing(actors, licence, upload, code):
    with pytest.raises(ValidationFailed) as refused:
        file(licence, actors.owner, uploads=[pdf_upload("good.pdf"), upload()])
    assert refused.value.code == code and "documents" in refused.value.fields
    assert LicenceReport.objects.count() == 0 and stored_files() == []


def test_too_large_and_too_many_uploads(actors, licence, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed) as refused:
        file(licence, actors.owner, uploads=[pdf_upload("big.pdf", pdf_bytes() + b" " * (1024 * 1024))])
    assert refused.value.code == "too_large"
    with pytest.raises(ValidationFailed) as refused:
        file(licence, actors.owner, uploads=[pdf_upload() for _ in range(reporting.MAX_DOCUMENTS + 1)])
    assert refused.value.code == "too_many_documents"
    assert LicenceReport.objects.count() == 0 and stored_files() == []


def test_bad_report_input(actors, licence):
    today = timezone.localdate()
    for kwargs, field in [({"kind": "audit"}, "kind"), ({"event_on": today + timedelta(days=1)}, "event_on"),
                          ({"event_on": licence.valid_from - timedelta(days=1)}, "event_on"),
                          ({"event_on": "2026-02-30"}, "event_on")]:
        with pytest.raises(ValidationFailed) as refused:
            file(licence, actors.owner, **kwargs)
        assert field in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        reporting.licence_report_file(actor=actors.owner, licence_id=licence.pk, kind="use", text="  ",
                                      event_on=today)
    assert "text" in refused.value.fields
    assert LicenceReport.objects.count() == 0


def test_one_client_token_files_once(actors, licence):
    token = uuid.uuid4()
    first = file(licence, actors.owner, client_token=token)
    again = file(licence, actors.owner, client_token=token, uploads=[pdf_upload()])
    assert again.pk == first.pk and LicenceReport.objects.count() == 1 and len(stored_files()) == 1


@pytest.mark.parametrize("who, error", [("outsider", NotFound), ("ministry", NotAllowed), ("senior", NotAllowed),
                                        ("province", NotAllowed), ("agency", NotAllowed), ("customs", NotAllowed)])
def test_only_the_licence_holder_files(actors, licence, who, error):
    with pytest.raises(error):
        file(licence, getattr(actors, who))
    assert LicenceReport.objects.count() == 0


# ---------------------------------------------------------------- beat


def test_reminder_before_the_due_date_and_overdue_flag_each_once(actors, licence, settings):
    settings.LICENCE_REPORT_REMIND_DAYS = 7
    shipment = licence.report_requirements.get(kind="shipment")
    arrival = licence.report_requirements.get(kind="arrival")
    run = reporting.report_requirements_remind
    assert run(today=shipment.due_on - timedelta(days=8)) == {"reminded": 0, "flagged": 0}
    assert run(today=shipment.due_on - timedelta(days=7)) == {"reminded": 1, "flagged": 0}
    assert run(today=shipment.due_on - timedelta(days=6)) == {"reminded": 0, "flagged": 0}
    reminders = Notification.objects.filter(kind="licence_report.reminder")
    assert sorted(reminders.values_list("recipient_id", flat=True)) == [actors.owner.pk, actors.colleague.pk]
    assert run(today=shipment.due_on) == {"reminded": 0, "flagged": 0}  # due today is not yet overdue
    assert run(today=shipment.due_on + timedelta(days=1)) == {"reminded": 0, "flagged": 1}
    assert run(today=shipment.due_on + timedelta(days=2)) == {"reminded": 0, "flagged": 0}
    flags = Notification.objects.filter(kind="licence_report.overdue")
    assert sorted(flags.values_list("recipient_id", flat=True)) == sorted(
        [actors.owner.pk, actors.colleague.pk, actors.ministry.pk])
    shipment.refresh_from_db()
    assert shipment.reminded_at and shipment.overdue_flagged_at
    assert AuditEvent.objects.filter(action="licence_report.overdue").count() == 1
    # A beat that was down past a due date flags without reminding (too late to remind).
    assert run(today=arrival.due_on + timedelta(days=3)) == {"reminded": 0, "flagged": 1}
    assert flags.count() == 6 and reminders.count() == 2


def test_a_moved_due_date_is_reminded_and_flagged_again_a_filed_report_never(actors, licence, settings):
    settings.LICENCE_REPORT_REMIND_DAYS = 3
    shipment = licence.report_requirements.get(kind="shipment")
    reporting.report_requirements_remind(today=shipment.due_on + timedelta(days=1))
    later = shipment.due_on + timedelta(days=30)
    reporting.report_requirement_set(actor=actors.ministry, licence_id=licence.pk, kind="shipment", due_on=later,
                                     reason="Extension granted")
    assert reporting.report_requirements_remind(today=later - timedelta(days=4))["reminded"] == 0
    assert reporting.report_requirements_remind(today=later - timedelta(days=3))["reminded"] == 1
    file(licence, actors.owner, kind="arrival")
    arrival = licence.report_requirements.get(kind="arrival")
    assert reporting.report_requirements_remind(today=arrival.due_on + timedelta(days=1)) == {
        "reminded": 0, "flagged": 1}  # the shipment's new date only; arrival was filed
    assert Notification.objects.filter(kind="licence_report.overdue", key__contains=f":{arrival.pk}:").count() == 0


def test_the_beat_task_runs_the_sweep(actors, licence):
    ReportRequirement.objects.filter(licence=licence, kind="shipment").update(
        due_on=timezone.localdate() - timedelta(days=1))
    assert licence_reports_remind.delay().get() == {"reminded": 0, "flagged": 1}
    assert licence_reports_remind.delay().get() == {"reminded": 0, "flagged": 0}


def test_the_beat_runs_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["licence-reports-remind"]
    assert entry == {"task": "licensing.licence_reports_remind", "schedule": 3600.0}


# ---------------------------------------------------------------- the API


def base(licence) -> str:
    return f"/api/licences/{licence.number}"


def test_api_file_list_detail_download(actors, licence):
    owner = api_as(actors.owner)
    key = str(uuid.uuid4())
    body = {"kind": "shipment", "event_on": licence.valid_from.isoformat(), "text": TEXT,
            "documents": [pdf_upload("bl.pdf")]}
    resp = owner.post(f"{base(licence)}/reports/", body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert resp.status_code == 201, resp.json()
    data = resp.json()
    assert (data["kind"], data["licence_number"], data["text"]) == ("shipment", licence.number, TEXT)
    assert [d["original_name"] for d in data["documents"]] == ["bl.pdf"]
    again = owner.post(f"{base(licence)}/reports/", {**body, "documents": [pdf_upload()]}, format="multipart",
                       HTTP_IDEMPOTENCY_KEY=key)
    assert again.json()["id"] == data["id"] and LicenceReport.objects.count() == 1
    download = owner.get(data["documents"][0]["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    listed = api_as(actors.ministry).get(f"{base(licence)}/reports/").json()
    assert [(r["id"], r["document_count"]) for r in listed] == [(data["id"], 1)]
    assert api_as(actors.ministry).get(f"{base(licence)}/reports/{data['id']}/").json()["text"] == TEXT
    reqs = {r["kind"]: r for r in owner.get(f"{base(licence)}/report-requirements/").json()}
    assert (reqs["shipment"]["state"], reqs["shipment"]["fulfilled_report"]) == ("filed", data["id"])
    assert reqs["arrival"]["state"] == "due"
    resp = owner.post(f"{base(licence)}/reports/", {"kind": "shipment", "event_on": licence.valid_from.isoformat(),
                                                    "text": "Correction: 19 t, not 20 t", "corrects": data["id"]},
                      format="json")
    assert resp.status_code == 201 and resp.json()["corrects"] == data["id"]


def test_api_bad_input_is_400_in_the_error_shape_and_writes_nothing(actors, licence, settings):
    owner = api_as(actors.owner)
    url = f"{base(licence)}/reports/"
    good = {"kind": "use", "event_on": licence.valid_from.isoformat(), "text": TEXT}
    for body in ({**good, "kind": "nonsense"}, {**good, "text": 5}, {**good, "event_on": "soon"}, {"kind": "use"},
                 {**good, "event_on": (timezone.localdate() + timedelta(days=1)).isoformat()}):
        resp = owner.post(url, body, format="json")
        assert resp.status_code == 400 and resp.json()["code"] == "validation_failed", body
        assert resp.json()["messages"]
    resp = owner.post(url, {**good, "documents": [pdf_upload("a.pdf", b"GIF89a")]}, format="multipart")
    assert resp.status_code == 400 and resp.json()["code"] == "not_pdf"
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024 * 1024
    resp = owner.post(url, {**good, "documents": [pdf_upload("big.pdf", pdf_bytes() + b" " * (1024 * 1024))]},
                      format="multipart")
    assert resp.status_code == 400 and resp.json()["code"] == "too_large"
    assert owner.post(url, good, format="json", HTTP_IDEMPOTENCY_KEY="nope").status_code == 400
    ministry = api_as(actors.ministry)
    req_url = f"{base(licence)}/report-requirements/use/"
    for body in ({"due_on": "x", "reason": "r"}, {"due_on": licence.valid_until.isoformat()},
                 {"due_on": licence.valid_until.isoformat(), "reason": 7}):
        resp = ministry.put(req_url, body, format="json")
        assert resp.status_code == 400 and resp.json()["code"] == "validation_failed"
    assert ministry.put(f"{base(licence)}/report-requirements/audit/", {"due_on": "2027-01-01", "reason": "r"},
                        format="json").status_code == 404
    assert ministry.delete(f"{base(licence)}/report-requirements/shipment/", {}, format="json").status_code == 400
    assert ministry.get("/api/licence-reports/overdue/?kind=bogus").status_code == 400
    assert ministry.get("/api/licence-reports/overdue/?exporter=x").status_code == 400
    assert LicenceReport.objects.count() == 0 and set(due(licence)) == {"shipment", "arrival"}


def test_api_ministry_edits_requirements(actors, licence):
    ministry = api_as(actors.ministry)
    day = (licence.valid_until + timedelta(days=120)).isoformat()
    resp = ministry.put(f"{base(licence)}/report-requirements/installation/", {"due_on": day, "reason": "Confirm"},
                        format="json")
    assert resp.status_code == 200 and resp.json() == {**resp.json(), "kind": "installation", "due_on": day,
                                                       "state": "due", "set_by": actors.ministry.pk}
    resp = ministry.delete(f"{base(licence)}/report-requirements/arrival/", {"reason": "Not needed"}, format="json")
    assert resp.status_code == 204
    resp = ministry.delete(f"{base(licence)}/report-requirements/installation/?reason=Not+needed+either")
    assert resp.status_code == 204
    assert set(due(licence)) == {"shipment"}
    assert AuditEvent.objects.filter(action="licence_report.waive").last().after == {"reason": "Not needed either"}


def test_api_overdue_queue_filters(actors, licence):
    ReportRequirement.objects.filter(licence=licence).update(due_on=timezone.localdate() - timedelta(days=2))
    ministry = api_as(actors.ministry)
    rows = ministry.get("/api/licence-reports/overdue/").json()["results"]
    assert sorted(r["kind"] for r in rows) == ["arrival", "shipment"]
    assert {r["licence_number"] for r in rows} == {licence.number}
    assert [r["kind"] for r in ministry.get("/api/licence-reports/overdue/?kind=arrival").json()["results"]] == [
        "arrival"]
    assert ministry.get(f"/api/licence-reports/overdue/?exporter={licence.exporter_id}").json()["count"] == 2
    assert ministry.get(f"/api/licence-reports/overdue/?exporter={actors.outsider.organisation_id}").json()[
        "count"] == 0


READ = {"owner": 200, "colleague": 200, "ministry": 200, "senior": 200, "outsider": 404, "province": 403,
        "other_province": 403, "agency": 403, "customs": 403, None: 403}
FILE = {"owner": 201, "colleague": 201, "outsider": 404}
EDIT = {"ministry": 200, "senior": 200}


@pytest.mark.parametrize("who", sorted(READ, key=str))
def test_api_permissions_per_role(actors, licence, who):
    user = getattr(actors, who) if who else None
    client = api_as(user)
    report = file(licence, actors.owner, kind="use")
    doc = report.documents.get()
    url = base(licence)
    assert client.get(f"{url}/reports/").status_code == READ[who]
    assert client.get(f"{url}/reports/{report.pk}/").status_code == READ[who]
    assert client.get(f"{url}/reports/{report.pk}/documents/{doc.pk}/").status_code == READ[who]
    assert client.get(f"{url}/report-requirements/").status_code == READ[who]
    body = {"kind": "arrival", "event_on": licence.valid_from.isoformat(), "text": TEXT}
    assert client.post(f"{url}/reports/", body, format="json").status_code == FILE.get(who, 403)
    # A role that may never write is refused before its body is read: garbage gets 403, not 400.
    if who not in FILE:
        assert client.post(f"{url}/reports/", b"{not json", content_type="application/json").status_code == 403
    put = client.put(f"{url}/report-requirements/use/", {"due_on": licence.valid_until.isoformat(), "reason": "r"},
                     format="json").status_code
    assert put == EDIT.get(who, 403)
    if who not in EDIT:
        assert client.put(f"{url}/report-requirements/use/", b"{not json",
                          content_type="application/json").status_code == 403
    delete = client.delete(f"{url}/report-requirements/shipment/", {"reason": "r"}, format="json").status_code
    assert delete == (204 if who in EDIT else 403)
    assert client.get("/api/licence-reports/overdue/").status_code == (200 if who in EDIT else 403)
    assert set(due(licence)) == ({"arrival", "use"} if who in EDIT else {"shipment", "arrival"})
    assert LicenceReport.objects.count() == (2 if who in FILE and who != "outsider" else 1)


def test_api_unknown_licence_is_404(actors):
    assert api_as(actors.ministry).get("/api/licences/2026MC999999X/reports/").status_code == 404
    assert api_as(actors.owner).get("/api/licences/2026MC999999X/report-requirements/").status_code == 404


def test_the_endpoints_are_in_the_schema(actors):
    client = api_as(actors.ministry)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/licences/{number}/reports/", "/api/licences/{number}/reports/{id}/",
                 "/api/licences/{number}/report-requirements/", "/api/licences/{number}/report-requirements/{kind}/",
                 "/api/licence-reports/overdue/"):
        assert path in schema, path


# ---------------------------------------------------------------- the defaults, as data


def test_a_senior_officer_changes_a_default_for_licences_issued_afterwards(actors, licence):
    row = ReportDefault.objects.get(licence_type="individual", kind="use")
    assert (row.required, row.anchor, row.days) == (False, "valid_until", 365)
    for who in ("ministry", "owner", "customs", "province"):
        with pytest.raises(NotAllowed):
            reporting.report_default_update(actor=getattr(actors, who), default_id=row.pk, required=True,
                                            anchor="issued", days=200, reason="r")
    updated = reporting.report_default_update(actor=actors.senior, default_id=row.pk, required=True, anchor="issued",
                                              days=200, reason="Use reports for every licence from 2027")
    assert (updated.required, updated.anchor, updated.days) == (True, "issued", 200)
    event = AuditEvent.objects.get(action="licence_report.default_update")
    assert (event.before["required"], event.after["required"], event.actor_id) == (False, True, actors.senior.pk)
    assert "use" not in due(licence)  # issued licences keep theirs
    licence.report_requirements.all().delete()
    reporting.report_requirements_from_defaults(licence_id=licence.pk)
    assert due(licence)["use"] == timezone.localdate(licence.issued_at) + timedelta(days=200)
    for kwargs, field in [({"anchor": "whenever"}, "anchor"), ({"days": -1}, "days"), ({"days": "7"}, "days"),
                          ({"reason": ""}, "reason")]:
        with pytest.raises(ValidationFailed) as refused:
            reporting.report_default_update(actor=actors.senior, default_id=row.pk, **{
                "required": True, "anchor": "issued", "days": 1, "reason": "r", **kwargs})
        assert field in refused.value.fields
    with pytest.raises(NotFound):
        reporting.report_default_update(actor=actors.senior, default_id=999999, required=True, anchor="issued",
                                        days=1, reason="r")


@pytest.mark.parametrize("who", sorted(READ, key=str))
def test_api_defaults_per_role(actors, who):
    client = api_as(getattr(actors, who) if who else None)
    row = ReportDefault.objects.get(licence_type="general", kind="installation")
    listed = client.get("/api/licence-reports/defaults/")
    assert listed.status_code == (200 if who in EDIT else 403)
    body = {"required": True, "anchor": "valid_until", "days": 60, "reason": "Installation matters"}
    resp = client.put(f"/api/licence-reports/defaults/{row.pk}/", body, format="json")
    assert resp.status_code == (200 if who == "senior" else 403)
    if who != "senior":
        assert client.put(f"/api/licence-reports/defaults/{row.pk}/", b"{bad",
                          content_type="application/json").status_code == 403
    row.refresh_from_db()
    assert (row.required, row.days) == ((True, 60) if who == "senior" else (False, 180))
    if who == "senior":
        assert resp.json() == {"id": row.pk, "licence_type": "general", "kind": "installation", "required": True,
                               "anchor": "valid_until", "days": 60}
        assert client.put(f"/api/licence-reports/defaults/{row.pk}/", {**body, "days": "x"},
                          format="json").status_code == 400
        assert client.put("/api/licence-reports/defaults/999999/", body, format="json").status_code == 404
