"""A code's regime and control reason, derived through the RegimeRule table (DOMAIN.md: sector
digit, item type letter, and the 0xx/1xx/2xx/3xx/4xx/9xx pattern), and the agencies consulted on
it, which come from the one routing table the ministry edits.

The routing table belongs to licensing, an app above this one: controllist never imports it.
Licensing registers an agency source here when it starts (register_agency_source); without one,
codes have no agencies."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from controllist.models import RegimeRule

CASE_CONDITION_LABELS = {
    "destination": _("the destination"),
    "country_group": _("the destination's or end user's country group"),
    "end_use_category": _("the end use"),
    "min_value_rmb": _("the case value"),
}


def _chinese() -> bool:
    return (get_language() or "").startswith("zh")


@dataclass(frozen=True)
class AgencyRule:
    """A rule of the agency source as the control list shows it: its reason in both languages,
    the names of the case conditions it also needs (none for a rule on the code alone) and, for
    such a conditional rule, the agencies it would add."""

    id: int
    name_zh: str
    name_en: str
    case_conditions: tuple = ()
    agencies: tuple = ()  # accounts.Organisation rows

    @property
    def name(self) -> str:
        return self.name_zh if _chinese() else self.name_en

    @property
    def case_condition_labels(self) -> list:
        return [CASE_CONDITION_LABELS.get(name, name) for name in self.case_conditions]


@dataclass(frozen=True)
class ConsultedAgency:
    agency: Any  # accounts.Organisation
    reasons: tuple = ()  # AgencyRule, the rules that propose the agency

    @property
    def code(self) -> str:
        return self.agency.code


@dataclass(frozen=True)
class CodeAgencies:
    """What an agency source answers for a bare code: the agencies its rules propose on the code
    alone, each once, and the rules that match the code but also depend on the case."""

    agencies: tuple = ()  # ConsultedAgency
    conditional: tuple = ()  # AgencyRule


@dataclass(frozen=True)
class AgencySource:
    propose: Callable[[str, Any], CodeAgencies]  # (code, what load returned)
    load: Callable[[], Any]


_agency_source: AgencySource | None = None


def register_agency_source(propose: Callable[[str, Any], CodeAgencies], *,
                           load: Callable[[], Any] = lambda: None) -> None:
    """Make `propose(code, loaded)` the source of every code's agencies, `loaded` being what
    `load()` read (once per load_rules, however many codes are classified). A second
    registration replaces the first."""
    global _agency_source
    _agency_source = AgencySource(propose=propose, load=load)


def registered_agency_source() -> AgencySource | None:
    return _agency_source


@dataclass(frozen=True)
class RegimeInfo:
    code: str
    regime_zh: str = ""
    regime_en: str = ""
    reason_zh: str = ""
    reason_en: str = ""
    consulted: tuple = field(default_factory=tuple)  # ConsultedAgency, by agency code
    conditional: tuple = field(default_factory=tuple)  # AgencyRule that also depend on the case
    rules: tuple = field(default_factory=tuple)  # the RegimeRule ids that matched

    @property
    def regime(self) -> str:
        return self.regime_zh if _chinese() else self.regime_en

    @property
    def reason(self) -> str:
        return self.reason_zh if _chinese() else self.reason_en

    @property
    def agencies(self) -> tuple:
        """accounts.Organisation rows, by code."""
        return tuple(consulted.agency for consulted in self.consulted)

    @property
    def agency_codes(self) -> list[str]:
        return [agency.code for agency in self.agencies]


@dataclass(frozen=True)
class LoadedRules:
    """What classify reads, read once: the regime rules and what the agency source loaded."""

    regime: list
    source: AgencySource | None = None
    agency_rules: Any = None


def load_rules() -> LoadedRules:
    source = _agency_source
    return LoadedRules(regime=list(RegimeRule.objects.all()), source=source,
                       agency_rules=source.load() if source else None)


def _agencies(code: str, rules: LoadedRules) -> CodeAgencies:
    if rules.source is None:
        return CodeAgencies()
    return rules.source.propose(code, rules.agency_rules)


def classify(code: str, rules: LoadedRules | None = None) -> RegimeInfo:
    """The regime facts for one code. Pass `rules` (from load_rules) when classifying many codes,
    to read the tables once."""
    rules = load_rules() if rules is None else rules
    found = _agencies(code, rules)
    consulted = tuple(sorted(found.agencies, key=lambda consulted: consulted.code))
    matching = [rule for rule in rules.regime if rule.matches(code)]
    if not matching:
        return RegimeInfo(code=code, consulted=consulted, conditional=tuple(found.conditional))
    best = max(matching, key=lambda rule: (rule.specificity, rule.pk))
    # Regime and reason come from the most specific rule that gives them.
    named = sorted((r for r in matching if r.regime_en or r.regime_zh),
                   key=lambda rule: (rule.specificity, rule.pk), reverse=True)
    reasoned = sorted((r for r in matching if r.reason_en or r.reason_zh),
                      key=lambda rule: (rule.specificity, rule.pk), reverse=True)
    regime_rule = named[0] if named else best
    reason_rule = reasoned[0] if reasoned else best
    return RegimeInfo(
        code=code,
        regime_zh=regime_rule.regime_zh, regime_en=regime_rule.regime_en,
        reason_zh=reason_rule.reason_zh, reason_en=reason_rule.reason_en,
        consulted=consulted, conditional=tuple(found.conditional),
        rules=tuple(rule.pk for rule in matching),
    )
