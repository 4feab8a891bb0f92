"""Filing on the registration route (登记填报, Reg. 15, 20): a draft whose route is `registration`
is filed by the exporter; when every condition holds the export certificate is issued at once,
with no provincial or ministry review; otherwise the filing is refused with every reason at once
and nothing changes."""

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_37_36

from accounts.models import EXPORTER_ROLES, Verification
from audit import services as audit
from compliance.eligibility.selectors import route_eligibility
from controllist.controls.determination import Outcome, determine
from enduser.models import ListKind
from enduser.screening import selectors as screening_selectors
from licensing.applications import parties as draft_parties
from licensing.applications.items import unlisted_codes
from licensing.applications.selectors import exporter_people
from licensing.models import (
    Counter,
    DocumentKind,
    RegistrationCertificate,
    Route,
    Status,
    TradeMode,
)
from licensing.registration.selectors import certificate_url
from licensing.workflow import lock_case, transition
from notifications.services import notify
from portal.errors import InvalidTransition, NotAllowed, ValidationFailed, lazy_format

ISSUER_CODE = "DJ"  # 登记


def certificate_number(year: int, serial: int) -> str:
    body = f"{year}{ISSUER_CODE}{serial:06d}"
    return body + mod_37_36.calc_check_digit(body)


NUMBER = re.compile(rf"^\d{{4}}{ISSUER_CODE}\d{{6}}[0-9A-Z*]$")


def certificate_number_is_valid(number: str) -> bool:
    number = str(number or "").upper()
    return bool(NUMBER.match(number)) and mod_37_36.is_valid(number)


def _document_label(kind: str) -> str:
    return str(DocumentKind(kind).label) if kind in DocumentKind.values else kind


def filing_problems(app) -> list:
    """Every reason the filing cannot be registered now (empty: the certificate may be issued).
    A read: nothing is recorded."""
    problems = []
    exporter = app.exporter
    if exporter.verification != Verification.VERIFIED:
        problems.append(_("Your company's registration has not yet been verified by the provincial department."))
    eligibility = route_eligibility(exporter, application=app)[Route.REGISTRATION]
    problems.extend(eligibility.reasons)
    circumstance = app.circumstance
    if circumstance is None or not circumstance.active:
        problems.append(_("Choose the listed circumstance the shipment falls under (return after repair or testing, "
                          "exhibition, aircraft spares)."))
    for field, label in (("destination", _("destination country")), ("importer_id", _("importer")),
                         ("end_user_id", _("end user")), ("export_port_id", _("customs port of export"))):
        if not getattr(app, field):
            problems.append(lazy_format(_("Missing: %(field)s."), field=label))
    items = list(app.items.all())
    if not items:
        problems.append(lazy_format(_("Missing: %(field)s."), field=_("at least one item")))
    if any(item.catch_all for item in items):
        problems.append(_("The registration route covers listed items only, not catch-all items."))
    codes = [item.control_code for item in items if not item.catch_all]
    unlisted = unlisted_codes(codes)
    if unlisted:
        problems.append(lazy_format(_("Not on the control list in force: %(codes)s."), codes=", ".join(unlisted)))
    if circumstance is not None:
        if circumstance.trade_modes and app.trade_mode not in circumstance.trade_modes:
            allowed = ", ".join(f"{code} {TradeMode(code).label}" if code in TradeMode.values else code
                                for code in circumstance.trade_modes)
            problems.append(lazy_format(_("The trade mode does not match the circumstance; it takes: %(modes)s."),
                                        modes=allowed))
        prefixes = [p.upper() for p in circumstance.control_code_prefixes or ()]
        outside = [code for code in codes if prefixes and not any(code.upper().startswith(p) for p in prefixes)]
        if outside:
            problems.append(lazy_format(_("These items are not covered by the circumstance (%(prefixes)s): "
                                          "%(codes)s."), prefixes=", ".join(prefixes), codes=", ".join(outside)))
        attached = set(app.documents.values_list("kind", flat=True))
        lacking = [_document_label(kind) for kind in circumstance.required_documents or () if kind not in attached]
        if lacking:
            problems.append(lazy_format(_("Documents required for this circumstance are not attached: %(docs)s."),
                                        docs=lacking))
    parties = [p for p in (app.importer, app.end_user, app.consignee) if p]
    listed = screening_selectors.listed_matches(parties, list_kind=ListKind.CONTROL)
    if listed:
        problems.append(lazy_format(_("A party is on the Control List: %(parties)s (Export Control Law Art. 18)."),
                                    parties="、".join(sorted({party.name for party, _entry in listed}))))
    if items and not unlisted and app.destination and app.importer_id and app.end_user_id:
        answer = determine(exporter=exporter, items=[{"control_code": i.control_code, "description": i.description}
                                                     for i in items],
                           destination=app.destination.code, end_user_name=app.end_user.name,
                           end_user_country=app.end_user.country.code, importer_name=app.importer.name,
                           importer_country=app.importer.country.code, end_use=app.end_use)
        if answer.outcome == Outcome.PROHIBITED:
            problems.append(_("This export is prohibited (Export Control Law Art. 10; Regulations Art. 13)."))
    return problems


