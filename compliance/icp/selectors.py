"""Reads of internal compliance programmes and their evaluations; every list and page starts from
the models' `visible_to(user)`. Other areas call `current_evaluation` and `icp_for`."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Organisation, OrgKind, Role
from compliance.icp.models import (
    ICP,
    Element,
    EvaluationStatus,
    EvidencePeriod,
    ICPElement,
    ICPEvaluation,
    ICPEvidence,
    ICPFinding,
)

# Days before evidence goes stale that the exporter's administrators are reminded.
REMIND_DAYS_BEFORE = 30
PAGE_SIZE = 50


def current_evaluation(organisation, *, on: date | None = None) -> ICPEvaluation | None:
    """The exporter's latest ISSUED evaluation still valid on `on` (default: today in
    Asia/Shanghai); None when there is none. Drafts, withdrawn, superseded (a newer one was issued)
    and expired evaluations never count."""
    on = on or timezone.localdate()
    org_id = getattr(organisation, "pk", organisation)
    return (ICPEvaluation.objects.filter(exporter_id=org_id, status=EvaluationStatus.ISSUED, valid_until__gte=on,
                                               superseded_by__isnull=True).order_by("-issued_at", "-pk").first())


def icp_for(organisation) -> ICP | None:
    """The exporter's ICP with its elements (owners and evidence loaded), or None if it has none yet."""
    org_id = getattr(organisation, "pk", organisation)
    return (ICP.objects.filter(exporter_id=org_id)
            .prefetch_related(Prefetch("elements", ICPElement.objects.select_related("owner_user")
                                       .prefetch_related("evidence")))
            .first())


def periods() -> dict[str, int]:
    return dict(EvidencePeriod.objects.values_list("element", "months"))


def stale_on(last_reviewed_on: date | None, months: int | None) -> date | None:
    """The day the element's evidence is stale: its last review plus the element's period."""
    if last_reviewed_on is None or not months:
        return None
    return last_reviewed_on + relativedelta(months=months)


@dataclass
class ElementRow:
    element: str
    label: str
    row: ICPElement | None
    months: int | None
    stale_on: date | None
    state: str  # "fresh", "due_soon", "stale", "not_reviewed"

    @property
    def evidence(self):
        return list(self.row.evidence.all()) if self.row else []


def staleness(stale_date: date | None, today: date) -> str:
    if stale_date is None:
        return "not_reviewed"
    if stale_date <= today:
        return "stale"
    if (stale_date - today).days <= REMIND_DAYS_BEFORE:
        return "due_soon"
    return "fresh"


def element_rows(icp: ICP | None, *, today: date | None = None) -> list[ElementRow]:
    """The nine elements in their order, each with its row (None when not filled in yet), period
    and staleness on `today`."""
    today = today or timezone.localdate()
    months = periods()
    by_element = {row.element: row for row in icp.elements.all()} if icp else {}
    rows = []
    for element in Element:
        row = by_element.get(element.value)
        due = stale_on(row.last_reviewed_on if row else None, months.get(element.value))
        rows.append(ElementRow(element.value, element.label, row, months.get(element.value), due,
                               staleness(due, today)))
    return rows


def visible_exporter(user, org_id) -> Organisation | None:
    """An exporter whose ICP page `user` may open: its own company, any for the ministry, those of
    its province for a provincial officer; None otherwise (the caller's 404)."""
    try:
        org_id = int(org_id)
    except (TypeError, ValueError, OverflowError):
        return None
    if not user.is_authenticated or not user.is_active or not 0 < org_id < 2**63:
        return None
    rows = Organisation.objects.filter(pk=org_id, kind=OrgKind.EXPORTER).select_related("province")
    if user.role in MINISTRY_ROLES:
        return rows.first()
    if user.role in EXPORTER_ROLES:
        return rows.filter(pk=user.organisation_id).first()
    if user.role == Role.PROVINCIAL_OFFICER:
        return rows.filter(province_id=user.organisation.province_id).first()
    return None


def may_read_icps(user) -> bool:
    return user.is_authenticated and (user.role in EXPORTER_ROLES or user.role in MINISTRY_ROLES
                                      or user.role == Role.PROVINCIAL_OFFICER)


RATING_FILTERS = ("good", "adequate", "poor", "none")


def exporters_list(user, *, rating: str = "", q: str = "", today: date | None = None):
    """Exporters `user` may see with their current rating and its validity (in the same query),
    filtered by rating ("none": no valid issued evaluation) and by name or credit code."""
    today = today or timezone.localdate()
    if user.role in MINISTRY_ROLES:
        rows = Organisation.objects.filter(kind=OrgKind.EXPORTER)
    elif user.role == Role.PROVINCIAL_OFFICER:
        rows = Organisation.objects.filter(kind=OrgKind.EXPORTER, province_id=user.organisation.province_id)
    elif user.role in EXPORTER_ROLES:
        rows = Organisation.objects.filter(pk=user.organisation_id)
    else:
        return Organisation.objects.none()
    current = (ICPEvaluation.objects.filter(exporter=OuterRef("pk"), status=EvaluationStatus.ISSUED,
                                            valid_until__gte=today, superseded_by__isnull=True)
               .order_by("-issued_at", "-pk"))
    rows = rows.select_related("province").annotate(
        current_rating=Subquery(current.values("rating")[:1]),
        current_valid_until=Subquery(current.values("valid_until")[:1]),
        icp_id=Subquery(ICP.objects.filter(exporter=OuterRef("pk")).values("pk")[:1]))
    if rating == "none":
        rows = rows.filter(current_rating__isnull=True)
    elif rating:
        rows = rows.filter(current_rating=rating)
    if q:
        rows = rows.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    return rows.order_by("name_zh", "pk")


def evaluations_of(user, organisation):
    """The evaluations of an exporter `user` may see (no drafts unless ministry), newest first."""
    return (ICPEvaluation.objects.visible_to(user).filter(exporter=organisation)
            .select_related("evaluated_by", "issued_by", "withdrawn_by")
            .prefetch_related(Prefetch("findings", ICPFinding.objects.order_by("pk")))
            .order_by("-issued_at", "-created_at", "-pk"))


def evaluation_for(user, organisation, pk) -> ICPEvaluation | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    return evaluations_of(user, organisation).filter(pk=pk).first()


def findings_to_fix(evaluation: ICPEvaluation | None) -> list[ICPFinding]:
    if evaluation is None:
        return []
    return [f for f in evaluation.findings.all() if f.severity != "observation"]


def evidence_for(user, organisation, pk):
    """One evidence document of an exporter's ICP that `user` may read, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    icps = ICP.objects.visible_to(user).filter(exporter=organisation)
    return ICPEvidence.objects.filter(pk=pk, element__icp__in=icps).select_related("element").first()
