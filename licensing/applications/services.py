"""Writes to applications, documents and licences. One function per state transition; each runs
in one transaction that locks the row, checks the transition, writes the audit event and records
side effects in the outbox."""

import hashlib
from decimal import Decimal, DecimalException

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import EXPORTER_ROLES, Verification
from audit import services as audit
from controllist.codes import parse_control_code
from controllist.controls.determination import Outcome, determine, temporary_controls_in_force
from controllist.models import Entry
from controllist.notices import services as notice_services
from controllist.selectors import version_in_force
from enduser.exceptions import services as list_exceptions
from enduser.models import ListKind, Party
from enduser.screening import selectors as screening_selectors
from enduser.screening import services as screening
from licensing.certificates import selectors as certificate_selectors
from licensing.clock import services as clock_services
from licensing.models import (
    Application,
    ApplicationItem,
    Counter,
    Document,
    DocumentKind,
    EndUseCategory,
)
from licensing.requests import services as requests_services
from licensing.workflow import EDITABLE_STATES, TRANSITIONS, check_version, lock_case, transition
from outbox.services import enqueue
from portal import countries as portal_countries
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
    lazy_format,
)
from portal.pdf import read_pdf_upload

# ---------------------------------------------------------------- helpers


def _require_text(value, field, message):
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed(message, fields={field: [message]})
    return text


# ---------------------------------------------------------------- drafts

DRAFT_FIELDS = ("destination", "end_use", "end_use_category", "importer", "end_user", "item", "contract_number")


def _clean_party(data, field, label) -> dict | None:
    if data in (None, ""):
        return None
    if not isinstance(data, dict):
        raise ValidationFailed(fields={field: [_("Expected an object with name, address, country.")]})
    errors = []
    name = data.get("name")
    address = data.get("address")
    country = data.get("country")
    if not isinstance(name, str) or not name.strip() or len(name) > 300:
        errors.append(_("Name is required (at most 300 characters)."))
    if not isinstance(address, str) or not address.strip() or len(address) > 500:
        errors.append(_("Address is required (at most 500 characters)."))
    if not isinstance(country, str) or country.upper() not in countries:
        errors.append(_("Country must be an ISO 3166 two-letter code, e.g. DE."))
    contact = data.get("contact") or ""
    if not isinstance(contact, str) or len(contact) > 200:
        errors.append(_("Contact must be text of at most 200 characters."))
    if errors:
        raise ValidationFailed(lazy_format(_("%(label)s: %(errors)s"), label=label, errors=errors),
                               fields={field: errors})
    cleaned = {"name": name.strip(), "address": address.strip(), "country": country.upper()}
    if "contact" in data:  # the page form has no contact field: keep what the API stored
        cleaned["contact"] = contact.strip()
    return cleaned


def _decimal(value, field, *, positive: bool, label):
    number = None
    if value is not None and value != "" and not isinstance(value, bool):  # JSON 0 and 1 are numbers
        try:
            number = Decimal(str(value))
            if number.is_finite() and abs(number.adjusted()) > 30:
                raise ValidationFailed(fields={field: [_("The number is too large.")]})
            number = number.normalize()
        except DecimalException:
            number = None
    if number is None or not number.is_finite():
        raise ValidationFailed(fields={field: [_("Enter a number.")]})
    if positive and number <= 0:
        raise ValidationFailed(lazy_format(_("%(field)s must be greater than zero."), field=label),
                               fields={field: [_("Must be greater than zero.")]})
    if not positive and number < 0:
        raise ValidationFailed(lazy_format(_("%(field)s must not be negative."), field=label),
                               fields={field: [_("Must not be negative.")]})
    if abs(number) >= Decimal("1e15"):
        raise ValidationFailed(fields={field: [_("The number is too large.")]})
    return number


def unlisted_codes(codes, on=None) -> list[str]:
    """The codes that are neither an entry of the list version in force nor the code of a
    temporary control in force (Law 12(1): only those need, and can get, a licence)."""
    version = version_in_force(on)
    listed = set(Entry.objects.filter(version=version, code__in=codes).values_list("code", flat=True)
                 if version else [])
    listed |= {control.control_code for control in temporary_controls_in_force(on or timezone.localdate())}
    return [code for code in dict.fromkeys(codes) if code not in listed]


