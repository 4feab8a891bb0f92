"""The screening panel of the case page: the hits on the case's importer and end user, for the
ministry only, each with both names as written, the bridges, the part table, the score against
the threshold and the versions used, and the officer's judgement."""

from enduser.screening.index import THRESHOLD
from enduser.screening.selectors import hits_of_parties


def panel_context(request, app) -> dict:
    user = request.user
    if not user.is_authenticated or not user.is_ministry:
        return {}
    return {"screening": {"hits": hits_of_parties(user, [app.importer, app.end_user]), "threshold": THRESHOLD,
                          "case_id": app.pk,
                          "party_ids": sorted({app.importer_id, app.end_user_id} - {None})}}
