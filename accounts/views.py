from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts import services
from accounts.models import Organisation, OrgKind, Province, Role, Verification
from portal.errors import DomainError, NotAllowed
from portal.pages import domain_errors_as_pages


class ProvinceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name_zh if (get_language() or "").startswith("zh") else obj.name_en


class RegisterForm(forms.Form):
    uscc = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40,
                           help_text=gettext_lazy("18 characters, as on the business licence"))
    name_zh = forms.CharField(label=gettext_lazy("Company name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Company name (English)"), max_length=200)
    province = ProvinceChoiceField(label=gettext_lazy("Province of registration"),
                                   queryset=Province.objects.all(), to_field_name="code")
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300)
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=40)
    email = forms.EmailField(label=gettext_lazy("Email"))
    full_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=150, required=False)
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Colleague's email"))


class AcceptForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=150, required=False)
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


def _add_errors(form, exc: DomainError):
    placed = False
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            if field in form.fields:
                form.add_error(field, error)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


def register(request):
    if request.method == "POST":
        form = RegisterForm(request.POST)
        if form.is_valid():
            data = {**form.cleaned_data, "province": form.cleaned_data["province"].code}
            try:
                org, user = services.exporter_register(data=data)
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your company is registered. You are its administrator."))
                return redirect("home")
        return render(request, "accounts/register.html", {"form": form}, status=400)
    return render(request, "accounts/register.html", {"form": RegisterForm()})


@login_required
@domain_errors_as_pages
def staff(request):
    if request.user.role != Role.EXPORTER_ADMIN:
        raise NotAllowed(_("Only the company's administrator can manage staff."))
    org = request.user.organisation
    form = InviteForm()
    status = 200
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_create(actor=request.user, email=form.cleaned_data["email"])
            except DomainError as exc:
                _add_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("staff")
        else:
            status = 400
    return render(request, "accounts/staff.html", {
        "form": form, "org": org,
        "members": org.users.order_by("username"),
        "invitations": org.invitations.filter(accepted_at__isnull=True).order_by("-created_at"),
    }, status=status)


@domain_errors_as_pages
def invitation_accept(request, token):
    invitation = services.invitation_open(token)
    form = AcceptForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.invitation_accept(token=token, data=form.cleaned_data)
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome. Your account is ready."))
                return redirect("home")
        return render(request, "accounts/invitation_accept.html",
                      {"form": form, "invitation": invitation}, status=400)
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@login_required
@domain_errors_as_pages
def companies(request):
    """Provincial officers verify the exporters that registered in their province."""
    if request.user.role != Role.PROVINCIAL_OFFICER:
        raise NotAllowed()
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "verify":
                org = services.organisation_verify(organisation_id=request.POST.get("organisation"),
                                                   actor=request.user)
                messages.success(request, _("%(name)s is verified.") % {"name": org.name_zh})
            else:
                org = services.organisation_reject(organisation_id=request.POST.get("organisation"),
                                                   actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("The registration of %(name)s was rejected.") % {"name": org.name_zh})
            return redirect("companies")
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            messages.error(request, exc.message)
            status = exc.status_code
    qs = Organisation.objects.visible_to(request.user).filter(kind=OrgKind.EXPORTER)
    return render(request, "accounts/companies.html", {
        "pending": qs.filter(verification=Verification.PENDING).order_by("created_at"),
        "others": qs.exclude(verification=Verification.PENDING).order_by("-created_at")[:200],
    }, status=status)
