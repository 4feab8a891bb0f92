"""Reads for the statistics dashboard, its CSV files and its API: a fixed number of queries,
whatever the number of cases. Counts by month, sector, destination, province and agency come from
the summary (StatisticRow.objects.visible_to); overdue cases and referrals are counted live (they
are about today, and their partial indexes make them cheap)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from accounts.models import MINISTRY_ROLES, Organisation, OrgKind, Role
from compliance.statistics.models import Dimension, StatisticRow, StatisticsSnapshot
from compliance.statistics.services import UNLISTED
from controllist.codes import SECTORS
from licensing.models import OPEN_REVIEW_STATES, Application, Referral, ReferralState, Status
from portal.templatetags.portal_format import country_name, local_name_of

BREAKDOWNS = ("sector", "destination", "province", "agency")


def can_see_statistics(user) -> bool:
    """The ministry, and a provincial officer of an organisation with a province (never unscoped)."""
    return bool(user.is_authenticated and user.is_active and (
        user.role in MINISTRY_ROLES or (user.role == Role.PROVINCIAL_OFFICER and user.organisation_id
                                        and user.organisation.province_id)))


def percentile(histogram: dict[int, int], fraction: float) -> int | None:
    """The nearest-rank percentile of a {working days: cases} histogram: the smallest number of days
    within which at least `fraction` of the cases were decided."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = -(-fraction * total // 1), 0  # ceil(fraction * total)
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= max(rank, 1):
            return days
    return max(histogram)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _breakdown_row(key: str, label: str, approved: int, refused: int) -> dict:
    decided = approved + refused
    return {"key": key, "label": label, "approved": approved, "refused": refused, "decided": decided,
            "approval_rate": _rate(approved, decided), "refusal_rate": _rate(refused, decided)}


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (-r["decided"], r["key"]))


@dataclass
class Dashboard:
    first: date
    last: date
    province: object | None  # the province a provincial officer is limited to
    refreshed_at: object | None
    unmeasured: int
    months: list[dict] = field(default_factory=list)
    processing: dict = field(default_factory=dict)
    sector: list[dict] = field(default_factory=list)
    destination: list[dict] = field(default_factory=list)
    province_rows: list[dict] = field(default_factory=list)
    agency: list[dict] = field(default_factory=list)
    overdue_cases: list[dict] = field(default_factory=list)
    overdue_referrals: list[dict] = field(default_factory=list)

    @property
    def overdue_cases_total(self) -> int:
        return sum(r["count"] for r in self.overdue_cases)

    @property
    def overdue_referrals_total(self) -> int:
        return sum(r["count"] for r in self.overdue_referrals)

    def table(self, name: str) -> list[dict]:
        return {"months": self.months, "sector": self.sector, "destination": self.destination,
                "province": self.province_rows, "agency": self.agency, "overdue_cases": self.overdue_cases,
                "overdue_referrals": self.overdue_referrals}[name]


