"""The routing tables a ministry senior officer edits in the browser or through the API: routing
rules, each agency's deadline and silence rule, and country groups. Every edit is version-checked
and audited with before and after; a rule edited changes the next routing, never a referral
already made (it keeps a snapshot of the rule)."""

import json
import re
import zlib
from decimal import Decimal, DecimalException

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Organisation, OrgKind, Role
from audit import services as audit
from licensing.models import AgencySettings, CountryGroup, EndUseCategory, RoutingRule
from licensing.referrals import routing
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed, lazy_format


def _require_senior(actor) -> None:
    if actor is None or actor.role != Role.MINISTRY_SENIOR:
        raise NotAllowed(_("Only a ministry senior officer may change routing rules and agency settings."))


def clean_text(value, field: str, *, required_message=None, max_length: int = 5000) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={field: [_("Expected text.")]})
    value = value.strip()
    if required_message and not value:
        raise ValidationFailed(required_message, fields={field: [required_message]})
    if len(value) > max_length:
        message = lazy_format(_("At most %(n)s characters."), n=max_length)
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ValidationFailed(fields={field: [_("Enter a whole number.")]})
    return int(value)


def _bool(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(fields={field: [_("Expected true or false.")]})
    return value



RULE_FIELDS = ("name_zh", "name_en", *routing.CODE_CONDITIONS, "catch_all", "destination", "country_group",
               "end_use_category", "min_value_rmb", "agencies", "active")
_PREFIX = re.compile(r"^[0-9]([A-E]([0-9]{1,3}(\.[a-z0-9.]*)?)?)?$")
_SINGLE = {"sector": (re.compile(r"^[0-9]$"), _("One digit 0-9.")),
           "item_type": (re.compile(r"^[A-E]$"), _("One letter A-E.")),
           "regime_digit": (re.compile(r"^[0-9]$"), _("One digit 0-9."))}


def rule_state(rule: RoutingRule) -> dict:
    return {**routing.rule_snapshot(rule), "active": rule.active,
            "agencies": sorted(agency.code for agency in rule.agencies.all())}


def _clean_rule(data: dict, rule: RoutingRule | None) -> tuple[dict, list]:
    if not isinstance(data, dict):
        raise ValidationFailed(_("Expected an object."))
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed(lazy_format(_("Unknown fields: %(fields)s."), fields=sorted(unknown)))
    current = {name: getattr(rule, name) if rule else "" for name in RULE_FIELDS if name not in (
        "country_group", "agencies", "min_value_rmb", "catch_all", "active")}
    current.update(country_group=rule.country_group_id if rule else None,
                   min_value_rmb=rule.min_value_rmb if rule else None, catch_all=rule.catch_all if rule else False,
                   active=rule.active if rule else True,
                   agencies=[agency.pk for agency in rule.agencies.all()] if rule else [])
    merged = {**current, **data}
    out = {"name_zh": clean_text(merged["name_zh"], "name_zh", required_message=_("Give the reason in Chinese."),
                            max_length=200),
           "name_en": clean_text(merged["name_en"], "name_en", required_message=_("Give the reason in English."),
                            max_length=200)}
    for name, (pattern, message) in _SINGLE.items():
        value = clean_text(merged[name], name, max_length=1).upper()
        if value and not pattern.match(value):
            raise ValidationFailed(message, fields={name: [message]})
        out[name] = value
    exact = clean_text(merged["code_exact"], "code_exact", max_length=16)
    if exact:
        from controllist.codes import parse_control_code

        try:
            exact = parse_control_code(exact).code
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={"code_exact": [exc.message]}) from None
    out["code_exact"] = exact
    prefix = clean_text(merged["code_prefix"], "code_prefix", max_length=16)
    prefix = prefix[:2].upper() + prefix[2:]
    if prefix and not _PREFIX.match(prefix):
        message = _("A code prefix looks like 1, 1C, 1C3 or 1C351.")
        raise ValidationFailed(message, fields={"code_prefix": [message]})
    out["code_prefix"] = prefix
    out["catch_all"] = _bool(merged["catch_all"], "catch_all")
    if out["catch_all"] and any(out[name] for name in routing.CODE_CONDITIONS):
        message = _("A catch-all item has no code: a rule for catch-all items cannot have code conditions.")
        raise ValidationFailed(message, fields={"catch_all": [message]})
    destination = clean_text(merged["destination"], "destination", max_length=2).upper()
    if destination and destination not in countries:
        message = _("Destination must be an ISO 3166 two-letter country code.")
        raise ValidationFailed(message, fields={"destination": [message]})
    out["destination"] = destination
    group = merged["country_group"]
    if group in (None, ""):
        out["country_group"] = None
    else:
        out["country_group"] = CountryGroup.objects.filter(pk=_int(group, "country_group")).first()
        if out["country_group"] is None:
            raise ValidationFailed(fields={"country_group": [_("No such country group.")]})
    category = merged["end_use_category"] or ""
    if category not in ("", *EndUseCategory.values):
        raise ValidationFailed(fields={"end_use_category": [lazy_format(
            _("Choose one of: %(choices)s."), choices=", ".join(EndUseCategory.values))]})
    out["end_use_category"] = category
    out["min_value_rmb"] = _money(merged["min_value_rmb"])
    out["active"] = _bool(merged["active"], "active")
    ids = merged["agencies"]
    if not isinstance(ids, (list, tuple)) or not ids:
        message = _("Choose at least one agency.")
        raise ValidationFailed(message, fields={"agencies": [message]})
    ids = {_int(value, "agencies") for value in ids}
    agencies = list(Organisation.objects.filter(pk__in=ids, kind=OrgKind.AGENCY).order_by("code"))
    if len(agencies) != len(ids):
        raise ValidationFailed(fields={"agencies": [_("Choose among the consulted agencies.")]})
    if not routing.has_condition(RoutingRule(**{k: v for k, v in out.items() if k != "active"})):
        message = _("Give at least one condition (a rule without one would send every case).")
        raise ValidationFailed(message)
    return out, agencies


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, (bool, float)) or not isinstance(value, (int, str, Decimal)):
            raise DecimalException
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e18") or amount.as_tuple().exponent < -2:
            raise DecimalException
    except DecimalException:
        message = _("Enter an amount in RMB, at least 0, with at most two decimals.")
        raise ValidationFailed(message, fields={"min_value_rmb": [message]}) from None
    return amount


