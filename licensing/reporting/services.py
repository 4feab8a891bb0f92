"""Exporter reports on a licence (Reg. 18: actual shipment, arrival, installation and use).

Who does what, in one table: the exporter files reports (never changed once filed; a correction is
a new report naming the one it corrects); the ministry sets which reports a licence needs and by
when; the portal creates a new licence's requirements from the defaults and, by beat, reminds
before a due date and flags an overdue report once. Every write locks the licence row, writes the
audit event in the same transaction and tells people through the inbox and the outbox."""

import hashlib
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role, User
from audit import services as audit
from licensing.applications.selectors import exporter_people
from licensing.licences.lifecycle import lock_licence
from licensing.models import (
    Licence,
    LicenceReport,
    LicenceReportDocument,
    ReportAnchor,
    ReportDefault,
    ReportKind,
    ReportRequirement,
)
from notifications.services import notify
from portal.errors import NotAllowed, NotFound, ValidationFailed, lazy_format
from portal.pdf import read_pdf_uploads
from portal.text import clean_text

TEXT_MAX_CHARS = 10000
REASON_MAX_CHARS = 2000
MAX_DOCUMENTS = 5
MAX_DEFAULT_DAYS = 3 * 366
SYSTEM = "system"

# action         who                       service
ROLES = {
    "file":      EXPORTER_ROLES,           # licence_report_file
    "require":   MINISTRY_ROLES,           # report_requirement_set (add one, or move its due date)
    "waive":     MINISTRY_ROLES,           # report_requirement_remove
    "defaults":  {SYSTEM},                 # report_requirements_from_defaults (at issue)
    "edit_defaults": {Role.MINISTRY_SENIOR},  # report_default_update (policy: new licences only)
    "remind":    {SYSTEM},                 # report_requirements_remind (beat)
}

# The date each kind of report is about, as the form asks for it.
EVENT_LABELS = {
    ReportKind.SHIPMENT: _("Shipped on"),
    ReportKind.ARRIVAL: _("Arrived on"),
    ReportKind.INSTALLATION: _("Installed on"),
    ReportKind.USE: _("In use from"),
}


def may(user, action: str) -> bool:
    return getattr(user, "role", None) in ROLES[action]


def reports_url(licence: Licence) -> str:
    return reverse("licence-reports", args=[licence.number])


def report_url(report: LicenceReport) -> str:
    return reverse("licence-report", args=[report.licence.number, report.pk])


def _both(label) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh, en


def _kind(value) -> str:
    if value not in ReportKind.values:
        message = _("Choose one of the listed reports.")
        raise ValidationFailed(message, fields={"kind": [message]})
    return value


