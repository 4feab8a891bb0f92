"""Writes for temporary controls (临时管制, Law 9, Reg. 12) and prohibitions (Law 10, Reg. 13).

Each write runs in one transaction that locks the row, checks the actor and the state, writes the
audit event, and schedules side effects through the outbox. Only ministry officers write."""

import re
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import MINISTRY_ROLES, User
from audit import services as audit
from audit.models import AuditEvent
from controllist.codes import parse_control_code
from controllist.models import Prohibition, TemporaryControl, TemporaryControlState
from controllist.selectors import entry_in_force
from outbox.services import enqueue
from portal.dates import add_years
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)

# Reg. 12: a temporary control lasts at most two years a period and is extended at most twice.
PERIOD_YEARS = 2
MAX_EXTENSIONS = 2
REVIEW_NOTICE_DAYS = 60

# Dates outside these are typing errors, and two years past 9999 cannot be computed at all.
EARLIEST_DATE = date(1949, 10, 1)
LATEST_DATE = date(2999, 12, 31)

_HS_CODE = re.compile(r"^[0-9]{4,10}$")
_CODE_HEAD = re.compile(r"^[0-9]([A-E]([0-9]{1,3})?)?$")


# ---------------------------------------------------------------- input checks



def extension_limit(ends_on: date) -> date:
    """The latest end date of an extension: a new period of at most two years (Reg. 12) that
    starts the day after the current end, counted like the first period."""
    return add_years(ends_on + timedelta(days=1), PERIOD_YEARS) - timedelta(days=1)


def _require_ministry(actor) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in MINISTRY_ROLES:
        raise NotAllowed()


