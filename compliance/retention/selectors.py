"""When a case's records may go (Reg. 27): the one place that computes it.

A case's records are its Application (items, documents, requests, pauses, referrals,
recommendations, refusal letter), its licences (items, events, notices, write-offs, change
requests), its end-use certificate and the reports filed on it (licence reports, end-use reports).
They are kept together, for at least 5 years after the case's last licence ends, or after the case
is refused when it ends without one. `retained_until` is the last day they must still be kept:
they may be purged from the day after.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from licensing.models import (
    Application,
    EndUseCertificate,
    EndUseReport,
    Licence,
    LicenceReport,
    LicenceStatus,
    Status,
)

RETENTION_YEARS = 5  # Reg. 27: at least five years

# A licence in one of these states has ended on the day its status changed.
ENDED_BY_STATUS = frozenset({LicenceStatus.REVOKED, LicenceStatus.SURRENDERED, LicenceStatus.CANCELLED,
                             LicenceStatus.EXHAUSTED})


def with_licences(queryset):
    """Cases with their licences, without the licences' PDFs (retained_until reads only dates)."""
    return queryset.prefetch_related(Prefetch("licences", queryset=Licence.objects.defer("pdf")))


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the next day, so that it is at least `years` years
        return datetime.date(day.year + years, 3, 1)


def _local_date(moment) -> datetime.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def licence_ended_on(licence: Licence, today: datetime.date | None = None) -> datetime.date | None:
    """The last day the licence was in force, or None while it still is (or may be again: a
    suspended licence can be restored)."""
    today = today or timezone.localdate()
    if licence.status in ENDED_BY_STATUS:
        if licence.status_changed_at is not None:
            return _local_date(licence.status_changed_at)
        return licence.valid_until
    if licence.status == LicenceStatus.EXPIRED or licence.valid_until < today:
        return licence.valid_until  # expired by date, even before the nightly task marks it
    return None


def case_ended_on(application: Application, today: datetime.date | None = None) -> datetime.date | None:
    """The day the case's last licence ended, or the day it was refused; None while it is open
    (a draft, a case under review, an approval whose licence is not issued yet, a licence in force)."""
    if application.submitted_at is None:
        return None
    licences = list(application.licences.all())
    if licences:
        ends = [licence_ended_on(licence, today) for licence in licences]
        return None if None in ends else max(ends)
    if application.status == Status.REFUSED and application.decided_at is not None:
        return _local_date(application.decided_at)
    return None


def retained_until(application: Application, today: datetime.date | None = None) -> datetime.date | None:
    """The last day the case's records must be kept (inclusive); None: still open, kept for now.

    A later case that applies to replace one of its licences (Reg. 18, `replaces_licence`) points to
    that licence, so the earlier case is kept as long as the later one is."""
    end = case_ended_on(application, today)
    if end is None:
        return None
    until = add_years(end, RETENTION_YEARS)
    for later in with_licences(Application.objects.filter(replaces_licence__application_id=application.pk)
                               .exclude(pk=application.pk)):
        later_until = retained_until(later, today)
        if later_until is None:
            return None
        until = max(until, later_until)
    return until


def is_record(application: Application) -> bool:
    """A case is a record once submitted; a draft never submitted is its owner's to delete."""
    return application.submitted_at is not None


def may_purge(application: Application, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    until = retained_until(application, today)
    return until is not None and until < today


def purge_candidates(today: datetime.date | None = None):
    """Submitted cases that may have passed retention, newest first, so that a case that replaces
    another's licence goes before the case it points to (a cheap filter in the database;
    `retained_until` decides each one)."""
    today = today or timezone.localdate()
    # A few days of slack for 29 February and the time zone; may_purge has the last word.
    cutoff = add_years(today, -RETENTION_YEARS) + datetime.timedelta(days=2)
    cutoff_at = timezone.make_aware(datetime.datetime.combine(cutoff, datetime.time.min))
    ended_long_ago = Q(valid_until__lt=cutoff) | Q(status__in=ENDED_BY_STATUS, status_changed_at__lt=cutoff_at)
    live_licence = Licence.objects.filter(application=OuterRef("pk")).exclude(ended_long_ago)
    any_licence = Licence.objects.filter(application=OuterRef("pk"))
    refused = Q(status=Status.REFUSED, decided_at__lt=cutoff_at) & ~Q(Exists(any_licence))
    licensed = Q(Exists(any_licence)) & ~Q(Exists(live_licence))
    return with_licences(Application.objects.filter(submitted_at__isnull=False).filter(refused | licensed)
                         .order_by("-pk"))


@dataclass(frozen=True)
class RetainedRecord:
    kind: str  # case, licence, certificate, licence_report, enduse_report
    pk: int
    label: str
    retained_until: datetime.date
    obj: object

    def line(self) -> str:
        return f"{self.kind}\t{self.label}\t{self.retained_until.isoformat()}"


def records_of(application: Application, until: datetime.date) -> list[RetainedRecord]:
    """The records kept with a case, one per record a purge audits (their items, lines, events and
    documents go with them)."""
    records = [RetainedRecord("case", application.pk, application.reference or f"#{application.pk}", until,
                              application)]
    licences = list(application.licences.all())
    records += [RetainedRecord("licence", licence.pk, licence.number, until, licence) for licence in licences]
    records += [RetainedRecord("certificate", certificate.pk, f"{application.reference}/certificate#{certificate.pk}",
                               until, certificate)
                for certificate in EndUseCertificate.objects.filter(application=application)]
    records += [RetainedRecord("licence_report", report.pk, f"{report.licence.number}/report#{report.pk}", until,
                               report)
                for report in LicenceReport.objects.filter(licence__in=licences).select_related("licence")
                .order_by("pk")]
    records += [RetainedRecord("enduse_report", report.pk, f"{application.reference}/enduse-report#{report.pk}",
                               until, report)
                for report in EndUseReport.objects.filter(application=application).order_by("pk")]
    return records


def purgeable(today: datetime.date | None = None):
    """(case, retained_until) for every case whose records may be purged today, newest first."""
    today = today or timezone.localdate()
    for application in purge_candidates(today).iterator(chunk_size=500):
        until = retained_until(application, today)
        if until is not None and until < today:
            yield application, until
