"""The exporter's credit record page (Law 13), for the ministry only."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.models import Organisation, OrgKind
from compliance.credit.selectors import credit_record, may_see_credit_record
from portal.errors import NotAllowed
from portal.pages import domain_errors_as_pages


def visible_exporter(user, org_id):
    """The exporter whose record the ministry reads; exporters get a 404 (not even their own),
    other authorities a 403."""
    if not may_see_credit_record(user):
        if user.is_exporter:
            raise Http404()
        raise NotAllowed()
    return get_object_or_404(Organisation, pk=org_id, kind=OrgKind.EXPORTER)


@login_required
@require_GET
@domain_errors_as_pages
def credit_page(request, org_id):
    exporter = visible_exporter(request.user, org_id)
    return render(request, "compliance/credit/record.html",
                  {"exporter": exporter, "entries": credit_record(exporter)})
