"""The statutory fine ranges of the Export Control Law, Art. 34-38 (DOMAIN.md, "Penalties").

Each head has a threshold of illegal turnover (违法经营额, for Art. 35(1) illegal gains, 违法所得):
at or above it the fine is a multiple band of the turnover; below it, or with none, a fixed band.
Obstructing inspection (Art. 38) has only a fixed band. All amounts are whole RMB: a multiple band
is rounded inward (the lower bound up, the upper bound down) so every amount inside is lawful.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from compliance.enforcement.models import PenaltyHead


@dataclass(frozen=True)
class Head:
    article: str
    article_zh: str
    threshold: int | None  # None: no multiple band
    multiple: tuple[int, int] | None
    fixed: tuple[int, int]


HEADS = {
    PenaltyHead.UNLICENSED_EXPORT: Head("Export Control Law Art. 34", "出口管制法第三十四条",
                                        500_000, (5, 10), (500_000, 5_000_000)),
    PenaltyHead.LICENCE_FRAUD: Head("Export Control Law Art. 35(1)", "出口管制法第三十五条第一款",
                                    200_000, (5, 10), (200_000, 2_000_000)),
    PenaltyHead.LICENCE_FORGERY: Head("Export Control Law Art. 35(2)", "出口管制法第三十五条第二款",
                                      50_000, (5, 10), (50_000, 500_000)),
    PenaltyHead.SERVICES_TO_VIOLATORS: Head("Export Control Law Art. 36", "出口管制法第三十六条",
                                            100_000, (3, 5), (100_000, 500_000)),
    PenaltyHead.CONTROL_LIST_TRADING: Head("Export Control Law Art. 37", "出口管制法第三十七条",
                                           500_000, (10, 20), (500_000, 5_000_000)),
    PenaltyHead.OBSTRUCTING_INSPECTION: Head("Export Control Law Art. 38", "出口管制法第三十八条",
                                             None, None, (100_000, 300_000)),
}

# Law 39: after a penalty the ministry may refuse the exporter's applications for five years.
APPLICATION_BAR_YEARS = 5


class PenaltyInputError(ValueError):
    """A head that does not exist or a turnover that is not a non-negative amount."""


@dataclass(frozen=True)
class PenaltyRange:
    head: str
    min: int
    max: int
    article: str
    article_zh: str
    band: str  # "multiple" or "fixed"
    threshold: int | None

    def as_dict(self):
        return {"min": self.min, "max": self.max, "article": self.article}

    def contains(self, amount) -> bool:
        return self.min <= Decimal(amount) <= self.max


def parse_turnover(value) -> Decimal:
    try:
        turnover = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise PenaltyInputError(f"turnover must be an amount in RMB, not {value!r}") from None
    if not turnover.is_finite() or turnover < 0:
        raise PenaltyInputError(f"turnover must be a non-negative amount in RMB, not {value!r}")
    if turnover > Decimal("1e15"):
        raise PenaltyInputError("turnover is larger than any amount the portal records")
    return turnover


def penalty_range(head, turnover=0) -> PenaltyRange:
    """The statutory range for `head` given the illegal turnover (ignored for Art. 38)."""
    try:
        rule = HEADS[PenaltyHead(head)]
    except ValueError:
        raise PenaltyInputError(f"unknown penalty head {head!r}; one of: {', '.join(PenaltyHead.values)}") from None
    turnover = parse_turnover(turnover)
    if rule.threshold is not None and turnover >= rule.threshold:
        low, high = rule.multiple
        return PenaltyRange(str(head), int((turnover * low).to_integral_value(ROUND_CEILING)),
                            int((turnover * high).to_integral_value(ROUND_FLOOR)), rule.article, rule.article_zh,
                            "multiple", rule.threshold)
    return PenaltyRange(str(head), rule.fixed[0], rule.fixed[1], rule.article, rule.article_zh, "fixed",
                        rule.threshold)