def _not_listed_message(codes, version):
    if version is None:
        return lazy_format(_("%(codes)s: no control list is in force, so no code can be checked."),
                           codes=", ".join(codes))
    return lazy_format(
        _("%(codes)s is not in the control list in force (%(label)s, effective %(date)s). Search the "
          "list, or ask a classification question."),
        codes=", ".join(codes), label=version.label, date=version.effective_from.isoformat())


def _prohibited_message(hits):
    """The reasons of the prohibitions that caught the application, in the reader's language."""

    def render():
        chinese = (get_language() or "").startswith("zh")
        reasons = "; ".join(f"{hit.prohibition.number}: "
                            f"{hit.prohibition.reason_zh if chinese else hit.prohibition.reason_en}"
                            for hit in hits)
        return str(_("This export is prohibited (Export Control Law Art. 10; Regulations Art. 13): "
                     "%(reasons)s")) % {"reasons": reasons}

    return lazy(render, str)()


def _clean_item(data) -> dict | None:
    if data in (None, ""):
        return None
    if not isinstance(data, dict):
        raise ValidationFailed(fields={"item": [_("Expected an object describing the item.")]})
    catch_all = data.get("catch_all", False)
    if not isinstance(catch_all, bool):
        raise ValidationFailed(fields={"item.catch_all": [_("Expected true or false.")]})
    raw_code = data.get("control_code")
    if catch_all:
        # Law 12(3), Reg. 14: an unlisted item needs a licence when the catch-all applies; it has
        # no code, and a listed item is never applied for this way.
        if raw_code not in (None, ""):
            message = _("An item applied for under the catch-all is not on the list: leave the "
                        "export control code empty, or untick the catch-all box.")
            raise ValidationFailed(message, code="catch_all_with_code", fields={"item.control_code": [message]})
        code = ""
    else:
        code = parse_control_code(raw_code if isinstance(raw_code, str) else "").code
        unlisted = unlisted_codes([code])
        if unlisted:
            message = _not_listed_message(unlisted, version_in_force())
            raise ValidationFailed(message, code="not_listed", fields={"item.control_code": [message]})
    description = data.get("description")
    unit = data.get("unit")
    if not isinstance(description, str) or not description.strip() or len(description) > 500:
        raise ValidationFailed(fields={"item.description": [_("Describe the item (at most 500 characters).")]})
    if not isinstance(unit, str) or not unit.strip() or len(unit) > 20:
        raise ValidationFailed(fields={"item.unit": [_("Give the unit, e.g. kg or pieces.")]})
    specification = data.get("specification") or ""
    if not isinstance(specification, str) or len(specification) > 200:
        raise ValidationFailed(fields={"item.specification": [_("At most 200 characters of text.")]})
    quantity = _decimal(data.get("quantity"), "quantity", positive=True, label=_("Quantity"))
    if quantity.as_tuple().exponent < -3:
        raise ValidationFailed(fields={"item.quantity": [_("At most three decimal places.")]})
    value = _decimal(data.get("value_rmb"), "value_rmb", positive=False, label=_("Value (RMB)"))
    if value.as_tuple().exponent < -2:
        raise ValidationFailed(fields={"item.value_rmb": [_("At most two decimal places.")]})
    return {"control_code": code, "catch_all": catch_all, "description": description.strip(),
            "specification": specification.strip(), "quantity": quantity, "unit": unit.strip(), "value_rmb": value}


