"""Pages for temporary controls and prohibitions (everyone signed in reads them; ministry officers
add, extend, cancel and revoke), and the "do I need a licence?" page for any signed-in user."""

import re
import uuid
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from controllist.controls import determination, services
from controllist.models import Prohibition, TemporaryControl, TemporaryControlState
from portal import countries
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages

LIST_LIMIT = 500


def _date_widget():
    return forms.DateInput(attrs={"type": "date"})


class ServiceErrorsMixin:
    def add_service_errors(self, exc: DomainError) -> None:
        for name, errors in (exc.fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        if not exc.fields:
            self.add_error(None, exc.message)


class TemporaryControlForm(ServiceErrorsMixin, forms.Form):
    """Plain fields; the service checks the content (one source of rules)."""

    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    title_zh = forms.CharField(label=gettext_lazy("Item (Chinese)"), max_length=300, required=False)
    title_en = forms.CharField(label=gettext_lazy("Item (English)"), max_length=300, required=False)
    description_zh = forms.CharField(label=gettext_lazy("Description and parameters (Chinese)"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    description_en = forms.CharField(label=gettext_lazy("Description and parameters (English)"),
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    control_code = forms.CharField(label=gettext_lazy("Export control code (optional)"), max_length=32,
                                   required=False)
    hs_codes = forms.CharField(label=gettext_lazy("HS codes"), max_length=500, required=False,
                               help_text=gettext_lazy("4 to 10 digits each, separated by commas."))
    destinations = forms.CharField(label=gettext_lazy("Destinations"), max_length=1000, required=False,
                                   help_text=gettext_lazy("ISO country codes separated by commas, e.g. "
                                                          "US, JP; leave empty for every destination."))
    announcement = forms.CharField(label=gettext_lazy("Announcement"), max_length=200, required=False)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), required=False, widget=_date_widget())
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), required=False, widget=_date_widget(),
                              help_text=gettext_lazy("At most two years after the start (Reg. 12)."))

    def service_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "client_token"}


class ExtendForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    new_ends_on = forms.DateField(label=gettext_lazy("New end date"), widget=_date_widget())


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ProhibitionForm(ServiceErrorsMixin, forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    item_code = forms.CharField(label=gettext_lazy("Item code or code prefix"), max_length=32,
                                required=False, help_text=gettext_lazy("e.g. 1C902.a, or 1C9 for all 1C9xx items"))
    temporary_control = forms.ChoiceField(label=gettext_lazy("Or: the item of a temporary control"),
                                          required=False)
    item_description = forms.CharField(label=gettext_lazy("Item description"), max_length=300,
                                       required=False)
    destination = forms.ChoiceField(label=gettext_lazy("Destination"), required=False,
                                    choices=countries.destination_choices)
    party_name = forms.CharField(label=gettext_lazy("Party name"), max_length=300, required=False)
    party_country = forms.ChoiceField(label=gettext_lazy("Party country"), required=False,
                                      choices=countries.choices)
    reason_zh = forms.CharField(label=gettext_lazy("Reason (Chinese)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    reason_en = forms.CharField(label=gettext_lazy("Reason (English)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    announcement = forms.CharField(label=gettext_lazy("Announcement"), max_length=200, required=False)
    effective_from = forms.DateField(label=gettext_lazy("Effective from"), required=False,
                                     widget=_date_widget())
    effective_until = forms.DateField(label=gettext_lazy("Effective until (optional)"), required=False,
                                      widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        controls = TemporaryControl.objects.filter(state=TemporaryControlState.ACTIVE)
        self.fields["temporary_control"].choices = [("", "—")] + [
            (str(control.pk), f"{control.number} {control.title_zh} / {control.title_en}")
            for control in controls]

    def service_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "client_token"}


ANSWER_CHOICES = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class ItemRowForm(forms.Form):
    control_code = forms.CharField(label=gettext_lazy("Export control code"), max_length=32, required=False)
    description = forms.CharField(label=gettext_lazy("Or: describe the item"), max_length=500,
                                  required=False)
    hs_code = forms.CharField(label=gettext_lazy("HS code (optional)"), max_length=10, required=False)


def item_rows(extra: int = 0):
    return forms.formset_factory(ItemRowForm, extra=extra, max_num=determination.MAX_ITEMS,
                                 validate_max=True, absolute_max=determination.MAX_ITEMS)


class DetermineForm(ServiceErrorsMixin, forms.Form):
    destination = forms.ChoiceField(label=gettext_lazy("Destination country"), choices=countries.destination_choices)
    end_user_name = forms.CharField(label=gettext_lazy("End user name"), max_length=300, required=False)
    end_user_country = forms.ChoiceField(label=gettext_lazy("End user country"), required=False,
                                         choices=countries.choices)
    importer_name = forms.CharField(label=gettext_lazy("Importer name"), max_length=300, required=False)
    importer_country = forms.ChoiceField(label=gettext_lazy("Importer country"), required=False,
                                         choices=countries.choices)
    end_use = forms.CharField(label=gettext_lazy("End use"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in determination.CATCH_ALL_QUESTIONS:
            self.fields[f"q_{question.key}"] = forms.ChoiceField(
                label=question.text, help_text=question.explanation, required=False,
                choices=ANSWER_CHOICES, widget=forms.RadioSelect)

    def questions(self):
        return [self[f"q_{question.key}"] for question in determination.CATCH_ALL_QUESTIONS]

    def request_data(self, rows) -> dict:
        data = dict(self.cleaned_data)
        answers = {q.key: {"yes": True, "no": False}.get(data.pop(f"q_{q.key}", ""))
                   for q in determination.CATCH_ALL_QUESTIONS}
        items = [row.cleaned_data for row in rows if any((row.cleaned_data or {}).values())]
        return {**data, "items": items, "catch_all": answers}


def _require_ministry(user) -> None:
    if not user.is_ministry:
        raise NotAllowed()


# ---------------------------------------------------------------- temporary controls


def control_status(control: TemporaryControl, today) -> str:
    if control.state != TemporaryControlState.ACTIVE:
        return control.state
    if control.ends_on < today:
        return TemporaryControlState.LAPSED  # lapsed by itself; the daily task records it later
    return "scheduled" if control.starts_on > today else "in_force"


STATUS_LABELS = {
    "in_force": gettext_lazy("In force"),
    "scheduled": gettext_lazy("Scheduled"),
    TemporaryControlState.LAPSED: gettext_lazy("Lapsed"),
    TemporaryControlState.CANCELLED: gettext_lazy("Cancelled"),
    TemporaryControlState.LISTED: gettext_lazy("Moved onto the list"),
}


def _annotate(control: TemporaryControl, today, is_ministry: bool) -> TemporaryControl:
    control.status = control_status(control, today)
    control.status_label = STATUS_LABELS[control.status]
    control.days_left = (control.ends_on - today).days if control.status in ("in_force", "scheduled") else None
    control.review_due = (is_ministry and control.days_left is not None
                          and control.ends_on - timedelta(days=services.REVIEW_NOTICE_DAYS) <= today)
    return control


@login_required
@require_GET
def temporary_list(request):
    today = timezone.localdate()
    is_ministry = request.user.is_ministry
    controls = [_annotate(control, today, is_ministry)
                for control in TemporaryControl.objects.all()[:LIST_LIMIT]]
    groups = [(key, STATUS_LABELS[key], [c for c in controls if c.status == key])
              for key in ("in_force", "scheduled", TemporaryControlState.LAPSED,
                          TemporaryControlState.CANCELLED, TemporaryControlState.LISTED)]
    return render(request, "controllist/temporary_list.html",
                  {"groups": groups, "can_create": is_ministry, "today": today})


@login_required
@domain_errors_as_pages
def temporary_new(request):
    _require_ministry(request.user)
    if request.method != "POST":
        form = TemporaryControlForm(initial={"client_token": uuid.uuid4(), "starts_on": timezone.localdate()})
        return render(request, "controllist/temporary_form.html", {"form": form})
    form = TemporaryControlForm(request.POST)
    if form.is_valid():
        try:
            control = services.temporary_control_create(
                actor=request.user, data=form.service_data(),
                client_token=form.cleaned_data.get("client_token"))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Temporary control %(number)s recorded.") % {"number": control.number})
            return redirect("controllist-temporary-detail", pk=control.pk)
    return render(request, "controllist/temporary_form.html", {"form": form}, status=400)


def _temporary_context(request, control, **forms_):
    today = timezone.localdate()
    _annotate(control, today, request.user.is_ministry)
    can_change = request.user.is_ministry and control.status in ("in_force", "scheduled")
    return {
        "control": control,
        "can_change": can_change,
        "can_extend": can_change and control.extensions < services.MAX_EXTENSIONS,
        "max_extensions": services.MAX_EXTENSIONS,
        "latest_end": services.extension_limit(control.ends_on),
        **{name: forms_.get(name) or form_class(initial={"version": control.version}, auto_id=f"{name}_%s")
           for form_class, name, _done in TEMPORARY_ACTIONS.values()},
        "prohibitions": control.prohibitions.all(),
    }


@login_required
@require_GET
def temporary_detail(request, pk):
    control = get_object_or_404(TemporaryControl, pk=pk)
    return render(request, "controllist/temporary_detail.html", _temporary_context(request, control))


TEMPORARY_ACTIONS = {
    "extend": (ExtendForm, "extend_form", gettext_lazy("The temporary control was extended.")),
    "cancel": (ReasonForm, "cancel_form", gettext_lazy("The temporary control was cancelled.")),
    "move-to-list": (ReasonForm, "list_form",
                     gettext_lazy("The temporary control ends here: the item moves onto the list.")),
}


@login_required
@require_POST
@domain_errors_as_pages
def temporary_act(request, pk, action):
    if action not in TEMPORARY_ACTIONS:
        raise Http404()
    control = get_object_or_404(TemporaryControl, pk=pk)
    _require_ministry(request.user)
    form_class, form_name, done = TEMPORARY_ACTIONS[action]
    form = form_class(request.POST, auto_id=f"{form_name}_%s")
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        version = form.cleaned_data.get("version")
        if action == "extend":
            services.temporary_control_extend(actor=request.user, control_id=control.pk,
                                              new_ends_on=form.cleaned_data["new_ends_on"],
                                              expected_version=version)
        elif action == "cancel":
            services.temporary_control_cancel(actor=request.user, control_id=control.pk,
                                              reason=form.cleaned_data["reason"], expected_version=version)
        else:
            services.temporary_control_list_move(actor=request.user, control_id=control.pk,
                                                 reason=form.cleaned_data["reason"], expected_version=version)
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
        control.refresh_from_db()
        return render(request, "controllist/temporary_detail.html",
                      _temporary_context(request, control, **{form_name: form}), status=exc.status_code)
    messages.success(request, done)
    return redirect("controllist-temporary-detail", pk=control.pk)


# ---------------------------------------------------------------- prohibitions


def _prohibition_status(ban: Prohibition, today) -> tuple[str, str]:
    if ban.revoked_at is not None:
        return "revoked", gettext_lazy("Revoked")
    if ban.effective_from > today:
        return "scheduled", gettext_lazy("Scheduled")
    if ban.effective_until is not None and ban.effective_until < today:
        return "expired", gettext_lazy("Expired")
    return "in_force", gettext_lazy("In force")


@login_required
@require_GET
def prohibition_list(request):
    today = timezone.localdate()
    bans = list(Prohibition.objects.select_related("temporary_control")[:LIST_LIMIT])
    for ban in bans:
        ban.status, ban.status_label = _prohibition_status(ban, today)
    return render(request, "controllist/prohibition_list.html",
                  {"prohibitions": bans, "can_create": request.user.is_ministry})


@login_required
@domain_errors_as_pages
def prohibition_new(request):
    _require_ministry(request.user)
    if request.method != "POST":
        form = ProhibitionForm(initial={"client_token": uuid.uuid4(), "effective_from": timezone.localdate(),
                                        "temporary_control": request.GET.get("temporary_control", "")})
        return render(request, "controllist/prohibition_form.html", {"form": form})
    form = ProhibitionForm(request.POST)
    if form.is_valid():
        try:
            ban = services.prohibition_create(actor=request.user, data=form.service_data(),
                                              client_token=form.cleaned_data.get("client_token"))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Prohibition %(number)s recorded.") % {"number": ban.number})
            return redirect("controllist-prohibition", pk=ban.pk)
    return render(request, "controllist/prohibition_form.html", {"form": form}, status=400)


def _prohibition_context(request, ban, revoke_form=None):
    ban.status, ban.status_label = _prohibition_status(ban, timezone.localdate())
    return {"ban": ban, "can_revoke": request.user.is_ministry and ban.revoked_at is None,
            "revoke_form": revoke_form or ReasonForm()}


@login_required
@require_GET
def prohibition_detail(request, pk):
    ban = get_object_or_404(Prohibition.objects.select_related("temporary_control", "revoked_by"), pk=pk)
    return render(request, "controllist/prohibition_detail.html", _prohibition_context(request, ban))


@login_required
@require_POST
@domain_errors_as_pages
def prohibition_revoke(request, pk):
    ban = get_object_or_404(Prohibition, pk=pk)
    _require_ministry(request.user)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.prohibition_revoke(actor=request.user, prohibition_id=ban.pk,
                                    reason=form.cleaned_data.get("reason", ""))
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        messages.error(request, exc.message)
        ban.refresh_from_db()
        return render(request, "controllist/prohibition_detail.html",
                      _prohibition_context(request, ban, form), status=exc.status_code)
    messages.success(request, _("The prohibition was revoked."))
    return redirect("controllist-prohibition", pk=ban.pk)


# ---------------------------------------------------------------- "do I need a licence?"


def _row_count(request) -> int:
    raw = request.GET.get("rows", "")
    # Not str.isdigit(): it lets through "²", which int() refuses.
    if not re.fullmatch(r"[0-9]{1,3}", raw):
        return 3
    return min(max(int(raw), 1), determination.MAX_ITEMS)


@login_required
def determine_page(request):
    if request.method == "POST":
        form = DetermineForm(request.POST)
        rows = item_rows()(request.POST, prefix="items")
        if form.is_valid() and rows.is_valid():
            try:
                kwargs = determination.clean_request(form.request_data(rows))
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                exporter = request.user.organisation if request.user.is_exporter else None
                answer = determination.determine(exporter=exporter, **kwargs)
                return render(request, "controllist/determine.html",
                              {"form": form, "rows": rows, "answer": answer})
        return render(request, "controllist/determine.html", {"form": form, "rows": rows}, status=400)
    rows = item_rows(_row_count(request))(prefix="items")
    return render(request, "controllist/determine.html",
                  {"form": DetermineForm(), "rows": rows, "max_rows": determination.MAX_ITEMS})
