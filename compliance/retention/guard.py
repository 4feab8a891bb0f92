"""Deleting a retained record before its time is refused (Reg. 27), whatever asks for it: a
service, the API, the admin, a shell.

Why `pre_delete` receivers with explicit senders, and not `delete()` overrides: Django sends
pre_delete for every row it deletes, whether the delete starts from one instance, from a
QuerySet (`.delete()`, the admin's bulk action) or arrives by cascade from a parent (deleting an
Application cascades to its items, documents, requests...). An overridden `Model.delete()` or
`QuerySet.delete()` sees none of the cascades and none of the querysets of related managers. A
model with a pre_delete receiver is never "fast-deleted", so no row escapes the check. What is not
covered is SQL that bypasses the ORM (`flush`/TRUNCATE in test teardown, `_raw_delete`): nothing in
the portal deletes that way.

The refusal is raised inside Django's delete transaction, which takes no savepoint: a caller that
catches it and carries on in the same transaction wraps the delete in its own `atomic()` (every
service does, being atomic itself).

The purge (services.py) clears the records it has checked under lock, so its own deletes pass
without a query per row.
"""

import contextlib
import contextvars
import datetime
import weakref

from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.retention import selectors
from licensing.models import (
    Application,
    ApplicationItem,
    CaseRequest,
    CertificateLine,
    ClockPause,
    Document,
    EndUseCertificate,
    EndUseReport,
    EndUseReportDocument,
    Licence,
    LicenceChange,
    LicenceEvent,
    LicenceItem,
    LicenceNotice,
    LicenceReport,
    LicenceReportDocument,
    Recommendation,
    Referral,
    RefusalLetter,
    WriteOff,
)
from licensing.workflow import EDITABLE_STATES
from portal.errors import DomainError, lazy_format


class RetentionError(DomainError):
    """A retained record may not be deleted yet (a 409 in pages and the API)."""

    status_code = 409
    code = "retained"
    default_message = _("This record is kept for at least 5 years after the licence ends or the case closes "
                        "(Reg. 27); it cannot be deleted.")


def refusal(until: datetime.date | None):
    if until is None:
        return RetentionError(_("This record belongs to a case that is still open or whose licence is still in "
                                "force; it is kept for at least 5 years after that ends (Reg. 27) and cannot be "
                                "deleted."))
    return RetentionError(lazy_format(_("This record is kept until %(date)s (Reg. 27: at least 5 years after the "
                                        "licence ends or the case closes); it cannot be deleted before then."),
                                      date=until.isoformat()))


# Keys of the records a running purge has checked: ("case", pk), ("licence", pk), ...
_cleared: contextvars.ContextVar[frozenset] = contextvars.ContextVar("retention_cleared", default=frozenset())


@contextlib.contextmanager
def cleared(keys):
    token = _cleared.set(_cleared.get() | frozenset(keys))
    try:
        yield
    finally:
        _cleared.reset(token)


def _application_of_licence(licence_id):
    return Licence.objects.filter(pk=licence_id).values_list("application_id", flat=True).first()


