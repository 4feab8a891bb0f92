"""The route panel of the case page: the route asked for, a general licence's further end users and
validity (the ministry may shorten it while it reviews), a registration filing's certificate."""

from accounts.models import MINISTRY_ROLES
from licensing.models import OPEN_REVIEW_STATES, Route, Status
from licensing.registration import selectors


def panel_context(request, app) -> dict:
    """Context for templates/licensing/registration/panel.html."""
    user = request.user
    if app.route == Route.INDIVIDUAL:
        return {"route_panel": None}
    filed = app.additional_end_users_snapshot if app.submitted_at else None
    certificate = selectors.certificates_for(user).filter(application=app).first()
    return {"route_panel": {
        "label": Route(app.route).label,
        "general": app.route == Route.GENERAL,
        "end_users": filed if filed is not None else [p.snapshot() for p in app.additional_end_users.order_by("pk")],
        "can_set_validity": (app.route == Route.GENERAL and user.role in MINISTRY_ROLES
                             and app.status in OPEN_REVIEW_STATES),
        "can_file": app.route == Route.REGISTRATION and user.is_exporter and app.status == Status.DRAFT,
        "certificate": certificate,
    }}
