"""Ownership screening: is a party owned, through any chain of subsidiaries and branches, 50% or
more by parties on the control list, and is that rule in force on the day?

MOFCOM Announcement 2025 No. 61 §II extends exports to listed importers and end users to the
subsidiaries and branches they own 50% or more; Announcement 2025 No. 70 suspends that until
2026-11-10. Which rule is in force when, and at which threshold, is data (OwnershipRulePeriod,
edited in the admin), passed in here as `periods`.

Nothing here reads the database except `rule_on` when it is given no periods, and it knows nothing
of how parties or list entries are stored: a party is any hashable id, a link any object with the
attributes of `OwnershipLink`. Shares are exact Decimals (49.99% never becomes 50%).
"""

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import NamedTuple

from django.utils.translation import gettext, gettext_noop

AFFILIATES_50 = "affiliates-50"  # enduser.models.OwnershipRule.AFFILIATES_50
IN_FORCE = "in_force"
SUSPENDED = "suspended"
SUBSIDIARY = "subsidiary"
BRANCH = "branch"

RULE_IN_FORCE = gettext_noop("ownership rule in force")
RULE_NOT_IN_FORCE = gettext_noop("ownership rule not in force")
OWNED_BY_LISTED = gettext_noop("owned by listed parties at or above the threshold")
BELOW_THRESHOLD = gettext_noop("owned by listed parties below the threshold")
NOT_OWNED = gettext_noop("not owned by any listed party")

HUNDRED = Decimal(100)
ONE_HUNDREDTH = Decimal("0.01")
# Products and sums of decimal percentages are always finite decimals: with this context they
# are computed exactly, and any rounding would raise instead of passing silently.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN,
                traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])


class OwnershipTooComplex(ValueError):
    """The ownership graph has more chains than a screening can follow; screen it by hand."""


# ---------------------------------------------------------------- the rule and its periods


@dataclass(frozen=True)
class RulePeriod:
    """One period of a rule, as OwnershipRulePeriod stores it (valid_until inclusive, None: open)."""

    rule: str
    state: str
    threshold_percent: Decimal
    valid_from: date
    valid_until: date | None = None
    announcement_zh: str = ""
    announcement_en: str = ""
    note: str = ""
    uncertain: bool = False
    id: int | None = None

    @classmethod
    def of(cls, period) -> "RulePeriod":
        """A frozen copy of any object with these attributes (an OwnershipRulePeriod row)."""
        if isinstance(period, cls):
            return period
        state = str(period.state)
        if state not in (IN_FORCE, SUSPENDED):
            raise ValueError(f"unknown state of an ownership rule period: {state!r}")
        return cls(
            rule=str(period.rule), state=state,
            threshold_percent=_tidy(percent_of(period.threshold_percent)),
            valid_from=period.valid_from, valid_until=period.valid_until,
            announcement_zh=getattr(period, "announcement_zh", ""),
            announcement_en=getattr(period, "announcement_en", ""),
            note=getattr(period, "note", ""), uncertain=bool(getattr(period, "uncertain", False)),
            id=getattr(period, "pk", getattr(period, "id", None)))

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class RuleState:
    """Whether `rule` is in force on `day`, at which threshold, and the period that says so
    (None when no period covers the day: then the rule is not in force)."""

    rule: str
    day: date
    in_force: bool
    threshold: Decimal | None
    period: RulePeriod | None
    reason: str  # RULE_IN_FORCE or RULE_NOT_IN_FORCE, in English; `message` translates it

    @property
    def message(self) -> str:
        return gettext(self.reason)


def rule_on(day: date, periods: Iterable | None = None, *, rule: str = AFFILIATES_50) -> RuleState:
    """The state of the ownership rule on `day`. `periods` are RulePeriods or OwnershipRulePeriod
    rows (other rules' are skipped); None reads them from the database. Screening many parties,
    read them once (`selectors.ownership_rule_periods()`) and pass them in.

    Periods of a rule do not overlap (the model refuses it); should they, the one that started
    last decides, as the later announcement would, and on a tie the rule is in force."""
    if periods is None:
        # Imported here so the walk below stays importable and testable without the models (and
        # from the models, not the selectors, which build the index that imports this module).
        from enduser.models import OwnershipRulePeriod

        periods = list(OwnershipRulePeriod.objects.filter(rule=rule).order_by("valid_from"))
    covering = [p for p in map(RulePeriod.of, periods) if p.rule == rule and p.covers(day)]
    if not covering:
        return RuleState(rule=rule, day=day, in_force=False, threshold=None, period=None,
                         reason=RULE_NOT_IN_FORCE)
    period = max(covering, key=lambda p: (p.valid_from, p.state == IN_FORCE))
    in_force = period.state == IN_FORCE
    return RuleState(rule=rule, day=day, in_force=in_force, threshold=period.threshold_percent,
                     period=period, reason=RULE_IN_FORCE if in_force else RULE_NOT_IN_FORCE)