def _date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationFailed(fields={field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _token(value):
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(fields={"client_token": [_("Must be a UUID.")]}) from None


def _lock(licence_id, actor, action: str) -> Licence:
    if not may(actor, action):
        raise NotAllowed()
    return lock_licence(licence_id, actor)


# ---------------------------------------------------------------- requirements


def default_due_on(licence: Licence, default: ReportDefault) -> date:
    start = timezone.localdate(licence.issued_at) if default.anchor == ReportAnchor.ISSUED else licence.valid_until
    return start + timedelta(days=default.days)


def _requirement_snapshot(req: ReportRequirement | None) -> dict:
    if req is None:
        return {}
    return {"kind": req.kind, "due_on": req.due_on.isoformat(), "set_by": req.set_by_id,
            "fulfilled_report": req.fulfilled_report_id}


@transaction.atomic
def report_requirements_from_defaults(*, licence_id) -> list[ReportRequirement]:
    """A newly issued licence's requirements from the defaults of its type. Idempotent: a kind
    already required (by an earlier run or by the ministry) is left as it is."""
    licence = lock_licence(licence_id, None)
    have = set(licence.report_requirements.values_list("kind", flat=True))
    made = []
    for default in ReportDefault.objects.filter(licence_type=licence.licence_type, required=True):
        if default.kind in have:
            continue
        made.append(ReportRequirement.objects.create(licence=licence, kind=default.kind,
                                                     due_on=default_due_on(licence, default)))
    if made:
        audit.record(actor=None, action="licence_report.requirements_from_defaults", obj=licence,
                     after={"requirements": [_requirement_snapshot(r) for r in made]})
    return made


def _tell_exporter_requirement(licence: Licence, kind: str, text_zh: str, text_en: str, reason: str, key: str):
    label_zh, label_en = _both(ReportKind(kind).label)
    notify(recipients=exporter_people(licence.application), key=key, kind="licence_report.requirement",
           title_zh=f"许可证 {licence.number}：{label_zh}{text_zh}", title_en=f"Licence {licence.number}: {label_en} {text_en}",
           body_zh=reason, body_en=reason, url=reports_url(licence), application_id=licence.application_id)


@transaction.atomic
def report_requirement_set(*, actor, licence_id, kind, due_on, reason) -> ReportRequirement:
    """The ministry requires a report of a licence by a date, or moves the date of one it requires.
    A moved date gets its own reminder and overdue flag."""
    licence = _lock(licence_id, actor, "require")
    kind = _kind(kind)
    due_on = _date(due_on, "due_on")
    reason = clean_text(reason, "reason", limit=REASON_MAX_CHARS)
    if due_on < licence.valid_from:
        raise ValidationFailed(fields={"due_on": [_("The due date cannot be before the licence is valid.")]})
    req = ReportRequirement.objects.filter(licence=licence, kind=kind).first()
    before = _requirement_snapshot(req)
    if req is not None and req.due_on == due_on:
        return req  # nothing changes (a double click)
    if req is None:
        req = ReportRequirement(licence=licence, kind=kind)
    elif req.fulfilled_report_id is not None:
        raise ValidationFailed(_("This report has been filed already; its due date no longer matters."),
                               code="already_filed", fields={"kind": [_("Filed already.")]})
    req.due_on, req.set_by, req.reason = due_on, actor, reason
    req.reminded_at = req.overdue_flagged_at = None
    req.save()
    audit.record(actor=actor, action="licence_report.require" if not before else "licence_report.move_due",
                 obj=licence, before=before or None, after={**_requirement_snapshot(req), "reason": reason})
    _tell_exporter_requirement(licence, kind, f"须于 {due_on.isoformat()} 前提交",
                               f"is due by {due_on.isoformat()}", reason,
                               key=f"licence-report-req:{licence.pk}:{kind}:set:{due_on.isoformat()}")
    return req


@transaction.atomic
def report_requirement_remove(*, actor, licence_id, kind, reason) -> None:
    """The ministry no longer requires a report of a licence (a filed report stays)."""
    licence = _lock(licence_id, actor, "waive")
    kind = _kind(kind)
    reason = clean_text(reason, "reason", limit=REASON_MAX_CHARS)
    req = ReportRequirement.objects.filter(licence=licence, kind=kind).first()
    if req is None:
        raise NotFound(_("This licence does not require that report."))
    before = _requirement_snapshot(req)
    req.delete()
    audit.record(actor=actor, action="licence_report.waive", obj=licence, before=before, after={"reason": reason})
    _tell_exporter_requirement(licence, kind, "已无需提交", "is no longer required", reason,
                               key=f"licence-report-req:{licence.pk}:{kind}:waived:{timezone.now().isoformat()}")


def _default_snapshot(row: ReportDefault) -> dict:
    return {"licence_type": row.licence_type, "kind": row.kind, "required": row.required, "anchor": row.anchor,
            "days": row.days}


@transaction.atomic
def report_default_update(*, actor, default_id, required: bool, anchor, days, reason) -> ReportDefault:
    """A senior officer changes which reports new licences of a type need and when they fall due.
    Licences issued already keep their requirements (the ministry changes those one by one)."""
    if not may(actor, "edit_defaults"):
        raise NotAllowed(_("Only a senior ministry officer changes the default reports."))
    row = ReportDefault.objects.select_for_update().filter(pk=default_id).first()
    if row is None:
        raise NotFound()
    if anchor not in ReportAnchor.values:
        raise ValidationFailed(fields={"anchor": [_("Choose one of the listed values.")]})
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DEFAULT_DAYS:
        raise ValidationFailed(fields={"days": [lazy_format(_("A whole number of days from 0 to %(n)s."),
                                                            n=MAX_DEFAULT_DAYS)]})
    reason = clean_text(reason, "reason", limit=REASON_MAX_CHARS)
    before = _default_snapshot(row)
    row.required, row.anchor, row.days = bool(required), anchor, days
    if _default_snapshot(row) == before:
        return row
    row.save()
    audit.record(actor=actor, action="licence_report.default_update", obj=row, before=before,
                 after={**_default_snapshot(row), "reason": reason})
    return row


# ---------------------------------------------------------------- filing


def _store(report, actor, files, stored: list) -> list[LicenceReportDocument]:
    docs = []
    for content, name in files:
        doc = LicenceReportDocument(report=report, original_name=name, size=len(content),
                                    sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
        doc.file.save(f"{report.licence_id}-{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
        stored.append(doc.file.name)
        doc.save()
        docs.append(doc)
    return docs


def _corrects(licence: Licence, kind: str, corrects_id):
    if corrects_id in (None, ""):
        return None
    earlier = LicenceReport.objects.filter(licence=licence, pk=corrects_id).first() if str(corrects_id).isdigit() \
        else None
    if earlier is None or earlier.kind != kind:
        raise ValidationFailed(fields={"corrects": [_("Name an earlier report of the same kind on this licence.")]})
    return earlier


def _ministry_recipients(licence: Licence) -> list[User]:
    """The officer who handled the case, else the ministry's case officers: someone must read it."""
    officer = licence.application.assigned_to
    if officer is not None and officer.is_active and officer.role in MINISTRY_ROLES:
        return [officer]
    return list(User.objects.filter(role=Role.MINISTRY_OFFICER, is_active=True).order_by("pk"))


@transaction.atomic
def licence_report_file(*, actor, licence_id, kind, text, event_on, uploads=(), corrects_id=None,
                        client_token=None, today: date | None = None) -> LicenceReport:
    """The exporter files a report on its licence, in any status (reports are due after validity
    ends). The same client token again returns the report already filed."""
    licence = _lock(licence_id, actor, "file")
    token = _token(client_token)
    if token is not None:
        earlier = LicenceReport.objects.filter(licence=licence, client_token=token).first()
        if earlier is not None:
            return earlier
    kind = _kind(kind)
    text = clean_text(text, "text", limit=TEXT_MAX_CHARS)
    event_on = _date(event_on, "event_on")
    today = today or timezone.localdate()
    if event_on > today:
        raise ValidationFailed(fields={"event_on": [_("The date cannot be in the future.")]})
    if event_on < licence.valid_from:
        raise ValidationFailed(fields={"event_on": [_("The date cannot be before the licence is valid.")]})
    corrects = _corrects(licence, kind, corrects_id)
    files = read_pdf_uploads(uploads, limit=MAX_DOCUMENTS)
    stored = []
    try:
        try:
            with transaction.atomic():
                report = LicenceReport.objects.create(licence=licence, kind=kind, text=text, event_on=event_on,
                                                      corrects=corrects, client_token=token, filed_by=actor)
        except IntegrityError:  # the same token made meanwhile (the lock makes this unlikely)
            return LicenceReport.objects.get(licence=licence, client_token=token)
        docs = _store(report, actor, files, stored)
        fulfilled = ReportRequirement.objects.open().filter(licence=licence, kind=kind).first()
        if fulfilled is not None:
            fulfilled.fulfilled_report = report
            fulfilled.save(update_fields=["fulfilled_report"])
        audit.record(actor=actor, action="licence_report.file", obj=report, after={
            "licence": licence.pk, "kind": kind, "event_on": event_on.isoformat(), "text": text,
            "corrects": corrects.pk if corrects else None, "fulfils": fulfilled.pk if fulfilled else None,
            "documents": [{"document": d.pk, "name": d.original_name, "sha256": d.sha256, "size": d.size}
                          for d in docs]})
        label_zh, label_en = _both(ReportKind(kind).label)
        notify(recipients=_ministry_recipients(licence), key=f"licence-report:{report.pk}:file",
               kind="licence_report.file", title_zh=f"许可证 {licence.number}：{label_zh}",
               title_en=f"Licence {licence.number}: {label_en}", body_zh=text, body_en=text,
               url=report_url(report), application_id=licence.application_id)
    except Exception:
        for name in stored:  # nothing kept when the report is not made
            default_storage.delete(name)
        raise
    return report


# ---------------------------------------------------------------- beat


def _remind(req_id: int, today: date) -> bool:
    req = (ReportRequirement.objects.select_for_update(of=("self",))
           .select_related("licence", "licence__application").defer("licence__pdf").filter(pk=req_id).first())
    if req is None or req.fulfilled_report_id is not None or req.reminded_at is not None or req.due_on < today:
        return False
    req.reminded_at = timezone.now()
    req.save(update_fields=["reminded_at"])
    licence, due = req.licence, req.due_on.isoformat()
    label_zh, label_en = _both(ReportKind(req.kind).label)
    notify(recipients=exporter_people(licence.application), key=f"licence-report-req:{req.pk}:remind:{due}",
           kind="licence_report.reminder", title_zh=f"许可证 {licence.number}：{label_zh}须于 {due} 前提交",
           title_en=f"Licence {licence.number}: {label_en} due by {due}", url=reports_url(licence),
           application_id=licence.application_id)
    return True


def _flag(req_id: int, today: date) -> bool:
    req = (ReportRequirement.objects.select_for_update(of=("self",))
           .select_related("licence", "licence__application", "licence__application__assigned_to")
           .defer("licence__pdf").filter(pk=req_id).first())
    if req is None or req.fulfilled_report_id is not None or req.overdue_flagged_at is not None or req.due_on >= today:
        return False
    req.overdue_flagged_at = timezone.now()
    req.save(update_fields=["overdue_flagged_at"])
    audit.record(actor=None, action="licence_report.overdue", obj=req.licence, after=_requirement_snapshot(req))
    licence, due = req.licence, req.due_on.isoformat()
    label_zh, label_en = _both(ReportKind(req.kind).label)
    title_zh = f"许可证 {licence.number}：{label_zh}已逾期（应于 {due} 前提交）"
    title_en = f"Licence {licence.number}: {label_en} overdue (was due by {due})"
    key = f"licence-report-req:{req.pk}:overdue:{due}"
    notify(recipients=exporter_people(licence.application), key=key, kind="licence_report.overdue",
           title_zh=title_zh, title_en=title_en, url=reports_url(licence), application_id=licence.application_id)
    notify(recipients=_ministry_recipients(licence), key=key, kind="licence_report.overdue",
           title_zh=title_zh, title_en=title_en, url=reports_url(licence), application_id=licence.application_id)
    return True


def report_requirements_remind(*, today: date | None = None) -> dict:
    """Beat: remind the exporter LICENCE_REPORT_REMIND_DAYS before a due date and flag each report
    not filed by its due date, to the exporter and the ministry. Each once per requirement and due
    date: the row is marked under its lock and the notification key is the requirement's."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=settings.LICENCE_REPORT_REMIND_DAYS)
    open_rows = ReportRequirement.objects.open()
    reminded = flagged = 0
    for req_id in open_rows.filter(reminded_at__isnull=True, due_on__gte=today, due_on__lte=soon).values_list(
            "pk", flat=True):
        with transaction.atomic():
            reminded += _remind(req_id, today)
    for req_id in open_rows.filter(overdue_flagged_at__isnull=True, due_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            flagged += _flag(req_id, today)
    return {"reminded": reminded, "flagged": flagged}
