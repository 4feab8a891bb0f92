"""Reads for the review queues: which cases wait where, filtered, sorted and counted.

Every queue starts from `Application.objects.visible_to(user)`. A page loads a constant number of
queries whatever its length: rows come with their province, exporter and assignee joined, their
item codes and referred agencies are read in one query each, and the working days left of all rows
are counted from one read of the calendar (attach_clocks, WorkingDayCounter)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import django_filters
from django import forms
from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, When
from django.db.models.fields import DateField
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    AGENCY_ROLES,
    MINISTRY_ROLES,
    Organisation,
    OrgKind,
    Province,
    Role,
    User,
)
from licensing.clock import selectors as clock
from licensing.clock.selectors import WorkingDayCounter
from licensing.models import (
    OPEN_REVIEW_STATES,
    AgencySettings,
    Application,
    ApplicationItem,
    ClockState,
    Referral,
    ReferralState,
    Status,
)
from licensing.workflow import require_ministry
from portal import countries as portal_countries
from portal.errors import NotAllowed, ValidationFailed, lazy_format
from workdays.services import NoCalendarError, add_working_days, provisional_adder

PAGE_SIZE = 50
MAX_DAYS_LEFT_FILTER = 250

AWAITING_ACCEPTANCE = (Status.FORWARDED, Status.CORRECTING)
OPEN_STATES = frozenset({*AWAITING_ACCEPTANCE, *OPEN_REVIEW_STATES})
CLOCK_COUNTING = (ClockState.RUNNING, ClockState.PAUSED)

# name: (label, the deadline it sorts on; "deadline": whichever clock runs for the case)
MINISTRY_QUEUES = {
    "new": (_("New (unassigned)"), "acceptance_due"),
    "acceptance": (_("Awaiting acceptance"), "acceptance_due"),
    "agencies": (_("With agencies"), "decision_due"),
    "decision": (_("Awaiting decision"), "decision_due"),
    "countersign": (_("Awaiting countersignature"), "decision_due"),
    "overdue": (_("Overdue"), "deadline"),
    "mine": (_("Assigned to me"), "deadline"),
}
SORTS = {
    "deadline": _("Deadline"),
    "oldest": _("Oldest first"),
    "newest": _("Newest first"),
}


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def queue_q(name: str, *, user, today: date) -> Q:
    """The condition that puts a case visible to the ministry in the named queue."""
    if name == "new":
        return Q(status=Status.FORWARDED, assigned_to__isnull=True)
    if name == "acceptance":
        return Q(status__in=AWAITING_ACCEPTANCE)
    if name == "agencies":
        return Q(status=Status.WITH_AGENCIES)
    if name == "decision":
        return Q(status__in=(Status.ACCEPTED, Status.AWAITING_DECISION))
    if name == "countersign":
        return Q(status=Status.AWAITING_COUNTERSIGN)
    if name == "overdue":
        # Reg. 17: 45 working days from acceptance; acceptance itself within 5 working days.
        return (Q(status__in=OPEN_REVIEW_STATES, clock_state__in=CLOCK_COUNTING, decision_due__lt=today)
                | Q(status=Status.FORWARDED, acceptance_due__lt=today))
    if name == "mine":
        return Q(assigned_to=user, status__in=OPEN_STATES)
    raise KeyError(name)


def ministry_counts(user, today: date | None = None) -> dict[str, int]:
    """Cases per ministry queue, in one aggregate query. It counts a column of the index
    case_open_counts_idx (not the id) so that PostgreSQL answers from the index alone."""
    require_ministry(user)
    today = _today(today)
    return Application.objects.visible_to(user).filter(status__in=OPEN_STATES).aggregate(**{
        name: Count("status", filter=queue_q(name, user=user, today=today)) for name in MINISTRY_QUEUES})


def _deadline_expression():
    """For the overdue queue, which mixes both clocks: the deadline that is running."""
    return Case(When(status__in=AWAITING_ACCEPTANCE, then=F("acceptance_due")),
                default=F("decision_due"), output_field=DateField())


# ---------------------------------------------------------------- filters


def country_code(value: str) -> str | None:
    """The ISO code of a destination typed as its code or its name, in either language."""
    return portal_countries.lookup(value) or None


class CountryCodeField(forms.CharField):
    """A destination typed as a name in either language (德国, Germany, 台湾) or as its ISO code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        code = portal_countries.lookup(value)
        if not code:
            raise forms.ValidationError(_("Unknown country or region; type its name, e.g. 德国 or Germany."))
        return code