# ---------------------------------------------------------------- ownership links and shares


@dataclass(frozen=True)
class OwnershipLink:
    """`owner` holds `percent` of `owned` from `start` to `end` (inclusive; None: open). A branch
    is part of its owner: it counts as 100% whatever `percent` says."""

    owner: Hashable
    owned: Hashable
    percent: Decimal | None = None
    kind: str = SUBSIDIARY
    start: date | None = None
    end: date | None = None


class Hop(NamedTuple):
    owner: Hashable
    owned: Hashable
    percent: Decimal  # the owner's share of the owned party (100 for a branch)


@dataclass(frozen=True)
class OwnershipPath:
    """One chain from a listed party down to the target: `hops[0].owner` is listed,
    `hops[-1].owned` is the target. `percent` is the share of the target it carries."""

    hops: tuple[Hop, ...]
    percent: Decimal

    @property
    def listed(self) -> Hashable:
        return self.hops[0].owner


@dataclass(frozen=True)
class OwnedShare:
    """The share of `target` held by listed parties on `on`, and the chains that make it up,
    largest first (`sum(p.percent for p in paths) == percent`)."""

    target: Hashable
    on: date
    percent: Decimal
    paths: tuple[OwnershipPath, ...]


def percent_of(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"a percentage must be a Decimal, not {type(value).__name__}: {value!r}")
    number = Decimal(value)
    if not number.is_finite() or not 0 <= number <= HUNDRED:
        raise ValueError(f"a percentage must be between 0 and 100: {value!r}")
    return number


def _holdings_on(links: Iterable, on: date) -> dict[Hashable, dict[Hashable, Decimal]]:
    """owned -> {owner: percent} for the links in effect on `on`. Two links between the same
    parties are two holdings and add up; a branch is 100%."""
    into: dict[Hashable, dict[Hashable, Decimal]] = defaultdict(dict)
    branches = set()
    for link in links:
        if (link.start is not None and on < link.start) or (link.end is not None and link.end < on):
            continue
        if link.kind not in (SUBSIDIARY, BRANCH):
            raise ValueError(f"unknown kind of ownership link: {link.kind!r}")
        if link.owner == link.owned:
            continue
        holders = into[link.owned]
        if link.kind == BRANCH:
            branches.add((link.owner, link.owned))
            holders[link.owner] = HUNDRED
            continue
        percent = percent_of(link.percent)
        if not percent or (link.owner, link.owned) in branches:
            continue
        with localcontext(EXACT):
            total = holders.get(link.owner, Decimal(0)) + percent
        if total > HUNDRED:
            raise ValueError(f"{link.owner!r} holds more than 100% of {link.owned!r} on {on}")
        holders[link.owner] = total
    return into


def _owned_from(listed: frozenset, into: dict) -> set:
    """Every party a listed party owns something of, directly or down a chain."""
    below = defaultdict(list)
    for owned, holders in into.items():
        for owner in holders:
            below[owner].append(owned)
    seen, queue = set(listed), deque(listed)
    while queue:
        for owned in below.get(queue.popleft(), ()):
            if owned not in seen:
                seen.add(owned)
                queue.append(owned)
    return seen


