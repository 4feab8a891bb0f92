"""The exporter's credit record (Law 13: a factor of every licensing decision): its decided
penalties, warning letters and regulatory talks, newest first. Shown to the ministry only
(`may_see_credit_record`); never to exporters, provinces, agencies or customs."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from accounts.models import MINISTRY_ROLES
from compliance.enforcement.models import (
    EnforcementStep,
    Penalty,
    PenaltyKind,
    PenaltyStatus,
    StepKind,
)


@dataclass(frozen=True)
class CreditEntry:
    kind: str  # "penalty", "criminal_penalty", "warning_letter", "regulatory_talk"
    label: str
    on: date
    summary: str
    case_reference: str
    url: str
    number: str = ""
    amount: int | None = None
    serious: bool = False
    bars_applications_until: date | None = None


def may_see_credit_record(user) -> bool:
    return getattr(user, "role", None) in MINISTRY_ROLES


def credit_record(organisation) -> list[CreditEntry]:
    org_id = getattr(organisation, "pk", organisation)
    entries = []
    for p in (Penalty.objects.filter(exporter_id=org_id, status=PenaltyStatus.DECIDED)
              .select_related("case").order_by("-decided_on", "-pk")):
        criminal = p.kind == PenaltyKind.CRIMINAL
        summary = f"{p.get_head_display()}" + (f" · {p.court} {p.judgment_reference}" if criminal else "")
        entries.append(CreditEntry(
            kind="criminal_penalty" if criminal else "penalty", label=p.get_kind_display(), on=p.decided_on,
            summary=summary, case_reference=p.case.reference,
            url=reverse("enforcement-case", args=[p.case.reference]), amount=int(p.amount), serious=p.serious,
            bars_applications_until=p.bars_applications_until))
    for step in (EnforcementStep.objects.filter(case__exporter_id=org_id,
                                                kind__in=(StepKind.WARNING_LETTER, StepKind.TALK))
                 .select_related("case").defer("pdf").order_by("-occurred_on", "-pk")):
        entries.append(CreditEntry(
            kind="warning_letter" if step.kind == StepKind.WARNING_LETTER else "regulatory_talk",
            label=step.get_kind_display(), on=step.occurred_on, summary=step.text[:300],
            case_reference=step.case.reference, number=step.number,
            url=reverse("enforcement-case", args=[step.case.reference])))
    entries.sort(key=lambda e: e.on, reverse=True)
    return entries
