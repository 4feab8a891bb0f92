"""The end-user certificate panel of the case page: the certificate as entered and every way it
does not match the application, for whoever sees the case; the exporter of a draft is offered
the form, and told when the structured certificate is still to be entered."""

from licensing.certificates import selectors
from licensing.workflow import EDITABLE_STATES


def panel_context(request, app) -> dict:
    user = request.user
    certificate = selectors.certificate_of(app)
    can_edit = (user.is_exporter and user.organisation_id == app.exporter_id and app.status in EDITABLE_STATES)
    return {"certificate_panel": {
        "certificate": certificate,
        "lines": list(certificate.lines.all()) if certificate else [],
        "mismatches": selectors.mismatches_of(app, certificate) if certificate else [],
        "checked_on": selectors.check_day(app),
        "can_edit": can_edit,
        "recommend": can_edit and certificate is None,
    }}
