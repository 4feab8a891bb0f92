"""A code's regime, control reason and the agencies to consult, derived through the RegimeRule
table (DOMAIN.md: sector digit, item type letter, and the 0xx/1xx/2xx/3xx/4xx/9xx pattern), so an
administrator changes routing by editing rows, not code."""

from dataclasses import dataclass, field

from django.utils.translation import get_language

from controllist.models import RegimeRule


@dataclass(frozen=True)
class RegimeInfo:
    code: str
    regime_zh: str = ""
    regime_en: str = ""
    reason_zh: str = ""
    reason_en: str = ""
    agencies: tuple = field(default_factory=tuple)  # accounts.Organisation rows, by code
    rules: tuple = field(default_factory=tuple)  # the RegimeRule ids that matched

    @property
    def regime(self) -> str:
        return self.regime_zh if (get_language() or "").startswith("zh") else self.regime_en

    @property
    def reason(self) -> str:
        return self.reason_zh if (get_language() or "").startswith("zh") else self.reason_en

    @property
    def agency_codes(self) -> list[str]:
        return [agency.code for agency in self.agencies]


def load_rules() -> list[RegimeRule]:
    return list(RegimeRule.objects.prefetch_related("agencies"))


def classify(code: str, rules: list[RegimeRule] | None = None) -> RegimeInfo:
    """The regime facts for one code. Pass `rules` (from load_rules) when classifying many codes,
    to read the table once."""
    rules = load_rules() if rules is None else rules
    matching = [rule for rule in rules if rule.matches(code)]
    if not matching:
        return RegimeInfo(code=code)
    best = max(matching, key=lambda rule: (rule.specificity, rule.pk))
    # Regime and reason come from the most specific rule that gives them.
    named = sorted((r for r in matching if r.regime_en or r.regime_zh),
                   key=lambda rule: (rule.specificity, rule.pk), reverse=True)
    reasoned = sorted((r for r in matching if r.reason_en or r.reason_zh),
                      key=lambda rule: (rule.specificity, rule.pk), reverse=True)
    agencies = {}
    for rule in matching:
        for agency in rule.agencies.all():
            agencies[agency.code] = agency
    regime_rule = named[0] if named else best
    reason_rule = reasoned[0] if reasoned else best
    return RegimeInfo(
        code=code,
        regime_zh=regime_rule.regime_zh, regime_en=regime_rule.regime_en,
        reason_zh=reason_rule.reason_zh, reason_en=reason_rule.reason_en,
        agencies=tuple(agencies[key] for key in sorted(agencies)),
        rules=tuple(rule.pk for rule in matching),
    )