def _clean_draft(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed()
    unknown = set(data) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationFailed(lazy_format(_("Unknown fields: %(fields)s."), fields=sorted(unknown)))
    cleaned = {}
    if "destination" in data:
        dest = data["destination"]
        if dest in (None, ""):
            cleaned["destination"] = ""
        elif not isinstance(dest, str) or dest.upper() not in countries:
            raise ValidationFailed(_("Destination must be an ISO 3166 two-letter country code."),
                                   fields={"destination": [_("Unknown country code.")]})
        else:
            cleaned["destination"] = dest.upper()
            if not portal_countries.is_destination(dest):
                message = _("China is not an export destination; choose the country or region the items go to.")
                raise ValidationFailed(message, fields={"destination": [message]})
    if "end_use" in data:
        end_use = data["end_use"] or ""
        if not isinstance(end_use, str) or len(end_use) > 2000:
            raise ValidationFailed(fields={"end_use": [_("At most 2000 characters of text.")]})
        cleaned["end_use"] = end_use.strip()
    if "end_use_category" in data:
        category = data["end_use_category"]
        if category in (None, ""):
            category = EndUseCategory.CIVIL
        if not isinstance(category, str) or category not in EndUseCategory.values:
            raise ValidationFailed(fields={"end_use_category": [lazy_format(
                _("Choose one of: %(choices)s."), choices=", ".join(EndUseCategory.values))]})
        cleaned["end_use_category"] = category
    if "contract_number" in data:
        number = data["contract_number"] or ""
        if not isinstance(number, str) or len(number) > 100:
            raise ValidationFailed(fields={"contract_number": [_("At most 100 characters of text.")]})
        cleaned["contract_number"] = number.strip()
    if "importer" in data:
        cleaned["importer"] = _clean_party(data["importer"], "importer", _("Importer"))
    if "end_user" in data:
        cleaned["end_user"] = _clean_party(data["end_user"], "end_user", _("End user"))
    if "item" in data:
        cleaned["item"] = _clean_item(data["item"])
    return cleaned


def _apply_draft(app: Application, cleaned: dict) -> None:
    if "destination" in cleaned:
        app.destination = cleaned["destination"]
    if "end_use" in cleaned:
        app.end_use = cleaned["end_use"]
    if "end_use_category" in cleaned:
        app.end_use_category = cleaned["end_use_category"]
    if "contract_number" in cleaned:
        app.contract_number = cleaned["contract_number"]
    for role in ("importer", "end_user"):
        if role not in cleaned:
            continue
        values = cleaned[role]
        current = getattr(app, role)
        if values is None:
            setattr(app, role, None)
        elif current is None:
            setattr(app, role, Party.objects.create(exporter=app.exporter, **values))
        else:
            for key, value in values.items():
                setattr(current, key, value)
            current.save()
    app.save()
    if "item" in cleaned:
        app.items.all().delete()
        if cleaned["item"] is not None:
            ApplicationItem.objects.create(application=app, **cleaned["item"])


def _draft_snapshot(app: Application) -> dict:
    return {
        "destination": app.destination.code if app.destination else "",
        "end_use": app.end_use,
        "end_use_category": app.end_use_category,
        "contract_number": app.contract_number,
        "importer": app.importer.snapshot() if app.importer else None,
        "end_user": app.end_user.snapshot() if app.end_user else None,
        "items": [item.snapshot() for item in app.items.all()],
    }


def application_create(*, actor, data: dict, client_token=None) -> tuple[Application, bool]:
    """Create a draft. The same client_token returns the draft already made (created=False)."""
    if actor.role not in EXPORTER_ROLES:
        raise NotAllowed()
    cleaned = _clean_draft(data or {})
    if client_token is not None:
        existing = Application.objects.filter(exporter_id=actor.organisation_id,
                                              client_token=client_token).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            app = Application.objects.create(exporter=actor.organisation, created_by=actor,
                                             client_token=client_token)
            _apply_draft(app, cleaned)
            audit.record(actor=actor, action="application.create", obj=app,
                         after=_draft_snapshot(app))
    except IntegrityError:
        existing = Application.objects.filter(exporter_id=actor.organisation_id,
                                              client_token=client_token).first()
        if existing is None:
            raise
        return existing, False
    return app, True


@transaction.atomic
def application_update_draft(*, application_id, actor, data: dict, expected_version=None) -> Application:
    app = lock_case(application_id, actor)
    if actor.role not in EXPORTER_ROLES:
        raise NotAllowed()
    if app.status not in EDITABLE_STATES:
        raise InvalidTransition(_("Only a draft or a returned application can be edited."))
    check_version(app, expected_version)
    cleaned = _clean_draft(data or {})
    before = _draft_snapshot(app)
    _apply_draft(app, cleaned)
    if _draft_snapshot(app) == before:
        return app  # nothing changed: no new version, no audit event
    app.version += 1
    app.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, action="application.update", obj=app, before=before,
                 after=_draft_snapshot(app))
    return app


