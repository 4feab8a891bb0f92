"""Pages of the end-user certificate: the exporter's form on a draft, and the pre-filled PDF for
the end user to sign. The panel on the case page is panels.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from licensing.applications import page
from licensing.certificates import selectors, services
from licensing.certificates.forms import CertificateForm, LineFormSet, line_initial, service_data
from licensing.certificates.pdf import certificate_pdf_data, render_certificate_pdf
from licensing.workflow import EDITABLE_STATES
from portal.errors import DomainError, InvalidTransition, NotAllowed
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def certificate_edit(request, pk):
    app = page.visible_case(request, pk)
    if not request.user.is_exporter or request.user.organisation_id != app.exporter_id:
        raise NotAllowed(_("Only the exporter enters the end-user certificate."))
    if app.status not in EDITABLE_STATES:
        raise InvalidTransition(_("The end-user certificate can be changed only on a draft or a returned "
                                  "application."))
    certificate = selectors.certificate_of(app)
    status = 200
    if request.method == "POST":
        form = CertificateForm(request.POST, app=app)
        lines = LineFormSet(request.POST, prefix="lines")
        status = 400
        if form.is_valid() and lines.is_valid():
            try:
                services.certificate_save(application_id=app.pk, actor=request.user,
                                          data=service_data(form, lines),
                                          expected_version=form.cleaned_data.get("version"))
            except DomainError as exc:
                if exc.status_code not in (400, 409):
                    raise
                messages.error(request, exc.message)
                for field, problems in (exc.fields or {}).items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
                status = exc.status_code
            else:
                messages.success(request, _("Certificate saved."))
                return redirect("case-detail", pk=app.pk)
    else:
        form = CertificateForm(initial=CertificateForm.initial_from(app, certificate), app=app)
        lines = LineFormSet(prefix="lines", initial=line_initial(app, certificate))
    return render(request, "licensing/certificates/form.html",
                  {"app": app, "form": form, "lines": lines, "certificate": certificate}, status=status)


@login_required
@require_GET
def certificate_pdf(request, pk):
    app = page.visible_case(request, pk)
    return pdf_response(render_certificate_pdf(certificate_pdf_data(app)),
                        f"end-user-certificate-{app.reference or app.pk}.pdf")
