"""The purge of records past retention (Reg. 27): one case at a time in its own transaction, one
audit event per record (the case, each licence, the certificate, each report), files removed from
storage after commit. Safe to run twice: a case already purged is simply no longer there."""

import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from audit import services as audit
from compliance.retention import guard, selectors
from licensing.models import (
    Application,
    ClockPause,
    Document,
    EndUseReport,
    EndUseReportDocument,
    Licence,
    LicenceChange,
    LicenceNotice,
    LicenceReport,
    LicenceReportDocument,
    RefusalLetter,
    ReportRequirement,
    WriteOff,
)

BATCH_SIZE = 100


def _delete_one_by_one(queryset):
    """Rows that point to others of the same table (a correction to the report it corrects, a
    changed licence to the one it replaces): newest first."""
    for row in queryset.order_by("-pk"):
        row.delete()


def _snapshot(record: selectors.RetainedRecord) -> dict:
    obj = record.obj
    snapshot = {"kind": record.kind, "label": record.label, "retained_until": record.retained_until.isoformat()}
    if isinstance(obj, Application):
        snapshot.update(status=obj.status, exporter=obj.exporter_id, submitted_at=obj.submitted_at,
                        decided_at=obj.decided_at, items=obj.items.count(), documents=obj.documents.count())
    elif isinstance(obj, Licence):
        snapshot.update(status=obj.status, valid_until=obj.valid_until, sha256=obj.sha256,
                        status_changed_at=obj.status_changed_at)
    elif isinstance(obj, (LicenceReport, EndUseReport)):
        snapshot.update(documents=obj.documents.count())
    return snapshot


def case_purge(*, actor, application_id: int, today: datetime.date | None = None) -> list[selectors.RetainedRecord]:
    """Delete one case's records if their retention has passed; [] if it has not (or the case is gone)."""
    today = today or timezone.localdate()
    files = []
    with transaction.atomic():
        application = selectors.with_licences(Application.objects.select_for_update().filter(pk=application_id)).first()
        if application is None or not selectors.may_purge(application, today):
            return []
        records = selectors.records_of(application, selectors.retained_until(application, today))
        for record in records:
            audit.record(actor=actor, action="retention.purge", obj=record.obj, before=_snapshot(record),
                         after={"purged_on": today.isoformat(), "case": application.reference})
        licences = Licence.objects.filter(application=application).defer("pdf")
        reports = LicenceReport.objects.filter(licence__in=licences)
        files += list(Document.objects.filter(application=application).values_list("file", flat=True))
        files += list(LicenceReportDocument.objects.filter(report__in=reports).values_list("file", flat=True))
        files += list(EndUseReportDocument.objects.filter(report__application=application).values_list("file",
                                                                                                      flat=True))
        with guard.cleared(record_key(record) for record in records):
            WriteOff.objects.filter(licence__in=licences).delete()
            LicenceChange.objects.filter(licence__in=licences).delete()
            ReportRequirement.objects.filter(licence__in=licences).delete()
            LicenceReportDocument.objects.filter(report__in=reports).delete()
            _delete_one_by_one(reports)
            LicenceNotice.objects.filter(licence__in=licences).delete()
            _delete_one_by_one(licences)
            EndUseReport.objects.filter(application=application).delete()
            RefusalLetter.objects.filter(application=application).delete()
            ClockPause.objects.filter(application=application).delete()
            Document.objects.filter(application=application).delete()
            application.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files if name])
    return records


def record_key(record: selectors.RetainedRecord) -> tuple:
    return (record.kind, record.pk)


def retention_purge(*, actor=None, today: datetime.date | None = None, batch_size: int = BATCH_SIZE,
                    on_purged=None, on_failed=None) -> int:
    """Purge every case past retention, reading the candidates `batch_size` at a time (newest
    first, by id). Each case commits on its own, so an interrupted run keeps what it did and the
    next run goes on from there; a case that something outside its records still points to is
    reported to `on_failed` and left. Returns the number of records purged."""
    today = today or timezone.localdate()
    purged, below = 0, None
    while True:
        candidates = selectors.purge_candidates(today).prefetch_related(None)
        if below is not None:
            candidates = candidates.filter(pk__lt=below)
        batch = list(candidates.values_list("pk", flat=True)[:batch_size])
        if not batch:
            return purged
        for application_id in batch:
            try:
                records = case_purge(actor=actor, application_id=application_id, today=today)
            except (ProtectedError, RestrictedError) as error:
                if on_failed is None:
                    raise
                on_failed(application_id, error)
                continue
            purged += len(records)
            for record in records if on_purged is not None else ():
                on_purged(record)
        below = batch[-1]
