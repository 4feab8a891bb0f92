"""A licence's statuses and the transitions between them, in one table a reader can see whole,
and the one step every transition takes (lock_licence, transition): check the actor and the
state, change the row, number an event for the customs feed, audit, tell the exporter, all in the
caller's transaction. The named service functions are in licensing/licences/services.py."""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES, Role
from audit import services as audit
from licensing.applications.selectors import exporter_people
from licensing.models import Counter, Licence, LicenceEvent, LicenceEventKind, LicenceStatus
from notifications.services import notify
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)

SYSTEM = "system"  # the portal itself (a task or another service), with no acting person


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    roles: frozenset
    event: str
    reason_required: bool


def _t(sources, target, roles, event, reason_required=False):
    return Transition(frozenset(sources), target, frozenset(roles), event, reason_required)


L = LicenceStatus
E = LicenceEventKind
TRANSITIONS = {
    # action:     from                          to              who                          feed event     reason
    "suspend":   _t({L.ISSUED},                 L.SUSPENDED,    MINISTRY_ROLES,              E.SUSPENDED,   True),   # licence_suspend
    "restore":   _t({L.SUSPENDED},              L.ISSUED,       MINISTRY_ROLES,              E.RESTORED,    True),   # licence_restore
    "revoke":    _t({L.ISSUED, L.SUSPENDED},    L.REVOKED,      {Role.MINISTRY_SENIOR},      E.REVOKED,     True),   # licence_revoke (+ Law 13 factor)
    "surrender": _t({L.ISSUED},                 L.SURRENDERED,  {Role.EXPORTER_ADMIN},       E.SURRENDERED),         # licence_surrender
    "exhaust":   _t({L.ISSUED},                 L.EXHAUSTED,    {SYSTEM},                    E.EXHAUSTED),           # the write-off that draws the last quantity
    "reopen":    _t({L.EXHAUSTED},              L.ISSUED,       {SYSTEM},                    E.REOPENED),            # a reversal gives quantity back inside validity
    # A suspended licence also lapses at the end of its validity: "suspended" would otherwise
    # tell customs it might come back.
    "expire":    _t({L.ISSUED, L.SUSPENDED},    L.EXPIRED,      {SYSTEM},                    E.EXPIRED),             # licences_expire (beat)
    "cancel":    _t({L.ISSUED, L.SUSPENDED},    L.CANCELLED,    {SYSTEM},                    E.CANCELLED),           # the changed licence is issued
}

ACTION_LABELS = {
    "suspend": _("suspended"), "restore": _("restored"), "revoke": _("revoked"), "surrender": _("surrendered"),
    "exhaust": _("marked used up"), "reopen": _("made valid again"), "expire": _("expired"),
    "cancel": _("cancelled"),
}

# How the exporter is told (Chinese, English); %(number)s is the licence number.
TELL = {
    "suspend": ("许可证 %(number)s 已被暂停使用", "Licence %(number)s has been suspended"),
    "restore": ("许可证 %(number)s 已恢复有效", "Licence %(number)s is valid again"),
    "revoke": ("许可证 %(number)s 已被撤销", "Licence %(number)s has been revoked"),
    "surrender": ("许可证 %(number)s 已交回", "Licence %(number)s has been surrendered"),
    "exhaust": ("许可证 %(number)s 的许可数量已全部使用", "Licence %(number)s is used up"),
    "reopen": ("许可证 %(number)s 因核销撤回重新有效", "Licence %(number)s is valid again after a write-off was reversed"),
    "expire": ("许可证 %(number)s 已过有效期", "Licence %(number)s has expired"),
    "cancel": ("许可证 %(number)s 已被变更后的新许可证取代", "Licence %(number)s has been replaced by a changed licence"),
}


def allowed_actions(licence: Licence, user) -> list[str]:
    return [name for name, t in TRANSITIONS.items()
            if licence.status in t.sources and getattr(user, "role", None) in t.roles]


def licence_url(licence: Licence) -> str:
    return reverse("licence-detail", args=[licence.number])


def lock_licence(licence_id, actor) -> Licence:
    """The licence, row-locked until the transaction ends, if `actor` may see it (None: the portal
    itself). Every write to a licence starts here."""
    qs = Licence.objects.all() if actor is None else Licence.objects.visible_to(actor)
    try:
        return (qs.select_for_update(of=("self",)).select_related("application", "exporter")
                .defer("pdf").get(pk=licence_id))
    except (Licence.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def record_event(licence: Licence, kind: str, *, actor=None, from_status: str = "", reason: str = "",
                 factor: str = "") -> LicenceEvent:
    """Number an event for the customs feed. The counter row stays locked until the caller's
    transaction commits, so events become visible in seq order (no reader sees a gap that fills
    later). Call it last in the transaction: the lock serialises every licence's events."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    seq = Counter.objects.next_value("licence_event", 0)
    return LicenceEvent.objects.create(seq=seq, licence=licence, kind=kind, from_status=from_status,
                                       to_status=licence.status, at=timezone.now(), actor=actor,
                                       reason=reason, factor=factor)


def transition(licence: Licence, actor, action: str, *, reason: str = "", factor: str = "",
               expected_version=None, audit_extra=None) -> bool:
    """Apply a transition from the table to a licence locked with lock_licence; False when the same
    actor repeats the transition that made the current state (a double click), which changes
    nothing. `actor` None is the portal itself (allowed only where the table says SYSTEM)."""
    rule = TRANSITIONS[action]
    if (SYSTEM not in rule.roles) if actor is None else (actor.role not in rule.roles):
        raise NotAllowed()
    if actor is not None and licence.status == rule.target and licence.status not in rule.sources:
        last = licence.events.order_by("-seq").only("kind", "actor_id").first()
        if last and last.kind == rule.event and last.actor_id == actor.pk:
            return False
    if licence.status not in rule.sources:
        raise InvalidTransition(lazy_format(
            _("This licence is “%(status)s”; it cannot be %(action)s now."),
            status=LicenceStatus(licence.status).label, action=ACTION_LABELS[action]))
    if expected_version is not None and str(expected_version) != str(licence.version):
        raise StaleVersion(_("Someone changed this licence after you opened it. Reload the page and try again."))
    reason = (reason or "").strip()
    if rule.reason_required and not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason; the exporter and customs see it.")]})
    before = {"status": licence.status, "version": licence.version}
    licence.status = rule.target
    licence.status_changed_at = timezone.now()
    licence.version += 1
    licence.save(update_fields=["status", "status_changed_at", "version"])
    audit.record(actor=actor, action=f"licence.{action}", obj=licence, before=before,
                 after={"status": licence.status, "version": licence.version, "reason": reason,
                        **({"factor": factor} if factor else {}), **(audit_extra or {})})
    title_zh, title_en = TELL[action]
    notify(recipients=exporter_people(licence.application), key=f"licence:{licence.pk}:{licence.version}",
           kind=f"licence.{action}", title_zh=title_zh % {"number": licence.number},
           title_en=title_en % {"number": licence.number}, body_zh=reason, body_en=reason,
           url=licence_url(licence), application_id=licence.application_id)
    record_event(licence, rule.event, actor=actor, from_status=before["status"], reason=reason, factor=factor)
    return True
