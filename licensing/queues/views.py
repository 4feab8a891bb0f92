"""Pages for the review queues: the dashboard (counts per queue), the ministry's queues with
filters and assign/take buttons, each agency's queue and each province's queue."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import MINISTRY_ROLES, Role
from licensing.models import ReferralState, Status
from licensing.queues import selectors as queues
from licensing.queues import services as assignment
from licensing.queues.selectors import AGENCY_TABS, MINISTRY_QUEUES, PAGE_SIZE, PROVINCE_TABS, SORTS
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages, error_page


@login_required
@require_GET
@domain_errors_as_pages
def dashboard(request):
    user = request.user
    today = timezone.localdate()
    if user.role in MINISTRY_ROLES:
        counts = queues.ministry_counts(user, today)
        return render(request, "licensing/queues/dashboard.html", {
            "kind": "ministry", "today": today,
            "queues": [(name, label, counts[name]) for name, (label, _field) in MINISTRY_QUEUES.items()]})
    if user.is_agency:
        return render(request, "licensing/queues/dashboard.html", {
            "kind": "agency", "today": today, "counts": queues.agency_counts(user, today)})
    if user.role == Role.PROVINCIAL_OFFICER:
        counts = queues.province_counts(user)
        return render(request, "licensing/queues/dashboard.html", {
            "kind": "province", "today": today,
            "tabs": [(name, label, counts[name]) for name, (label, _q, _o) in PROVINCE_TABS.items()]})
    raise NotAllowed()


@login_required
@require_GET
@domain_errors_as_pages
def ministry_queue(request, name):
    user = request.user
    if user.role not in MINISTRY_ROLES:
        raise NotAllowed()
    if name not in MINISTRY_QUEUES:
        raise Http404()
    today = timezone.localdate()
    filterset = queues.ministry_queue(user, name, request.GET, today=today, all_choices=True)
    page, status = None, 200
    if filterset.is_valid():
        try:
            page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        except ValidationFailed as exc:  # a filter the calendar cannot count
            for field, errors in exc.fields.items():
                for error in errors:
                    filterset.form.add_error(field, error)
    if page is None:
        status = 400
        messages.error(request, _("Some filters are not valid; correct them to see the cases."))
    else:
        _decorate(queues.attach_clocks(page.object_list, today))
    params = request.GET.copy()
    params.pop("page", None)
    officers = filterset.officers
    return render(request, "licensing/queues/ministry.html", {
        "queue": name, "queue_label": MINISTRY_QUEUES[name][0], "today": today,
        "tabs": [(key, label) for key, (label, _field) in MINISTRY_QUEUES.items()],
        **_filter_fields(filterset),
        "page": page, "params": params.urlencode(),
        "is_senior": user.role == Role.MINISTRY_SENIOR,
        # The same options on every row: made once (the current officer is in its own column).
        "officer_options": format_html('<option value="">{}</option>', _("Choose…")) + format_html_join(
            "", '<option value="{}">{}</option>', ((o.pk, o.name) for o in officers)),
        "next": request.get_full_path(),
    }, status=status)


def _filter_fields(filterset) -> dict:
    """The filter form's fields with their choices, drawn by the template itself: Django's
    widgets render each <option> through a template of its own, which costs more than the rows."""
    form, choices = filterset.form, filterset.choices
    return {
        "selects": [("province", form["province"], choices["province"]),
                    ("agency", form["agency"], choices["agency"]),
                    ("officer", form["officer"], [("null", _("Unassigned")), *choices["officer"]]),
                    ("sort", form["sort"], list(SORTS.items()))],
        "inputs": [("code", form["code"], 8), ("destination", form["destination"], 10),
                   ("days_left", form["days_left"], 3), ("q", form["q"], 14)],
    }


def _url_maker(name):
    """reverse() once for a page, not once per row (a page has 50 rows, each with two links)."""
    pattern = reverse(name, args=[987654321])
    return lambda pk: pattern.replace("987654321", str(pk))


def _decorate(apps) -> None:
    """The texts of each row, made here once rather than by a dozen template tags per row."""
    detail, assign_url, take_url = (_url_maker(name) for name in ("case-detail", "queues-assign", "queues-take"))
    labels = {value: str(label) for value, label in Status.choices}
    words = {"acceptance": _("acceptance"), "decision": _("decision"), "no_limit": _("no statutory limit"),
             "paused": _("clock paused"), "no_calendar": _("calendar missing"), "catch_all": _("catch-all")}
    for app in apps:
        app.urls = {"detail": detail(app.pk), "assign": assign_url(app.pk), "take": take_url(app.pk)}
        app.status_label = labels.get(app.status, app.status)
        officer = app.assigned_to
        app.assigned_to_name = (officer.get_full_name() or officer.username) if officer else ""
        clock = app.clock
        if clock.kind == "no_limit":
            app.deadline_text, app.deadline_note, app.days_text = words["no_limit"], "", "—"
        else:
            app.deadline_text = clock.due.isoformat() if clock.due else "—"
            app.deadline_note = words.get(clock.kind, "") if clock.due else ""
            if clock.days_left is None:
                app.days_text = words["no_calendar"] if clock.unknown else "—"
            elif clock.overdue_by:
                app.days_text = ngettext("overdue by %(n)d day", "overdue by %(n)d days",
                                         clock.overdue_by) % {"n": clock.overdue_by}
            else:
                app.days_text = str(clock.days_left)
            if clock.days_used is not None and clock.days_left is not None:
                app.days_text = f"{clock.days_used} / {app.days_text}"
        app.paused_text = (f"{words['paused']}: {clock.reason}" if clock.reason else words["paused"]) \
            if clock.paused else clock.reason
        first = words["catch_all"] if app.first_code == "*" else (app.first_code or "—")
        app.items_text = f"{first} +{app.item_count - 1}" if app.item_count > 1 else first


def _decorate_referrals(referrals) -> None:
    detail = _url_maker("case-detail")
    states = {value: str(label) for value, label in ReferralState.choices}
    overdue, catch_all = _("overdue"), _("catch-all")
    for ref in referrals:
        ref.detail_url = detail(ref.application_id)
        ref.state_label = states.get(ref.state, ref.state)
        if ref.state != ReferralState.SENT or ref.days_left is None:
            ref.days_text = "—"
        else:
            ref.days_text = f"{overdue} ({ref.days_left})" if ref.overdue else str(ref.days_left)
        first = catch_all if ref.first_code == "*" else (ref.first_code or "—")
        ref.items_text = f"{first} +{ref.item_count - 1}" if ref.item_count > 1 else first


@login_required
@require_GET
@domain_errors_as_pages
def agency_queue(request):
    user = request.user
    if not user.is_agency:
        raise NotAllowed()
    tab = request.GET.get("tab") or "open"
    if tab not in AGENCY_TABS:
        raise ValidationFailed(_("Unknown tab."), fields={"tab": [_("Choose open or done.")]})
    today = timezone.localdate()
    counts = queues.agency_counts(user, today)
    paginator = Paginator(queues.agency_referrals(user, tab), PAGE_SIZE)
    if tab == "open":
        paginator.count = counts["open"]  # counted already
    page = paginator.get_page(request.GET.get("page"))
    _decorate_referrals(queues.attach_referral_clocks(page.object_list, today))
    return render(request, "licensing/queues/agency.html", {
        "tab": tab, "tabs": [(key, label) for key, (label, _states) in AGENCY_TABS.items()],
        "page": page, "counts": counts, "today": today,
        "is_lead": queues.is_agency_lead(user),
    })


@login_required
@require_GET
@domain_errors_as_pages
def province_queue(request):
    user = request.user
    if user.role != Role.PROVINCIAL_OFFICER:
        raise NotAllowed()
    tab = request.GET.get("tab") or "waiting"
    if tab not in PROVINCE_TABS:
        raise ValidationFailed(_("Unknown tab."), fields={"tab": [_("Choose waiting, returned or forwarded.")]})
    page = Paginator(queues.province_queue(user, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queues.province_counts(user)
    return render(request, "licensing/queues/province.html", {
        "tab": tab, "page": page,
        "tabs": [(key, label, counts[key]) for key, (label, _q, _o) in PROVINCE_TABS.items()],
    })


# ---------------------------------------------------------------- assign and take


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    officer_id = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)


def _back_url(request, form) -> str:
    target = form.cleaned_data.get("next") if form.is_valid() else request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _assign_action(request, pk, *, take: bool):
    form = AssignForm(request.POST)
    back = _back_url(request, form)
    if not form.is_valid():
        return error_page(request, ValidationFailed(fields=form.errors), back_url=back)
    try:
        if take:
            app = assignment.case_take(application_id=pk, actor=request.user,
                                       expected_version=form.cleaned_data.get("version"))
        else:
            app = assignment.case_assign(application_id=pk, actor=request.user,
                                         officer_id=form.cleaned_data.get("officer_id"),
                                         expected_version=form.cleaned_data.get("version"))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        return error_page(request, exc, back_url=back)
    officer = app.assigned_to
    messages.success(request, _("Case %(reference)s is now handled by %(name)s.") % {
        "reference": app.reference, "name": officer.get_full_name() or officer.username})
    return redirect(back or "queues-dashboard")


@login_required
@require_POST
def assign(request, pk):
    return _assign_action(request, pk, take=False)


@login_required
@require_POST
def take(request, pk):
    return _assign_action(request, pk, take=True)