class CodePrefixField(forms.RegexField):
    def __init__(self, **kwargs):
        super().__init__(regex=r"^\s*[0-9A-Za-z][0-9A-Za-z.]{0,15}\s*$", max_length=16,
                         error_messages={"invalid": _("A control code or its beginning, e.g. 1C9 or 3A001.a.")},
                         **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return value.strip() if value else value


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class CountryFilter(django_filters.CharFilter):
    field_class = CountryCodeField


class CodePrefixFilter(django_filters.CharFilter):
    field_class = CodePrefixField


def assignable_officers():
    """The ministry officers a case may be assigned to (and a queue filtered by)."""
    return (User.objects.filter(role__in=MINISTRY_ROLES, is_active=True, organisation__kind=OrgKind.MINISTRY)
            .order_by("first_name", "username"))


class QueueFilter(django_filters.FilterSet):
    """Query parameters of a ministry queue (page and API alike): a bad value is a form error
    (page) or a 400 (API), never a 500 or a silently ignored filter. The choices of the lists are
    read once per request: the form checks values against them and the page draws them."""

    province = django_filters.ChoiceFilter(empty_label=None, label=_("Province"))
    code = CodePrefixFilter(method="filter_code", label=_("Control code starts with"))
    destination = CountryFilter(field_name="destination", label=_("Destination"))
    agency = django_filters.ChoiceFilter(method="filter_agency", empty_label=None, label=_("Referred to agency"))
    officer = django_filters.ChoiceFilter(field_name="assigned_to", empty_label=None, label=_("Officer"),
                                          null_label=_("Unassigned"), null_value="null")
    days_left = IntegerFilter(method="filter_days_left", label=_("At most this many working days left"),
                              min_value=0, max_value=MAX_DAYS_LEFT_FILTER)
    q = django_filters.CharFilter(method="filter_reference", max_length=100,
                                  label=_("Case number, exporter or end user"))
    sort = django_filters.ChoiceFilter(choices=list(SORTS.items()), method="filter_nothing",
                                       empty_label=None, label=_("Sort by"))

    class Meta:
        model = Application
        fields = []

    def __init__(self, *args, queue: str, today: date, all_choices: bool = False, **kwargs):
        """all_choices: read every list (a page draws them); else only those a value is given for."""
        self.queue = queue
        self.today = today
        super().__init__(*args, **kwargs)
        english = not (get_language() or "").lower().startswith("zh")
        wanted = {name for name in ("province", "agency", "officer") if all_choices or self.data.get(name)}
        self.officers = list(assignable_officers()) if "officer" in wanted else []
        for officer in self.officers:
            officer.name = officer.get_full_name() or officer.username
        self.choices = {
            "province": [(p.code, f"{p.code} {p.name_en if english else p.name_zh}")
                         for p in Province.objects.all()] if "province" in wanted else [],
            "agency": [(a.code, f"{a.code} {a.name_en if english else a.name_zh}")
                       for a in Organisation.objects.filter(kind=OrgKind.AGENCY).order_by("code")]
            if "agency" in wanted else [],
            "officer": [(str(o.pk), o.name) for o in self.officers],
        }
        for name, choices in self.choices.items():
            self.filters[name].extra["choices"] = choices

    @property
    def deadline_field(self) -> str:
        return MINISTRY_QUEUES[self.queue][1]

    def filter_code(self, queryset, name, value):
        # Codes keep their sub-item letters lower case (1C902.a): the prefix is matched either way.
        items = ApplicationItem.objects.filter(application=OuterRef("pk"), control_code__istartswith=value)
        return queryset.filter(Exists(items))

    def filter_agency(self, queryset, name, value):
        referrals = Referral.objects.filter(application=OuterRef("pk"), agency__code=value, sent_at__isnull=False)
        return queryset.filter(Exists(referrals))

    def filter_days_left(self, queryset, name, value):
        try:
            limit = add_working_days(self.today, value)
        except NoCalendarError as exc:
            message = lazy_format(_("Days left cannot be counted: %(problem)s"), problem=str(exc))
            raise ValidationFailed(message, fields={"days_left": [message]}) from None
        field = self.deadline_field
        if field == "deadline":
            return queryset.alias(deadline=_deadline_expression()).filter(deadline__lte=limit)
        return queryset.filter(**{f"{field}__lte": limit})

    def filter_reference(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__contains=value.upper()) | Q(exporter__name_zh__icontains=value)
                               | Q(exporter__name_en__icontains=value) | Q(end_user__name__icontains=value))

    def filter_nothing(self, queryset, name, value):
        return queryset  # applied by filter_queryset, also when absent

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort") or "deadline"
        if sort == "oldest":
            return queryset.order_by("forwarded_at", "pk")
        if sort == "newest":
            return queryset.order_by("-forwarded_at", "-pk")
        field = self.deadline_field
        if field == "deadline":
            queryset = queryset.alias(deadline=_deadline_expression())
        return queryset.order_by(F(field).asc(nulls_last=True), "pk")


