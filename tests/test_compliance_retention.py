"""Record retention (Reg. 27): case, licence, certificate and report records are kept at least 5
years after the licence ends or the case closes without one; nothing deletes them earlier (services,
pages, admin, cascades); `manage.py compliance retention [--purge]` lists and purges what has passed."""

import datetime
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import pre_delete
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from compliance.retention import guard, selectors, services
from compliance.retention.guard import RetentionError
from licensing.applications import services as app_services
from licensing.certificates import services as certificates
from licensing.enduse import services as enduse
from licensing.licences import services as licences
from licensing.models import (
    Application,
    ApplicationItem,
    CertificateLine,
    Document,
    EndUseCertificate,
    EndUseReport,
    Licence,
    LicenceChange,
    LicenceEvent,
    LicenceItem,
    LicenceNotice,
    LicenceReport,
    LicenceStatus,
    RefusalLetter,
    ReportRequirement,
    WriteOff,
)
from licensing.reporting import services as reporting
from portal.errors import InvalidTransition
from tests.conftest import decide
from tests.factories import PASSWORD, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(admin_client):
    admin_client.cookies["django_language"] = "en"  # the pages' English messages are asserted
    return admin_client


def today():
    return timezone.localdate()


def years_ago(years: int, days: int = 0) -> datetime.date:
    return selectors.add_years(today(), -years) + datetime.timedelta(days=days)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def certificate_data():
    return {"end_user_name": "Motorenwerk München GmbH", "importer_name": "Magnetec Handels GmbH",
            "end_use": "Research", "place_of_use": "München", "no_wmd_use": True, "no_end_use_change": True,
            "no_third_party_transfer": True, "signatory_name": "Dr. Anna Huber", "sealed": True, "signed_on": (today() - datetime.timedelta(days=5)).isoformat(),
            "lines": [{"item_name": "Samarium-cobalt alloy", "quantity": "25", "unit": "kg", "value": "180000",
                       "currency": "CNY"}]}


@pytest.fixture
def licensed(actors, case_factory, calendar_2027):
    """An approved case with its licence, certificate, a licence report and an end-use report."""
    app = case_factory("approved")
    certificate = EndUseCertificate.objects.create(application=app, end_user_name="Motorenwerk München GmbH",
                                                   importer_name="Magnetec", end_use="Research", place_of_use="München",
                                                   updated_by=actors.owner)
    CertificateLine.objects.create(certificate=certificate, item_name="Samarium-cobalt alloy", quantity=25, unit="kg",
                                   value=180000)
    licence = licences.licence_issue(application_id=app.pk)
    reporting.licence_report_file(actor=actors.owner, licence_id=licence.pk, kind="shipment", text="Shipped",
                                  event_on=licence.valid_from, uploads=[pdf_upload("bl.pdf")])
    enduse.enduse_report_file(actor=actors.owner, application_id=app.pk, kind="end_use_may_change",
                              description="The end use may change", uploads=[pdf_upload("statement.pdf")])
    app.refresh_from_db()
    return app


def end_licence(app, ended_on: datetime.date, status=LicenceStatus.EXPIRED):
    """The case's licence ended on that day (by date when expired, else by a status change)."""
    if status == LicenceStatus.EXPIRED:
        Licence.objects.filter(application=app).update(status=status, valid_from=ended_on - datetime.timedelta(days=90),
                                                       valid_until=ended_on)
    else:
        Licence.objects.filter(application=app).update(status=status, status_changed_at=at(ended_on),
                                                       valid_until=ended_on + datetime.timedelta(days=200))


def refused_on(actors, case_factory, day: datetime.date):
    app = case_factory("awaiting_decision")
    decide(app.pk, actors, "refuse")
    Application.objects.filter(pk=app.pk).update(decided_at=at(day))
    app.refresh_from_db()
    return app


def reload(app):
    return Application.objects.prefetch_related("licences").get(pk=app.pk)


# ---------------------------------------------------------------- the date


