"""Writes to applications, documents and licences. One function per state transition; each runs
in one transaction that locks the row, checks the transition, writes the audit event and records
side effects in the outbox."""

import hashlib
from decimal import Decimal

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
from controllist.controls.determination import Outcome, determine
from controllist.notices import services as notice_services
from controllist.selectors import version_in_force
from enduser.exceptions import services as list_exceptions
from enduser.models import ListKind
from enduser.screening import selectors as screening_selectors
from enduser.screening import services as screening
from licensing.applications import items as draft_items
from licensing.applications import parties as draft_parties
from licensing.applications import routes, shipment, timeline
from licensing.applications.items import not_listed_message, unlisted_codes
from licensing.applications.models import ExchangeRate
from licensing.certificates import selectors as certificate_selectors
from licensing.clock import services as clock_services
from licensing.models import (
    Application,
    ApplicationItem,
    Counter,
    Document,
    DocumentKind,
    EndUseCategory,
    Route,
    Status,
)
from licensing.requests import services as requests_services
from licensing.workflow import (
    EDITABLE_STATES,
    TRANSITIONS,
    check_version,
    lock_case,
    require_ministry,
    transition,
)
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

DRAFT_FIELDS = ("destination", "end_use", "end_use_category", "importer", "end_user", "consignee",
                *draft_parties.PICK_KEYS, "item", "items", "contract_number", *shipment.FIELDS, *routes.FIELDS)


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
    draft_parties.clean(data, cleaned)
    shipment.clean(data, cleaned)
    routes.clean(data, cleaned)
    draft_items.clean_items(data, cleaned)
    return cleaned


def _apply_draft(app: Application, cleaned: dict, actor) -> None:
    if "destination" in cleaned:
        app.destination = cleaned["destination"]
    if "end_use" in cleaned:
        app.end_use = cleaned["end_use"]
    if "end_use_category" in cleaned:
        app.end_use_category = cleaned["end_use_category"]
    if "contract_number" in cleaned:
        app.contract_number = cleaned["contract_number"]
    draft_parties.apply(app, cleaned, actor)
    shipment.apply(app, cleaned)
    routes.apply(app, cleaned)
    app.save()
    routes.apply_end_users(app, cleaned)
    if "items" in cleaned:
        app.items.all().delete()
        ApplicationItem.objects.bulk_create([ApplicationItem(application=app, **item) for item in cleaned["items"]])


def _draft_snapshot(app: Application) -> dict:
    return {
        "destination": app.destination.code if app.destination else "",
        "end_use": app.end_use,
        "end_use_category": app.end_use_category,
        "contract_number": app.contract_number,
        "importer": app.importer.snapshot() if app.importer else None,
        "end_user": app.end_user.snapshot() if app.end_user else None,
        "consignee": app.consignee.snapshot() if app.consignee else None,
        **shipment.snapshot(app),
        **routes.snapshot(app),
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
            _apply_draft(app, cleaned, actor)
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
    _apply_draft(app, cleaned, actor)
    if _draft_snapshot(app) == before:
        return app  # nothing changed: no new version, no audit event
    app.version += 1
    app.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, action="application.update", obj=app, before=before,
                 after=_draft_snapshot(app))
    return app


@transaction.atomic
def application_delete(*, application_id, actor, expected_version=None) -> None:
    """Delete a draft that was never submitted (a case, once filed, stays on record)."""
    app = lock_case(application_id, actor)
    if actor.role not in EXPORTER_ROLES:
        raise NotAllowed()
    if app.status != Status.DRAFT or app.submitted_at is not None:
        raise InvalidTransition(_("Only a draft that was never submitted can be deleted."))
    check_version(app, expected_version)
    files = [doc.file.name for doc in app.documents.all()]
    audit.record(actor=actor, action="application.delete", obj=app, before=_draft_snapshot(app))
    app.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


COPIED_FIELDS = ("destination", "end_use", "end_use_category", "contract_number", "importer_id", "end_user_id",
                 "consignee_id", *shipment.CHOICE_FIELDS, "export_port_id", "route", "circumstance_id")


