"""Who handles a case: a senior officer assigns it to any ministry officer; an officer takes an
unassigned case (or one already theirs), never one assigned to a colleague. Audited; the assignee
is told in the portal and by email."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES, Role, User
from audit import services as audit
from licensing.models import Application
from licensing.queues.selectors import OPEN_STATES, assignable_officers
from licensing.workflow import lock_case
from notifications.services import notify
from portal.errors import InvalidTransition, NotAllowed, StaleVersion, ValidationFailed, lazy_format


def _officer(officer_id) -> User:
    if isinstance(officer_id, str) and officer_id.strip().isdigit():
        officer_id = int(officer_id)
    officer = None
    if isinstance(officer_id, int) and not isinstance(officer_id, bool) and 0 < officer_id < 2**62:
        officer = assignable_officers().filter(pk=officer_id).first()
    if officer is None:
        message = _("Choose an active ministry officer.")
        raise ValidationFailed(message, fields={"officer_id": [message]})
    return officer


def _name(user) -> str:
    return user.get_full_name() or user.username


@transaction.atomic
def case_assign(*, application_id, actor, officer_id, expected_version=None) -> Application:
    """A senior officer assigns (or reassigns) a case; an officer may only assign to themselves
    what they could take (see case_take)."""
    app = lock_case(application_id, actor)
    if actor.role not in MINISTRY_ROLES:
        raise NotAllowed()
    officer = _officer(officer_id)
    if actor.role != Role.MINISTRY_SENIOR and officer.pk != actor.pk:
        raise NotAllowed(_("Only a senior officer assigns cases to others; you can take a case yourself."))
    return _assign(app, actor, officer, expected_version)


@transaction.atomic
def case_take(*, application_id, actor, expected_version=None) -> Application:
    """The acting officer takes the case."""
    app = lock_case(application_id, actor)
    if actor.role not in MINISTRY_ROLES:
        raise NotAllowed()
    return _assign(app, actor, actor, expected_version)


def _assign(app: Application, actor, officer, expected_version) -> Application:
    if app.status not in OPEN_STATES:
        raise InvalidTransition(_("Only an open case can be assigned."))
    if app.assigned_to_id == officer.pk:
        return app  # a double click, or a retry: already done, nothing to record
    if (actor.role != Role.MINISTRY_SENIOR and app.assigned_to_id is not None
            and app.assigned_to_id != actor.pk):
        raise InvalidTransition(lazy_format(
            _("This case is assigned to %(name)s; a senior officer can reassign it."),
            name=_name(app.assigned_to)))
    if expected_version is not None and int(expected_version) != app.version:
        raise StaleVersion()
    before = {"assigned_to": app.assigned_to_id, "version": app.version}
    app.assigned_to = officer
    app.version += 1
    app.save(update_fields=["assigned_to", "version", "updated_at"])
    audit.record(actor=actor, action="application.assign", obj=app, before=before,
                 after={"assigned_to": officer.pk, "version": app.version, "taken": officer.pk == actor.pk})
    if officer.pk != actor.pk:
        reference = app.reference or f"#{app.pk}"
        notify(recipients=[officer], key=f"case-assigned:{app.pk}:{app.version}", kind="assignment",
               title_zh=f"案件 {reference} 已分配给您", title_en=f"Case {reference} has been assigned to you",
               body_zh=f"由 {_name(actor)} 分配。", body_en=f"Assigned by {_name(actor)}.",
               url=reverse("case-detail", args=[app.pk]), application_id=app.pk)
    return app