def test_a_draft_is_not_a_record_and_an_open_case_is_kept(actors, case_factory):
    draft = case_factory()
    assert not selectors.is_record(draft) and selectors.retained_until(draft) is None
    forwarded = case_factory("forwarded")
    assert selectors.is_record(forwarded) and selectors.retained_until(forwarded) is None
    assert not selectors.may_purge(forwarded)


def test_a_refused_case_is_kept_5_years_after_the_refusal(actors, case_factory):
    app = refused_on(actors, case_factory, datetime.date(2021, 3, 10))
    assert selectors.retained_until(app) == datetime.date(2026, 3, 10)


def test_a_licensed_case_is_kept_5_years_after_its_licence_ends(licensed):
    app = reload(licensed)
    assert selectors.retained_until(app) is None  # the licence is in force
    end_licence(app, datetime.date(2020, 6, 30))
    assert selectors.retained_until(reload(app)) == datetime.date(2025, 6, 30)
    for status in (LicenceStatus.REVOKED, LicenceStatus.SURRENDERED, LicenceStatus.EXHAUSTED,
                   LicenceStatus.CANCELLED):
        end_licence(app, datetime.date(2019, 2, 1), status=status)  # the status change, not valid_until
        assert selectors.retained_until(reload(app)) == datetime.date(2024, 2, 1), status
    # Past its validity but not yet marked expired by the nightly task: ended all the same.
    Licence.objects.filter(application=app).update(status=LicenceStatus.ISSUED, valid_until=datetime.date(2020, 1, 5))
    assert selectors.retained_until(reload(app)) == datetime.date(2025, 1, 5)
    # Suspended and still within validity: it may be restored, so the case stays open.
    Licence.objects.filter(application=app).update(status=LicenceStatus.SUSPENDED,
                                                   valid_until=today() + datetime.timedelta(days=10))
    assert selectors.retained_until(reload(app)) is None


def test_the_last_licence_of_a_case_decides(licensed):
    app = reload(licensed)
    first = app.licences.get()
    second = Licence.objects.create(
        application=app, number="LIC-RET-2", exporter_id=app.exporter_id, issued_at=timezone.now(),
        valid_from=datetime.date(2019, 1, 1), valid_until=datetime.date(2020, 12, 31), pdf=b"%PDF-", sha256="0" * 64,
        status=LicenceStatus.EXPIRED, replaces=first)
    end_licence(app, datetime.date(2019, 5, 5), status=LicenceStatus.CANCELLED)  # both rows: then fix the second
    Licence.objects.filter(pk=second.pk).update(status=LicenceStatus.EXPIRED, valid_until=datetime.date(2020, 12, 31))
    assert selectors.retained_until(reload(app)) == datetime.date(2025, 12, 31)


def test_29_february_gives_at_least_5_years():
    assert selectors.add_years(datetime.date(2020, 2, 29), 5) == datetime.date(2025, 3, 1)
    assert selectors.add_years(datetime.date(2021, 3, 10), 5) == datetime.date(2026, 3, 10)


# ---------------------------------------------------------------- refusals in the models and services


def test_deleting_a_filed_case_or_any_of_its_rows_is_refused(actors, case_factory):
    app = case_factory("forwarded")
    with pytest.raises(RetentionError) as refused, transaction.atomic():
        app.delete()
    assert refused.value.status_code == 409 and "Reg. 27" in str(refused.value.message)
    for queryset in (Application.objects.filter(pk=app.pk), ApplicationItem.objects.filter(application=app),
                     Document.objects.filter(application=app)):
        with pytest.raises(RetentionError), transaction.atomic():
            queryset.delete()
    assert Application.objects.filter(pk=app.pk).exists()
    assert app.items.count() == 1 and app.documents.count() == 1


def test_the_refusal_names_the_date_once_the_case_is_closed(actors, case_factory):
    app = refused_on(actors, case_factory, years_ago(1))
    with pytest.raises(RetentionError) as refused, transaction.atomic():
        app.delete()
    assert selectors.add_years(years_ago(1), 5).isoformat() in str(refused.value.message)
    with translation.override("zh-hans"):
        assert str(refused.value.message)  # a lazy message, shown in the reader's language


