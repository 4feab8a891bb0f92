"""Pages of licence reports: the exporter files from the licence's reports (the panel the licence
page includes through `{% licence_reports licence user %}`), the ministry sets requirements there
and works the queue of overdue reports; permissions for every role on every page."""

from datetime import timedelta

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.models import Role
from licensing.applications import services as applications
from licensing.licences import services as licences
from licensing.models import Licence, LicenceReport, ReportRequirement
from licensing.reporting import services as reporting
from tests.factories import DRAFT, PASSWORD, UserFactory, pdf_upload

pytestmark = pytest.mark.django_db

TEXT = "Installed at the customer plant in Stuttgart on line 3 / 已安装"


@pytest.fixture
def licence(case_factory, calendar_2027) -> Licence:
    app = case_factory("approved")
    return licences.licence_issue(application_id=app.pk)


def page_as(user):
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def file(licence, actor, kind="shipment", uploads=()):
    return reporting.licence_report_file(actor=actor, licence_id=licence.pk, kind=kind, text=TEXT,
                                         event_on=licence.valid_from, uploads=list(uploads))


def cheap_licence(actor, serial: int, *, overdue_kinds=("shipment",), days_late=3) -> Licence:
    """A licence row on a fresh draft of `actor`'s company (no PDF), with overdue requirements: enough
    for the queue, much faster than approving a case."""
    app, _ = applications.application_create(actor=actor, data=DRAFT)
    today = timezone.localdate()
    licence = Licence.objects.create(application=app, exporter_id=app.exporter_id, number=f"2026MC{serial:06d}Q",
                                     issued_at=timezone.now() - timedelta(days=400), valid_from=today - timedelta(400),
                                     valid_until=today - timedelta(days=40), pdf=b"", sha256="")
    for kind in overdue_kinds:
        ReportRequirement.objects.create(licence=licence, kind=kind, due_on=today - timedelta(days=days_late))
    return licence


# ---------------------------------------------------------------- the exporter files