def _month_range(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def dashboard(user, *, first: date, last: date, today: date) -> Dashboard:
    """Everything the dashboard shows for the months first..last (first days of months) as `user`
    may see it: the ministry every province, a provincial officer its own."""
    if not can_see_statistics(user):
        return Dashboard(first=first, last=last, province=None, refreshed_at=None, unmeasured=0)
    province = None if user.role in MINISTRY_ROLES else user.organisation.province
    snapshot = StatisticsSnapshot.objects.filter(pk=1).first()
    rows = StatisticRow.objects.visible_to(user).filter(month__gte=first, month__lte=last)
    sums = {name: Sum(name) for name in ("submitted", "issued", "approved", "refused")}

    by_month = {r["month"]: r for r in rows.filter(dimension=Dimension.TOTAL).values("month").annotate(**sums)
                .order_by("month")}
    histograms: dict[date, dict[int, int]] = {}
    overall: dict[int, int] = {}
    for r in (rows.filter(dimension=Dimension.DAYS).values("month", "key").annotate(n=Sum("cases"))
              .order_by()):
        days = int(r["key"])
        histograms.setdefault(r["month"], {})[days] = r["n"]
        overall[days] = overall.get(days, 0) + r["n"]
    months = []
    for month in _month_range(first, last):
        r = by_month.get(month, {})
        histogram = histograms.get(month, {})
        months.append({"month": month.strftime("%Y-%m"), **{k: r.get(k) or 0 for k in sums},
                       "measured": sum(histogram.values()), "p50": percentile(histogram, 0.5),
                       "p90": percentile(histogram, 0.9)})
    result = Dashboard(first=first, last=last, province=province, months=months,
                       refreshed_at=snapshot.refreshed_at if snapshot else None,
                       unmeasured=snapshot.unmeasured if snapshot and province is None else 0,
                       processing={"measured": sum(overall.values()), "p50": percentile(overall, 0.5),
                                   "p90": percentile(overall, 0.9)})

    agencies = {str(o.pk): o for o in Organisation.objects.filter(kind=OrgKind.AGENCY)}
    for r in (rows.filter(dimension__in=[Dimension.SECTOR, Dimension.DESTINATION, Dimension.AGENCY])
              .values("dimension", "key").annotate(approved=Sum("approved"), refused=Sum("refused")).order_by()):
        key, dimension = r["key"], r["dimension"]
        if dimension == Dimension.SECTOR:
            label = _("Unlisted items (catch-all)") if key == UNLISTED else f"{key} · {SECTORS.get(key, key)}"
            result.sector.append(_breakdown_row(key, label, r["approved"], r["refused"]))
        elif dimension == Dimension.DESTINATION:
            result.destination.append(_breakdown_row(key, country_name(key) or key, r["approved"], r["refused"]))
        else:
            org = agencies.get(key)
            result.agency.append(_breakdown_row(org.code if org else key, local_name_of(org) if org else key,
                                                r["approved"], r["refused"]))
    for r in (rows.filter(dimension=Dimension.TOTAL)
              .values("province_id", "province__name_zh", "province__name_en")
              .annotate(approved=Sum("approved"), refused=Sum("refused")).order_by()):
        if r["province_id"] is None:
            continue
        label = local_name_of(_Named(r["province__name_zh"], r["province__name_en"]))
        result.province_rows.append(_breakdown_row(r["province_id"], label, r["approved"], r["refused"]))
    result.sector, result.destination = _sorted(result.sector), _sorted(result.destination)
    result.agency, result.province_rows = _sorted(result.agency), _sorted(result.province_rows)

    result.overdue_cases = _overdue_cases(user, province, today)
    result.overdue_referrals = _overdue_referrals(province, today)
    return result


class _Named:
    def __init__(self, name_zh, name_en):
        self.name_zh, self.name_en = name_zh or "", name_en or ""


def _overdue_cases(user, province, today: date) -> list[dict]:
    """Open cases (accepted, not decided) whose statutory decision date has passed, by province."""
    # forwarded_at: every accepted case has it, and it lets a province's count use case_overdue_province_idx.
    cases = Application.objects.visible_to(user).filter(status__in=OPEN_REVIEW_STATES, decision_due__lt=today,
                                                        forwarded_at__isnull=False)
    rows = [{"key": r["province_id"], "label": local_name_of(_Named(r["province__name_zh"], r["province__name_en"])),
             "count": r["n"]}
            for r in cases.values("province_id", "province__name_zh", "province__name_en")
            .annotate(n=Count("*")).order_by()]
    return sorted(rows, key=lambda r: (-r["count"], r["key"] or ""))


def _overdue_referrals(province, today: date) -> list[dict]:
    """Referrals sent and not answered whose opinion was due before today, by agency."""
    referrals = Referral.objects.filter(state=ReferralState.SENT, sent_at__isnull=False, due_on__lt=today)
    if province is not None:
        # A referral awaiting its opinion belongs to a case with the agencies (a case leaves that state
        # only once none is pending: licensing.referrals): the province's few such cases, not all of them.
        referrals = referrals.filter(application__in=Application.objects.filter(
            province_id=province.pk, status=Status.WITH_AGENCIES).values("id"))
    rows = [{"key": r["agency__code"], "label": local_name_of(_Named(r["agency__name_zh"], r["agency__name_en"])),
             "count": r["n"]}
            for r in referrals.values("agency__code", "agency__name_zh", "agency__name_en")
            .annotate(n=Count("*")).order_by()]
    return sorted(rows, key=lambda r: (-r["count"], r["key"]))
