"""The credit-record panel of the licensing case page (Law 13 "credit record" factor, beside the
decision): the ministry only."""

from compliance.credit.selectors import credit_record, may_see_credit_record


def panel_context(request, app) -> dict:
    if not may_see_credit_record(request.user):
        return {"credit": None}
    return {"credit": {"exporter": app.exporter, "entries": credit_record(app.exporter_id)}}
