"""Writes to the structured end-user certificate (Reg. 24) of an application. The exporter enters
what the signed certificate says while the application is a draft (or returned); the portal
checks it against the application (licensing.certificates.checks) on the page and at submission."""

from datetime import date, datetime
from decimal import Decimal, DecimalException

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES
from audit import services as audit
from licensing.models import CertificateLine, DocumentKind, EndUseCertificate
from licensing.workflow import EDITABLE_STATES, lock_case
from portal.errors import InvalidTransition, NotAllowed, StaleVersion, ValidationFailed, lazy_format
from portal.text import clean_text

TEXTS = {  # field: (at most, required)
    "end_user_name": (300, True), "importer_name": (300, True), "end_use": (2000, True),
    "place_of_use": (500, True), "signatory_name": (200, False), "signatory_title": (200, False),
}
FLAGS = ("no_wmd_use", "no_end_use_change", "no_third_party_transfer", "sealed")
DATES = ("signed_on", "valid_until")
LINE_TEXTS = {"item_name": (500, True), "specification": (200, False), "unit": (20, True),
              "contract_number": (100, False)}
FIELDS = (*TEXTS, *FLAGS, *DATES, "document", "lines")
MAX_LINES = 50


def _fail(field, message):
    raise ValidationFailed(message, fields={field: [message]})


def _text(value, field, limit, required) -> str:
    return clean_text(value, field, limit=limit, required=required)


def _date(value, field) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    _fail(field, _("Give a date (YYYY-MM-DD)."))


def _number(value, field, *, places: int, positive: bool) -> Decimal:
    number = None
    if isinstance(value, (int, str, Decimal)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except DecimalException:
            number = None
    if number is None or not number.is_finite() or abs(number) >= Decimal("1e15"):
        _fail(field, _("Enter a number."))
    if (positive and number <= 0) or number < 0:
        _fail(field, _("Must be greater than zero.") if positive else _("Must not be negative."))
    if number.normalize().as_tuple().exponent < -places:
        _fail(field, lazy_format(_("At most %(n)s decimal places."), n=places))
    return number.normalize()


def _line(data, index) -> dict:
    prefix = f"lines.{index}"
    if not isinstance(data, dict):
        _fail(prefix, _("Expected an object describing the line."))
    unknown = set(data) - {*LINE_TEXTS, "quantity", "value", "currency"}
    if unknown:
        _fail(prefix, lazy_format(_("Unknown fields: %(fields)s."), fields=sorted(unknown)))
    line = {name: _text(data.get(name), f"{prefix}.{name}", limit, required)
            for name, (limit, required) in LINE_TEXTS.items()}
    line["quantity"] = _number(data.get("quantity"), f"{prefix}.quantity", places=3, positive=True)
    line["value"] = _number(data.get("value"), f"{prefix}.value", places=2, positive=False)
    currency = data.get("currency") or "CNY"
    if not isinstance(currency, str) or not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        _fail(f"{prefix}.currency", _("A three-letter currency code, e.g. CNY, EUR or USD."))
    line["currency"] = currency.upper()
    return line


def clean(data, app) -> dict:
    """The certificate as the exporter typed it, checked for shape only: what it says against the
    application is for checks.certificate_mismatches."""
    if not isinstance(data, dict):
        raise ValidationFailed()
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationFailed(lazy_format(_("Unknown fields: %(fields)s."), fields=sorted(unknown)))
    cleaned = {name: _text(data.get(name), name, limit, required) for name, (limit, required) in TEXTS.items()}
    for name in FLAGS:
        value = data.get(name, False)
        if not isinstance(value, bool):
            _fail(name, _("Expected true or false."))
        cleaned[name] = value
    for name in DATES:
        cleaned[name] = _date(data.get(name), name)
    if cleaned["signed_on"] and cleaned["valid_until"] and cleaned["valid_until"] < cleaned["signed_on"]:
        _fail("valid_until", _("The certificate cannot expire before it is signed."))
    document = data.get("document")
    if document in (None, ""):
        cleaned["document"] = None
    else:
        found = (app.documents.filter(pk=document, kind=DocumentKind.END_USER_CERTIFICATE).first()
                 if isinstance(document, int) and not isinstance(document, bool) and 0 < document < 2**62 else None)
        if found is None:
            _fail("document", _("Choose a signed certificate (PDF) uploaded to this application."))
        cleaned["document"] = found
    lines = data.get("lines")
    if not isinstance(lines, list) or not lines:
        _fail("lines", _("List the items the certificate names, one line each."))
    if len(lines) > MAX_LINES:
        _fail("lines", lazy_format(_("At most %(n)s lines."), n=MAX_LINES))
    cleaned["lines"] = [_line(line, index) for index, line in enumerate(lines)]
    return cleaned


def snapshot(certificate) -> dict | None:
    if certificate is None:
        return None
    out = {name: getattr(certificate, name) for name in (*TEXTS, *FLAGS)}
    out.update({name: getattr(certificate, name).isoformat() if getattr(certificate, name) else None
                for name in DATES})
    out["document"] = certificate.document_id
    out["lines"] = [{**{name: getattr(line, name) for name in LINE_TEXTS}, "quantity": f"{line.quantity.normalize():f}",
                     "value": f"{line.value.normalize():f}", "currency": line.currency}
                    for line in certificate.lines.order_by("pk")]
    return out


def _as_snapshot(cleaned: dict) -> dict:
    out = {name: cleaned[name] for name in (*TEXTS, *FLAGS)}
    out.update({name: cleaned[name].isoformat() if cleaned[name] else None for name in DATES})
    out["document"] = cleaned["document"].pk if cleaned["document"] else None
    out["lines"] = [{**line, "quantity": f"{line['quantity']:f}", "value": f"{line['value']:f}"}
                    for line in cleaned["lines"]]
    return out


@transaction.atomic
def certificate_save(*, application_id, actor, data: dict, expected_version=None) -> EndUseCertificate:
    """Enter or replace the certificate of a draft. `expected_version` is the certificate's version
    (None or 0 for a first entry). The same content again (a double click) changes nothing."""
    app = lock_case(application_id, actor)
    if actor.role not in EXPORTER_ROLES or actor.organisation_id != app.exporter_id:
        raise NotAllowed(_("Only the exporter enters the end-user certificate."))
    if app.status not in EDITABLE_STATES:
        raise InvalidTransition(_("The end-user certificate can be changed only on a draft or a returned "
                                  "application."))
    cleaned = clean(data, app)
    certificate = EndUseCertificate.objects.select_for_update().filter(application=app).first()
    before = snapshot(certificate)
    if before == _as_snapshot(cleaned):
        return certificate  # the same content again: a double click or a retried request
    current = certificate.version if certificate else 0
    if expected_version is not None and int(expected_version) != current:
        raise StaleVersion(_("Someone changed this certificate after you opened it. Reload the page and try "
                             "again."))
    lines = cleaned.pop("lines")
    if certificate is None:
        certificate = EndUseCertificate(application=app, version=0)
    for name, value in cleaned.items():
        setattr(certificate, name, value)
    certificate.version += 1
    certificate.updated_by = actor
    certificate.save()
    certificate.lines.all().delete()
    CertificateLine.objects.bulk_create([CertificateLine(certificate=certificate, **line) for line in lines])
    app.version += 1
    app.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, action="certificate.save", obj=app, before=before,
                 after={**snapshot(certificate), "version": certificate.version})
    return certificate