ROW_FIELDS = (
    "reference", "status", "version", "destination", "province__code", "province__name_zh",
    "province__name_en", "exporter__name_zh", "exporter__name_en", "assigned_to__username",
    "assigned_to__first_name", "assigned_to__last_name", "forwarded_at", "accepted_at", "acceptance_due",
    "decision_due", "clock_state", "clock_paused_since", "total_value_rmb", "end_user__name",
)


def ministry_queue(user, name: str, params, today: date | None = None,
                   all_choices: bool = False) -> QueueFilter:
    """The filter set of a ministry queue; check `.is_valid()` before reading `.qs`."""
    require_ministry(user)
    if name not in MINISTRY_QUEUES:
        raise KeyError(name)
    today = _today(today)
    base = (Application.objects.visible_to(user)
            .filter(queue_q(name, user=user, today=today))
            .select_related("province", "exporter", "assigned_to", "end_user")
            # A row shows a few columns: load only those (the rows' width is most of a page's cost).
            .only(*ROW_FIELDS))
    return QueueFilter(params, queryset=base, queue=name, today=today, all_choices=all_choices)


def filter_errors(filterset) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in filterset.form.errors.items()}


# ---------------------------------------------------------------- days left, per row


@dataclass
class Clock:
    """What a row shows about the deadline that is running for its case."""

    kind: str = ""  # "acceptance", "decision", "no_limit" or "" (none)
    due: date | None = None
    days_left: int | None = None
    days_used: int | None = None
    paused: bool = False
    overdue: bool = False
    unknown: bool = False  # the calendar needed for the count is missing
    provisional_due: date | None = None  # weekdays only, where the calendar is missing (never stored)
    reason: str = ""  # why the clock stands still

    @property
    def overdue_by(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _clock_for(app: Application, fields: dict) -> Clock:
    if app.status in AWAITING_ACCEPTANCE:
        # While the exporter corrects (补正) the acceptance clock stands still: no days left.
        due, left = fields["acceptance_due"], fields["acceptance_days_left"]
        return Clock("acceptance", due, left, None, False, bool(fields["acceptance_overdue"]),
                     app.status == Status.FORWARDED and due is not None and left is None)
    if app.status in OPEN_REVIEW_STATES:
        if app.clock_state == ClockState.NO_LIMIT:
            return Clock("no_limit", reason=fields["pause_reason"])
        due, left = fields["decision_due"], fields["days_left"]
        return Clock("decision", due, left, fields["days_used"], app.clock_state == ClockState.PAUSED,
                     bool(fields["decision_overdue"]),
                     app.clock_state in CLOCK_COUNTING and due is not None and left is None,
                     fields["pause_reason"])
    return Clock()


def attach_clocks(apps, today: date | None = None) -> list:
    """Set `row.clock` (a Clock), `first_code`, `item_count` and `agencies` on each case of a
    page, with a constant number of queries for the page (licensing.clock.list_clock_fields
    counts the days of every row from one read of the calendar)."""
    today = _today(today)
    apps = list(apps)
    fields = clock.list_clock_fields(apps, today)
    codes, agencies = _items_and_agencies([app.pk for app in apps])
    for app in apps:
        app.clock = _clock_for(app, fields[app.pk])
        app.first_code = codes[app.pk][0] if codes[app.pk] else ""
        app.item_count = len(codes[app.pk])
        app.agencies = agencies[app.pk]
    _attach_provisional_dues(apps, today)
    return apps


def _attach_provisional_dues(apps, today: date) -> None:
    """Where a due date is missing because next year's calendar is (each December), a provisional
    one counted on weekdays from receipt or acceptance; it leaves out the clock's stops, so it can
    only come early. One read of the calendar's years for the page."""
    rows = [app for app in apps if app.clock.due is None and (
        (app.clock.kind == "decision" and app.accepted_at) or (app.status == Status.FORWARDED and app.forwarded_at))]
    if not rows:
        return
    add = provisional_adder(today.year - 1)
    for app in rows:
        if app.clock.kind == "decision":
            start, limit = app.accepted_at, clock.DECISION_LIMIT_WORKING_DAYS
        else:
            start, limit = app.forwarded_at, clock.ACCEPTANCE_LIMIT_WORKING_DAYS
        app.clock.provisional_due = add(timezone.localdate(start), limit)[0]


def _items_and_agencies(ids) -> tuple[dict, dict]:
    """Item codes ("*": catch-all) and referred agencies of the page's cases: two queries of
    plain values, like prefetch_related but without building a model instance per row."""
    codes, agencies = defaultdict(list), defaultdict(list)
    if not ids:
        return codes, agencies
    for app_id, code in (ApplicationItem.objects.filter(application_id__in=ids)
                         .order_by("application_id", "pk").values_list("application_id", "control_code")):
        codes[app_id].append(code or "*")
    for app_id, code, name_zh, name_en in (
            Referral.objects.filter(application_id__in=ids, sent_at__isnull=False)
            .exclude(state=ReferralState.WITHDRAWN).order_by("application_id", "agency__code")
            .values_list("application_id", "agency__code", "agency__name_zh", "agency__name_en")):
        agencies[app_id].append({"code": code, "name_zh": name_zh, "name_en": name_en})
    return codes, agencies


# ---------------------------------------------------------------- agencies


AGENCY_TABS = {
    "open": (_("Awaiting our opinion"), (ReferralState.SENT,)),
    "done": (_("Answered"), (ReferralState.ANSWERED, ReferralState.SILENT)),
}


def _require_agency(user) -> None:
    if not (user.is_authenticated and user.role in AGENCY_ROLES):
        raise NotAllowed()


def _agency_referrals(user):
    """The referrals sent to the user's agency. A sent referral is exactly what lets an agency see
    a case (Application.objects.visible_to), so this needs no join back to that rule: with it,
    PostgreSQL matched every referral of the agency twice (40 ms at 100,000 cases)."""
    return Referral.objects.filter(agency_id=user.organisation_id, sent_at__isnull=False)


def agency_referrals(user, tab: str = "open"):
    """The referrals to the user's agency, on cases the agency may see, soonest deadline first."""
    _require_agency(user)
    states = AGENCY_TABS[tab][1]
    qs = (_agency_referrals(user).filter(state__in=states)
          .select_related("application", "application__province")
          .only("application_id", "state", "sent_at", "due_on", "answered_at", "reminded_at", "escalated_at",
                "application__reference", "application__destination", "application__province__name_zh")
          .prefetch_related(Prefetch("application__items", queryset=ApplicationItem.objects.only(
              "pk", "application_id", "control_code", "catch_all"))))
    if tab == "open":
        return qs.order_by(F("due_on").asc(nulls_last=True), "pk")
    return qs.order_by(F("answered_at").desc(nulls_last=True), "-pk")


def agency_soon_limit(user, today: date) -> date | None:
    """Referrals due by this date are "due soon": the agency's own reminder lead time."""
    days = (AgencySettings.objects.filter(agency_id=user.organisation_id)
            .values_list("remind_working_days_before", flat=True).first())
    try:
        return add_working_days(today, 2 if days is None else days)
    except NoCalendarError:
        return None


def agency_counts(user, today: date | None = None) -> dict[str, int]:
    """Open referrals of the user's agency: all, due soon, overdue; one aggregate query."""
    _require_agency(user)
    today = _today(today)
    soon = agency_soon_limit(user, today)
    return (_agency_referrals(user).filter(state=ReferralState.SENT)
            .aggregate(open=Count("state"),
                       due_soon=Count("state", filter=Q(due_on__gte=today, due_on__lte=soon or today)),
                       overdue=Count("state", filter=Q(due_on__lt=today))))


def attach_referral_clocks(referrals, today: date | None = None) -> list:
    today = _today(today)
    referrals = list(referrals)
    counter = WorkingDayCounter([today] + [r.due_on for r in referrals])
    for ref in referrals:
        ref.days_left = counter.left(today, ref.due_on)
        ref.overdue = ref.state == ReferralState.SENT and ref.due_on is not None and ref.due_on < today
        items = list(ref.application.items.all())
        ref.first_code = next((i.control_code or "*" for i in items), "")
        ref.item_count = len(items)
    return referrals


def is_agency_lead(user) -> bool:
    return user.role == Role.AGENCY_LEAD


# ---------------------------------------------------------------- provinces


PROVINCE_TABS = {
    "waiting": (_("Waiting for us"), Q(status=Status.SUBMITTED), ("submitted_at", "pk")),
    "returned": (_("Returned to the exporter"), Q(status=Status.RETURNED), ("-submitted_at", "-pk")),
    "forwarded": (_("Forwarded to the ministry"), Q(forwarded_at__isnull=False), ("-forwarded_at", "-pk")),
}


def _require_province(user) -> None:
    if not (user.is_authenticated and user.role == Role.PROVINCIAL_OFFICER):
        raise NotAllowed()


def province_queue(user, tab: str = "waiting"):
    _require_province(user)
    _label, condition, order = PROVINCE_TABS[tab]
    return (Application.objects.visible_to(user).filter(condition)
            .select_related("exporter", "province").prefetch_related("items").order_by(*order))


def attach_waiting_days(apps, today: date | None = None) -> list:
    """Set `row.waited` on each case of a province's page: the working days from submission to
    forwarding, or to today while it waits (None where the calendar is missing); one calendar read."""
    today = _today(today)
    apps = list(apps)
    spans = [(timezone.localdate(app.submitted_at) if app.submitted_at else None,
              timezone.localdate(app.forwarded_at) if app.forwarded_at else today) for app in apps]
    counter = WorkingDayCounter([today, *(day for span in spans for day in span)])
    for app, (start, end) in zip(apps, spans, strict=True):
        app.waited = counter.left(start, end) if start and app.status != Status.RETURNED else None
    return apps


def province_counts(user) -> dict[str, int]:
    _require_province(user)
    return Application.objects.visible_to(user).aggregate(**{
        name: Count("pk", filter=condition) for name, (_label, condition, _order) in PROVINCE_TABS.items()})

