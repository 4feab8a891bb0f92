"""The exceptions panel of the case page: the exceptions to the Control List applied for the
case's importer and end user, for the exporter of the case and the ministry; on a draft, the
exporter is offered to apply when a party matches a Control List entry with no live exception."""

from enduser.exceptions import selectors


def panel_context(request, app) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    is_exporter = user.is_exporter and user.organisation_id == app.exporter_id
    if not (is_exporter or user.is_ministry):
        return {}
    parties = [party for party in (app.importer, app.end_user) if party is not None]
    rows = selectors.exceptions_of_names(app.exporter_id, [party.name for party in parties])
    to_apply = []
    if is_exporter and app.status in ("draft", "returned"):
        matches = [match for party in parties for match in selectors.control_matches(party)]
        live = selectors.live_exceptions(app.exporter_id, [match.key for match in matches])
        to_apply = [match for match in matches if match.key not in live]
    if not rows and not to_apply:
        return {}
    return {"list_exceptions": {"rows": rows, "to_apply": to_apply, "case_id": app.pk}}
