"""Reads of end-user certificates: the certificate of a case, its mismatches, the day they are
judged on. Every page and API call starts from the case as `visible_to` gives it."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.certificates.checks import Mismatch, certificate_mismatches
from licensing.models import Application, EndUseCertificate
from licensing.workflow import EDITABLE_STATES
from portal.errors import NotFound, lazy_format


def visible_case(user, application_id) -> Application:
    try:
        return (Application.objects.visible_to(user).select_related("importer", "end_user")
                .get(pk=int(application_id)))
    except (Application.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def certificate_of(app: Application) -> EndUseCertificate | None:
    return (EndUseCertificate.objects.filter(application=app).select_related("document")
            .prefetch_related("lines").first())


def check_day(app: Application) -> date:
    """Validity is judged today while the exporter can still change the case, else on the day it
    was submitted."""
    if app.status in EDITABLE_STATES or app.submitted_at is None:
        return timezone.localdate()
    return timezone.localdate(app.submitted_at)


def mismatches_of(app: Application, certificate=None, on: date | None = None) -> list[Mismatch] | None:
    """The mismatches of the case's certificate; None when none is entered."""
    certificate = certificate or certificate_of(app)
    if certificate is None:
        return None
    return certificate_mismatches(certificate, certificate.lines.all(), app, list(app.items.all()),
                                  on or check_day(app))


def submission_problems(app: Application) -> list:
    """What an entered certificate gets wrong, as lines of the submission checklist."""
    return [lazy_format(_("end-user certificate: %(problem)s"), problem=m.message)
            for m in mismatches_of(app) or []]
