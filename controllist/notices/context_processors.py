"""The banner of unacknowledged catch-all notices, on every page an exporter's user sees.

Every such page reads the user's company anyway (the header shows it); reading it here with
"has a notice to acknowledge" annotated costs no extra query, so the banner is free on the pages
that do not show it and costs one query (the numbers) on those that do."""

from django.db.models import Exists
from django.utils.functional import SimpleLazyObject

from accounts.models import Organisation, User
from controllist.notices import selectors


def unacknowledged_notices(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_exporter or not user.organisation_id:
        return {"unacknowledged_notices": ()}
    pending = selectors.unacknowledged_by_organisation(user.organisation_id)
    if User.organisation.is_cached(user):
        has_pending = pending.exists()
    else:
        company = (Organisation.objects.annotate(has_pending_notices=Exists(pending))
                   .select_related("province").get(pk=user.organisation_id))
        user.organisation = company
        has_pending = company.has_pending_notices
    if not has_pending:
        return {"unacknowledged_notices": ()}
    return {"unacknowledged_notices": SimpleLazyObject(lambda: list(pending[:5]))}