def _tidy(number: Decimal) -> Decimal:
    """60.0000 -> 60 and 49.9900 -> 49.99, without ever rounding."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def owned_share(target: Hashable, listed: Iterable[Hashable], links: Iterable, on: date, *,
                max_steps: int = 200_000) -> OwnedShare | None:
    """The share of `target` that listed parties hold on `on`, summed along every ownership
    chain: a chain multiplies its hops (L 100% of B, B 60% of A: L holds 60% of A), chains and
    listed owners add up. None when no listed party holds any of it.

    A chain stops at the first listed party going up: what that party's own owners hold through it
    is the same shares again. A chain never passes a party twice, so a cycle of cross-holdings
    ends the chain rather than counting its shares round and round. Whether `target` is itself
    listed is the list screening's question, not this one's.

    Raises OwnershipTooComplex after `max_steps` partial chains rather than answering short."""
    listed = frozenset(listed)
    into = _holdings_on(links, on)
    reachable = _owned_from(listed, into)
    if target not in reachable:
        return None

    found: list[OwnershipPath] = []
    steps = 0
    # Depth first, upwards from the target: (party, hops from it down to the target, the share
    # of the target those hops carry, the parties on the chain).
    stack = [(target, (), HUNDRED, frozenset([target]))]
    with localcontext(EXACT):
        while stack:
            party, hops, share, on_chain = stack.pop()
            for owner, percent in into.get(party, {}).items():
                if owner in on_chain or owner not in reachable:
                    continue
                steps += 1
                if steps > max_steps:
                    raise OwnershipTooComplex(
                        f"more than {max_steps} ownership chains lead to {target!r}")
                chain = (Hop(owner, party, _tidy(percent)), *hops)
                carried = share * percent * ONE_HUNDREDTH
                if owner in listed:
                    found.append(OwnershipPath(chain, _tidy(carried)))
                else:
                    stack.append((owner, chain, carried, on_chain | {owner}))
        if not found:
            return None
        total = _tidy(sum((path.percent for path in found), Decimal(0)))
    found.sort(key=lambda path: (-path.percent, len(path.hops)))
    return OwnedShare(target=target, on=on, percent=total, paths=tuple(found))


# ---------------------------------------------------------------- the screening


@dataclass(frozen=True)
class OwnershipResult:
    """The ownership screening of `target` on `on`. `hit` only when the rule is in force and the
    listed parties' share reaches its threshold (exactly 50% is a hit). While the rule is not in
    force, `share` is still given: what the rule would find when it applies again."""

    target: Hashable
    on: date
    hit: bool
    reason: str  # RULE_NOT_IN_FORCE, OWNED_BY_LISTED, BELOW_THRESHOLD or NOT_OWNED, in English
    rule: RuleState
    share: OwnedShare | None

    @property
    def in_force(self) -> bool:
        return self.rule.in_force

    @property
    def threshold(self) -> Decimal | None:
        return self.rule.threshold

    @property
    def period(self) -> RulePeriod | None:
        return self.rule.period

    @property
    def percent(self) -> Decimal:
        return self.share.percent if self.share else Decimal(0)

    @property
    def paths(self) -> tuple[OwnershipPath, ...]:
        return self.share.paths if self.share else ()

    @property
    def message(self) -> str:
        return gettext(self.reason)

    def as_dict(self) -> dict:
        """What a screening record keeps: JSON-ready once the party ids are."""
        period = self.period
        return {
            "target": self.target, "on": self.on.isoformat(), "hit": self.hit, "reason": self.reason,
            "rule": self.rule.rule, "in_force": self.in_force,
            "threshold": None if self.threshold is None else str(self.threshold),
            "period": None if period is None else {
                "id": period.id, "state": period.state, "valid_from": period.valid_from.isoformat(),
                "valid_until": period.valid_until.isoformat() if period.valid_until else None,
                "announcement_zh": period.announcement_zh, "announcement_en": period.announcement_en,
                "uncertain": period.uncertain},
            "percent": str(self.percent),
            "paths": [{"percent": str(path.percent),
                       "hops": [[hop.owner, hop.owned, str(hop.percent)] for hop in path.hops]}
                      for path in self.paths],
        }


def ownership_hit(target: Hashable, listed: Iterable[Hashable], links: Iterable, on: date,
                  periods: Iterable | None = None, *, rule: str = AFFILIATES_50) -> OwnershipResult:
    """Screen `target` on `on`: the rule's state that day (`rule_on`) and the listed parties'
    share (`owned_share`)."""
    state = rule_on(on, periods, rule=rule)
    share = owned_share(target, listed, links, on)
    if not state.in_force:
        return OwnershipResult(target, on, False, RULE_NOT_IN_FORCE, state, share)
    if share is None:
        return OwnershipResult(target, on, False, NOT_OWNED, state, share)
    hit = share.percent >= state.threshold
    return OwnershipResult(target, on, hit, OWNED_BY_LISTED if hit else BELOW_THRESHOLD, state, share)
