"""The end-use change panel of the case page: the case's reports for whoever may see them (the
exporter's people on the case, the ministry, an agency the case was referred to), and for the
exporter the way to report one."""

from licensing.enduse import selectors, services


def panel_context(request, app) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    rows = selectors.reports_of_case(user, app)
    can_file = services.can_file(app, user)
    if not rows and not can_file:
        return {}
    return {"enduse": {"rows": rows, "can_file": can_file, "case_id": app.pk}}
