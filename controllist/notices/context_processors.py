"""The banner of unacknowledged catch-all notices, on every page an exporter's user sees: one
query, run only when the page shows the banner."""

from django.utils.functional import SimpleLazyObject

from controllist.notices import selectors


def unacknowledged_notices(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_exporter:
        return {"unacknowledged_notices": ()}
    return {"unacknowledged_notices": SimpleLazyObject(lambda: list(selectors.unacknowledged(user)[:5]))}
