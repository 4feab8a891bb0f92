"""Pages of screening: the officer's judgement of a hit, posted from the case page, and the
rescreening jobs after list changes (ministry)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import MINISTRY_ROLES
from enduser.models import ListChange, OwnershipLinkChange, RescreenState
from enduser.screening import services
from enduser.screening.selectors import rescreen_jobs_visible_to
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages


class DecideForm(forms.Form):
    verdict = forms.CharField(max_length=8)
    note = forms.CharField(required=False, max_length=services.NOTE_MAX_CHARS)
    version = forms.IntegerField(required=False, min_value=1)


@login_required
@require_POST
@domain_errors_as_pages
def hit_decide(request, pk, hit_id):
    form = DecideForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(fields=form.errors)
    hit = services.hit_decide(hit_id=hit_id, actor=request.user, verdict=form.cleaned_data["verdict"],
                              note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"])
    messages.success(request, _("The hit is marked: %(state)s.") % {"state": hit.get_state_display()})
    return redirect("case-detail", pk=pk)


@login_required
@require_POST
@domain_errors_as_pages
def parties_screen(request, pk):
    """The officer screens the case's parties again now, against the lists in force today."""
    if not request.user.is_ministry:
        raise NotAllowed(_("Only the ministry screens parties on demand."))
    ids = request.POST.getlist("party")
    if not ids or len(ids) > 10 or not all(value.isdigit() and len(value) < 10 for value in ids):
        raise ValidationFailed(fields={"party": [_("Expected the ids of the case's parties.")]})
    found = [hit for party_id in dict.fromkeys(ids)
             for hit in services.party_screen(actor=request.user, party_id=party_id)]
    messages.success(request, _("Screened again against the lists in force today: %(n)s hit(s).") % {"n": len(found)})
    return redirect("case-detail", pk=pk)


RESCREENS_PAGE_SIZE = 50


def _jobs(request):
    if not request.user.is_authenticated or request.user.role not in MINISTRY_ROLES:
        raise NotAllowed()
    return rescreen_jobs_visible_to(request.user)


@require_GET
@domain_errors_as_pages
def rescreen_list(request):
    page = Paginator(_jobs(request), RESCREENS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enduser/screening/rescreens.html", {"page": page})


@require_GET
@domain_errors_as_pages
def rescreen_detail(request, pk):
    job = _jobs(request).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    changes = ListChange.objects.filter(pk__in=job.change_ids).select_related("listed").order_by("pk")
    link_changes = (OwnershipLinkChange.objects.filter(pk__in=job.link_change_ids).select_related("link")
                    .order_by("pk"))
    template = "enduser/screening/rescreen_progress.html" if request.htmx else "enduser/screening/rescreen.html"
    return render(request, template, {"job": job, "changes": changes, "link_changes": link_changes,
                                      "running": job.state in (RescreenState.QUEUED, RescreenState.RUNNING)})
