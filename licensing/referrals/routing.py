"""Which agencies a case is referred to (跨部门许可会商), from the RoutingRule table a ministry
administrator edits. Pure: reads the rules once and the case, writes nothing.

A rule matches when every one of its non-blank conditions matches. Code conditions (sector digit,
item type, regime digit, exact code, prefix) must all hold for one and the same listed item of the
case; `catch_all` needs an item applied for under the catch-all (Law 12(3)); the country group
matches the destination or the end user's country. A case goes to the agencies of every matching
rule, each agency once, with every rule that proposed it.

The same table gives the agencies the control list shows for a code (code_proposals, registered
with controllist.regime when licensing starts)."""

from decimal import Decimal

from controllist.regime import AgencyRule, CodeAgencies, ConsultedAgency
from licensing.models import Application, RoutingRule

CODE_CONDITIONS = ("sector", "item_type", "regime_digit", "code_exact", "code_prefix")
CASE_CONDITIONS = ("destination", "country_group", "end_use_category", "min_value_rmb")


def load_rules() -> list[RoutingRule]:
    """The active rules with what matching needs (three queries, whatever the number of rules)."""
    return list(RoutingRule.objects.filter(active=True).select_related("country_group")
                .prefetch_related("agencies").order_by("pk"))


def rule_conditions(rule: RoutingRule) -> dict:
    """The rule's non-blank conditions as plain JSON (what a referral keeps of it)."""
    conditions = {name: getattr(rule, name) for name in CODE_CONDITIONS if getattr(rule, name)}
    if rule.catch_all:
        conditions["catch_all"] = True
    if rule.destination:
        conditions["destination"] = rule.destination
    if rule.country_group_id:
        group = rule.country_group
        conditions["country_group"] = group.code
        conditions["country_group_countries"] = sorted(group.countries or [])
    if rule.end_use_category:
        conditions["end_use_category"] = rule.end_use_category
    if rule.min_value_rmb is not None:
        conditions["min_value_rmb"] = str(rule.min_value_rmb)
    return conditions


def rule_snapshot(rule: RoutingRule) -> dict:
    return {"id": rule.pk, "version": rule.version, "name_zh": rule.name_zh, "name_en": rule.name_en,
            "conditions": rule_conditions(rule)}


def has_condition(rule: RoutingRule) -> bool:
    return bool(rule_conditions(rule))


def _code_matches(rule: RoutingRule, code: str) -> bool:
    return ((not rule.sector or code[:1] == rule.sector)
            and (not rule.item_type or code[1:2] == rule.item_type)
            and (not rule.regime_digit or code[2:3] == rule.regime_digit)
            and (not rule.code_exact or code == rule.code_exact)
            and (not rule.code_prefix or code.startswith(rule.code_prefix)))


def _country(value) -> str:
    code = getattr(value, "code", value)
    return (code or "").upper()


def matches(rule: RoutingRule, *, codes: list[str], has_catch_all: bool, destination: str,
            end_user_country: str, end_use_category: str, total_value: Decimal) -> bool:
    if any(getattr(rule, name) for name in CODE_CONDITIONS):
        if not any(_code_matches(rule, code) for code in codes):
            return False
    if rule.catch_all and not has_catch_all:
        return False
    if rule.destination and rule.destination.upper() != destination:
        return False
    if rule.country_group_id:
        group = {c.upper() for c in (rule.country_group.countries or []) if isinstance(c, str)}
        if not ({destination, end_user_country} - {""}) & group:
            return False
    if rule.end_use_category and rule.end_use_category != end_use_category:
        return False
    if rule.min_value_rmb is not None and (total_value or Decimal(0)) < rule.min_value_rmb:
        return False
    return True


def route(app: Application, rules: list[RoutingRule] | None = None) -> list[tuple]:
    """[(agency Organisation, [rule snapshots])] for the case, each agency once, in the order of
    the first rule that named it. Pass `rules` (from load_rules) when routing many cases."""
    rules = load_rules() if rules is None else rules
    items = list(app.items.all())
    facts = {
        "codes": [item.control_code for item in items if item.control_code and not item.catch_all],
        "has_catch_all": any(item.catch_all for item in items),
        "destination": _country(app.destination),
        "end_user_country": _country(app.end_user.country) if app.end_user_id else "",
        "end_use_category": app.end_use_category,
        "total_value": app.total_value_rmb,
    }
    proposed: dict[int, tuple] = {}
    for rule in rules:
        if not rule.active or not has_condition(rule) or not matches(rule, **facts):
            continue
        snapshot = rule_snapshot(rule)
        for agency in rule.agencies.all():
            proposed.setdefault(agency.pk, (agency, []))[1].append(snapshot)
    return list(proposed.values())


def code_proposals(code: str, rules: list[RoutingRule] | None = None) -> CodeAgencies:
    """What the active rules say about a bare code, with no case: the agencies proposed by the
    rules whose only conditions are code conditions (each agency once, in the order of the first
    rule that named it, with every rule that proposed it), and separately the rules that match
    the code but also need a case condition (destination, country group, end use, value). Rules
    without a code condition say nothing about a code and are left out, as are catch-all rules
    (a listed code is never a catch-all item). Pass `rules` (from load_rules) for many codes."""
    rules = load_rules() if rules is None else rules
    proposed: dict[int, tuple] = {}
    conditional = []
    for rule in rules:
        conditions = rule_conditions(rule)
        if (not rule.active or rule.catch_all or not any(name in conditions for name in CODE_CONDITIONS)
                or not _code_matches(rule, code)):
            continue
        snapshot = rule_snapshot(rule)
        agencies = tuple(rule.agencies.all())
        case_conditions = tuple(name for name in CASE_CONDITIONS if name in conditions)
        shown = AgencyRule(id=snapshot["id"], name_zh=snapshot["name_zh"], name_en=snapshot["name_en"],
                           case_conditions=case_conditions, agencies=agencies if case_conditions else ())
        if case_conditions:
            conditional.append(shown)
            continue
        for agency in agencies:
            proposed.setdefault(agency.pk, (agency, []))[1].append(shown)
    return CodeAgencies(
        agencies=tuple(ConsultedAgency(agency, tuple(reasons)) for agency, reasons in proposed.values()),
        conditional=tuple(conditional))