def _text(data: dict, field: str, *, required: bool = False, max_length: int = 300) -> str:
    value = data.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={field: [_("Expected text.")]})
    value = value.strip()
    if required and not value:
        raise ValidationFailed(lazy_format(_("%(field)s is required."), field=field),
                               fields={field: [_("This field is required.")]})
    if len(value) > max_length:
        message = lazy_format(_("At most %(n)s characters."), n=max_length)
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _date(value, field: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed(fields={field: [_("Enter a date (YYYY-MM-DD).")]})
        return None
    day = None
    if isinstance(value, date) and not hasattr(value, "hour"):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
    if day is not None:
        if EARLIEST_DATE <= day <= LATEST_DATE:
            return day
        message = lazy_format(_("Enter a date between %(earliest)s and %(latest)s."),
                              earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
        raise ValidationFailed(message, fields={field: [message]})
    raise ValidationFailed(lazy_format(_("“%(value)s” is not a date (YYYY-MM-DD)."), value=value),
                           fields={field: [_("Enter a date (YYYY-MM-DD).")]})


def _country(value, field: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or value.strip().upper() not in countries:
        message = lazy_format(_("“%(value)s” is not an ISO 3166 two-letter country code."), value=value)
        raise ValidationFailed(message, fields={field: [message]})
    return value.strip().upper()


def _string_list(value, field: str) -> list[str]:
    """A JSON list, or the text a form sends (items separated by commas, spaces or new lines)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;，；、]+", value) if part]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(fields={field: [_("Expected a list of text values.")]})
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _hs_codes(value) -> list[str]:
    codes = _string_list(value, "hs_codes")
    bad = [code for code in codes if not _HS_CODE.match(code)]
    if bad:
        message = lazy_format(_("HS codes are 4 to 10 digits; not: %(codes)s."), codes=bad)
        raise ValidationFailed(message, fields={"hs_codes": [message]})
    return codes


def _destinations(value) -> list[str]:
    codes = [code.upper() for code in _string_list(value, "destinations")]
    bad = [code for code in codes if code not in countries]
    if bad:
        message = lazy_format(_("Unknown ISO 3166 country codes: %(codes)s."), codes=bad)
        raise ValidationFailed(message, fields={"destinations": [message]})
    return list(dict.fromkeys(codes))


def _field_error(exc: ValidationFailed, field: str) -> ValidationFailed:
    return ValidationFailed(exc.message, code=exc.code, fields={field: [exc.message]})


def check_item_code_or_prefix(raw: str) -> str:
    """A full code (1C902.a) or the beginning of one (1, 1C, 1C9, 1C90), normalised."""
    value = (raw or "").strip()
    head = value[:2].upper() + value[2:]
    if _CODE_HEAD.match(head):
        return head
    try:
        return parse_control_code(value).code
    except ValidationFailed as exc:
        raise ValidationFailed(
            lazy_format(_("“%(code)s” is neither an export control code nor the beginning of one "
                          "(e.g. 1C9 or 1C902.a)."), code=raw),
            code=exc.code, fields={"item_code": [exc.message]}) from None


def _create_numbered(*, actor, model, cleaned: dict, prefix: str, action: str, snapshot, client_token):
    """Create a temporary control or prohibition with its public number, audited. The same
    client token (a double click or a retried request) returns what the first create made; the
    unique (created_by, client_token) constraint settles two that race."""

    def made_before():
        return model.objects.filter(created_by=actor, client_token=client_token).first() if client_token else None

    existing = made_before()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            obj = model.objects.create(created_by=actor, client_token=client_token or None, **cleaned)
            obj.number = f"{prefix}{timezone.localdate().year}-{obj.pk:04d}"
            obj.save(update_fields=["number"])
            audit.record(actor=actor, action=action, obj=obj, after=snapshot(obj))
    except IntegrityError:
        existing = made_before()
        if existing is None:
            raise
        return existing
    return obj


def _last_event(obj):
    return (AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
            .order_by("-seq").values("action", "actor_id", "after").first())


# ---------------------------------------------------------------- temporary controls


def _control_snapshot(control: TemporaryControl) -> dict:
    return {
        "number": control.number, "state": control.state, "version": control.version,
        "title_zh": control.title_zh, "title_en": control.title_en,
        "control_code": control.control_code, "hs_codes": list(control.hs_codes),
        "destinations": list(control.destinations), "announcement": control.announcement,
        "starts_on": control.starts_on.isoformat(), "ends_on": control.ends_on.isoformat(),
        "extensions": control.extensions,
    }


def _clean_control(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed()
    cleaned = {
        "title_zh": _text(data, "title_zh", required=True),
        "title_en": _text(data, "title_en", required=True),
        "description_zh": _text(data, "description_zh", max_length=5000),
        "description_en": _text(data, "description_en", max_length=5000),
        "announcement": _text(data, "announcement", max_length=200),
        "hs_codes": _hs_codes(data.get("hs_codes")),
        "destinations": _destinations(data.get("destinations")),
        "starts_on": _date(data.get("starts_on"), "starts_on"),
        "ends_on": _date(data.get("ends_on"), "ends_on"),
        "control_code": "",
    }
    raw_code = data.get("control_code")
    if raw_code not in (None, ""):
        if not isinstance(raw_code, str):
            raise ValidationFailed(fields={"control_code": [_("Expected text.")]})
        try:
            cleaned["control_code"] = parse_control_code(raw_code).code
        except ValidationFailed as exc:
            raise _field_error(exc, "control_code") from None
        if entry_in_force(cleaned["control_code"]) is not None:
            message = lazy_format(_("%(code)s is already in the control list in force; a temporary "
                                    "control is for items outside the list (Law 9)."),
                                  code=cleaned["control_code"])
            raise ValidationFailed(message, fields={"control_code": [message]})
    starts_on, ends_on = cleaned["starts_on"], cleaned["ends_on"]
    if ends_on < starts_on:
        message = _("The end date is before the start date.")
        raise ValidationFailed(message, fields={"ends_on": [message]})
    limit = add_years(starts_on, PERIOD_YEARS)
    if ends_on >= limit:
        message = lazy_format(
            _("A temporary control lasts at most two years (Reg. 12): it must end before %(limit)s."),
            limit=limit.isoformat())
        raise ValidationFailed(message, fields={"ends_on": [message]})
    return cleaned


def temporary_control_create(*, actor, data: dict, client_token=None) -> TemporaryControl:
    """Add a temporary control. The same client_token returns the control already made."""
    _require_ministry(actor)
    cleaned = _clean_control(data or {})
    return _create_numbered(actor=actor, model=TemporaryControl, cleaned=cleaned, prefix="LS",
                            action="controllist.temporary_control_create", snapshot=_control_snapshot,
                            client_token=client_token)


def _lock_control(control_id) -> TemporaryControl:
    try:
        return TemporaryControl.objects.select_for_update().get(pk=control_id)
    except (TemporaryControl.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _check_version(control: TemporaryControl, expected_version) -> None:
    if expected_version is not None and str(expected_version) != str(control.version):
        raise StaleVersion(_("Someone changed this temporary control after you opened it. Reload "
                             "the page and try again."))


def _require_open(control: TemporaryControl, today: date) -> None:
    if control.state != TemporaryControlState.ACTIVE:
        raise InvalidTransition(lazy_format(_("This temporary control is “%(state)s”; it can no "
                                              "longer be changed."),
                                            state=TemporaryControlState(control.state).label))
    if control.ends_on < today:
        raise InvalidTransition(lazy_format(_("This temporary control lapsed after %(day)s; it can no "
                                              "longer be extended, cancelled or moved onto the list."),
                                            day=control.ends_on.isoformat()))


@transaction.atomic
def temporary_control_extend(*, actor, control_id, new_ends_on, expected_version=None) -> TemporaryControl:
    _require_ministry(actor)
    control = _lock_control(control_id)
    new_ends_on = _date(new_ends_on, "new_ends_on")
    last = _last_event(control)
    if (control.ends_on == new_ends_on and last and last["actor_id"] == actor.pk
            and last["action"] == "controllist.temporary_control_extend"):
        return control  # a repeated request: the extension is already made
    _require_open(control, timezone.localdate())
    _check_version(control, expected_version)
    if control.extensions >= MAX_EXTENSIONS:
        raise InvalidTransition(_("A temporary control may be extended at most twice (Reg. 12). This one "
                                  "has been extended twice: cancel it, or move the item onto the list."),
                                code="too_many_extensions")
    limit = extension_limit(control.ends_on)
    if new_ends_on <= control.ends_on:
        message = lazy_format(_("The new end date must be after the current one (%(day)s)."),
                              day=control.ends_on.isoformat())
        raise ValidationFailed(message, fields={"new_ends_on": [message]})
    if new_ends_on > limit:
        message = lazy_format(_("An extension adds at most two years (Reg. 12): the new end date can be "
                                "%(limit)s at the latest."), limit=limit.isoformat())
        raise ValidationFailed(message, fields={"new_ends_on": [message]})
    before = _control_snapshot(control)
    control.ends_on = new_ends_on
    control.extensions += 1
    control.version += 1
    control.save(update_fields=["ends_on", "extensions", "version"])
    audit.record(actor=actor, action="controllist.temporary_control_extend", obj=control, before=before,
                 after=_control_snapshot(control))
    return control


def _end_control(*, actor, control_id, reason, state, action, expected_version) -> TemporaryControl:
    _require_ministry(actor)
    control = _lock_control(control_id)
    reason = _text({"reason": reason}, "reason", required=True, max_length=5000)
    last = _last_event(control)
    if (control.state == state and last and last["actor_id"] == actor.pk
            and last["action"] == f"controllist.{action}"):
        return control
    _require_open(control, timezone.localdate())
    _check_version(control, expected_version)
    before = _control_snapshot(control)
    control.state = state
    control.end_reason = reason
    control.ended_at = timezone.now()
    control.version += 1
    control.save(update_fields=["state", "end_reason", "ended_at", "version"])
    audit.record(actor=actor, action=f"controllist.{action}", obj=control, before=before,
                 after={**_control_snapshot(control), "reason": reason})
    return control


@transaction.atomic
def temporary_control_cancel(*, actor, control_id, reason, expected_version=None) -> TemporaryControl:
    return _end_control(actor=actor, control_id=control_id, reason=reason,
                        state=TemporaryControlState.CANCELLED, action="temporary_control_cancel",
                        expected_version=expected_version)


@transaction.atomic
def temporary_control_list_move(*, actor, control_id, reason, expected_version=None) -> TemporaryControl:
    """The review's third outcome (Reg. 12): the item goes onto the list, so the temporary control
    ends here. The list entry itself comes with the next list version."""
    return _end_control(actor=actor, control_id=control_id, reason=reason,
                        state=TemporaryControlState.LISTED, action="temporary_control_list_move",
                        expected_version=expected_version)


def _in_both_languages(message: str, params: dict, separator: str) -> str:
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(gettext(message) % params)
    return texts[0] if texts[0] == texts[1] else separator.join(texts)


REMINDER_SUBJECT = gettext_noop("Temporary control %(number)s ends on %(ends_on)s: review due")
REMINDER_BODY = gettext_noop(
    "Temporary control %(number)s (%(title)s) ends on %(ends_on)s. Under Reg. 12 it must be "
    "reviewed before then: extend it (extensions so far: %(extensions)s of 2), cancel it, or move "
    "the item onto the control list. Otherwise it lapses by itself the day after it ends.")


def _send_review_reminder(control: TemporaryControl) -> None:
    recipients = sorted(set(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True)
                            .exclude(email="").values_list("email", flat=True)))
    if not recipients:
        return
    params = {"number": control.number, "title": f"{control.title_zh} / {control.title_en}",
              "ends_on": control.ends_on.isoformat(), "extensions": control.extensions}
    enqueue("outbox.send_email", to=recipients,
            subject=_in_both_languages(REMINDER_SUBJECT, params, " / "),
            body=_in_both_languages(REMINDER_BODY, params, "\n\n"))


def temporary_controls_sweep(today: date | None = None) -> dict:
    """Record lapsed controls and send each period's 60-day review reminder (Reg. 12). Safe to
    run any number of times: each control is re-read under its lock and changed only once."""
    today = today or timezone.localdate()
    lapsed = reminded = 0
    candidates = TemporaryControl.objects.filter(state=TemporaryControlState.ACTIVE).filter(
        ends_on__lte=today + timedelta(days=REVIEW_NOTICE_DAYS)).values_list("pk", flat=True)
    for control_id in list(candidates):
        with transaction.atomic():
            control = TemporaryControl.objects.select_for_update().filter(
                pk=control_id, state=TemporaryControlState.ACTIVE).first()
            if control is None:
                continue
            if control.ends_on < today:
                before = _control_snapshot(control)
                control.state = TemporaryControlState.LAPSED
                control.ended_at = timezone.now()
                control.version += 1
                control.save(update_fields=["state", "ended_at", "version"])
                audit.record(actor=None, action="controllist.temporary_control_lapse", obj=control,
                             before=before, after=_control_snapshot(control))
                lapsed += 1
            elif control.review_reminded_for != control.ends_on:
                _send_review_reminder(control)
                control.review_reminded_for = control.ends_on
                control.save(update_fields=["review_reminded_for"])
                audit.record(actor=None, action="controllist.temporary_control_remind", obj=control,
                             after={"review_reminded_for": control.ends_on.isoformat()})
                reminded += 1
    return {"lapsed": lapsed, "reminded": reminded}


# ---------------------------------------------------------------- prohibitions


def _prohibition_snapshot(ban: Prohibition) -> dict:
    return {
        "number": ban.number, "item_code": ban.item_code,
        "temporary_control": ban.temporary_control_id, "item_description": ban.item_description,
        "destination": ban.destination.code if ban.destination else "",
        "party_name": ban.party_name, "party_country": ban.party_country.code if ban.party_country else "",
        "reason_zh": ban.reason_zh, "reason_en": ban.reason_en, "announcement": ban.announcement,
        "effective_from": ban.effective_from.isoformat(),
        "effective_until": ban.effective_until.isoformat() if ban.effective_until else None,
        "revoked": ban.revoked_at is not None,
    }


def _clean_prohibition(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed()
    cleaned = {
        "item_description": _text(data, "item_description"),
        "party_name": _text(data, "party_name"),
        "reason_zh": _text(data, "reason_zh", required=True, max_length=5000),
        "reason_en": _text(data, "reason_en", required=True, max_length=5000),
        "announcement": _text(data, "announcement", max_length=200),
        "destination": _country(data.get("destination"), "destination"),
        "party_country": _country(data.get("party_country"), "party_country"),
        "effective_from": _date(data.get("effective_from"), "effective_from"),
        "effective_until": _date(data.get("effective_until"), "effective_until", required=False),
        "item_code": "",
        "temporary_control": None,
    }
    raw_code = data.get("item_code")
    if raw_code not in (None, ""):
        if not isinstance(raw_code, str):
            raise ValidationFailed(fields={"item_code": [_("Expected text.")]})
        cleaned["item_code"] = check_item_code_or_prefix(raw_code)
    control_id = data.get("temporary_control")
    if control_id not in (None, ""):
        if isinstance(control_id, bool) or not re.fullmatch(r"[0-9]{1,18}", str(control_id)):
            raise ValidationFailed(fields={"temporary_control": [_("Expected the id of a temporary control.")]})
        cleaned["temporary_control"] = TemporaryControl.objects.filter(pk=int(control_id)).first()
        if cleaned["temporary_control"] is None:
            raise ValidationFailed(_("No such temporary control."),
                                   fields={"temporary_control": [_("No such temporary control.")]})
    if cleaned["party_country"] and not cleaned["party_name"]:
        message = _("Give the party's name as well as its country.")
        raise ValidationFailed(message, fields={"party_name": [message]})
    if not (cleaned["item_code"] or cleaned["temporary_control"] or cleaned["destination"]
            or cleaned["party_name"]):
        raise ValidationFailed(_("A prohibition names an item (a code, a code prefix or a temporary "
                                 "control), a destination, a party, or a combination of them."),
                               code="names_nothing")
    if cleaned["effective_until"] and cleaned["effective_until"] < cleaned["effective_from"]:
        message = _("The end date is before the start date.")
        raise ValidationFailed(message, fields={"effective_until": [message]})
    return cleaned


def prohibition_create(*, actor, data: dict, client_token=None) -> Prohibition:
    _require_ministry(actor)
    cleaned = _clean_prohibition(data or {})
    return _create_numbered(actor=actor, model=Prohibition, cleaned=cleaned, prefix="JZ",
                            action="controllist.prohibition_create", snapshot=_prohibition_snapshot,
                            client_token=client_token)


@transaction.atomic
def prohibition_revoke(*, actor, prohibition_id, reason) -> Prohibition:
    _require_ministry(actor)
    try:
        ban = Prohibition.objects.select_for_update().get(pk=prohibition_id)
    except (Prohibition.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    reason = _text({"reason": reason}, "reason", required=True, max_length=5000)
    if ban.revoked_at is not None:
        if ban.revoked_by_id == actor.pk:
            return ban  # a repeated request
        raise InvalidTransition(_("This prohibition has already been revoked."))
    before = _prohibition_snapshot(ban)
    ban.revoked_at = timezone.now()
    ban.revoked_by = actor
    ban.revoke_reason = reason
    ban.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit.record(actor=actor, action="controllist.prohibition_revoke", obj=ban, before=before,
                 after={**_prohibition_snapshot(ban), "reason": reason})
    return ban
