"""Reports of a change of end use (Reg. 25): the exporter reports that the end user or end use of a
case has changed or may change, or that its end-user certificate is forged, altered or expired;
the ministry takes it under review and closes it, with a note at each step.

The report's states and who moves it, in one table (the compliance issue will turn a report into an
enforcement case). Each write locks its row, checks role, state and version, writes the
audit event in the same transaction and tells people through the inbox and the outbox (emails go
once the transaction commits)."""

import hashlib
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, User
from audit import services as audit
from licensing.applications.selectors import exporter_people
from licensing.models import (
    Application,
    EndUseReport,
    EndUseReportDocument,
    EndUseReportKind,
    EndUseReportState,
    Status,
)
from licensing.workflow import EDITABLE_STATES, lock_case
from notifications.services import notify
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)
from portal.pdf import read_pdf_uploads
from portal.text import clean_text

DESCRIPTION_MAX_CHARS = 5000
NOTE_MAX_CHARS = 5000
MAX_DOCUMENTS = 5


@dataclass(frozen=True)
class Step:
    sources: frozenset
    target: str
    roles: frozenset
    note_required: bool


R = EndUseReportState
TRANSITIONS = {
    # action   from                                    to                  who              note           service
    "file":    Step(frozenset(),                       R.RECEIVED,         EXPORTER_ROLES,  False),        # enduse_report_file
    "review":  Step(frozenset({R.RECEIVED}),           R.UNDER_REVIEW,     MINISTRY_ROLES,  False),        # enduse_report_review
    "close":   Step(frozenset({R.UNDER_REVIEW}),       R.CLOSED,           MINISTRY_ROLES,  True),         # enduse_report_close
}

STEP_LABELS = {"review": _("taken under review"), "close": _("closed")}


def can_file(app: Application, user) -> bool:
    """Whether `user` may report a change of end use for this case (which they already see)."""
    return (getattr(user, "role", None) in TRANSITIONS["file"].roles and user.organisation_id == app.exporter_id
            and app.submitted_at is not None and app.status not in EDITABLE_STATES)


def can_act(report: EndUseReport, user, action: str) -> bool:
    step = TRANSITIONS[action]
    return getattr(user, "role", None) in step.roles and report.state in step.sources


def report_url(report: EndUseReport) -> str:
    return reverse("enduse-report", args=[report.pk])


# ---------------------------------------------------------------- input


def _kind(value) -> str:
    if value not in EndUseReportKind.values:
        message = _("Choose what has happened.")
        raise ValidationFailed(message, fields={"kind": [message]})
    return value


def _token(value):
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(fields={"client_token": [_("Must be a UUID.")]}) from None