@transaction.atomic
def document_add(*, application_id, actor, kind: str, upload, expected_version=None) -> Document:
    app = lock_case(application_id, actor)
    if actor.role not in EXPORTER_ROLES:
        raise NotAllowed()
    if app.status not in EDITABLE_STATES:
        raise InvalidTransition(_("Documents can only be added to a draft or a returned application."))
    check_version(app, expected_version)
    if kind not in DocumentKind.values:
        raise ValidationFailed(fields={"kind": [_("Unknown document kind.")]})
    content, name = read_pdf_upload(upload)
    digest = hashlib.sha256(content).hexdigest()
    doc = Document(application=app, kind=kind, original_name=name, size=len(content), sha256=digest,
                   uploaded_by=actor)
    doc.file.save("upload.pdf", ContentFile(content), save=False)
    try:
        doc.save()
        app.version += 1
        app.save(update_fields=["version", "updated_at"])
        audit.record(actor=actor, action="document.add", obj=app,
                     after={"document": doc.pk, "kind": kind, "sha256": digest, "size": len(content),
                            "name": name})
    except Exception:
        doc.file.delete(save=False)  # nothing stored when the change does not happen
        raise
    return doc


@transaction.atomic
def document_remove(*, application_id, document_id, actor, expected_version=None) -> None:
    app = lock_case(application_id, actor)
    if actor.role not in EXPORTER_ROLES:
        raise NotAllowed()
    if app.status not in EDITABLE_STATES:
        raise InvalidTransition(_("Documents can only be removed from a draft or a returned application."))
    check_version(app, expected_version)
    doc = app.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound()
    name = doc.file.name
    doc.delete()
    app.version += 1
    app.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, action="document.remove", obj=app,
                 before={"document": document_id, "sha256": doc.sha256})
    transaction.on_commit(lambda: default_storage.delete(name))


# ---------------------------------------------------------------- transitions


def missing_for_submission(app: Application) -> list:
    missing = []
    if not app.destination:
        missing.append(_("destination country"))
    if app.importer_id is None:
        missing.append(_("importer"))
    if app.end_user_id is None:
        missing.append(_("end user"))
    if not app.end_use.strip():
        missing.append(_("end-use statement"))
    if not app.items.exists():
        missing.append(_("at least one item"))
    if not app.documents.filter(kind=DocumentKind.END_USER_CERTIFICATE).exists():
        missing.append(_("the end-user certificate (PDF)"))
    missing.extend(certificate_selectors.submission_problems(app))  # Reg. 24: every mismatch at once
    watched = screening_selectors.listed_matches([app.importer, app.end_user], list_kind=ListKind.WATCH)
    if watched:
        # Reg. 26: an individual licence for a Watch List party needs both documents.
        names = "、".join(sorted({party.name for party, _entry in watched}))
        kinds = set(app.documents.filter(kind__in=[DocumentKind.RISK_ASSESSMENT, DocumentKind.COMPLIANCE_UNDERTAKING])
                    .values_list("kind", flat=True))
        if DocumentKind.RISK_ASSESSMENT not in kinds:
            missing.append(lazy_format(_("a risk assessment report (PDF): %(party)s is on the Watch List"), party=names))
        if DocumentKind.COMPLIANCE_UNDERTAKING not in kinds:
            missing.append(lazy_format(_("a compliance undertaking (PDF): %(party)s is on the Watch List"), party=names))
    return missing


