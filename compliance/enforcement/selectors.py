"""Reads of enforcement: who sees which case and step, and the bars other areas ask about.

The ministry sees every case; an exporter (administrator or staff) sees its own cases that have a
step addressed to it, and only those steps; no other role sees any."""


from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from compliance.enforcement.models import (
    ADDRESSED_KINDS,
    EnforcementCase,
    EnforcementStep,
    Penalty,
    PenaltyKind,
    PenaltyStatus,
)
from compliance.penalties.calculator import APPLICATION_BAR_YEARS
from portal.dates import add_years

PAGE_SIZE = 50


def cases_visible_to(user):
    qs = EnforcementCase.objects.select_related("exporter")
    role = getattr(user, "role", None)
    if role in MINISTRY_ROLES:
        return qs
    if role in EXPORTER_ROLES and user.organisation_id:
        addressed = EnforcementStep.objects.filter(case=OuterRef("pk"), kind__in=ADDRESSED_KINDS)
        return qs.filter(exporter_id=user.organisation_id).filter(Exists(addressed))
    return qs.none()


def case_for(user, reference) -> EnforcementCase | None:
    return cases_visible_to(user).filter(reference=str(reference or "")[:20]).first()


def steps_for(user, case):
    qs = case.steps.select_related("penalty", "responded_by", "created_by").prefetch_related("documents") \
        .defer("pdf")
    if getattr(user, "role", None) in MINISTRY_ROLES:
        return qs
    return qs.filter(kind__in=ADDRESSED_KINDS)


def step_for(user, case, step_id) -> EnforcementStep | None:
    return steps_for(user, case).filter(pk=step_id).first() if str(step_id).isdigit() else None


def countersign_queue(user):
    if getattr(user, "role", None) != Role.MINISTRY_SENIOR:
        return Penalty.objects.none()
    return (Penalty.objects.filter(status=PenaltyStatus.AWAITING_COUNTERSIGN).exclude(created_by=user)
            .select_related("case", "exporter", "created_by").order_by("created_at", "pk"))


def application_bar(organisation, *, on=None) -> Penalty | None:
    """The decided penalty that refuses the exporter's new applications on `on` (Law 39), the one
    ending last; None when no bar is in force."""
    on = on or timezone.localdate()
    org_id = getattr(organisation, "pk", organisation)
    return (Penalty.objects.filter(exporter_id=org_id, status=PenaltyStatus.DECIDED,
                                   bars_applications_until__gt=on)
            .order_by("-bars_applications_until", "-pk").first())


def route_bars(organisation, *, on=None) -> list[Penalty]:
    """Reg. 20 bars from the general-licence and registration routes: every decided criminal
    penalty, and every decided serious administrative penalty of the past 5 years."""
    on = on or timezone.localdate()
    org_id = getattr(organisation, "pk", organisation)
    since = add_years(on, -APPLICATION_BAR_YEARS)
    return list(Penalty.objects.filter(exporter_id=org_id, status=PenaltyStatus.DECIDED, decided_on__lte=on)
                .filter(Q(kind=PenaltyKind.CRIMINAL)
                        | Q(kind=PenaltyKind.ADMINISTRATIVE, serious=True, decided_on__gt=since))
                .order_by("-decided_on", "-pk"))
