"""Reads for screening."""

from enduser.models import OwnershipRule, OwnershipRulePeriod


def ownership_rule_periods(*, rule: str = OwnershipRule.AFFILIATES_50) -> list[OwnershipRulePeriod]:
    """Every period of an ownership rule, oldest first: what `ownership.rule_on` decides from.
    One query; a screening of many parties reads them once and passes them on."""
    return list(OwnershipRulePeriod.objects.filter(rule=rule).order_by("valid_from"))
