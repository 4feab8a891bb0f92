from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.models import Organisation, OrgKind, Province, Role, Verification
from accounts.signin import selectors as signin_selectors
from accounts.signin.services import is_system_administrator
from portal.errors import DomainError, NotAllowed
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response


class ProvinceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name_zh if (get_language() or "").startswith("zh") else obj.name_en


def _password_rules() -> str:
    """Django's password validators describe themselves, translated: shown before the user types."""
    return " ".join(password_validators_help_texts())


PASSWORD_RULES = lazy(_password_rules, str)()


class PasswordTwiceForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Password"), help_text=PASSWORD_RULES, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=gettext_lazy("Password (again)"), strip=False,
                                     help_text=gettext_lazy("Type the same password again."),
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class RegisterForm(PasswordTwiceForm):
    field_order = ["uscc", "province", "name_zh", "name_en", "licence_scan", "address", "contact_name",
                   "contact_phone", "email", "full_name", "username", "password", "password_again"]
    uscc = forms.CharField(label=gettext_lazy("Unified social credit code"), max_length=40,
                           help_text=gettext_lazy("18 characters, as on the business licence"),
                           # When the code is left, the province it names is selected (htmx).
                           widget=forms.TextInput(attrs={
                               "hx-get": reverse_lazy("register-province"), "hx-trigger": "change",
                               "hx-target": "#id_province", "hx-swap": "outerHTML",
                               "hx-include": "#id_province"}))
    name_zh = forms.CharField(label=gettext_lazy("Company name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Company name (English)"), max_length=200)
    province = ProvinceChoiceField(
        label=gettext_lazy("Province of registration"), queryset=Province.objects.all(), to_field_name="code",
        required=False, empty_label=gettext_lazy("The one the credit code names"),
        help_text=gettext_lazy("Characters 3 to 8 of the credit code name the place of registration; the "
                               "provincial department there verifies the registration."))
    licence_scan = forms.FileField(
        label=gettext_lazy("Business licence (scan, PDF)"),
        help_text=gettext_lazy("The provincial department compares it with what you enter here."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300)
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=40)
    email = forms.EmailField(label=gettext_lazy("Email"))
    full_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=150, required=False)
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)

    # The code and the province are checked here too, so the page shows those errors together
    # with any missing field; the service checks them again.
    def clean_uscc(self):
        try:
            return services.clean_uscc(self.cleaned_data["uscc"])
        except DomainError as exc:
            raise forms.ValidationError(exc.fields.get("uscc") or [exc.message]) from None

    def clean(self):
        data = super().clean()
        if data.get("uscc"):
            province = data.get("province")
            try:
                services.registration_province(data["uscc"], province.code if province else "")
            except DomainError as exc:
                self.add_error("province", exc.fields.get("province") or [exc.message])
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Colleague's email"))


class AcceptForm(PasswordTwiceForm):
    field_order = ["full_name", "username", "password", "password_again"]
    full_name = forms.CharField(label=gettext_lazy("Your full name"), max_length=150, required=False)
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)


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
        form = RegisterForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            scan = data.pop("licence_scan")
            data["province"] = data["province"].code if data["province"] else ""
            try:
                org, user = services.exporter_register(data=data, licence_scan=scan)
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your company is registered. You are its administrator."))
                return redirect("home")
        return render(request, "accounts/register.html", {"form": form}, status=400)
    return render(request, "accounts/register.html", {"form": RegisterForm()})


def register_province(request):
    """The province select, with the province the typed credit code names chosen (or the
    visitor's choice kept when the code names none or is not yet valid)."""
    chosen = str(request.GET.get("province", ""))[:2]
    try:
        derived = services.province_for_uscc(services.clean_uscc(request.GET.get("uscc", "")))
    except DomainError:
        derived = None
    form = RegisterForm(initial={"province": derived.code if derived else chosen})
    return HttpResponse(str(form["province"]))


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
    qs = (Organisation.objects.visible_to(request.user).filter(kind=OrgKind.EXPORTER)
          .select_related("licence_scan"))
    return render(request, "accounts/companies.html", {
        "pending": qs.filter(verification=Verification.PENDING).order_by("created_at"),
        "others": qs.exclude(verification=Verification.PENDING).order_by("-created_at")[:200],
    }, status=status)


@login_required
@domain_errors_as_pages
def licence_scan_download(request, pk):
    """The company's business licence scan: for the province that verifies it, the ministry and
    the company itself (404 for anyone else)."""
    scan = selectors.licence_scan_for(request.user, pk)
    return pdf_response(scan.file.read(), scan.original_name)


@login_required
@domain_errors_as_pages
def registration_checks(request):
    """For the system administrator: registrations in a province their credit code does not
    name, and sign-ins locked after too many failures (with the unlock)."""
    if not is_system_administrator(request.user):
        raise NotAllowed(_("Only a system administrator can see the registration checks."))
    provinces = selectors.provinces_by_code()
    mismatches = [(org, provinces.get(org.code_province)) for org in selectors.province_mismatches()[:500]]
    return render(request, "accounts/registration_checks.html", {
        "mismatches": mismatches,
        "locks": signin_selectors.signin_locks(),
        "failures": signin_selectors.failed_signins(),
    })
