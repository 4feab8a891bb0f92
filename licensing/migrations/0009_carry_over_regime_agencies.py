"""One table says which agencies a code is referred to: the routing rules. Before controllist's
regime table loses its agencies (controllist 0007), each regime rule that names agencies the
routing table does not already propose for every code it matches becomes a routing rule, so
nothing an administrator set is lost.

A regime rule is covered when the active routing rules that depend on the code alone and whose
code conditions every code of the regime rule meets (each of sector, item type and regime digit
blank, equal to the regime rule's or to that character of its code prefix; a code prefix blank or
a prefix of the regime rule's) together propose all of its agencies: for any code the regime rule
matched, each of those rules matches too. With the shipped defaults every regime rule is covered
and nothing is created.

Reversing leaves the routing rules alone: an administrator may have edited them since."""

from django.db import migrations

SUFFIX_ZH = "（由管制类别表转入）"
SUFFIX_EN = " (carried over from the regime table)"
NAME_LENGTH = 200  # RoutingRule.name_zh / name_en
POSITIONS = (("sector", 0), ("item_type", 1), ("regime_digit", 2))
CODE_CONDITIONS = ("sector", "item_type", "regime_digit", "code_prefix")


def on_code_alone(rule) -> bool:
    """A routing rule that proposes its agencies for a code without looking at the case."""
    return (rule.active and not rule.catch_all and not rule.code_exact and not rule.destination
            and rule.country_group_id is None and not rule.end_use_category and rule.min_value_rmb is None
            and any(getattr(rule, name) for name in CODE_CONDITIONS))


def implied_by(rule, regime) -> bool:
    """Every code the regime rule matches meets the routing rule's code conditions."""
    prefix = regime.code_prefix or ""
    for name, index in POSITIONS:
        wanted = getattr(rule, name)
        if wanted and wanted not in (getattr(regime, name), prefix[index:index + 1]):
            return False
    return not rule.code_prefix or prefix.startswith(rule.code_prefix)


def covered(regime, agency_ids: set, routing: list) -> bool:
    """`routing`: [(routing rule, its agency ids)]."""
    proposed = set()
    for rule, ids in routing:
        if on_code_alone(rule) and implied_by(rule, regime):
            proposed |= ids
    return agency_ids <= proposed


def _name(base: str, suffix: str) -> str:
    return base[:NAME_LENGTH - len(suffix)].strip() + suffix


def carry_over_rules(apps, regimes: list) -> list:
    """Create a routing rule for each (regime rule, agency ids) not covered; returns them."""
    RoutingRule = apps.get_model("licensing", "RoutingRule")
    routing = [(rule, {agency.pk for agency in rule.agencies.all()})
               for rule in RoutingRule.objects.filter(active=True).prefetch_related("agencies")]
    created = []
    for regime, agency_ids in regimes:
        agency_ids = set(agency_ids)
        if not agency_ids or covered(regime, agency_ids, routing):
            continue
        pattern = regime.code_prefix or "".join(getattr(regime, name) or "?" for name, _ in POSITIONS)
        rule = RoutingRule.objects.create(
            name_zh=_name(regime.regime_zh or regime.note or pattern, SUFFIX_ZH),
            name_en=_name(regime.regime_en or regime.note or pattern, SUFFIX_EN),
            sector=regime.sector, item_type=regime.item_type, regime_digit=regime.regime_digit,
            code_prefix=regime.code_prefix,
            # A regime rule without conditions matched every code; a routing rule needs one, so
            # it arrives switched off for the ministry to give it a condition.
            active=any(getattr(regime, name) for name in CODE_CONDITIONS))
        rule.agencies.set(agency_ids)
        routing.append((rule, agency_ids))
        created.append(rule)
    return created


def carry_over(apps, schema_editor):
    RegimeRule = apps.get_model("controllist", "RegimeRule")
    regimes = [(regime, {agency.pk for agency in regime.agencies.all()})
               for regime in RegimeRule.objects.prefetch_related("agencies").order_by("pk")]
    carry_over_rules(apps, regimes)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0008_queue_indexes"),
        ("controllist", "0006_client_tokens"),
    ]
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
