"""Enforcement cases (Law ch. 4): a ministry officer opens one against an exporter (from a customs
challenge, an end-use change report, a confirmed screening hit, or by hand), records its steps
(inspection, regulatory talk, warning letter, request for information), the exporter's cooperation
and remediation, and closes it. The exporter answers the steps addressed to it.

Transitions (one table, TRANSITIONS): a case is open → closed; a step can be added only to an open
case; an addressed step is answered once. Penalties: compliance.penalties.services."""

import hashlib
import uuid
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Organisation, OrgKind, Role, User
from audit import services as audit
from compliance.enforcement import letters
from compliance.enforcement.models import (
    ADDRESSED_KINDS,
    CaseNote,
    CaseStatus,
    EnforcementCase,
    EnforcementStep,
    NoteKind,
    Origin,
    StepDocument,
    StepKind,
)
from enduser.models import HitState, ScreeningHit
from licensing.models import Challenge, Counter, EndUseReport
from notifications.services import notify
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed, lazy_format
from portal.pdf import read_pdf_uploads
from portal.text import clean_text
from workdays.services import NoCalendarError, add_working_days

MAX_DOCUMENTS = 10
MAX_ANSWER_DAYS = 60
# Which steps each case state allows, and what answering does: the whole state machine.
TRANSITIONS = {
    "case_close": ({CaseStatus.OPEN}, CaseStatus.CLOSED),
    "step_add": ({CaseStatus.OPEN}, CaseStatus.OPEN),
    "note_add": ({CaseStatus.OPEN}, CaseStatus.OPEN),
    "penalty": ({CaseStatus.OPEN}, CaseStatus.OPEN),
}
# The steps an officer records by hand; a penalty decision is made by the penalty services.
MANUAL_STEP_KINDS = (StepKind.INSPECTION, StepKind.TALK, StepKind.WARNING_LETTER, StepKind.RFI)


def case_url(case: EnforcementCase) -> str:
    return reverse("enforcement-case", args=[case.reference])