# For each guarded model: the key a purge clears it under, and how to find its case.
OWNERS = {
    Application: (lambda o: ("case", o.pk), lambda o: o.pk),
    ApplicationItem: (lambda o: ("case", o.application_id), lambda o: o.application_id),
    Document: (lambda o: ("case", o.application_id), lambda o: o.application_id),
    CaseRequest: (lambda o: ("case", o.application_id), lambda o: o.application_id),
    ClockPause: (lambda o: ("case", o.application_id), lambda o: o.application_id),
    Referral: (lambda o: ("case", o.application_id), lambda o: o.application_id),
    Recommendation: (lambda o: ("case", o.application_id), lambda o: o.application_id),
    RefusalLetter: (lambda o: ("case", o.application_id), lambda o: o.application_id),
    EndUseCertificate: (lambda o: ("certificate", o.pk), lambda o: o.application_id),
    CertificateLine: (lambda o: ("certificate", o.certificate_id),
                      lambda o: EndUseCertificate.objects.filter(pk=o.certificate_id)
                      .values_list("application_id", flat=True).first()),
    EndUseReport: (lambda o: ("enduse_report", o.pk), lambda o: o.application_id),
    EndUseReportDocument: (lambda o: ("enduse_report", o.report_id),
                           lambda o: EndUseReport.objects.filter(pk=o.report_id)
                           .values_list("application_id", flat=True).first()),
    Licence: (lambda o: ("licence", o.pk), lambda o: o.application_id),
    LicenceItem: (lambda o: ("licence", o.licence_id), lambda o: _application_of_licence(o.licence_id)),
    LicenceEvent: (lambda o: ("licence", o.licence_id), lambda o: _application_of_licence(o.licence_id)),
    LicenceNotice: (lambda o: ("licence", o.licence_id), lambda o: _application_of_licence(o.licence_id)),
    WriteOff: (lambda o: ("licence", o.licence_id), lambda o: _application_of_licence(o.licence_id)),
    LicenceChange: (lambda o: ("licence", o.licence_id), lambda o: _application_of_licence(o.licence_id)),
    LicenceReport: (lambda o: ("licence_report", o.pk), lambda o: _application_of_licence(o.licence_id)),
    LicenceReportDocument: (lambda o: ("licence_report", o.report_id),
                            lambda o: LicenceReport.objects.filter(pk=o.report_id)
                            .values_list("licence__application_id", flat=True).first()),
}

# What the exporter may still change while the case is back with it for correction (a draft, or
# returned): the items and the certificate's lines are replaced on every save, and each save's audit
# event keeps them before and after. A document is different: the audit keeps only its hash, so a
# document that was filed with a submission stays; one added since the case came back may go.
EDITABLE_CONTENT = (ApplicationItem, CertificateLine, Document)


def _editable(instance, application) -> bool:
    if application.status not in EDITABLE_STATES or not isinstance(instance, EDITABLE_CONTENT):
        return False
    if isinstance(instance, Document):
        return instance.uploaded_at is not None and instance.uploaded_at > application.submitted_at
    return True


def check_delete(instance, memo: dict | None = None) -> None:
    """Raise RetentionError if the instance may not be deleted today. `memo` (one per delete
    operation) keeps each record's case, so a cascade over many rows of one case reads it once."""
    key_of, application_id_of = OWNERS[type(instance)]
    key = key_of(instance)
    if key in _cleared.get():
        return
    memo = {} if memo is None else memo
    if key not in memo:
        application_id = application_id_of(instance)
        memo[key] = memo.get(("case", application_id)) if ("case", application_id) in memo else \
            selectors.with_licences(Application.objects.filter(pk=application_id)).first()
        memo.setdefault(("case", application_id), memo[key])
    application = memo[key]
    if application is None or not selectors.is_record(application) or _editable(instance, application):
        return
    today = timezone.localdate()
    until = selectors.retained_until(application, today)
    if until is None or until >= today:
        raise refusal(until)


# One memo per delete operation: Django's Collector sends every row's pre_delete, all before the
# first row is deleted, with the same `origin` (the instance or queryset the delete started from),
# so the items of one draft, replaced on every save, cost one read of their case and not one per
# row. The memo ends with the operation: at its first post_delete, or when a check refuses.
_memos: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _on_pre_delete(sender, instance, origin=None, **kwargs):
    memo = None
    if origin is not None:
        try:
            memo = _memos.setdefault(origin, {})
        except TypeError:  # an origin that cannot be weakly referenced: no memo
            memo = None
    try:
        check_delete(instance, memo)
    except BaseException:
        _end_memo(origin)
        raise


def _end_memo(origin=None, **kwargs):
    if origin is not None:
        with contextlib.suppress(TypeError):
            _memos.pop(origin, None)


def connect() -> None:
    for model in OWNERS:
        pre_delete.connect(_on_pre_delete, sender=model, dispatch_uid=f"retention.{model._meta.label_lower}")
        post_delete.connect(_end_memo, sender=model, dispatch_uid=f"retention.end.{model._meta.label_lower}")
