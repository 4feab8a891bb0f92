"""The assignment panel of the case page (assign or take a case)."""

from accounts.models import MINISTRY_ROLES, Role
from licensing.queues import selectors as queues


def panel_context(request, app) -> dict:
    """Context for templates/licensing/queues/case_panel.html (assign/take on the case page)."""
    user = request.user
    if user.role not in MINISTRY_ROLES or app.status not in queues.OPEN_STATES:
        return {}
    return {"assignment": {
        "can_take": app.assigned_to_id != user.pk and (app.assigned_to_id is None
                                                       or user.role == Role.MINISTRY_SENIOR),
        "officers": list(queues.assignable_officers()) if user.role == Role.MINISTRY_SENIOR else [],
    }}