def test_cascades_are_checked_too(actors, case_factory):
    """A parent that had no check of its own still could not take retained rows with it."""
    app = case_factory("forwarded")
    uid = "retention.licensing.application"
    assert pre_delete.disconnect(sender=Application, dispatch_uid=uid)
    try:
        with pytest.raises(RetentionError), transaction.atomic():
            Application.objects.filter(pk=app.pk).delete()
    finally:
        pre_delete.connect(guard._on_pre_delete, sender=Application, dispatch_uid=uid)
    assert Application.objects.filter(pk=app.pk).exists() and app.items.count() == 1


def test_licence_certificate_and_report_rows_are_refused(licensed):
    app = licensed
    licence = app.licences.get()
    for queryset in (LicenceItem.objects.filter(licence=licence), LicenceEvent.objects.filter(licence=licence),
                     EndUseReport.objects.filter(application=app), EndUseCertificate.objects.filter(application=app),
                     CertificateLine.objects.filter(certificate__application=app)):
        with pytest.raises(RetentionError), transaction.atomic():
            queryset.delete()
    # A licence and a filed report are also protected by the rows that point to them; the check
    # refuses them first in its own right.
    for obj in (licence, LicenceReport.objects.get(licence=licence), *LicenceReport.objects.get().documents.all()):
        with pytest.raises(RetentionError):
            guard.check_delete(obj)
    assert LicenceItem.objects.filter(licence=licence).exists() and EndUseReport.objects.filter(application=app).exists()


def test_an_owner_still_deletes_a_draft_with_its_documents(actors, case_factory):
    draft = case_factory()
    doc = draft.documents.get()
    app_services.document_remove(application_id=draft.pk, document_id=doc.pk, actor=actors.owner)
    app_services.application_delete(application_id=draft.pk, actor=actors.owner)
    assert not Application.objects.filter(pk=draft.pk).exists()


def test_a_filed_case_is_not_deleted_by_the_service(actors, case_factory):
    app = case_factory("submitted")
    with pytest.raises(InvalidTransition):
        app_services.application_delete(application_id=app.pk, actor=actors.owner)
    assert Application.objects.filter(pk=app.pk).exists()