def require_ministry(actor, message=None):
    if getattr(actor, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed(message or _("Only the ministry does this."))


def check_transition(name: str, case: EnforcementCase):
    allowed, _target = TRANSITIONS[name]
    if case.status not in allowed:
        raise InvalidTransition(_("This enforcement case is closed."))


def exporter_recipients(exporter_id) -> list[User]:
    return list(User.objects.filter(organisation_id=exporter_id, role__in=EXPORTER_ROLES, is_active=True)
                .order_by("pk"))


def lock_case(reference) -> EnforcementCase:
    case = (EnforcementCase.objects.select_for_update(of=("self",)).select_related("exporter")
            .filter(reference=str(reference or "")[:20]).first())
    if case is None:
        raise NotFound()
    return case


def check_version(case, version):
    if version is not None and str(version) != str(case.version):
        raise InvalidTransition(_("Someone changed this case after you opened it. Reload the page and try again."),
                                code="stale")


def _resolve_source(origin, source_reference, exporter_id):
    """(exporter, source object) for the origin; the source must exist and name an exporter."""
    ref = str(source_reference or "").strip()
    if origin == Origin.MANUAL:
        exporter = Organisation.objects.filter(kind=OrgKind.EXPORTER, pk=exporter_id).first() \
            if str(exporter_id or "").isdigit() else None
        if exporter is None:
            raise ValidationFailed(fields={"exporter": [_("Choose a registered exporter.")]})
        return exporter, None
    if not ref:
        raise ValidationFailed(fields={"source_reference": [_("Give the reference of the source.")]})
    source = exporter = None
    if origin == Origin.CHALLENGE:
        source = Challenge.objects.select_related("exporter").filter(reference=ref.upper()[:20]).first()
        exporter = source.exporter if source else None
    elif origin == Origin.ENDUSE_REPORT:
        number = ref.lstrip("#")
        source = EndUseReport.objects.select_related("application__exporter").filter(pk=number).first() \
            if number.isdigit() else None
        exporter = source.application.exporter if source else None
    elif origin == Origin.SCREENING_HIT:
        number = ref.lstrip("#")
        source = ScreeningHit.objects.select_related("party__exporter").filter(pk=number).first() \
            if number.isdigit() else None
        if source is not None and source.state != HitState.TRUE:
            raise ValidationFailed(fields={"source_reference": [_("This screening hit is not confirmed.")]})
        exporter = source.party.exporter if source else None
    else:
        raise ValidationFailed(fields={"origin": [_("Choose one of the listed values.")]})
    if source is None:
        raise ValidationFailed(fields={"source_reference": [_("Nothing of this kind has this reference.")]})
    return exporter, source


@transaction.atomic
def case_open(*, actor, origin, summary, source_reference="", exporter_id=None) -> EnforcementCase:
    require_ministry(actor, _("Only the ministry opens an enforcement case."))
    if origin not in Origin.values:
        raise ValidationFailed(fields={"origin": [_("Choose one of the listed values.")]})
    summary = clean_text(summary, "summary", limit=4000)
    exporter, source = _resolve_source(origin, source_reference, exporter_id)
    year = timezone.localdate().year
    reference = f"ENF-{year}-{Counter.objects.next_value('enforcement', year):06d}"
    case = EnforcementCase.objects.create(
        reference=reference, exporter=exporter, origin=origin, summary=summary, opened_by=actor,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=str(source.pk) if source is not None else "",
        source_reference=(getattr(source, "reference", "") or f"#{source.pk}") if source is not None else "")
    audit.record(actor=actor, action="enforcement.open", obj=case, after={
        "reference": reference, "exporter": exporter.code, "origin": origin, "source": case.source_reference,
        "summary": summary})
    return case


@transaction.atomic
def case_close(*, actor, reference, note="", version=None) -> EnforcementCase:
    require_ministry(actor)
    case = lock_case(reference)
    check_version(case, version)
    check_transition("case_close", case)
    note = clean_text(note, "note", limit=4000, required=False)
    before = {"status": case.status, "version": case.version}
    case.status, case.closed_at, case.close_note = CaseStatus.CLOSED, timezone.now(), note
    case.version += 1
    case.save(update_fields=["status", "closed_at", "close_note", "version"])
    audit.record(actor=actor, action="enforcement.close", obj=case, before=before,
                 after={"status": case.status, "version": case.version, "note": note})
    return case


def _respond_by(days):
    if days in (None, ""):
        return None
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= MAX_ANSWER_DAYS:
        raise ValidationFailed(fields={"answer_days": [
            lazy_format(_("Between 1 and %(n)s working days."), n=MAX_ANSWER_DAYS)]})
    try:
        return add_working_days(timezone.localdate(), days)
    except NoCalendarError as exc:
        raise InvalidTransition(lazy_format(_("The deadline cannot be computed: %(problem)s."), problem=str(exc)),
                                code="no_calendar") from None


def store_documents(step, files, actor, *, from_exporter) -> list[StepDocument]:
    """Save checked PDFs on the step; the caller deletes `stored` names if its transaction fails."""
    docs = []
    for content, name in files:
        doc = StepDocument(step=step, original_name=name, size=len(content), from_exporter=from_exporter,
                           sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
        doc.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
        doc.save()
        docs.append(doc)
    return docs


def delete_stored(docs):
    for doc in docs:
        default_storage.delete(doc.file.name)


def parse_date(value, field, *, default_today=True):
    if value in (None, ""):
        if not default_today:
            raise ValidationFailed(fields={field: [_("Enter a date as YYYY-MM-DD.")]})
        return timezone.localdate()
    if hasattr(value, "year"):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(fields={field: [_("Enter a date as YYYY-MM-DD.")]}) from None


@transaction.atomic
def step_add(*, actor, reference, kind, text, occurred_on=None, place="", findings="", answer_days=None,
             uploads=(), version=None) -> EnforcementStep:
    """Record a step. A warning letter gets its number and its bilingual signed PDF now; the
    steps addressed to the exporter are told to it, with the answer date when one is set."""
    require_ministry(actor)
    if kind not in MANUAL_STEP_KINDS:
        raise ValidationFailed(fields={"kind": [_("Choose one of the listed values.")]})
    case = lock_case(reference)
    check_version(case, version)
    check_transition("step_add", case)
    text = clean_text(text, "text", limit=8000)
    findings = clean_text(findings, "findings", limit=8000, required=False)
    place = clean_text(place, "place", limit=300, required=False)
    occurred_on = parse_date(occurred_on, "occurred_on")
    if occurred_on > timezone.localdate() and kind == StepKind.INSPECTION:
        raise ValidationFailed(fields={"occurred_on": [_("An inspection is recorded after it took place.")]})
    respond_by = _respond_by(answer_days) if kind in ADDRESSED_KINDS else None
    if kind == StepKind.RFI and respond_by is None:
        raise ValidationFailed(fields={"answer_days": [_("Set the period for the answer.")]})
    files = read_pdf_uploads(uploads, limit=MAX_DOCUMENTS)
    step = EnforcementStep(case=case, kind=kind, occurred_on=occurred_on, place=place, text=text, findings=findings,
                           respond_by=respond_by, created_by=actor)
    if kind == StepKind.WARNING_LETTER:
        year = timezone.localdate().year
        step.number = f"JSH{year}-{Counter.objects.next_value('warning_letter', year):06d}"
        step.pdf = letters.warning_letter_pdf(letters.warning_letter_data(case, step))
        step.pdf_sha256 = hashlib.sha256(step.pdf).hexdigest()
    step.save()
    docs = []
    try:
        docs = store_documents(step, files, actor, from_exporter=False)
        case.version += 1
        case.save(update_fields=["version"])
        audit.record(actor=actor, action=f"enforcement.step.{kind}", obj=case, after={
            "step": step.pk, "kind": kind, "number": step.number, "occurred_on": occurred_on, "text": text,
            "findings": findings, "respond_by": respond_by, "pdf_sha256": step.pdf_sha256,
            "documents": [{"name": d.original_name, "sha256": d.sha256} for d in docs]})
        if step.addressed:
            notify_step(case, step)
    except Exception:
        delete_stored(docs)
        raise
    return step


def notify_step(case, step):
    label_zh = {StepKind.TALK: "监管谈话通知", StepKind.WARNING_LETTER: "警示函", StepKind.RFI: "补充材料要求",
                StepKind.PENALTY_DECISION: "行政处罚决定"}[step.kind]
    label_en = {StepKind.TALK: "Invitation to a regulatory talk", StepKind.WARNING_LETTER: "Warning letter",
                StepKind.RFI: "Request for information", StepKind.PENALTY_DECISION: "Penalty decision"}[step.kind]
    due_zh = f"，请在 {step.respond_by:%Y-%m-%d} 前答复" if step.respond_by else ""
    due_en = f": answer by {step.respond_by:%Y-%m-%d}" if step.respond_by else ""
    notify(recipients=exporter_recipients(case.exporter_id), key=f"enforcement-step:{step.pk}",
           kind="enforcement.step", title_zh=f"{case.reference} {label_zh}{due_zh}",
           title_en=f"{case.reference} {label_en}{due_en}", body_zh=step.text, body_en=step.text, url=case_url(case))


def notify_seniors(case, penalty, actor):
    seniors = User.objects.filter(role=Role.MINISTRY_SENIOR, is_active=True).exclude(pk=actor.pk).order_by("pk")
    notify(recipients=list(seniors), key=f"penalty:{penalty.pk}:countersign:{penalty.version}",
           kind="penalty.countersign", title_zh=f"{case.reference} 行政处罚待会签（罚款超出法定幅度）",
           title_en=f"{case.reference}: a penalty outside the statutory range awaits countersignature",
           body_zh=penalty.justification, body_en=penalty.justification, url=reverse("enforcement-countersign"))


def _lock_step(reference, step_id) -> EnforcementStep:
    case = lock_case(reference)
    step = EnforcementStep.objects.select_for_update(of=("self",)).filter(case=case, pk=step_id).first() \
        if str(step_id).isdigit() else None
    if step is None:
        raise NotFound()
    return step


@transaction.atomic
def step_record_minutes(*, actor, reference, step_id, minutes, uploads=()) -> EnforcementStep:
    """The minutes of a regulatory talk (监管谈话), with their documents, once it has taken place."""
    require_ministry(actor)
    step = _lock_step(reference, step_id)
    check_transition("step_add", step.case)
    if step.kind != StepKind.TALK:
        raise InvalidTransition(_("Minutes are recorded for a regulatory talk."))
    if step.minutes:
        raise InvalidTransition(_("The minutes of this talk are recorded already."))
    minutes = clean_text(minutes, "minutes", limit=8000)
    files = read_pdf_uploads(uploads, limit=MAX_DOCUMENTS)
    docs = store_documents(step, files, actor, from_exporter=False)
    try:
        step.minutes = minutes
        step.save(update_fields=["minutes"])
        audit.record(actor=actor, action="enforcement.step.minutes", obj=step.case, after={
            "step": step.pk, "minutes": minutes, "documents": [{"name": d.original_name, "sha256": d.sha256}
                                                              for d in docs]})
    except Exception:
        delete_stored(docs)
        raise
    return step


@transaction.atomic
def step_answer(*, actor, reference, step_id, answer, uploads=()) -> EnforcementStep:
    """The exporter answers a step addressed to it, once, with documents. An answer after the
    date set is kept and marked late (the ministry weighs it)."""
    if getattr(actor, "role", None) not in EXPORTER_ROLES:
        raise NotFound()
    step = _lock_step(reference, step_id)
    if actor.organisation_id != step.case.exporter_id or not step.addressed:
        raise NotFound()
    check_transition("step_add", step.case)
    if step.respond_by is None:
        raise InvalidTransition(_("No answer is asked for this step."))
    if step.responded_at is not None:
        raise InvalidTransition(_("This step is answered already."))
    answer = clean_text(answer, "answer", limit=8000)
    files = read_pdf_uploads(uploads, limit=MAX_DOCUMENTS)
    docs = store_documents(step, files, actor, from_exporter=True)
    try:
        step.response, step.responded_at, step.responded_by = answer, timezone.now(), actor
        step.save(update_fields=["response", "responded_at", "responded_by"])
        audit.record(actor=actor, action="enforcement.step.answer", obj=step.case, after={
            "step": step.pk, "answer": answer, "late": step.late,
            "documents": [{"name": d.original_name, "sha256": d.sha256} for d in docs]})
        notify(recipients=[step.created_by], key=f"enforcement-answer:{step.pk}", kind="enforcement.answer",
               title_zh=f"{step.case.reference} 出口经营者已答复", title_en=f"{step.case.reference}: the exporter answered",
               body_zh=answer, body_en=answer, url=case_url(step.case))
    except Exception:
        delete_stored(docs)
        raise
    return step


@transaction.atomic
def note_add(*, actor, reference, kind, text, noted_on=None) -> CaseNote:
    """Record the exporter's cooperation or remediation (a mitigating factor on the penalty form)."""
    require_ministry(actor)
    if kind not in NoteKind.values:
        raise ValidationFailed(fields={"kind": [_("Choose one of the listed values.")]})
    case = lock_case(reference)
    check_transition("note_add", case)
    text = clean_text(text, "text", limit=4000)
    noted_on = parse_date(noted_on, "noted_on")
    note = CaseNote.objects.create(case=case, kind=kind, text=text, noted_on=noted_on, created_by=actor)
    audit.record(actor=actor, action="enforcement.note", obj=case, after={"kind": kind, "text": text,
                                                                          "noted_on": noted_on})
    return note
