"""Writes to licences: numbering and issuing the signed PDF of an approved case."""

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from stdnum.iso7064 import mod_37_36

from audit import services as audit
from licensing.applications import timeline
from licensing.licences import pdf as licence_pdf
from licensing.licences.selectors import licence_pdf_data
from licensing.licences.signing import sign_licence_pdf
from licensing.models import Application, Counter, Licence, Status

LICENCE_ISSUER_CODE = "MC"  # 商务部 MOFCOM
INDIVIDUAL_LICENCE_VALIDITY_DAYS = 365  # Reg. 19: at most one year


def licence_number(year: int, serial: int) -> str:
    body = f"{year}{LICENCE_ISSUER_CODE}{serial:06d}"
    return body + mod_37_36.calc_check_digit(body)


def licence_number_is_valid(number: str) -> bool:
    return bool(number) and mod_37_36.is_valid(number.upper())


def approved_without_licence(older_than_seconds: int = 120) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(Application.objects.filter(status=Status.APPROVED, licence__isnull=True,
                                           decided_at__lte=cutoff).values_list("pk", flat=True))


@transaction.atomic
def licence_issue(*, application_id) -> Licence | None:
    """Issue the licence of an approved case. Safe to run twice: the second run finds the licence
    (and the database would refuse a second one anyway)."""
    app = (Application.objects.select_for_update(of=("self",)).select_related("exporter", "importer", "end_user")
           .filter(pk=application_id).first())
    if app is None or app.status != Status.APPROVED:
        return None
    existing = Licence.objects.filter(application=app).first()
    if existing:
        return existing
    issued_at = timezone.now()
    valid_from = timezone.localdate(issued_at)
    year = valid_from.year
    licence = Licence(application=app, number=licence_number(year, Counter.objects.next_value("licence", year)),
                      issued_at=issued_at, valid_from=valid_from,
                      valid_until=valid_from + timedelta(days=INDIVIDUAL_LICENCE_VALIDITY_DAYS - 1))
    content = sign_licence_pdf(licence_pdf.render_licence_pdf(licence_pdf_data(licence)))
    licence.pdf = content
    licence.sha256 = hashlib.sha256(content).hexdigest()
    licence.save()
    audit.record(actor=None, action="licence.issue", obj=licence,
                 after={"application": app.pk, "number": licence.number, "sha256": licence.sha256,
                        "valid_until": licence.valid_until.isoformat()})
    timeline.tell_exporter(app, "licence", key="licence", body=f"{licence.number}")
    return licence
