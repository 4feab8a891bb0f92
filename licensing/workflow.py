"""The case's states and the transitions between them, in one table a reader can see whole."""

from dataclasses import dataclass

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from licensing.models import Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    roles: frozenset


def _t(sources, target, roles):
    return Transition(frozenset(sources), target, frozenset(roles))


TRANSITIONS = {
    # action:   from                                   to                  who
    "submit":  _t({Status.DRAFT, Status.RETURNED},     Status.SUBMITTED,   EXPORTER_ROLES),
    "return":  _t({Status.SUBMITTED},                  Status.RETURNED,    {Role.PROVINCIAL_OFFICER}),
    "forward": _t({Status.SUBMITTED},                  Status.FORWARDED,   {Role.PROVINCIAL_OFFICER}),
    "accept":  _t({Status.FORWARDED},                  Status.ACCEPTED,    MINISTRY_ROLES),
    "approve": _t({Status.ACCEPTED},                   Status.APPROVED,    MINISTRY_ROLES),
    "refuse":  _t({Status.ACCEPTED},                   Status.REFUSED,     MINISTRY_ROLES),
}

EDITABLE_STATES = frozenset({Status.DRAFT, Status.RETURNED})


def allowed_actions(application, user) -> list[str]:
    return [
        name for name, t in TRANSITIONS.items()
        if application.status in t.sources and user.role in t.roles
    ]
