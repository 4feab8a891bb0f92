"""Pages of licence-route eligibility: the exporter's own routes and why a route is not open, and
the ministry's queue of suspension proposals (accept: the licence is suspended; dismiss with a
reason). Views only translate HTTP to compliance.eligibility calls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from compliance.eligibility import selectors, services
from compliance.eligibility.models import ProposalStatus, SuspensionProposal
from licensing.models import Route
from portal.errors import NotAllowed
from portal.pages import domain_errors_as_pages


@login_required
@require_GET
@domain_errors_as_pages
def my_routes(request):
    """The exporter's routes today and the reason for every route that is not open."""
    if not request.user.is_exporter:
        raise NotAllowed()
    answer = selectors.route_eligibility(request.user.organisation)
    return render(request, "compliance/eligibility/routes.html",
                  {"routes": [(Route(route).label, route, answer[route]) for route in Route.values]})


@login_required
@require_GET
@domain_errors_as_pages
def proposal_list(request):
    if not request.user.is_ministry:
        raise NotAllowed()
    status = request.GET.get("status", ProposalStatus.OPEN)
    qs = SuspensionProposal.objects.visible_to(request.user).select_related("licence", "exporter", "decided_by")
    if status in ProposalStatus.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "compliance/eligibility/proposals.html",
                  {"page": page, "status": status, "statuses": ProposalStatus.choices})


@login_required
@require_POST
@domain_errors_as_pages
def proposal_decide(request, pk, action):
    if action == "accept":
        services.suspension_proposal_accept(actor=request.user, proposal_id=pk, reason=request.POST.get("reason", ""),
                                            expected_version=request.POST.get("version") or None)
        messages.success(request, _("The licence was suspended."))
    elif action == "dismiss":
        services.suspension_proposal_dismiss(actor=request.user, proposal_id=pk, reason=request.POST.get("reason", ""),
                                             expected_version=request.POST.get("version") or None)
        messages.success(request, _("The proposal was dismissed."))
    else:
        raise NotAllowed()
    return redirect("suspension-proposal-list")
