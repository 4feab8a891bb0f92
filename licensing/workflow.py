"""The case's states and the transitions between them, in one table a reader can see whole.

Each transition is applied by exactly one service function (named in the last column) that pages,
the API, Celery tasks and management commands all call."""

from dataclasses import dataclass

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from licensing.models import Status

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
    # action:               from                                              to                       who                              service
    "submit":              _t({S.DRAFT, S.RETURNED},                          S.SUBMITTED,             EXPORTER_ROLES),                 # services.application_submit
    "return":              _t({S.SUBMITTED},                                  S.RETURNED,              {Role.PROVINCIAL_OFFICER}),      # services.application_return
    "forward":             _t({S.SUBMITTED},                                  S.FORWARDED,             {Role.PROVINCIAL_OFFICER}),      # services.application_forward
    "request_corrections": _t({S.FORWARDED},                                  S.CORRECTING,            MINISTRY_ROLES),                 # requests.corrections_request
    "answer_corrections":  _t({S.CORRECTING},                                 S.FORWARDED,             EXPORTER_ROLES),                 # requests.corrections_answer
    "accept":              _t({S.FORWARDED},                                  S.ACCEPTED,              MINISTRY_ROLES),                 # services.application_accept
    "refer":               _t({S.ACCEPTED, S.AWAITING_DECISION},              S.WITH_AGENCIES,         MINISTRY_ROLES),                 # referrals.referrals_send
    "no_referral":         _t({S.ACCEPTED},                                   S.AWAITING_DECISION,     MINISTRY_ROLES),                 # referrals.referrals_skip
    "opinions_in":         _t({S.WITH_AGENCIES},                              S.AWAITING_DECISION,     {SYSTEM}),                       # referrals (last opinion, silence, withdrawal)
    "recommend":           _t({S.AWAITING_DECISION},                          S.AWAITING_COUNTERSIGN,  MINISTRY_ROLES),                 # decisions.decision_recommend
    "send_back":           _t({S.AWAITING_COUNTERSIGN},                       S.AWAITING_DECISION,     {Role.MINISTRY_SENIOR}),         # decisions.decision_send_back
    "approve":             _t({S.AWAITING_DECISION, S.AWAITING_COUNTERSIGN},  S.APPROVED,              MINISTRY_ROLES),                 # decisions (direct, or countersigned)
    "refuse":              _t({S.AWAITING_DECISION, S.AWAITING_COUNTERSIGN},  S.REFUSED,               MINISTRY_ROLES),                 # decisions (direct, or countersigned)
}

EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})

# The actions a page offers as a plain button on the case page (the others have their own forms).
SIMPLE_ACTIONS = ("submit", "return", "forward", "accept")


def allowed_actions(application, user) -> list[str]:
    return [
        name for name, t in TRANSITIONS.items()
        if application.status in t.sources and user.role in t.roles
    ]
