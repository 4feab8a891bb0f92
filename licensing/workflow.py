"""The case's states and the transitions between them, in one table a reader can see whole.

Each transition is applied by exactly one service function (named in the last column as
<area>.<function>, in licensing/<area>/services.py) that pages, the API, Celery tasks and management
commands all call. Below the table, the one step that every such function takes (lock_case, transition)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from audit import services as audit
from audit.models import AuditEvent
from licensing.models import Application, Status
from portal.errors import InvalidTransition, NotAllowed, NotFound, StaleVersion, lazy_format

SYSTEM = "system"  # a transition made by the portal itself (a task), with no acting person


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    roles: frozenset


def _t(sources, target, roles):
    return Transition(frozenset(sources), target, frozenset(roles))


S = Status
TRANSITIONS = {
    # action:               from                                              to                       who                              area.service function
    "submit":              _t({S.DRAFT, S.RETURNED},                          S.SUBMITTED,             EXPORTER_ROLES),                 # applications.application_submit
    "return":              _t({S.SUBMITTED},                                  S.RETURNED,              {Role.PROVINCIAL_OFFICER}),      # applications.application_return
    "forward":             _t({S.SUBMITTED},                                  S.FORWARDED,             {Role.PROVINCIAL_OFFICER}),      # applications.application_forward
    "request_corrections": _t({S.FORWARDED},                                  S.CORRECTING,            MINISTRY_ROLES),                 # requests.corrections_request
    "answer_corrections":  _t({S.CORRECTING},                                 S.FORWARDED,             EXPORTER_ROLES),                 # requests.corrections_answer
    "accept":              _t({S.FORWARDED},                                  S.ACCEPTED,              MINISTRY_ROLES),                 # applications.application_accept
    "refer":               _t({S.ACCEPTED, S.AWAITING_DECISION},              S.WITH_AGENCIES,         MINISTRY_ROLES),                 # referrals.referrals_send
    "no_referral":         _t({S.ACCEPTED},                                   S.AWAITING_DECISION,     MINISTRY_ROLES),                 # referrals.referrals_skip
    "opinions_in":         _t({S.WITH_AGENCIES},                              S.AWAITING_DECISION,     {SYSTEM}),                       # referrals (last opinion, silence, withdrawal)
    "recommend":           _t({S.AWAITING_DECISION},                          S.AWAITING_COUNTERSIGN,  MINISTRY_ROLES),                 # decisions.decision_recommend
    "send_back":           _t({S.AWAITING_COUNTERSIGN},                       S.AWAITING_DECISION,     {Role.MINISTRY_SENIOR}),         # decisions.decision_send_back
    "approve":             _t({S.AWAITING_DECISION, S.AWAITING_COUNTERSIGN},  S.APPROVED,              MINISTRY_ROLES),                 # decisions (direct, or countersigned)
    "refuse":              _t({S.AWAITING_DECISION, S.AWAITING_COUNTERSIGN},  S.REFUSED,               MINISTRY_ROLES),                 # decisions (direct, or countersigned)
    # The registration route (登记填报): no review; the certificate is issued on filing.
    "register":            _t({S.DRAFT},                                      S.REGISTERED,            EXPORTER_ROLES),                 # registration.registration_file
}

EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})

# The actions a page offers as a plain button on the case page (the others have their own forms).
SIMPLE_ACTIONS = ("submit", "return", "forward", "accept")


def allowed_actions(application, user) -> list[str]:
    return [
        name for name, t in TRANSITIONS.items()
        if application.status in t.sources and user.role in t.roles
    ]


# ---------------------------------------------------------------- applying a transition


def lock_case(application_id, actor) -> Application:
    """The case, row-locked until the transaction ends, if `actor` may see it (None: the portal
    itself, which sees every case). Every write to a case starts here."""
    qs = Application.objects.all() if actor is None else Application.objects.visible_to(actor)
    try:
        return (qs.select_for_update(of=("self",))
                .select_related("exporter", "importer", "end_user").get(pk=application_id))
    except (Application.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None




def require_ministry(user, message=None) -> None:
    """403 unless `user` is a ministry officer or senior officer (None, the portal itself, is not)."""
    if getattr(user, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed(message)


def _state(app: Application) -> dict:
    return {"status": app.status, "version": app.version}


def is_replay(app: Application, actor, action: str) -> bool:
    """The same actor repeating the action that produced the current state (a double click or a
    retried request): answer with the result instead of an error, and change nothing."""
    if actor is None or app.status != TRANSITIONS[action].target:
        return False
    last = (AuditEvent.objects.filter(object_type=app._meta.label_lower, object_id=str(app.pk))
            .order_by("-seq").values("action", "actor_id").first())
    return bool(last) and last["action"] == f"application.{action}" and last["actor_id"] == actor.pk


def check_version(app: Application, expected_version) -> None:
    if expected_version is not None and int(expected_version) != app.version:
        raise StaleVersion()


def transition(app: Application, actor, action: str, expected_version=None, audit_extra=None, **changes) -> bool:
    """Apply a transition from the table to a case locked with lock_case; False when it is a
    harmless replay. `actor` None is the portal itself (allowed only where the table says
    SYSTEM). `audit_extra` adds facts the decision rested on to the audit event."""
    rule = TRANSITIONS[action]
    if (SYSTEM not in rule.roles) if actor is None else (actor.role not in rule.roles):
        raise NotAllowed()
    if is_replay(app, actor, action):
        return False
    if app.status not in rule.sources:
        raise InvalidTransition(lazy_format(
            _("This case is “%(status)s”; it cannot be %(action)s now."),
            status=Status(app.status).label, action=ACTION_LABELS[action]))
    check_version(app, expected_version)
    before = _state(app)
    for field, value in changes.items():
        setattr(app, field, value)
    app.status = rule.target
    app.version += 1
    app.save()
    audit.record(actor=actor, action=f"application.{action}", obj=app, before=before,
                 after={**_state(app), **{k: _jsonable(v) for k, v in changes.items()}, **(audit_extra or {})})
    return True




ACTION_LABELS = {
    "submit": _("submitted"),
    "return": _("returned"),
    "forward": _("forwarded"),
    "accept": _("accepted"),
    "request_corrections": _("sent back for corrections"),
    "answer_corrections": _("answered"),
    "refer": _("referred to the agencies"),
    "no_referral": _("sent for decision without referral"),
    "opinions_in": _("closed for opinions"),
    "recommend": _("recommended"),
    "send_back": _("sent back"),
    "approve": _("approved"),
    "refuse": _("refused"),
    "register": _("registered"),
}


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


# Who may ever make each write on a case through the API, by the path after
# /api/applications/<id>/: checked before the body is read, so a caller who may not act gets 403
# (never a 400 about its body). The services check the same and more (the case's state, the
# province, the assignment) under the row lock.
_EXPORTER = EXPORTER_ROLES
_MINISTRY = MINISTRY_ROLES
_SENIOR = frozenset({Role.MINISTRY_SENIOR})
API_WRITE_ROLES = [
    (r"$", _EXPORTER),
    (r"(documents|submit|corrections/answer|certificate|requests/\d+/answer|certification/\d+/answer)/$",
     _EXPORTER),
    (r"(share|unshare)/$", frozenset({Role.EXPORTER_ADMIN})),
    (r"(return|forward)/$", frozenset({Role.PROVINCIAL_OFFICER})),
    (r"(countersign|send-back)/$", _SENIOR),
    (r"(accept|assign|take|recommendation|corrections|requests|requests/\d+/withdraw|certification|general-validity"
     r"|certification/\d+/withdraw|pauses|pauses/\d+/end|referrals|referrals/send|referrals/skip"
     r"|referrals/\d+/drop|referrals/\d+/withdraw)/$", _MINISTRY),
]
_API_WRITE_ROLES = [(re.compile(pattern), roles) for pattern, roles in API_WRITE_ROLES]


def require_api_write_role(user, rest: str, method: str) -> None:
    for regex, roles in _API_WRITE_ROLES:
        if regex.match(rest):
            if user.role not in roles:
                raise NotAllowed()
            return