@transaction.atomic
def application_submit(*, application_id, actor, expected_version=None) -> Application:
    app = lock_case(application_id, actor)
    checked = screened = excepted = None
    if app.status in TRANSITIONS["submit"].sources and actor.role in EXPORTER_ROLES:
        missing = missing_for_submission(app)
        if missing:
            raise ValidationFailed(lazy_format(_("Cannot submit yet; missing: %(missing)s."),
                                               missing=missing), code="incomplete")
        if app.exporter.province_id is None:
            raise ValidationFailed(_("Your company has no registered province."))
        if app.exporter.verification != Verification.VERIFIED:
            raise ValidationFailed(_("Your company's registration has not yet been verified by the "
                                     "provincial department; you can prepare drafts meanwhile."),
                                   code="not_verified")
        checked = _check_against_list(app)
        screened = screening.screen_parties(parties=[app.importer, app.end_user], actor=actor)
        excepted = list_exceptions.excepted(screened, exporter_id=app.exporter_id)
        if excepted.blocking:
            hit = excepted.blocking[0]
            message = list_exceptions.refusal_message(hit, awaiting=excepted.awaiting.get(hit.pk),
                                                      apply_url=reverse("case-exception-new", args=[app.pk]))
            field = "importer" if hit.party_id == app.importer_id else "end_user"
            raise ValidationFailed(message, code="control_listed", fields={field: [message]})
    now = timezone.now()
    changes = {"submitted_at": now, "province_id": app.exporter.province_id, "return_reason": "",
               "total_value_rmb": sum((item.value_rmb for item in app.items.all()), Decimal(0))}
    audit_extra = {}
    if app.reference is None and app.status in TRANSITIONS["submit"].sources:
        year = timezone.localdate(now).year
        changes["reference"] = f"DU{year}-{Counter.objects.next_value('case', year):06d}"
    if checked is not None:
        changes["list_version"] = checked.list_version
        outcome = checked.outcome
        if outcome in (Outcome.NOT_CONTROLLED, Outcome.QUESTIONS_NEEDED) and app.items.filter(catch_all=True).exists():
            outcome = Outcome.CATCH_ALL  # the exporter states the catch-all applies (Law 12(3))
        audit_extra = {"determination": outcome, "list_version_label": checked.list_version_label}
        # Law 12(3): the ministry's catch-all notices covering an unlisted item are cited on the case.
        cited = [hit for hit in checked.notices if any(not checked.items[i].controlled for i in hit.items)]
        if cited:
            audit_extra["catch_all_notices"] = [hit.notice.number for hit in cited]
    if screened is not None:
        audit_extra["screening"] = screened.summary()
        if excepted.granted:  # Control List hits let through by exceptions the ministry granted (Law 18)
            audit_extra["list_exceptions"] = sorted(row.pk for row in excepted.granted)
    transition(app, actor, "submit", expected_version, audit_extra=audit_extra, **changes)
    if checked is not None:
        notice_services.notice_cite(actor=actor, hits=cited, application_id=app.pk, case_reference=app.reference,
                                    exporter_id=app.exporter_id)
    return app


def _check_against_list(app: Application):
    """The list may have changed since the draft was saved: every code must still be listed (or
    under temporary control) today, and the export must not be prohibited (Law 10, Reg. 13)."""
    items = list(app.items.all())
    unlisted = unlisted_codes([item.control_code for item in items if not item.catch_all])
    if unlisted:
        message = _not_listed_message(unlisted, version_in_force())
        raise ValidationFailed(message, code="not_listed", fields={"item.control_code": [message]})
    answer = determine(
        exporter=app.exporter,
        items=[{"control_code": item.control_code, "description": item.description} for item in items],
        destination=app.destination.code, end_user_name=app.end_user.name,
        end_user_country=app.end_user.country.code, importer_name=app.importer.name,
        importer_country=app.importer.country.code, end_use=app.end_use)
    if answer.outcome == Outcome.PROHIBITED:
        raise ValidationFailed(_prohibited_message(answer.prohibitions), code="prohibited")
    return answer


@transaction.atomic
def application_return(*, application_id, actor, reason: str, expected_version=None) -> Application:
    app = lock_case(application_id, actor)
    reason = _require_text(reason, "reason", _("Give the reason for returning the application."))
    transition(app, actor, "return", expected_version, return_reason=reason)
    return app


@transaction.atomic
def application_forward(*, application_id, actor, expected_version=None) -> Application:
    app = lock_case(application_id, actor)
    now = timezone.now()
    if transition(app, actor, "forward", expected_version, forwarded_at=now):
        clock_services.case_received(app, on=timezone.localdate(now))
    return app


@transaction.atomic
def application_accept(*, application_id, actor, expected_version=None) -> Application:
    """受理: the decision clock starts (Reg. 17) and the referral routing task is queued."""

    app = lock_case(application_id, actor)
    now = timezone.now()
    if transition(app, actor, "accept", expected_version, accepted_at=now,
                   assigned_to=app.assigned_to or actor):
        clock_services.case_accepted(app, on=timezone.localdate(now))
        watch = screening_selectors.raised_hits([app.importer, app.end_user], list_kind=ListKind.WATCH)
        requests_services.watch_list_stop(app, today=timezone.localdate(now), hits=watch)
        enqueue("licensing.propose_referrals", application_id=app.pk)
    return app


# ---------------------------------------------------------------- licences


