"""Pages of the address book ("My parties"): the exporter lists, searches, adds, edits, archives and
restores its own parties; the ministry views every exporter's, read-only. Reads start from
parties_visible_to; writes go through the services."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enduser.parties import selectors, services
from enduser.parties.forms import PartyForm
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages

PAGE_SIZE = 50


def _browse(request) -> None:
    if not selectors.can_browse(request.user):
        raise NotAllowed()


def _visible(request, pk):
    _browse(request)
    party = selectors.parties_visible_to(request.user).select_related("exporter").filter(pk=pk).first()
    if party is None:
        raise NotFound()
    return party


def _own(request, pk):
    if not request.user.is_exporter:
        raise NotAllowed(_("Only the exporter keeps its parties."))
    return _visible(request, pk)


@login_required
@require_GET
@domain_errors_as_pages
def party_list(request):
    _browse(request)
    q = request.GET.get("q", "")
    archived = request.GET.get("archived") == "1"
    page = Paginator(selectors.party_search(request.user, q=q, archived=archived),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enduser/parties/list.html", {"page": page, "q": q, "archived": archived,
                                                          "can_edit": request.user.is_exporter})


def _form_page(request, form, party=None, status=200):
    return render(request, "enduser/parties/form.html", {"form": form, "party": party}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def party_new(request):
    if not request.user.is_exporter:
        raise NotAllowed(_("Only the exporter keeps its parties."))
    if request.method == "GET":
        return _form_page(request, PartyForm(initial={"client_token": uuid.uuid4()}))
    form = PartyForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        party, _created = services.party_create(actor=request.user, data=form.service_data(),
                                                client_token=form.cleaned_data.get("client_token"))
    except ValidationFailed as exc:
        form.add_service_errors(exc.fields)
        messages.error(request, exc.message)
        return _form_page(request, form, status=400)
    messages.success(request, _("The party is saved in your address book."))
    return redirect("party", pk=party.pk)


@login_required
@require_GET
@domain_errors_as_pages
def party_detail(request, pk):
    party = _visible(request, pk)
    return render(request, "enduser/parties/detail.html", {
        "party": party, "can_edit": request.user.is_exporter})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def party_edit(request, pk):
    party = _own(request, pk)
    if request.method == "GET":
        return _form_page(request, PartyForm(initial=PartyForm.initial_from(party)), party)
    form = PartyForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, party, status=400)
    try:
        services.party_update(actor=request.user, party_id=party.pk, data=form.service_data(),
                              expected_version=form.cleaned_data.get("version"))
    except ValidationFailed as exc:
        form.add_service_errors(exc.fields)
        messages.error(request, exc.message)
        return _form_page(request, form, party, status=400)
    messages.success(request, _("The party is saved. Cases already filed keep the party as filed."))
    return redirect("party", pk=party.pk)


@login_required
@require_POST
@domain_errors_as_pages
def party_archive(request, pk):
    party = _own(request, pk)
    archived = request.POST.get("archived", "1") != "0"
    try:
        version = int(request.POST["version"]) if request.POST.get("version") else None
    except ValueError:
        raise ValidationFailed(fields={"version": [_("Enter a whole number.")]}) from None
    try:
        services.party_archive(actor=request.user, party_id=party.pk, expected_version=version, archived=archived)
    except DomainError as exc:
        if exc.status_code != 409:
            raise
        messages.error(request, exc.message)
        return render(request, "enduser/parties/detail.html", {"party": party, "can_edit": True},
                      status=exc.status_code)
    messages.success(request, _("The party is archived.") if archived else _("The party is back in your list."))
    return redirect("party", pk=party.pk)
