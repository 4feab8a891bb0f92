"""Pages for catch-all notices (Law 12(3)): the ministry issues, lists, follows acknowledgements and
withdraws; an exporter's users read the notices to their company and acknowledge them."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from controllist.notices import selectors, services
from portal.errors import DomainError, NotFound
from portal.pages import domain_errors_as_pages

STATUSES = ("in_force", "scheduled", "ended", "withdrawn")
STATUS_LABELS = {
    "in_force": gettext_lazy("In force"), "scheduled": gettext_lazy("Scheduled"),
    "ended": gettext_lazy("Ended"), "withdrawn": gettext_lazy("Withdrawn"),
}
LIST_LIMIT = 500


class NoticeForm(forms.Form):
    """Plain fields; the service checks the content (one source of rules)."""

    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    addressee = forms.ChoiceField(label=gettext_lazy("Addressed to"), widget=forms.RadioSelect, initial="one",
                                  choices=[("one", gettext_lazy("One exporter")),
                                           ("all", gettext_lazy("All exporters"))])
    exporter = forms.CharField(label=gettext_lazy("Exporter (unified social credit code)"), max_length=18,
                               required=False)
    item_description = forms.CharField(
        label=gettext_lazy("Item description"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One phrasing a line, e.g. the Chinese and the English."))
    item_codes = forms.CharField(label=gettext_lazy("Control code prefixes"), required=False, max_length=1000,
                                 help_text=gettext_lazy("Separated by commas, e.g. 3A0, 1C902.a"))
    item_keywords = forms.CharField(label=gettext_lazy("HS codes and keywords"), required=False, max_length=2000,
                                    help_text=gettext_lazy("Separated by commas; an HS code covers the codes "
                                                           "that begin with it."))
    end_user_names = forms.CharField(
        label=gettext_lazy("End user names"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Every form of the name, one a line (Chinese, English, aliases)."))
    end_use = forms.CharField(label=gettext_lazy("End use"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=gettext_lazy("One phrasing a line."))
    destinations = forms.CharField(label=gettext_lazy("Destinations"), required=False, max_length=1000,
                                   help_text=gettext_lazy("ISO country codes separated by commas, e.g. "
                                                          "US, JP; leave empty for every destination."))
    reason_zh = forms.CharField(label=gettext_lazy("Reason (Chinese)"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    reason_en = forms.CharField(label=gettext_lazy("Reason (English)"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=gettext_lazy("Legal basis"), required=False, max_length=300,
                                  initial=services.DEFAULT_LEGAL_BASIS)
    issued_on = forms.DateField(label=gettext_lazy("Issued on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Ends on (optional)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("client_token", None)
        data["all_exporters"] = data.pop("addressee") == "all"
        if data["all_exporters"]:
            data["exporter"] = ""
        return data

    def add_service_errors(self, exc: DomainError) -> None:
        for name, errors in (exc.fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        if not exc.fields:
            self.add_error(None, exc.message)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (required)"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _require_ministry(user):
    if not user.is_ministry:
        raise PermissionDenied


def _require_reader(user):
    if not (user.is_ministry or user.is_exporter):
        raise PermissionDenied


@login_required
@require_GET
def notice_list(request):
    _require_reader(request.user)
    today = timezone.localdate()
    wanted = request.GET.get("status", "in_force" if request.user.is_ministry else "")
    notices = list(selectors.notices_visible_to(request.user)[:LIST_LIMIT])
    acknowledged = set()
    if request.user.is_exporter:
        acknowledged = set(selectors.acknowledged_ids(request.user.organisation_id, [n.pk for n in notices]))
    for notice in notices:
        notice.status_key = notice.status(today)
        notice.status_label = STATUS_LABELS[notice.status_key]
        notice.acknowledged = notice.pk in acknowledged
    counts = {key: sum(1 for n in notices if n.status_key == key) for key in STATUSES}
    if wanted in STATUSES:
        notices = [n for n in notices if n.status_key == wanted]
    return render(request, "controllist/notices/list.html", {
        "notices": notices, "wanted": wanted, "filtered": wanted in STATUSES,
        "filters": [(key, STATUS_LABELS[key], counts[key]) for key in STATUSES],
        "can_issue": request.user.is_ministry})


@login_required
@domain_errors_as_pages
def notice_new(request):
    _require_ministry(request.user)
    if request.method != "POST":
        form = NoticeForm(initial={"client_token": uuid.uuid4(), "issued_on": timezone.localdate()})
        return render(request, "controllist/notices/form.html", {"form": form})
    form = NoticeForm(request.POST)
    if form.is_valid():
        try:
            notice = services.notice_issue(actor=request.user, data=form.service_data(),
                                           client_token=form.cleaned_data.get("client_token"))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Catch-all notice %(number)s issued.") % {"number": notice.number})
            return redirect("notice-detail", pk=notice.pk)
    return render(request, "controllist/notices/form.html", {"form": form}, status=400)


def _detail(request, notice, withdraw_form=None, status=200):
    user = request.user
    notice.status_key = notice.status()
    notice.status_label = STATUS_LABELS[notice.status_key]
    context = {"notice": notice, "is_ministry": user.is_ministry}
    if user.is_ministry:
        context["table"] = selectors.acknowledgement_table(notice)
        context["citations"] = notice.citations.select_related("exporter").order_by("-cited_at")[:200]
        context["can_withdraw"] = notice.withdrawn_at is None
        context["withdraw_form"] = withdraw_form or WithdrawForm(initial={"version": notice.version})
    else:
        context["acknowledgement"] = selectors.acknowledged_by(notice, user.organisation_id)
        context["can_acknowledge"] = context["acknowledgement"] is None and notice.withdrawn_at is None
    return render(request, "controllist/notices/detail.html", context, status=status)


def _visible(request, pk):
    _require_reader(request.user)
    notice = selectors.notice_for(request.user, pk)
    if notice is None:
        raise Http404()
    return notice


@login_required
@require_GET
def notice_detail(request, pk):
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
@domain_errors_as_pages
def notice_acknowledge(request, pk):
    notice = _visible(request, pk)
    services.notice_acknowledge(actor=request.user, notice_id=notice.pk)
    messages.success(request, _("Notice %(number)s acknowledged.") % {"number": notice.number})
    return redirect("notice-detail", pk=notice.pk)


@login_required
@require_POST
@domain_errors_as_pages
def notice_withdraw(request, pk):
    notice = _visible(request, pk)
    _require_ministry(request.user)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.notice_withdraw(actor=request.user, notice_id=notice.pk,
                                 reason=form.cleaned_data.get("reason", ""),
                                 expected_version=form.cleaned_data.get("version"))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
        notice.refresh_from_db()
        return _detail(request, notice, withdraw_form=form, status=exc.status_code)
    messages.success(request, _("Notice %(number)s withdrawn.") % {"number": notice.number})
    return redirect("notice-detail", pk=notice.pk)