def test_the_exporter_files_from_the_licence_and_the_ministry_sees_it(actors, licence):
    client = page_as(actors.owner)
    body = client.get(f"/licences/{licence.number}/reports/").content.decode()
    assert 'id="requirement-shipment" data-state="due"' in body and 'id="requirement-arrival"' in body
    assert f'href="/licences/{licence.number}/reports/new/"' in body and 'id="form-report-require"' not in body
    form = client.get(f"/licences/{licence.number}/reports/new/")
    assert form.status_code == 200 and "Shipment report: shipped on" in form.content.decode()
    token = form.context["form"].initial["token"]
    resp = client.post(f"/licences/{licence.number}/reports/new/", {
        "token": token, "kind": "shipment", "event_on": licence.valid_from.isoformat(), "text": TEXT,
        "documents": [pdf_upload("bl.pdf"), pdf_upload("invoice.pdf")]})
    report = LicenceReport.objects.get()
    assert resp.status_code == 302 and resp.url == f"/licences/{licence.number}/reports/{report.pk}/"
    assert report.documents.count() == 2 and report.filed_by == actors.owner
    # The same form sent twice (a double click) files once.
    client.post(f"/licences/{licence.number}/reports/new/", {
        "token": token, "kind": "shipment", "event_on": licence.valid_from.isoformat(), "text": TEXT})
    assert LicenceReport.objects.count() == 1
    page = client.get(resp.url).content.decode()
    assert TEXT in page and "bl.pdf" in page and 'id="report-correct"' in page
    doc = report.documents.first()
    download = client.get(f"/licences/{licence.number}/reports/{report.pk}/documents/{doc.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"

    body = page_as(actors.ministry).get(f"/licences/{licence.number}/reports/").content.decode()
    assert 'id="requirement-shipment" data-state="filed"' in body and f'id="licence-report-{report.pk}"' in body
    assert 'id="licence-report-new"' not in body and 'id="form-report-require"' in body


def test_a_correction_is_prefilled_and_names_the_report(actors, licence):
    first = file(licence, actors.owner)
    client = page_as(actors.colleague)
    form = client.get(f"/licences/{licence.number}/reports/new/?corrects={first.pk}")
    assert form.context["form"].initial["corrects"] == first.pk and 'id="report-corrects"' in form.content.decode()
    client.post(f"/licences/{licence.number}/reports/new/", {
        "kind": "shipment", "event_on": licence.valid_from.isoformat(), "text": "Correction", "corrects": first.pk})
    correction = LicenceReport.objects.exclude(pk=first.pk).get()
    assert correction.corrects == first
    page = client.get(f"/licences/{licence.number}/reports/{first.pk}/").content.decode()
    assert 'id="report-corrected-by"' in page and f"#{correction.pk}" in page


def test_the_form_shows_bad_input_and_keeps_nothing(actors, licence):
    client = page_as(actors.owner)
    url = f"/licences/{licence.number}/reports/new/"
    good = {"kind": "arrival", "event_on": licence.valid_from.isoformat(), "text": TEXT}
    resp = client.post(url, {**good, "documents": [pdf_upload("photo.pdf", b"\x89PNG not a pdf")]})
    assert resp.status_code == 400 and "Only PDF files are accepted." in resp.content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    resp = client.post(url, {**good, "event_on": tomorrow})
    assert resp.status_code == 400 and "The date cannot be in the future." in resp.content.decode()
    assert client.post(url, {**good, "kind": "party"}).status_code == 400
    assert LicenceReport.objects.count() == 0


# ---------------------------------------------------------------- the ministry sets requirements


def test_the_ministry_sets_and_removes_requirements_on_the_page(actors, licence):
    client = page_as(actors.ministry)
    day = licence.valid_until + timedelta(days=150)
    resp = client.post(f"/licences/{licence.number}/report-requirements/", {
        "kind": "installation", "due_on": day.isoformat(), "reason": "Installation must be confirmed"})
    assert resp.status_code == 302 and resp.url == f"/licences/{licence.number}/reports/"
    req = licence.report_requirements.get(kind="installation")
    assert (req.due_on, req.set_by) == (day, actors.ministry)
    body = client.get(resp.url).content.decode()
    assert 'id="requirement-installation"' in body and "Installation must be confirmed" in body
    resp = client.post(f"/licences/{licence.number}/report-requirements/arrival/remove/", {"reason": "Not needed"})
    assert resp.status_code == 302 and not licence.report_requirements.filter(kind="arrival").exists()
    resp = client.post(f"/licences/{licence.number}/report-requirements/", {"kind": "use", "due_on": "", "reason": ""})
    assert resp.status_code == 400 and 'id="form-report-require"' in resp.content.decode()
    early = (licence.valid_from - timedelta(days=1)).isoformat()
    resp = client.post(f"/licences/{licence.number}/report-requirements/", {"kind": "use", "due_on": early,
                                                                             "reason": "r"})
    assert resp.status_code == 400 and "before the licence is valid" in resp.content.decode()
    assert client.post(f"/licences/{licence.number}/report-requirements/use/remove/",
                       {"reason": "x"}).status_code == 404
    assert client.post(f"/licences/{licence.number}/report-requirements/shipment/remove/", {}).status_code == 400
    assert set(licence.report_requirements.values_list("kind", flat=True)) == {"shipment", "installation"}


# ---------------------------------------------------------------- the panel on the licence page


def render_extras(licence, user) -> str:
    request = RequestFactory().get(f"/licences/{licence.number}/")
    request.user = user
    template = engines["django"].get_template("licensing/licences/licence_extras.html")
    return template.render({"licence": licence, "user": user}, request)


PANEL = {"owner": "file", "colleague": "file", "ministry": "edit", "senior": "edit", "outsider": None,
         "province": None, "other_province": None, "agency": None, "customs": None}


@pytest.mark.parametrize("who", sorted(PANEL))
def test_the_licence_page_slot_shows_the_panel_to_whom_it_concerns(actors, licence, who):
    file(licence, actors.owner, kind="use")
    html = render_extras(licence, getattr(actors, who))
    assert ('id="licence-reports-panel"' in html) == (PANEL[who] is not None)
    assert ('id="licence-report-new"' in html) == (PANEL[who] == "file")
    assert ('id="form-report-require"' in html) == (PANEL[who] == "edit")
    assert ("csrfmiddlewaretoken" in html) == (PANEL[who] == "edit")
    if PANEL[who]:
        assert 'id="requirement-shipment"' in html and 'data-kind="use"' in html


# ---------------------------------------------------------------- the overdue queue


def test_overdue_queue_filters_paginate_and_count_queries(actors, licence, django_assert_max_num_queries):
    ReportRequirement.objects.filter(licence=licence, kind="shipment").update(
        due_on=timezone.localdate() - timedelta(days=1))
    cheap_licence(actors.outsider, 1, overdue_kinds=("shipment", "arrival", "use"))
    client = page_as(actors.ministry)
    client.get("/licence-reports/overdue/")  # warm the session and the language
    with django_assert_max_num_queries(12) as few:
        body = client.get("/licence-reports/overdue/").content.decode()
    assert body.count('data-kind="') == 4
    for serial in range(2, 22):
        cheap_licence(actors.colleague, serial, overdue_kinds=("arrival",))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/licence-reports/overdue/").content.decode()
    assert body.count('data-kind="') == 24
    body = client.get(f"/licence-reports/overdue/?exporter={actors.outsider.organisation_id}").content.decode()
    assert body.count('data-kind="') == 3
    body = client.get(f"/licence-reports/overdue/?exporter={actors.outsider.organisation_id}&kind=use").content.decode()
    assert body.count('data-kind="use"') == 1 and body.count('data-kind="') == 1
    body = client.get("/licence-reports/overdue/?kind=shipment").content.decode()
    assert body.count('data-kind="') == 2 and f'href="/licences/{licence.number}/reports/"' in body
    assert client.get("/licence-reports/overdue/?kind=bogus").status_code == 400
    assert client.get("/licence-reports/overdue/?exporter=999999").status_code == 400
    # Due today or filed: not overdue.
    ReportRequirement.objects.filter(licence=licence).update(due_on=timezone.localdate())
    assert client.get("/licence-reports/overdue/?kind=shipment").content.decode().count('data-kind="') == 1


def test_overdue_queue_pages(actors, monkeypatch):
    from licensing.reporting import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    cheap_licence(actors.owner, 1, overdue_kinds=("shipment", "arrival", "use"))
    client = page_as(actors.ministry)
    first = client.get("/licence-reports/overdue/?kind=").content.decode()
    assert first.count('data-kind="') == 2 and 'id="next-page"' in first and "kind=&amp;page=2" in first
    assert client.get("/licence-reports/overdue/?kind=&page=2").content.decode().count('data-kind="') == 1


def test_the_ministry_has_the_queue_in_its_menu(actors):
    assert 'id="nav-licence-reports-overdue"' in page_as(actors.ministry).get("/", follow=True).content.decode()
    assert 'id="nav-licence-reports-overdue"' not in page_as(actors.owner).get("/", follow=True).content.decode()


# ---------------------------------------------------------------- permissions, every role, every page


READ = {"owner": 200, "colleague": 200, "ministry": 200, "senior": 200, "outsider": 404, "province": 403,
        "other_province": 403, "agency": 403, "customs": 403}


@pytest.mark.parametrize("who", sorted(READ))
def test_page_permissions_per_role(actors, licence, who):
    user = getattr(actors, who)
    client = page_as(user)
    report = file(licence, actors.owner, kind="use", uploads=[pdf_upload()])
    doc = report.documents.get()
    base = f"/licences/{licence.number}"
    assert client.get(f"{base}/reports/").status_code == READ[who]
    assert client.get(f"{base}/reports/{report.pk}/").status_code == READ[who]
    assert client.get(f"{base}/reports/{report.pk}/documents/{doc.pk}/").status_code == READ[who]
    files = who in ("owner", "colleague")
    new = client.get(f"{base}/reports/new/").status_code
    assert new == (200 if files else {200: 403}.get(READ[who], READ[who]))
    resp = client.post(f"{base}/reports/new/", {"kind": "arrival", "event_on": licence.valid_from.isoformat(),
                                                "text": TEXT})
    assert resp.status_code == (302 if files else {200: 403}.get(READ[who], READ[who]))
    edits = who in ("ministry", "senior")
    resp = client.post(f"{base}/report-requirements/", {"kind": "use", "due_on": licence.valid_until.isoformat(),
                                                        "reason": "r"})
    assert resp.status_code == (302 if edits else {200: 403}.get(READ[who], READ[who]))
    resp = client.post(f"{base}/report-requirements/shipment/remove/", {"reason": "r"})
    assert resp.status_code == (302 if edits else {200: 403}.get(READ[who], READ[who]))
    assert client.get("/licence-reports/overdue/").status_code == (200 if edits else 403)
    assert LicenceReport.objects.count() == (2 if files else 1)
    assert set(licence.report_requirements.values_list("kind", flat=True)) == (
        {"arrival", "use"} if edits else {"arrival", "shipment"})


def test_anonymous_gets_the_login_page(licence):
    client = page_as(None)
    for url in (f"/licences/{licence.number}/reports/", f"/licences/{licence.number}/reports/new/",
                "/licence-reports/overdue/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.url


def test_staff_the_case_is_not_shared_with_does_not_see_the_reports(actors, licence):
    stranger = UserFactory(organisation=actors.owner.organisation, role=Role.EXPORTER_STAFF)
    assert page_as(stranger).get(f"/licences/{licence.number}/reports/").status_code == 404


DEFAULTS = {"ministry": (200, 403), "senior": (200, 302), "owner": (403, 403), "colleague": (403, 403),
            "outsider": (403, 403), "province": (403, 403), "other_province": (403, 403), "agency": (403, 403),
            "customs": (403, 403)}


@pytest.mark.parametrize("who", sorted(DEFAULTS))
def test_the_defaults_page_per_role(actors, who):
    from licensing.models import ReportDefault

    client = page_as(getattr(actors, who))
    row = ReportDefault.objects.get(licence_type="individual", kind="installation")
    read, write = DEFAULTS[who]
    page = client.get("/licence-reports/defaults/")
    assert page.status_code == read
    if read == 200:
        body = page.content.decode()
        assert 'id="default-individual-shipment" data-required="1"' in body
        assert ('id="form-default-' in body) == (who == "senior")
    prefix = f"d{row.pk}"
    resp = client.post(f"/licence-reports/defaults/{row.pk}/", {
        f"{prefix}-required": "on", f"{prefix}-anchor": "valid_until", f"{prefix}-days": "120",
        f"{prefix}-reason": "Installation matters"})
    assert resp.status_code == write
    row.refresh_from_db()
    assert (row.required, row.days) == ((True, 120) if who == "senior" else (False, 180))
    if who == "senior":
        resp = client.post(f"/licence-reports/defaults/{row.pk}/", {f"{prefix}-anchor": "valid_until",
                                                                     f"{prefix}-days": "-3"})
        assert resp.status_code == 400 and 'id="report-defaults"' in resp.content.decode()