def application_copy(*, application_id, actor, client_token=None, replaces_licence=None) -> tuple[Application, bool]:
    """A new draft with what an earlier application of the company says (parties, shipment,
    items; not its documents, dates or shipment period). The same client_token returns the copy
    already made."""
    if actor.role not in EXPORTER_ROLES:
        raise NotAllowed()
    try:
        application_id = int(application_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < application_id < 2**63:  # beyond any id PostgreSQL's bigint can hold: no such case
        raise NotFound()
    source = Application.objects.visible_to(actor).filter(pk=application_id).first()
    if source is None:
        raise NotFound()
    if client_token is not None:
        existing = Application.objects.filter(exporter_id=actor.organisation_id, client_token=client_token).first()
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            app = Application.objects.create(exporter=actor.organisation, created_by=actor, client_token=client_token,
                                             replaces_licence=replaces_licence,  # licensing.changes (Reg. 18)
                                             **{field: getattr(source, field) for field in COPIED_FIELDS})
            ApplicationItem.objects.bulk_create([ApplicationItem(
                application=app, **{field.attname: getattr(item, field.attname)
                                    for field in ApplicationItem._meta.concrete_fields
                                    if field.attname not in ("id", "application_id", "approved_quantity")})
                for item in source.items.all()])
            app.additional_end_users.set(source.additional_end_users.all())
            audit.record(actor=actor, action="application.create", obj=app,
                         after={**_draft_snapshot(app), "copied_from": source.pk})
    except IntegrityError:  # the same token raced in from a second click: return its copy
        existing = Application.objects.filter(exporter_id=actor.organisation_id, client_token=client_token).first()
        if existing is None:
            raise
        return existing, False
    return app, True


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
    missing.extend(routes.missing(app))
    missing.extend(certificate_selectors.submission_problems(app))  # Reg. 24: every mismatch at once
    watched = screening_selectors.listed_matches([app.importer, app.end_user, *app.additional_end_users.all()],
                                                 list_kind=ListKind.WATCH)
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
        if app.route == Route.REGISTRATION:
            raise InvalidTransition(_("A registration-route filing is not submitted for review: file it from its "
                                      "page to have the export certificate issued."), code="registration_route")
        refusal = routes.submission_refusal(app)
        if refusal:  # Law 33-39 bar on new applications; Reg. 19-20 eligibility for the route
            raise InvalidTransition(refusal[1], code=refusal[0])
        checked = _check_against_list(app)
        screened = screening.screen_parties(parties=[p for p in (app.importer, app.end_user, app.consignee,
                                                                 *app.additional_end_users.all()) if p],
                                            actor=actor)
        excepted = list_exceptions.excepted(screened, exporter_id=app.exporter_id)
        if excepted.blocking:
            hit = excepted.blocking[0]
            message = list_exceptions.refusal_message(hit, awaiting=excepted.awaiting.get(hit.pk),
                                                      apply_url=reverse("case-exception-new", args=[app.pk]))
            field = next((role for role in draft_parties.ROLES if getattr(app, f"{role}_id") == hit.party_id),
                         "additional_end_users" if app.additional_end_users.filter(pk=hit.party_id).exists()
                         else "end_user")
            raise ValidationFailed(message, code="control_listed", fields={field: [message]})
    now = timezone.now()
    changes = {"submitted_at": now, "province_id": app.exporter.province_id, "return_reason": "",
               "total_value_rmb": sum((item.value_rmb for item in app.items.all()), Decimal(0))}
    if checked is not None:  # the exporter files it: the parties as they stand now are what the case names
        changes.update(draft_parties.snapshots(app))
        changes["additional_end_users_snapshot"] = routes.end_user_snapshots(app)
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
    if transition(app, actor, "submit", expected_version, audit_extra=audit_extra, **changes):
        timeline.tell_exporter(app, "submitted", key=f"submitted:{app.version}")
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
        message = not_listed_message(unlisted, version_in_force())
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
    if transition(app, actor, "return", expected_version, return_reason=reason):
        timeline.tell_exporter(app, "returned", key=f"returned:{app.version}", body=reason)
    return app


PROVINCE_OPINION_MAX_CHARS = 4000


@transaction.atomic
def application_forward(*, application_id, actor, expected_version=None, opinion: str = "") -> Application:
    """转报: the province sends the case to the ministry with its first-review opinion (初审意见,
    optional), which the ministry reads on the case page."""
    app = lock_case(application_id, actor)
    if actor.role not in TRANSITIONS["forward"].roles:
        raise NotAllowed()  # before the opinion is read: the wrong actor learns nothing of its rules
    opinion = opinion.strip() if isinstance(opinion, str) else None
    if opinion is None or len(opinion) > PROVINCE_OPINION_MAX_CHARS:
        message = lazy_format(_("The first-review opinion must be text of at most %(n)s characters."),
                              n=PROVINCE_OPINION_MAX_CHARS)
        raise ValidationFailed(message, fields={"opinion": [message]})
    now = timezone.now()
    if transition(app, actor, "forward", expected_version, forwarded_at=now, province_opinion=opinion):
        clock_services.case_received(app, on=timezone.localdate(now))
        timeline.tell_exporter(app, "forwarded", key="forwarded")
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
        timeline.tell_exporter(app, "accepted", key="accepted")
    return app


# ---------------------------------------------------------------- licences




# ---------------------------------------------------------------- the ministry's exchange rates


@transaction.atomic
def exchange_rate_add(*, actor, currency, valid_from, usd_per_unit) -> ExchangeRate:
    """A rate from a day on; items are converted at the rate in force on the day they are saved.
    A rate once entered is not changed: a correction is a new rate from a later day."""
    require_ministry(actor, _("Only the ministry keeps the exchange rates."))
    currency = (currency or "").strip().upper() if isinstance(currency, str) else ""
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationFailed(fields={"currency": [_("A three-letter currency code, e.g. CNY or USD.")]})
    day = shipment.parse_date(valid_from if isinstance(valid_from, str) else str(valid_from or ""), "valid_from")
    if day is None:
        raise ValidationFailed(fields={"valid_from": [_("Enter a date as YYYY-MM-DD.")]})
    rate = draft_items.decimal_field(usd_per_unit, "usd_per_unit", positive=True, label=_("US dollars per unit"))
    if rate.as_tuple().exponent < -8 or rate >= Decimal("1e6"):
        raise ValidationFailed(fields={"usd_per_unit": [_("At most six digits before and eight after the point.")]})
    message = _("There is already a rate for this currency from that day.")
    try:
        with transaction.atomic():  # a double click meets the unique constraint, not a second row
            row = ExchangeRate.objects.create(currency=currency, valid_from=day, usd_per_unit=rate, entered_by=actor)
    except IntegrityError:
        raise ValidationFailed(message, code="duplicate", fields={"valid_from": [message]}) from None
    audit.record(actor=actor, action="exchange_rate.add", obj=row,
                 after={"currency": currency, "valid_from": day.isoformat(), "usd_per_unit": str(rate)})
    return row
