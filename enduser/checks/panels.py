"""The end-use checks panel of the case page. For the ministry: the checks made earlier on the
case's importer and end user (the same party record, or a name the screening engine matches), and
a link to open a check on either, through the exporter of the case. For the case's exporter: the
checks addressed to it on these parties, to answer. Works on the case's attributes (pk,
exporter_id, reference, importer, end_user), so enduser never imports licensing."""

from enduser.checks import cases, selectors


def panel_context(request, app) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    parties = [(role, party) for role, party in (("importer", getattr(app, "importer", None)),
                                                 ("end_user", getattr(app, "end_user", None))) if party is not None]
    if not parties:
        return {}
    if user.is_exporter and user.organisation_id == app.exporter_id:
        ours = list(selectors.checks_visible_to(user).filter(party_id__in=[party.pk for _role, party in parties])
                    .order_by("-pk"))
        return {"enduse_checks": {"ours": ours}} if ours else {}
    if not user.is_ministry:
        return {}
    reference = getattr(app, "reference", "") or ""
    to_open = [{"role": role, "party": party,
                "token": cases.sign(party_id=party.pk, application_id=app.pk, case_number=reference, role=role)}
               for role, party in parties]
    return {"enduse_checks": {"earlier": selectors.earlier_checks([party for _role, party in parties]),
                              "to_open": to_open}}
