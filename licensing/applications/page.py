"""The case page, composed: the case itself and the panel each area adds (requests, referrals,
decisions, assignment). Each area's views import this module to show the page again with an
error; the panels never import the views, so nothing imports back."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from compliance.credit import panels as credit_panels
from controllist.notices import panels as notice_panels
from enduser.checks import panels as check_panels
from enduser.exceptions import panels as exception_panels
from enduser.screening import panels as screening_panels
from licensing.applications import guidance, selectors, services, sharing, shipment, timeline
from licensing.applications import items as draft_items
from licensing.applications import parties as draft_parties
from licensing.applications.forms import DocumentForm, ReasonForm
from licensing.applications.next_step import next_step
from licensing.certificates import panels as certificate_panels
from licensing.decisions import panels as decisions_panels
from licensing.enduse import panels as enduse_panels
from licensing.licences.selectors import licence_visible_to
from licensing.models import Status
from licensing.queues import panels as queues_panels
from licensing.referrals import panels as referrals_panels
from licensing.registration import panels as registration_panels
from licensing.requests import panels as requests_panels
from licensing.workflow import EDITABLE_STATES, SIMPLE_ACTIONS, allowed_actions
from portal.errors import DomainError, NotFound


def visible_case(request, pk):
    return get_object_or_404(selectors.applications_for(request.user).select_related("licence")
                             .defer("licence__pdf"), pk=pk)


def detail_context(request, app, **extra):
    licence = getattr(app, "licence", None) if app.status == Status.APPROVED else None
    context = {
        "app": app,
        "items": app.items.all(),
        # The parties as filed once submitted (snapshots), the address-book records while a draft.
        "parties_filed": draft_parties.as_filed(app),
        "documents": app.documents.all(),
        "actions": [a for a in allowed_actions(app, request.user) if a in SIMPLE_ACTIONS],
        "editable": app.status in EDITABLE_STATES and request.user.is_exporter,
        **_guidance(request, app),
        "document_form": DocumentForm(initial={"version": app.version}),
        "reason_form": ReasonForm(initial={"version": app.version}),
        "deadline": selectors.decision_deadline(app),
        "licence": licence if licence and licence_visible_to(request.user, app) else None,
        "licence_pending": app.status == Status.APPROVED and licence is None,
        # Exporters see the public timeline only (licensing/applications/timeline.py); the
        # authorities the full history.
        "timeline": timeline.exporter_timeline(app) if request.user.is_exporter else None,
        "events": [] if request.user.is_exporter else selectors.case_history(app),
        "company": company_context(request, app),
        "sharing": sharing_context(request, app),
        # The review's panels (templates/licensing/panels/*.html), each from its own module.
        **screening_panels.panel_context(request, app),
        **exception_panels.panel_context(request, app),
        **check_panels.panel_context(request, app),
        **certificate_panels.panel_context(request, app),
        **notice_panels.panel_context(request, app),
        **requests_panels.panel_context(request, app),
        **referrals_panels.panel_context(request, app),
        **decisions_panels.panel_context(request, app),
        **credit_panels.panel_context(request, app),
        **queues_panels.panel_context(request, app),
        **enduse_panels.panel_context(request, app),
        **registration_panels.panel_context(request, app),
        **extra,
    }
    context["next_step"] = next_step(app, request.user, acceptance_due=getattr(
        context["case_clock"].acceptance, "due", None), open_requests=context["rq_open_for_exporter"])
    return context


def _guidance(request, app):
    """The checklist before submission, what happens after it, the items' warnings and the shipment."""
    missing = services.missing_for_submission(app) if app.status in EDITABLE_STATES else []
    return {"missing": missing, "checklist": guidance.checklist(app, problems=missing),
            "after_submission": guidance.next_step(app, request.user), "item_warnings": draft_items.warnings(app.items.all()),
            "shipment": shipment.as_data(app), "copy_token": uuid.uuid4()}


def case_error(request, app_pk, exc: DomainError):
    if isinstance(exc, NotFound):
        raise Http404()
    app = visible_case(request, app_pk)
    messages.error(request, exc.message)
    return render(request, "licensing/case_detail.html", detail_context(request, app),
                  status=exc.status_code)


def sharing_context(request, app):
    user = request.user
    if user.role != "exporter_admin" or user.organisation_id != app.exporter_id:
        return None
    shared = set(app.shared_with.values_list("pk", flat=True))
    return [{"user": colleague, "shared": colleague.pk in shared} for colleague in sharing.shareable_staff(app)]


def company_context(request, app):
    """What the ministry and the province see of the exporter beside the case: its registration's
    verification, and where its credit record (Law 13) is kept."""
    user = request.user
    if not (user.is_ministry or user.role == "provincial_officer"):
        return None
    exporter = app.exporter
    return {"verification": exporter.get_verification_display(), "verified": exporter.verification == "verified",
            "verified_at": exporter.verified_at, "opinion": app.province_opinion}
