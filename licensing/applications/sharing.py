"""Which exporter staff may see a case: its creator and the company's administrators always; other
staff once an administrator shares it with them (issue 5: staff of the same company without access
see nothing of it)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from audit import services as audit
from licensing.models import Application
from licensing.workflow import lock_case
from portal.errors import NotAllowed, StaleVersion, ValidationFailed


def shareable_staff(app: Application):
    """Colleagues an administrator could share the case with (active staff, not the creator)."""
    return (User.objects.filter(organisation_id=app.exporter_id, role=Role.EXPORTER_STAFF, is_active=True)
            .exclude(pk=app.created_by_id).order_by("username"))


def _check(app, actor, expected_version):
    if actor.role != Role.EXPORTER_ADMIN or actor.organisation_id != app.exporter_id:
        raise NotAllowed(_("Only your company's administrator can share a case."))
    if expected_version is not None and int(expected_version) != app.version:
        raise StaleVersion()


def _colleague(app, user_id):
    try:
        return shareable_staff(app).get(pk=int(user_id))
    except (User.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(fields={"user_id": [_("Choose an active staff member of your company.")]}) from None


@transaction.atomic
def application_share(*, application_id, actor, user_id, expected_version=None) -> Application:
    app = lock_case(application_id, actor)
    _check(app, actor, expected_version)
    colleague = _colleague(app, user_id)
    if app.shared_with.filter(pk=colleague.pk).exists():
        return app  # already shared: a double click changes nothing
    app.shared_with.add(colleague)
    app.version += 1
    app.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, action="application.share", obj=app, after={"user": colleague.pk,
                                                                          "username": colleague.username})
    return app


@transaction.atomic
def application_unshare(*, application_id, actor, user_id, expected_version=None) -> Application:
    app = lock_case(application_id, actor)
    _check(app, actor, expected_version)
    colleague = _colleague(app, user_id)
    if not app.shared_with.filter(pk=colleague.pk).exists():
        return app
    app.shared_with.remove(colleague)
    app.version += 1
    app.save(update_fields=["version", "updated_at"])
    audit.record(actor=actor, action="application.unshare", obj=app, before={"user": colleague.pk,
                                                                             "username": colleague.username})
    return app