def _content(app, number: str) -> dict:
    snapshots = draft_parties.snapshots(app)
    return {
        "number": number, "case_reference": app.reference,
        "exporter": {"name_zh": app.exporter.name_zh, "name_en": app.exporter.name_en, "uscc": app.exporter.code,
                     "address": app.exporter.address},
        "circumstance": {"code": app.circumstance.code, "name_zh": app.circumstance.name_zh,
                         "name_en": app.circumstance.name_en},
        "destination": app.destination.code, "importer": snapshots["importer_snapshot"],
        "end_user": snapshots["end_user_snapshot"], "consignee": snapshots["consignee_snapshot"],
        "end_use": app.end_use, "trade_mode": app.trade_mode, "export_port": app.export_port_id,
        "transport_mode": app.transport_mode, "contract_number": app.contract_number,
        "shipment_from": app.shipment_from.isoformat() if app.shipment_from else None,
        "shipment_until": app.shipment_until.isoformat() if app.shipment_until else None,
        "items": [item.snapshot() for item in app.items.all()],
    }


@transaction.atomic
def registration_file(*, actor, application_id, expected_version=None) -> RegistrationCertificate:
    """File a registration-route draft: the certificate when every condition holds (the same
    call again returns it), else 400 `registration_refused` with every reason."""
    if getattr(actor, "role", None) not in EXPORTER_ROLES:
        raise NotAllowed()
    app = lock_case(application_id, actor)
    existing = RegistrationCertificate.objects.filter(application=app).first()
    if existing is not None:
        return existing  # a double click: the certificate already issued
    if app.route != Route.REGISTRATION:
        raise InvalidTransition(_("Only an application on the registration route is filed for a certificate."),
                                code="not_registration_route")
    if app.status != Status.DRAFT:
        raise InvalidTransition(_("Only a draft is filed on the registration route."))
    problems = filing_problems(app)
    if problems:
        raise ValidationFailed(lazy_format(_("The certificate cannot be issued: %(reasons)s"), reasons=problems),
                               code="registration_refused", fields={"conditions": problems})
    now = timezone.now()
    year = timezone.localdate(now).year
    reference = app.reference or f"DU{year}-{Counter.objects.next_value('case', year):06d}"
    number = certificate_number(year, Counter.objects.next_value("registration_certificate", year))
    transition(app, actor, "register", expected_version, submitted_at=now, decided_at=now, reference=reference,
               province_id=app.exporter.province_id,
               total_value_rmb=sum((item.value_rmb for item in app.items.all()), Decimal(0)),
               **draft_parties.snapshots(app))
    certificate = RegistrationCertificate.objects.create(
        application=app, number=number, exporter_id=app.exporter_id, circumstance=app.circumstance,
        issued_at=now, issued_by=actor, content=_content(app, number))
    audit.record(actor=actor, action="registration_certificate.issue", obj=certificate,
                 after={"number": number, "application": app.pk, "circumstance": app.circumstance.code})
    notify(recipients=exporter_people(app), key=f"registration-certificate:{certificate.pk}",
           kind="registration.certificate", title_zh=f"出口证明 {number} 已签发（登记填报）",
           title_en=f"Export certificate {number} issued (registration route)", url=certificate_url(certificate),
           application_id=app.pk)
    return certificate
