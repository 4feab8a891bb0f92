"""Pages of the registration route: filing a registration-route draft (the conditions and why not),
the certificates list and page, and the certificate's print view. Views only translate HTTP to
licensing.registration calls; every read starts from RegistrationCertificate.objects.visible_to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from licensing.applications import page, routes
from licensing.models import Route
from licensing.registration import selectors, services
from portal.errors import DomainError, InvalidTransition, NotAllowed
from portal.pages import domain_errors_as_pages, error_page


def _may_list(user) -> bool:
    return user.role in EXPORTER_ROLES or user.role in MINISTRY_ROLES or user.role == Role.CUSTOMS_OFFICER


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def registration_file_page(request, pk):
    """The exporter files a registration-route draft: the page lists the conditions not met."""
    app = page.visible_case(request, pk)
    if not request.user.is_exporter:
        raise NotAllowed()
    if app.route != Route.REGISTRATION:
        raise InvalidTransition(_("Only an application on the registration route is filed for a certificate."))
    existing = getattr(app, "registration_certificate", None)
    if existing is not None:
        return redirect("registration-certificate", number=existing.number)
    if request.method == "POST":
        try:
            certificate = services.registration_file(actor=request.user, application_id=app.pk,
                                                     expected_version=request.POST.get("version") or None)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return render(request, "licensing/registration/file.html",
                          {"app": app, "problems": exc.fields.get("conditions") or [exc.message]}, status=400)
        messages.success(request, _("The export certificate was issued."))
        return redirect("registration-certificate", number=certificate.number)
    return render(request, "licensing/registration/file.html", {"app": app, "problems": services.filing_problems(app)})


@login_required
@require_GET
def certificate_list(request):
    if not _may_list(request.user):
        return error_page(request, NotAllowed())
    page_ = Paginator(selectors.certificates_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "licensing/registration/list.html", {"page": page_})


def _certificate(request, number):
    certificate = selectors.certificate_for(request.user, number)
    if certificate is None:
        raise Http404()
    return certificate


@login_required
@require_GET
def certificate_page(request, number):
    return render(request, "licensing/registration/certificate.html",
                  {"certificate": _certificate(request, number), "print": False})


@login_required
@require_GET
def certificate_print(request, number):
    """The certificate alone, bilingual, laid out for printing (the browser's print to PDF)."""
    return render(request, "licensing/registration/certificate_print.html",
                  {"certificate": _certificate(request, number)})


@login_required
@require_POST
def general_validity(request, pk):
    """The ministry shortens a general licence's validity while it reviews the case."""
    try:
        routes.general_validity_set(actor=request.user, application_id=pk,
                                    valid_until=request.POST.get("valid_until", ""),
                                    expected_version=request.POST.get("version") or None)
    except DomainError as exc:
        return page.case_error(request, pk, exc)
    messages.success(request, _("The validity was set."))
    return redirect("case-detail", pk=pk)