def test_a_returned_case_is_corrected_but_its_filed_documents_stay(actors, case_factory, client):
    app = case_factory("submitted")
    app_services.application_return(application_id=app.pk, actor=actors.province, reason="Add the contract")
    filed = app.documents.get()
    with pytest.raises(RetentionError):
        app_services.document_remove(application_id=app.pk, document_id=filed.pk, actor=actors.owner)
    # A document added since the return, the items and the certificate lines may still change.
    added = app_services.document_add(application_id=app.pk, actor=actors.owner, kind="contract",
                                      upload=pdf_upload("contract.pdf"))
    app_services.document_remove(application_id=app.pk, document_id=added.pk, actor=actors.owner)
    app_services.application_update_draft(application_id=app.pk, actor=actors.owner, data={"item": {
        "control_code": "1C902.a", "description": "Samarium-cobalt alloy", "quantity": "30", "unit": "kg",
        "value_rmb": "200000"}})
    certificates.certificate_save(application_id=app.pk, actor=actors.owner, data=certificate_data())
    certificates.certificate_save(application_id=app.pk, actor=actors.owner,
                                  data={**certificate_data(), "end_use": "Research on motors"})
    assert app.items.get().quantity == 30
    # The page offers no "Remove" for the filed document, only for one added since the return;
    # a forged request is answered 409 with the reason, and the document is still there.
    later = app_services.document_add(application_id=app.pk, actor=actors.owner, kind="other", upload=pdf_upload())
    client.login(username=actors.owner.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("case-detail", args=[app.pk])).content.decode()
    assert reverse("document-delete", args=[app.pk, later.pk]) in page
    assert reverse("document-delete", args=[app.pk, filed.pk]) not in page
    response = client.post(reverse("document-delete", args=[app.pk, filed.pk]), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "Reg. 27" in response.content.decode()
    assert Document.objects.filter(pk=filed.pk).exists()


def test_waiving_a_report_requirement_still_works(actors, licensed):
    licence = licensed.licences.get()
    kind = ReportRequirement.objects.filter(licence=licence, fulfilled_report__isnull=True).first().kind
    reporting.report_requirement_remove(actor=actors.ministry, licence_id=licence.pk, kind=kind, reason="Not needed")
    assert not ReportRequirement.objects.filter(licence=licence, kind=kind).exists()


# ---------------------------------------------------------------- the purge


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("compliance", "retention", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_boundary_one_day_before_at_and_after(actors, case_factory):
    kept = refused_on(actors, case_factory, years_ago(5, days=1))  # kept until tomorrow
    last_day = refused_on(actors, case_factory, years_ago(5))  # kept until today (inclusive)
    gone = refused_on(actors, case_factory, years_ago(5, days=-1))  # kept until yesterday
    assert selectors.retained_until(kept) == today() + datetime.timedelta(days=1)
    assert selectors.retained_until(last_day) == today()
    assert [app.pk for app, _ in selectors.purgeable()] == [gone.pk]
    for app in (kept, last_day):
        with pytest.raises(RetentionError), transaction.atomic():
            app.delete()
    out, _ = run()
    assert out.splitlines() == [f"case\t{gone.pk}\t{gone.reference}\t{(today() - datetime.timedelta(days=1))}"]


def test_the_purge_lists_and_deletes_only_expired_records_with_an_audit_event_each(actors, case_factory, licensed):
    open_case = case_factory("forwarded")
    recent = refused_on(actors, case_factory, years_ago(2))
    old_refusal = refused_on(actors, case_factory, years_ago(7))
    licence = licensed.licences.get()
    report = LicenceReport.objects.get(licence=licence)
    # Everything else that hangs off a licence or a case, so the purge meets every protected link.
    correction = reporting.licence_report_file(actor=actors.owner, licence_id=licence.pk, kind="shipment",
                                               text="Corrected", event_on=licence.valid_from, corrects_id=report.pk)
    WriteOff.objects.create(licence=licence, item=licence.items.first(), declaration_number="RET1", line=1,
                            quantity=1, value_rmb=1, shipped_on=licence.valid_from, port_id="2200",
                            recorded_by=actors.customs, message_hash="0" * 64)
    LicenceChange.objects.create(licence=licence, requested_by=actors.owner, requested_at=timezone.now(),
                                 changes={}, reason="r", state="withdrawn")
    LicenceNotice.objects.create(licence=licence, kind="revocation", number="RET-N-1", issued_at=timezone.now(),
                                 pdf=b"%PDF-", sha256="0" * 64)
    RefusalLetter.objects.create(application=old_refusal, number="RET-R-1", issued_at=timezone.now(), pdf=b"%PDF-",
                                 sha256="0" * 64)
    end_licence(licensed, years_ago(6))
    enduse_report = EndUseReport.objects.get(application=licensed)
    certificate = EndUseCertificate.objects.get(application=licensed)
    files = [d.file.name for d in licensed.documents.all()] + [d.file.name for d in report.documents.all()] + [
        d.file.name for d in enduse_report.documents.all()]
    assert all(default_storage.exists(name) for name in files)

    out, err = run()
    until = selectors.add_years(years_ago(6), 5).isoformat()
    assert sorted(out.splitlines()) == sorted([
        f"case\t{licensed.pk}\t{licensed.reference}\t{until}",
        f"licence\t{licence.pk}\t{licence.number}\t{until}",
        f"certificate\t{certificate.pk}\t{licensed.reference}/certificate#{certificate.pk}\t{until}",
        f"licence_report\t{report.pk}\t{licence.number}/report#{report.pk}\t{until}",
        f"licence_report\t{correction.pk}\t{licence.number}/report#{correction.pk}\t{until}",
        f"enduse_report\t{enduse_report.pk}\t{licensed.reference}/enduse-report#{enduse_report.pk}\t{until}",
        f"case\t{old_refusal.pk}\t{old_refusal.reference}\t{selectors.add_years(years_ago(7), 5)}",
    ])
    assert "7 record(s) may be purged" in err
    assert Application.objects.filter(pk=licensed.pk).exists()  # listing deletes nothing
    events_before = AuditEvent.objects.count()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "BATCH_SIZE", 1)
        out, err = run("--purge", "--batch-size", "1")
    assert len(out.splitlines()) == 7 and "7 record(s) purged" in err
    assert not Application.objects.filter(pk__in=[licensed.pk, old_refusal.pk]).exists()
    assert not Licence.objects.filter(pk=licence.pk).exists()
    assert not LicenceReport.objects.filter(pk=report.pk).exists()
    assert not EndUseReport.objects.filter(pk=enduse_report.pk).exists()
    assert not EndUseCertificate.objects.filter(pk=certificate.pk).exists()
    assert Application.objects.filter(pk__in=[open_case.pk, recent.pk]).count() == 2
    events = AuditEvent.objects.filter(action="retention.purge").order_by("seq")
    assert AuditEvent.objects.count() - events_before == 7 == events.count()
    assert {(e.object_type, e.object_id) for e in events} == {
        ("licensing.application", str(licensed.pk)), ("licensing.application", str(old_refusal.pk)),
        ("licensing.licence", str(licence.pk)), ("licensing.endusecertificate", str(certificate.pk)),
        ("licensing.licencereport", str(report.pk)), ("licensing.licencereport", str(correction.pk)),
        ("licensing.endusereport", str(enduse_report.pk))}
    assert all(e.actor is None and e.before["retained_until"] for e in events)

    # Idempotent: a second run finds nothing and records nothing.
    out, err = run("--purge")
    assert out == "" and "0 record(s) purged" in err
    assert AuditEvent.objects.filter(action="retention.purge").count() == 7
    assert not WriteOff.objects.exists() and not LicenceChange.objects.exists() and not RefusalLetter.objects.exists()


def test_the_purge_removes_the_stored_files_after_commit(actors, licensed, django_capture_on_commit_callbacks):
    end_licence(licensed, years_ago(6))
    names = [d.file.name for d in licensed.documents.all()]
    with django_capture_on_commit_callbacks(execute=True):
        records = services.case_purge(actor=None, application_id=licensed.pk)
    assert len(records) == 5
    assert not any(default_storage.exists(name) for name in names)


def test_a_case_whose_licence_a_later_case_replaces_is_kept_as_long_as_that_case(actors, case_factory, licensed):
    end_licence(licensed, years_ago(8), status=LicenceStatus.CANCELLED)
    later = refused_on(actors, case_factory, years_ago(2))
    Application.objects.filter(pk=later.pk).update(replaces_licence=licensed.licences.get())
    assert selectors.retained_until(reload(licensed)) == selectors.add_years(years_ago(2), 5)
    assert services.case_purge(actor=None, application_id=licensed.pk) == []
    # Once both have passed, the later one goes first and then the earlier.
    Application.objects.filter(pk=later.pk).update(decided_at=at(years_ago(7)))
    _, err = run("--purge")
    assert "6 record(s) purged" in err
    assert not Application.objects.filter(pk__in=[licensed.pk, later.pk]).exists()


def test_a_bad_batch_size_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run("--batch-size", "0")


def test_the_penalty_subcommand_is_unchanged():
    out = StringIO()
    call_command("compliance", "penalty", "obstructing_inspection", "0", stdout=out)
    assert out.getvalue().strip() == '{"min": 100000, "max": 300000, "article": "Export Control Law Art. 38"}'


# ---------------------------------------------------------------- the admin


def test_the_admin_refuses_to_delete_a_retained_case(admin_client, actors, case_factory):
    app = case_factory("forwarded")
    url = reverse("admin:licensing_application_delete", args=[app.pk])
    for response in (admin_client.get(url, follow=True), admin_client.post(url, {"post": "yes"}, follow=True)):
        assert response.status_code == 200
        assert "Reg. 27" in response.content.decode()
    assert Application.objects.filter(pk=app.pk).exists()


def test_the_admin_bulk_delete_deletes_nothing_if_one_record_is_retained(admin_client, actors, case_factory):
    retained = case_factory("forwarded")
    expired = refused_on(actors, case_factory, years_ago(6))
    changelist = reverse("admin:licensing_application_changelist")
    response = admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [retained.pk, expired.pk],
                                              "post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Nothing was deleted" in response.content.decode()
    assert Application.objects.filter(pk__in=[retained.pk, expired.pk]).count() == 2


def test_the_admin_refuses_to_delete_licences_and_reports(admin_client, licensed):
    licence = licensed.licences.get()
    report = LicenceReport.objects.get(licence=licence)
    for name, pk in (("licence", licence.pk), ("licencereport", report.pk)):
        response = admin_client.post(reverse(f"admin:licensing_{name}_delete", args=[pk]), {"post": "yes"},
                                     follow=True)
        assert "Reg. 27" in response.content.decode(), name
        bulk = admin_client.post(reverse(f"admin:licensing_{name}_changelist"),
                                 {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}, follow=True)
        assert "Nothing was deleted" in bulk.content.decode(), name
    # Past retention they still go only with their case.
    end_licence(licensed, years_ago(6))
    response = admin_client.post(reverse("admin:licensing_licence_delete", args=[licence.pk]), {"post": "yes"},
                                 follow=True)
    assert "goes with its case" in response.content.decode()
    assert Licence.objects.filter(pk=licence.pk).exists()


def test_the_admin_purges_an_expired_case_with_the_audit(admin_client, actors, case_factory, admin_user):
    expired = refused_on(actors, case_factory, years_ago(6))
    url = reverse("admin:licensing_application_delete", args=[expired.pk])
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and expired.reference in confirm.content.decode()
    admin_client.post(url, {"post": "yes"})
    assert not Application.objects.filter(pk=expired.pk).exists()
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.actor == admin_user and event.object_id == str(expired.pk)


def test_the_admin_lists_the_records_with_their_date(admin_client, actors, case_factory):
    expired = refused_on(actors, case_factory, years_ago(6))
    response = admin_client.get(reverse("admin:licensing_application_changelist"))
    assert response.status_code == 200
    assert selectors.add_years(years_ago(6), 5).isoformat() in response.content.decode()
    assert expired.reference in response.content.decode()
    view = admin_client.get(reverse("admin:licensing_application_change", args=[expired.pk]))
    assert view.status_code == 200 and "<form" in view.content.decode()
    assert admin_client.post(reverse("admin:licensing_application_change", args=[expired.pk]),
                             {"status": "approved"}).status_code == 403  # view only
    assert Application.objects.get(pk=expired.pk).status == "refused"


@pytest.mark.parametrize("who", ["owner", "colleague", "province", "ministry", "senior", "agency", "customs"])
def test_only_the_admin_site_users_reach_the_retention_admin(client, actors, who, case_factory):
    app = case_factory("forwarded")
    user = getattr(actors, who)
    client.login(username=user.username, password=PASSWORD)
    for url in (reverse("admin:licensing_application_changelist"),
                reverse("admin:licensing_application_delete", args=[app.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Application.objects.filter(pk=app.pk).exists()


def test_deleting_many_rows_of_one_case_reads_the_case_once(actors, case_factory, django_assert_num_queries):
    """The guard runs for every row; one delete operation reads each case once, whatever the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def delete_items(count):
        app = case_factory("draft")
        ApplicationItem.objects.filter(application=app).delete()
        for line in range(1, count + 1):
            ApplicationItem.objects.create(application=app, control_code="1C902.a", description=f"item {line}",
                                           quantity="1", unit="kg", value_rmb="1")
        with CaptureQueriesContext(connection) as queries:
            ApplicationItem.objects.filter(application=app).delete()
        assert not ApplicationItem.objects.filter(application=app).exists()
        return len(queries)

    assert delete_items(1) == delete_items(12)