def _lock_rule(rule_id) -> RoutingRule:
    try:
        return RoutingRule.objects.select_for_update(of=("self",)).select_related("country_group").get(pk=int(rule_id))
    except (RoutingRule.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _rule_stale(rule, expected_version) -> None:
    if expected_version is not None and int(expected_version) != rule.version:
        raise StaleVersion(_("Someone changed this rule after you opened it. Reload the page and try again."))


@transaction.atomic
def routing_rule_create(*, actor, data: dict) -> RoutingRule:
    _require_senior(actor)
    values, agencies = _clean_rule(data, None)
    rule = RoutingRule.objects.create(**values)
    rule.agencies.set(agencies)
    audit.record(actor=actor, action="routing_rule.create", obj=rule, after=rule_state(rule))
    return rule


@transaction.atomic
def routing_rule_update(*, actor, rule_id, data: dict, expected_version=None) -> RoutingRule:
    """A new version of the rule: the next routing uses it; referrals already made keep the
    snapshot of the version that proposed them."""
    _require_senior(actor)
    rule = _lock_rule(rule_id)
    _rule_stale(rule, expected_version)
    values, agencies = _clean_rule(data, rule)
    before = rule_state(rule)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.agencies.set(agencies)
    if rule_state(rule) | {"version": before["version"]} == before:
        return rule  # nothing changed
    rule.version += 1
    rule.save()
    audit.record(actor=actor, action="routing_rule.update", obj=rule, before=before, after=rule_state(rule))
    return rule


@transaction.atomic
def routing_rule_deactivate(*, actor, rule_id, expected_version=None) -> RoutingRule:
    _require_senior(actor)
    rule = _lock_rule(rule_id)
    if not rule.active:
        return rule  # already off: a repeated click
    _rule_stale(rule, expected_version)
    before = rule_state(rule)
    rule.active = False
    rule.version += 1
    rule.save(update_fields=["active", "version", "updated_at"])
    audit.record(actor=actor, action="routing_rule.deactivate", obj=rule, before=before, after=rule_state(rule))
    return rule


def settings_state(settings: AgencySettings) -> dict:
    return {"agency": settings.agency.code, "deadline_working_days": settings.deadline_working_days,
            "remind_working_days_before": settings.remind_working_days_before,
            "silence_is_no_objection": settings.silence_is_no_objection, "version": settings.version}


@transaction.atomic
def agency_settings_update(*, actor, settings_id, data: dict, expected_version=None) -> AgencySettings:
    """Deadline, reminder and silence rule of one agency; a referral already sent keeps its due date."""
    _require_senior(actor)
    try:
        settings = (AgencySettings.objects.select_for_update(of=("self",)).select_related("agency")
                    .get(pk=int(settings_id)))
    except (AgencySettings.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not isinstance(data, dict) or set(data) - {"deadline_working_days", "remind_working_days_before",
                                                  "silence_is_no_objection"}:
        raise ValidationFailed(_("Unknown fields."))
    if expected_version is not None and int(expected_version) != settings.version:
        raise StaleVersion(_("Someone changed these settings after you opened them. Reload the page and try again."))
    days = _int(data.get("deadline_working_days", settings.deadline_working_days), "deadline_working_days")
    remind = _int(data.get("remind_working_days_before", settings.remind_working_days_before),
                  "remind_working_days_before")
    silence = _bool(data.get("silence_is_no_objection", settings.silence_is_no_objection), "silence_is_no_objection")
    if not 1 <= days <= 90:
        message = _("Between 1 and 90 working days.")
        raise ValidationFailed(message, fields={"deadline_working_days": [message]})
    if remind >= days:
        message = _("The reminder must come before the deadline: fewer days than the deadline.")
        raise ValidationFailed(message, fields={"remind_working_days_before": [message]})
    before = settings_state(settings)
    settings.deadline_working_days, settings.remind_working_days_before = days, remind
    settings.silence_is_no_objection = silence
    if settings_state(settings) == before:
        return settings
    settings.version += 1
    settings.save()
    audit.record(actor=actor, action="agency_settings.update", obj=settings, before=before,
                 after=settings_state(settings))
    return settings


def country_group_version(group: CountryGroup) -> int:
    """CountryGroup has no version column: a checksum of its content stands in for it, so a form
    opened before someone else's edit is still refused (409)."""
    content = json.dumps([group.code, group.name_zh, group.name_en, sorted(group.countries or [])],
                         ensure_ascii=False)
    return zlib.crc32(content.encode()) or 1


def group_state(group: CountryGroup) -> dict:
    return {"code": group.code, "name_zh": group.name_zh, "name_en": group.name_en,
            "countries": sorted(group.countries or [])}


def _clean_group(data: dict, group: CountryGroup | None) -> dict:
    if not isinstance(data, dict) or set(data) - {"code", "name_zh", "name_en", "countries"}:
        raise ValidationFailed(_("Unknown fields."))
    merged = {**(group_state(group) if group else {"code": "", "name_zh": "", "name_en": "", "countries": []}),
              **data}
    code = clean_text(merged["code"], "code", required_message=_("Give the group a short code."), max_length=32).lower()
    if not re.match(r"^[a-z0-9][a-z0-9-]*$", code):
        message = _("Lower-case letters, digits and hyphens, e.g. un-arms-embargo.")
        raise ValidationFailed(message, fields={"code": [message]})
    if CountryGroup.objects.filter(code=code).exclude(pk=group.pk if group else None).exists():
        raise ValidationFailed(fields={"code": [_("Another group has this code.")]})
    raw = merged["countries"]
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[\s,;，；、]+", raw) if part]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(c, str) for c in raw):
        raise ValidationFailed(fields={"countries": [_("A list of ISO 3166 two-letter codes.")]})
    codes = sorted({c.strip().upper() for c in raw})
    bad = [c for c in codes if c not in countries]
    if bad:
        message = lazy_format(_("Not ISO 3166 country codes: %(codes)s."), codes=", ".join(bad))
        raise ValidationFailed(message, fields={"countries": [message]})
    return {"code": code, "countries": codes,
            "name_zh": clean_text(merged["name_zh"], "name_zh", required_message=_("Give the name in Chinese."),
                             max_length=100),
            "name_en": clean_text(merged["name_en"], "name_en", required_message=_("Give the name in English."),
                             max_length=100)}


@transaction.atomic
def country_group_create(*, actor, data: dict) -> CountryGroup:
    _require_senior(actor)
    group = CountryGroup.objects.create(**_clean_group(data, None))
    audit.record(actor=actor, action="country_group.create", obj=group, after=group_state(group))
    return group


@transaction.atomic
def country_group_update(*, actor, group_id, data: dict, expected_version=None) -> CountryGroup:
    _require_senior(actor)
    try:
        group = CountryGroup.objects.select_for_update().get(pk=int(group_id))
    except (CountryGroup.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if expected_version is not None and int(expected_version) != country_group_version(group):
        raise StaleVersion(_("Someone changed this group after you opened it. Reload the page and try again."))
    values = _clean_group(data, group)
    before = group_state(group)
    for name, value in values.items():
        setattr(group, name, value)
    if group_state(group) == before:
        return group
    group.save()
    audit.record(actor=actor, action="country_group.update", obj=group, before=before, after=group_state(group))
    return group
