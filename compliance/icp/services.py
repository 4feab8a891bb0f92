"""Writes of internal compliance programmes: the exporter administrator keeps each of the nine
elements (owner, last-reviewed date, self-assessment) and its evidence PDFs; a ministry senior
officer sets how long each element's evidence stays fresh; the beat reminds the administrators
before evidence goes stale and when it is. Each write locks its rows, checks role and version, and
writes its audit event in the same transaction."""

import hashlib
import uuid
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, Organisation, OrgKind, Role, User
from audit import services as audit
from compliance.icp import selectors
from compliance.icp.models import ICP, Assessment, Element, EvidencePeriod, ICPElement, ICPEvidence
from notifications.services import notify
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed, lazy_format
from portal.pdf import read_pdf_uploads
from portal.text import clean_text

TEXT_MAX_CHARS = 5000
OWNER_NAME_MAX_CHARS = 100
MAX_DOCUMENTS = 5
MIN_MONTHS, MAX_MONTHS = 1, 120


def icp_url(org_id) -> str:
    return reverse("icp-detail", args=[org_id])


def both(label) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh, en


def parse_date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(fields={field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def check_version(expected, current: int, message) -> None:
    """A stale version is a 409; no version means the caller did not say (the page and API send it)."""
    if expected in (None, ""):
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed(fields={"version": [_("Must be a whole number.")]}) from None
    if expected != current:
        raise StaleVersion(message)


def element_value(value) -> str:
    if value not in Element.values:
        message = _("Choose one of the nine elements.")
        raise ValidationFailed(message, fields={"element": [message]})
    return value


def can_edit(user, org_id) -> bool:
    """Whether `user` keeps this exporter's ICP: its own administrator only."""
    try:
        org_id = int(getattr(org_id, "pk", org_id))
    except (TypeError, ValueError, OverflowError):
        return False
    return (getattr(user, "role", None) == Role.EXPORTER_ADMIN and user.is_active
            and user.organisation_id == org_id)


def _admin_lock(actor, organisation_id) -> ICP:
    """The exporter's ICP (made on first use) locked for a write by its administrator: 404 when the
    actor may not see the exporter, 403 when it sees but may not write (staff, ministry, province)."""
    if not can_edit(actor, organisation_id):
        if selectors.visible_exporter(actor, organisation_id) is None:
            raise NotFound()
        raise NotAllowed(_("Only the company's administrator keeps its internal compliance programme."))
    org = Organisation.objects.select_for_update().get(pk=actor.organisation_id, kind=OrgKind.EXPORTER)
    icp, _created = ICP.objects.get_or_create(exporter=org)
    return icp


def _snapshot(row: ICPElement) -> dict:
    return {"element": row.element, "owner_user": row.owner_user_id, "owner_name": row.owner_name,
            "last_reviewed_on": row.last_reviewed_on.isoformat() if row.last_reviewed_on else None,
            "assessment": row.assessment, "assessment_text": row.assessment_text, "version": row.version}


def _owner(actor, owner_user_id) -> User | None:
    if owner_user_id in (None, ""):
        return None
    try:
        pk = int(owner_user_id)
    except (TypeError, ValueError):
        pk = None
    owner = None
    if pk is not None and 0 < pk < 2**63:
        owner = User.objects.filter(pk=pk, organisation_id=actor.organisation_id, role__in=EXPORTER_ROLES,
                                    is_active=True).first()
    if owner is None:
        message = _("Choose a user of your company.")
        raise ValidationFailed(message, fields={"owner_user": [message]})
    return owner


@transaction.atomic
def icp_element_update(*, actor, organisation_id, element, owner_user_id=None, owner_name="",
                       last_reviewed_on=None, assessment="", assessment_text="", expected_version=None,
                       today: date | None = None) -> ICPElement:
    """The administrator records an element: its owner (a user of the company, or a name), when it
    was last reviewed, and the company's own assessment. `expected_version` is the element's version
    read (0 for one never filled in); a stale one is refused (409)."""
    element = element_value(element)
    icp = _admin_lock(actor, organisation_id)
    row = ICPElement.objects.select_for_update().filter(icp=icp, element=element).first()
    current = row.version if row else 0
    check_version(expected_version, current,
                  _("Someone changed this element after you opened it. Reload the page and try again."))
    owner = _owner(actor, owner_user_id)
    owner_name = clean_text(owner_name, "owner_name", limit=OWNER_NAME_MAX_CHARS, required=False)
    reviewed = parse_date(last_reviewed_on, "last_reviewed_on")
    if reviewed is not None and reviewed > (today or timezone.localdate()):
        raise ValidationFailed(fields={"last_reviewed_on": [_("The date cannot be in the future.")]})
    if assessment not in ("", None) and assessment not in Assessment.values:
        raise ValidationFailed(fields={"assessment": [_("Choose one of the listed values.")]})
    text = clean_text(assessment_text, "assessment_text", limit=TEXT_MAX_CHARS, required=False)
    before = _snapshot(row) if row else {}
    row = row or ICPElement(icp=icp, element=element)
    row.owner_user, row.owner_name, row.last_reviewed_on = owner, owner_name, reviewed
    row.assessment, row.assessment_text = assessment or "", text
    row.version, row.updated_by = current + 1, actor
    row.save()
    audit.record(actor=actor, action="icp_element.update", obj=row, before=before, after=_snapshot(row))
    return row


def _element_row(icp: ICP, element: str) -> ICPElement:
    row = ICPElement.objects.select_for_update().filter(icp=icp, element=element).first()
    if row is None:
        row = ICPElement.objects.create(icp=icp, element=element, version=1)
    return row


@transaction.atomic
def icp_evidence_add(*, actor, organisation_id, element, uploads) -> list[ICPEvidence]:
    """The administrator attaches evidence PDFs to an element (at most MAX_DOCUMENTS at once; one
    bad file refuses them all and nothing is kept)."""
    element = element_value(element)
    icp = _admin_lock(actor, organisation_id)
    files = read_pdf_uploads(uploads, limit=MAX_DOCUMENTS)
    if not files:
        message = _("Attach the evidence as a PDF file.")
        raise ValidationFailed(message, fields={"documents": [message]})
    row = _element_row(icp, element)
    stored, docs = [], []
    try:
        for content, name in files:
            doc = ICPEvidence(element=row, original_name=name, size=len(content),
                              sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
            doc.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
            stored.append(doc.file.name)
            doc.save()
            docs.append(doc)
        audit.record(actor=actor, action="icp_evidence.add", obj=row, after={
            "element": element, "documents": [{"document": d.pk, "name": d.original_name, "sha256": d.sha256,
                                               "size": d.size} for d in docs]})
    except Exception:
        for name in stored:  # nothing kept when the evidence is not recorded
            default_storage.delete(name)
        raise
    return docs


@transaction.atomic
def icp_evidence_remove(*, actor, organisation_id, evidence_id) -> None:
    """The administrator removes an evidence document (the audit trail keeps its name and hash)."""
    icp = _admin_lock(actor, organisation_id)
    try:
        doc = ICPEvidence.objects.select_for_update().get(pk=int(evidence_id), element__icp=icp)
    except (ICPEvidence.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    name = doc.file.name
    audit.record(actor=actor, action="icp_evidence.remove", obj=doc.element, before={
        "element": doc.element.element, "document": doc.pk, "name": doc.original_name, "sha256": doc.sha256})
    doc.delete()
    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def evidence_period_update(*, actor, element, months) -> EvidencePeriod:
    """A ministry senior officer sets how many months an element's evidence stays fresh."""
    if getattr(actor, "role", None) != Role.MINISTRY_SENIOR:
        raise NotAllowed(_("Only a ministry senior officer sets the evidence periods."))
    element = element_value(element)
    if isinstance(months, bool) or not isinstance(months, (int, str)) or not str(months).strip().isdigit():
        raise ValidationFailed(fields={"months": [_("Enter a whole number of months.")]})
    months = int(months)
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        message = lazy_format(_("Between %(min)s and %(max)s months."), min=MIN_MONTHS, max=MAX_MONTHS)
        raise ValidationFailed(message, fields={"months": [message]})
    period, _created = EvidencePeriod.objects.select_for_update().get_or_create(
        element=element, defaults={"months": months, "updated_by": actor})
    before = {"element": element, "months": period.months}
    period.months, period.updated_by = months, actor
    period.save()
    audit.record(actor=actor, action="evidence_period.update", obj=period, before=before,
                 after={"element": element, "months": months})
    return period


# ---------------------------------------------------------------- beat


def _recipients(row: ICPElement) -> list[User]:
    people = list(User.objects.filter(organisation_id=row.icp.exporter_id, role=Role.EXPORTER_ADMIN,
                                      is_active=True).order_by("pk"))
    if row.owner_user is not None and row.owner_user.organisation_id == row.icp.exporter_id:
        people.append(row.owner_user)
    return people


def _remind_one(row_id: int, months: int, today: date) -> str | None:
    row = (ICPElement.objects.select_for_update(of=("self",)).select_related("icp", "icp__exporter", "owner_user")
           .filter(pk=row_id).first())
    due = selectors.stale_on(row.last_reviewed_on, months) if row else None
    if due is None:
        return None
    label_zh, label_en = both(Element(row.element).label)
    org = row.icp.exporter
    if due <= today and row.stale_told_due_on != due:
        row.stale_told_due_on = due
        kind, title_zh, title_en = (
            "stale", f"内部合规制度：“{label_zh}”的证明材料已过期（{due.isoformat()}）",
            f"Internal compliance programme: the evidence of “{label_en}” is stale since {due.isoformat()}")
    elif today < due <= today + timedelta(days=selectors.REMIND_DAYS_BEFORE) and row.reminded_due_on != due:
        row.reminded_due_on = due
        kind, title_zh, title_en = (
            "due_soon", f"内部合规制度：“{label_zh}”的证明材料将于 {due.isoformat()} 过期，请复核",
            f"Internal compliance programme: review “{label_en}”; its evidence goes stale on {due.isoformat()}")
    else:
        return None
    row.save(update_fields=["reminded_due_on", "stale_told_due_on"])
    notify(recipients=_recipients(row), key=f"icp-element:{row.pk}:{kind}:{due.isoformat()}",
           kind=f"icp_evidence.{kind}", title_zh=title_zh, title_en=title_en,
           body_zh=f"{org.name_zh}", body_en=f"{org.name_en or org.name_zh}", url=icp_url(org.pk))
    return kind


def icp_evidence_remind(*, today: date | None = None) -> dict:
    """Beat: tell the exporter's administrators (and the element's owner) REMIND_DAYS_BEFORE days
    before an element's evidence goes stale, and again when it is stale. Each once per element and
    due date: the date told is kept on the row, under its lock, and is the notification's key."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=selectors.REMIND_DAYS_BEFORE)
    counts = {"due_soon": 0, "stale": 0}
    for element, months in selectors.periods().items():
        # A generous cut-off (month ends clamp), the exact due date is computed per row.
        cutoff = horizon - relativedelta(months=months) + timedelta(days=3)
        rows = ICPElement.objects.filter(element=element, last_reviewed_on__isnull=False,
                                         last_reviewed_on__lte=cutoff).values_list("pk", flat=True)
        for row_id in rows:
            with transaction.atomic():
                kind = _remind_one(row_id, months, today)
            if kind:
                counts[kind] += 1
    return counts