def _store(report, actor, files, stored: list) -> list[EndUseReportDocument]:
    docs = []
    for content, name in files:
        doc = EndUseReportDocument(report=report, original_name=name, size=len(content),
                                   sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
        doc.file.save(f"{report.application_id}-{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
        stored.append(doc.file.name)
        doc.save()
        docs.append(doc)
    return docs


def _snapshot(report: EndUseReport) -> dict:
    return {"state": report.state, "kind": report.kind, "application": report.application_id,
            "version": report.version}


# ---------------------------------------------------------------- filing


def _ministry_recipients(app: Application) -> list[User]:
    """The officer handling the case, else every ministry officer: someone must read it."""
    if app.assigned_to_id and app.assigned_to.is_active and app.assigned_to.role in MINISTRY_ROLES:
        return [app.assigned_to]
    return list(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True).order_by("pk"))


@transaction.atomic
def enduse_report_file(*, actor, application_id, kind, description, uploads=(), client_token=None) -> EndUseReport:
    """The exporter reports a change of end use for a case it has submitted (Reg. 25). The same
    client token again (a double click, a retried request) returns the report already made."""
    if getattr(actor, "role", None) not in TRANSITIONS["file"].roles:
        raise NotAllowed(_("Only the exporter of the case reports a change of end use."))
    app = lock_case(application_id, actor)  # serialises a double submit on the case row
    token = _token(client_token)
    if token is not None:
        earlier = EndUseReport.objects.filter(application=app, client_token=token).first()
        if earlier is not None:
            return earlier
    if app.status == Status.DRAFT or app.submitted_at is None:
        raise InvalidTransition(_("A change of end use is reported for a submitted case; a draft can still be "
                                  "corrected."))
    if app.status in EDITABLE_STATES:
        raise InvalidTransition(_("This case was returned for correction: correct the end user, the end use or "
                                  "the certificate in the application itself before submitting it again."))
    kind = _kind(kind)
    description = clean_text(description, "description", limit=DESCRIPTION_MAX_CHARS)
    files = read_pdf_uploads(uploads, limit=MAX_DOCUMENTS)
    stored = []
    try:
        try:
            with transaction.atomic():
                report = EndUseReport.objects.create(application=app, kind=kind, description=description,
                                                     client_token=token, created_by=actor)
        except IntegrityError:  # the same token made meanwhile (the lock makes this unlikely)
            return EndUseReport.objects.get(application=app, client_token=token)
        docs = _store(report, actor, files, stored)
        audit.record(actor=actor, action="enduse_report.file", obj=report, after={
            **_snapshot(report), "description": description,
            "documents": [{"document": d.pk, "name": d.original_name, "sha256": d.sha256, "size": d.size}
                          for d in docs]})
        label_zh, label_en = _both(EndUseReportKind(kind).label)
        notify(recipients=_ministry_recipients(app), key=f"enduse-report:{report.pk}:file", kind="enduse_report.file",
               title_zh=f"最终用途变更报告：案件 {app.reference}（{label_zh}）",
               title_en=f"End-use change report: case {app.reference} ({label_en})",
               body_zh=f"{app.exporter} 报告：{description}", body_en=f"{app.exporter} reports: {description}",
               url=report_url(report), application_id=app.pk)
    except Exception:
        for name in stored:  # nothing kept when the report is not made
            default_storage.delete(name)
        raise
    return report


def _both(label) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh, en


# ---------------------------------------------------------------- the ministry's steps


def _lock(report_id) -> EndUseReport:
    try:
        return (EndUseReport.objects.select_for_update(of=("self",)).select_related("application")
                .get(pk=int(report_id)))
    except (EndUseReport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def _check_version(report: EndUseReport, expected_version) -> None:
    if expected_version is not None and int(expected_version) != report.version:
        raise StaleVersion(_("Someone changed this report after you opened it. Reload the page and try again."))


def _step(*, actor, report_id, action: str, note, expected_version) -> EndUseReport:
    step = TRANSITIONS[action]
    if getattr(actor, "role", None) not in step.roles:
        raise NotAllowed(_("Only the ministry reviews and closes reports of a change of end use."))
    report = _lock(report_id)
    done_by = report.reviewed_by_id if action == "review" else report.closed_by_id
    if report.state == step.target and done_by == actor.pk:
        return report  # the same officer's double click: nothing changes
    if report.state not in step.sources:
        raise InvalidTransition(lazy_format(_("This report is “%(state)s”; it cannot be %(action)s now."),
                                            state=report.get_state_display(), action=STEP_LABELS[action]))
    note = clean_text(note, "note", limit=NOTE_MAX_CHARS, required=step.note_required)
    _check_version(report, expected_version)
    before = _snapshot(report)
    now = timezone.now()
    if action == "review":
        report.reviewed_by, report.reviewed_at, report.review_note = actor, now, note
    else:
        report.closed_by, report.closed_at, report.close_note = actor, now, note
    report.state = step.target
    report.version += 1
    report.save()
    audit.record(actor=actor, action=f"enduse_report.{action}", obj=report, before=before,
                 after={**_snapshot(report), "note": note})
    app = report.application
    state_zh, state_en = _both(EndUseReportState(report.state).label)
    people = exporter_people(app)
    if report.created_by not in people:
        people.append(report.created_by)
    notify(recipients=people, key=f"enduse-report:{report.pk}:{action}", kind=f"enduse_report.{action}",
           title_zh=f"最终用途变更报告（案件 {app.reference}）：{state_zh}",
           title_en=f"End-use change report (case {app.reference}): {state_en}",
           body_zh=note, body_en=note, url=report_url(report), application_id=app.pk)
    return report


@transaction.atomic
def enduse_report_review(*, actor, report_id, note="", expected_version=None) -> EndUseReport:
    """A ministry officer takes a received report under review, with an optional note to the exporter."""
    return _step(actor=actor, report_id=report_id, action="review", note=note, expected_version=expected_version)


@transaction.atomic
def enduse_report_close(*, actor, report_id, note, expected_version=None) -> EndUseReport:
    """A ministry officer closes a report under review, saying what was found or done (required)."""
    return _step(actor=actor, report_id=report_id, action="close", note=note, expected_version=expected_version)
