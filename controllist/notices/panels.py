"""The catch-all notices panel of the case page, for the case's exporter and the ministry: the
notices the submission cited (its unlisted items were treated as catch-all because of them) and, on
a draft, the notices in force that cover it now."""

from controllist.notices import selectors

DRAFT_STATES = ("draft", "returned")


def panel_context(request, app) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    is_exporter = user.is_exporter and user.organisation_id == app.exporter_id
    if not (is_exporter or user.is_ministry):
        return {}
    cited = selectors.citations_of_case(app.pk)
    preview = []
    if is_exporter and app.status in DRAFT_STATES:
        items = list(app.items.all())
        destinations = {app.destination.code if app.destination else "",
                        app.end_user.country.code if app.end_user else ""} - {""}
        parties = [(role, party.name, party.country.code) for role, party in
                   (("end_user", app.end_user), ("importer", app.importer)) if party is not None]
        preview = selectors.covering(app.exporter_id, items=[
            {"control_code": item.control_code, "description": item.description, "hs_code": ""} for item in items],
            parties=parties, end_use=app.end_use, destinations=destinations)
        cited_ids = {row.notice_id for row in cited}
        preview = [hit for hit in preview if hit.notice.pk not in cited_ids]
    if not cited and not preview:
        return {}
    return {"catch_all_notices": {"cited": cited, "preview": preview}}
