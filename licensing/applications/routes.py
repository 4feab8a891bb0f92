"""The route of an application (Reg. 15, 19, 20) and the fields only some routes have: a general
licence's further end users (from the exporter's address book, like the main end user) and the
validity it asks (at most 3 years; the ministry may shorten it), the registration route's
circumstance. Whether a route is open to the exporter is compliance.eligibility's answer
(`route_refusal`), checked at submission and shown on the form."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import services as audit
from compliance.eligibility.selectors import application_bar, route_eligibility
from enduser.models import Party
from licensing.applications import shipment
from licensing.models import OPEN_REVIEW_STATES, Application, RegistrationCircumstance, Route
from licensing.workflow import check_version, lock_case, require_ministry
from portal.errors import InvalidTransition, ValidationFailed, lazy_format

FIELDS = ("route", "additional_end_users", "requested_valid_until", "circumstance")
GENERAL_MAX_YEARS = 3  # Reg. 19
MAX_END_USERS = 20


def general_max_until(start: date) -> date:
    """The last valid day of a general licence starting on `start`: 3 years less a day."""
    try:
        end = start.replace(year=start.year + GENERAL_MAX_YEARS)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + GENERAL_MAX_YEARS, day=28)
    return date.fromordinal(end.toordinal() - 1)


def _validity(value, field) -> date | None:
    if value in (None, ""):
        return None
    day = value if isinstance(value, date) else shipment.parse_date(value if isinstance(value, str) else "", field)
    if day is None:
        raise ValidationFailed(fields={field: [_("Enter a date as YYYY-MM-DD.")]})
    today = timezone.localdate()
    if day <= today or day > general_max_until(today):
        message = _("A general licence is valid at most 3 years (Reg. 19): choose a day after today and at most "
                    "3 years ahead.")
        raise ValidationFailed(message, fields={field: [message]})
    return day


def clean(data: dict, cleaned: dict) -> None:
    if "route" in data:
        route = data["route"] or Route.INDIVIDUAL
        if not isinstance(route, str) or route not in Route.values:
            raise ValidationFailed(fields={"route": [lazy_format(_("Choose one of: %(choices)s."),
                                                                choices=", ".join(Route.values))]})
        cleaned["route"] = route
    if "additional_end_users" in data:
        ids = data["additional_end_users"] or []
        if (not isinstance(ids, list | tuple) or len(ids) > MAX_END_USERS
                or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31
                           or isinstance(i, str) and i.isdigit() and 0 < int(i) < 2**31 for i in ids)):
            message = lazy_format(_("Expected a list of at most %(n)s ids of your parties."), n=MAX_END_USERS)
            raise ValidationFailed(message, fields={"additional_end_users": [message]})
        cleaned["additional_end_users"] = sorted({int(i) for i in ids})
    if "requested_valid_until" in data:
        cleaned["requested_valid_until"] = _validity(data["requested_valid_until"], "requested_valid_until")
    if "circumstance" in data:
        code = data["circumstance"] or ""
        if not isinstance(code, str):
            raise ValidationFailed(fields={"circumstance": [_("Choose a circumstance.")]})
        found = RegistrationCircumstance.objects.filter(code=code, active=True).first() if code else None
        if code and found is None:
            raise ValidationFailed(fields={"circumstance": [_("No listed circumstance has this code.")]})
        cleaned["circumstance"] = found


def apply(app: Application, cleaned: dict) -> None:
    """Set the route fields (call before app.save(); the end users after, see apply_end_users)."""
    for name in ("route", "requested_valid_until", "circumstance"):
        if name in cleaned:
            setattr(app, name, cleaned[name])


def apply_end_users(app: Application, cleaned: dict) -> None:
    if "additional_end_users" not in cleaned:
        return
    ids = cleaned["additional_end_users"]
    parties = list(Party.objects.filter(exporter_id=app.exporter_id, archived=False, pk__in=ids))
    if len(parties) != len(ids):
        message = _("Expected the ids of your own parties (the address book).")
        raise ValidationFailed(message, fields={"additional_end_users": [message]})
    app.additional_end_users.set(parties)


def snapshot(app: Application) -> dict:
    return {"route": app.route, "circumstance": app.circumstance.code if app.circumstance_id else None,
            "requested_valid_until": app.requested_valid_until.isoformat() if app.requested_valid_until else None,
            "additional_end_users": sorted(app.additional_end_users.values_list("pk", flat=True)) if app.pk else []}


def end_user_snapshots(app: Application) -> list[dict]:
    return [party.snapshot() for party in app.additional_end_users.order_by("pk")]


def missing(app: Application) -> list:
    """What the route needs before submission (licensing.applications.services.missing_for_submission)."""
    if app.route == Route.GENERAL and app.requested_valid_until is None:
        return [_("the validity asked for the general licence (at most 3 years)")]
    return []


def submission_refusal(app: Application, *, on: date | None = None):
    """Why this application cannot be submitted on its route, or None: the Law 33-39 bar on new
    applications first (every route), then the route's eligibility (Reg. 19, 20)."""
    on = on or timezone.localdate()
    barred = application_bar(app.exporter, on)
    if barred:
        return barred[0][0], barred[0][1]
    if app.route == Route.INDIVIDUAL:
        return None
    eligibility = route_eligibility(app.exporter, application=app, on=on)[app.route]
    if eligibility.open:
        return None
    return "route_not_open", lazy_format(_("The %(route)s is not open to your company: %(reasons)s"),
                                         route=Route(app.route).label, reasons=eligibility.reasons)


@transaction.atomic
def general_validity_set(*, actor, application_id, valid_until, expected_version=None) -> Application:
    """The ministry shortens the validity of a general licence under review (never lengthens it
    past what the exporter asked)."""
    require_ministry(actor)
    app = lock_case(application_id, actor)
    if app.route != Route.GENERAL:
        raise InvalidTransition(_("Only a general licence application has a validity to set."))
    if app.status not in OPEN_REVIEW_STATES:
        raise InvalidTransition(_("The validity can be set only while the case is under review."))
    check_version(app, expected_version)
    day = _validity(valid_until, "valid_until")
    if day is None:
        raise ValidationFailed(fields={"valid_until": [_("Enter a date as YYYY-MM-DD.")]})
    if app.requested_valid_until and day > app.requested_valid_until:
        message = _("The ministry may shorten the validity asked, not lengthen it.")
        raise ValidationFailed(message, fields={"valid_until": [message]})
    before = {"granted_valid_until": app.granted_valid_until.isoformat() if app.granted_valid_until else None}
    app.granted_valid_until = day
    app.version += 1
    app.save(update_fields=["granted_valid_until", "version", "updated_at"])
    audit.record(actor=actor, action="application.general_validity_set", obj=app, before=before,
                 after={"granted_valid_until": day.isoformat(), "version": app.version})
    return app
