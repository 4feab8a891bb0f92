"""The requests panel of the case page: the clock, corrections, RFIs and pauses."""

from licensing.clock import selectors as clock
from licensing.models import Status
from licensing.requests import certification, services
from licensing.requests.forms import (
    AnswerForm,
    CertificationForm,
    CertifiedAnswerForm,
    CorrectionsForm,
    PauseForm,
    RfiForm,
)


def panel_context(request, app) -> dict:
    """Extra context for templates/licensing/panels/requests.html on the case page."""
    user = request.user
    requests = services.case_requests(app)
    summary = clock.page_summary(app)
    is_ministry, is_exporter = user.is_ministry, user.is_exporter
    open_requests = [r for r in requests if r.is_open]
    initial = {"version": app.version}
    context = {
        "case_clock": summary,
        "rq_requests": requests,
        "rq_open_for_exporter": open_requests if is_exporter else [],
        "rq_is_ministry": is_ministry,
        "rq_can_correct": services.can_request_corrections(app, user),
        "rq_can_ask": services.can_ask_rfi(app, user, requests),
        "rq_can_pause": services.can_pause(app, user),
        "rq_officer_pauses": [row for row in summary.history
                              if row.is_open and row.kind in services.OFFICER_PAUSE_KINDS] if is_ministry else [],
        "rq_corrections_form": CorrectionsForm(initial=initial, prefix="corr"),
        "rq_rfi_form": RfiForm(initial=initial, prefix="rfi"),
        "rq_pause_form": PauseForm(initial=initial, prefix="pause"),
        "rq_answer_form": AnswerForm(initial=initial, prefix="answer"),
        "rq_can_certify": certification.can_require(app, user, requests),
        "rq_certification_form": CertificationForm(initial=initial, prefix="cert"),
        "rq_certified_form": CertifiedAnswerForm(initial=initial, prefix="answer"),
        "rq_show_acceptance": app.status in (Status.FORWARDED, Status.CORRECTING),
    }
    return context
