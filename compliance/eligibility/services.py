"""Losing eligibility proposes suspension (Reg. 20: a holder that falls into a bar loses the
general licence). `eligibility_recheck` looks at one exporter (called on commit after a penalty
decision and after a new ownership link); `eligibility_sweep` looks at every holder once a day
(a lapsed ICP rating has no event of its own). Each general licence in force of an ineligible
holder gets one open proposal, however often it runs; a ministry officer accepts (the licence is
suspended through licensing's licence_suspend) or dismisses it with a reason."""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES, Organisation, User
from audit import services as audit
from compliance.eligibility import selectors
from compliance.eligibility.models import ProposalStatus, SuspensionProposal
from licensing.licences import services as licence_services
from notifications.services import notify
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, ValidationFailed

TRIGGERS = {
    "penalty": ("处罚决定", "a penalty decision"),
    "ownership_link": ("新的所有权关联", "a new ownership link"),
    "sweep": ("每日核查", "the daily check"),
}
REASON_MAX = 4000


def _ministry_people():
    return User.objects.filter(role__in=MINISTRY_ROLES, is_active=True)


def _propose(licence, eligibility, trigger: str) -> SuspensionProposal | None:
    """One open proposal for the licence (None when there is one already)."""
    if SuspensionProposal.objects.filter(licence=licence, status=ProposalStatus.OPEN).exists():
        return None
    zh_trigger, en_trigger = TRIGGERS.get(trigger, (trigger, trigger))
    reason_zh = f"{zh_trigger}：" + "；".join(eligibility.reasons_in("zh-hans"))
    reason_en = f"{en_trigger}: " + "; ".join(eligibility.reasons_in("en"))
    try:
        with transaction.atomic():  # a racing recheck meets the unique constraint, not a second row
            proposal = SuspensionProposal.objects.create(
                licence=licence, exporter_id=licence.exporter_id, reason_zh=reason_zh[:REASON_MAX],
                reason_en=reason_en[:REASON_MAX], trigger=trigger[:40])
    except IntegrityError:
        return None
    audit.record(actor=None, action="compliance.suspension_propose", obj=proposal,
                 after={"licence": licence.number, "exporter": licence.exporter_id, "trigger": trigger,
                        "codes": eligibility.codes, "reason_en": proposal.reason_en})
    notify(recipients=_ministry_people(), key=f"suspension-proposal:{proposal.pk}",
           kind="compliance.suspension_proposal",
           title_zh=f"建议暂停通用许可证 {licence.number}：持证人不再符合条件",
           title_en=f"Suspension of general licence {licence.number} proposed: the holder is no longer eligible",
           body_zh=proposal.reason_zh, body_en=proposal.reason_en, url=reverse("suspension-proposal-list"),
           application_id=licence.application_id)
    return proposal


@transaction.atomic
def eligibility_recheck(*, organisation_id, reason: str = "", on=None) -> list[SuspensionProposal]:
    """Propose suspending the exporter's general licences in force if it is no longer eligible.
    Idempotent: a licence with an open proposal gets no second one. `reason`: what triggered the
    recheck (`penalty`, `ownership_link`, `sweep` or a short text)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return []
    on = on or timezone.localdate()
    licences = list(selectors.general_licences_in_force(organisation.pk, on).select_for_update())
    if not licences:
        return []
    eligibility = selectors.holder_eligibility(organisation, on)
    if eligibility.open:
        return []
    return [p for p in (_propose(licence, eligibility, reason or "sweep") for licence in licences) if p]


def eligibility_recheck_on_commit(*, organisation_id, reason: str) -> None:
    """Schedule a recheck after the caller's transaction commits (penalties, ownership links)."""
    transaction.on_commit(lambda: eligibility_recheck(organisation_id=organisation_id, reason=reason))


def eligibility_sweep(*, on=None, reason: str = "sweep") -> int:
    """Beat, daily: every holder of general licences in force, each in its own transaction.
    Returns the number of proposals made (0 when run again)."""
    made = 0
    for organisation_id in list(selectors.general_licence_holders(on).values_list("pk", flat=True)):
        made += len(eligibility_recheck(organisation_id=organisation_id, reason=reason, on=on))
    return made


def ownership_links_changed() -> None:
    """Ownership links were published (enduser.lists.ownership): on commit, every holder of a
    general licence is rechecked (a link names an entity, not an exporter, so any may be hit)."""
    transaction.on_commit(lambda: eligibility_sweep(reason="ownership_link"))


# ---------------------------------------------------------------- the ministry decides


def _locked(proposal_id, actor, expected_version) -> SuspensionProposal:
    if getattr(actor, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed()
    try:
        proposal = (SuspensionProposal.objects.visible_to(actor).select_for_update().select_related("licence")
                    .get(pk=int(proposal_id)))
    except (SuspensionProposal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    if proposal.status != ProposalStatus.OPEN:
        raise InvalidTransition(_("This proposal has already been decided."))
    if expected_version not in (None, "") and str(expected_version) != str(proposal.version):
        raise StaleVersion(_("Someone changed this proposal after you opened it. Reload the page and try again."))
    return proposal


def _decide(proposal: SuspensionProposal, actor, status: str, reason: str) -> None:
    before = {"status": proposal.status, "version": proposal.version}
    proposal.status = status
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason
    proposal.version += 1
    proposal.save()
    audit.record(actor=actor, action=f"compliance.suspension_{status}", obj=proposal, before=before,
                 after={"status": status, "version": proposal.version, "licence": proposal.licence.number,
                        "reason": reason})


@transaction.atomic
def suspension_proposal_accept(*, actor, proposal_id, reason: str = "", expected_version=None) -> SuspensionProposal:
    """Suspend the licence with the proposal's reason (and the officer's words, if any)."""
    proposal = _locked(proposal_id, actor, expected_version)
    extra = reason.strip()[:REASON_MAX] if isinstance(reason, str) else ""
    text = f"{proposal.reason_zh} / {proposal.reason_en}" + (f" — {extra}" if extra else "")
    licence_services.licence_suspend(actor=actor, licence_id=proposal.licence_id, reason=text)
    _decide(proposal, actor, ProposalStatus.ACCEPTED, extra)
    return proposal


@transaction.atomic
def suspension_proposal_dismiss(*, actor, proposal_id, reason, expected_version=None) -> SuspensionProposal:
    proposal = _locked(proposal_id, actor, expected_version)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > REASON_MAX:
        message = _("Give the reason for dismissing the proposal (at most 4000 characters).")
        raise ValidationFailed(message, fields={"reason": [message]})
    _decide(proposal, actor, ProposalStatus.DISMISSED, text)
    return proposal
