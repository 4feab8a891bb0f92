"""Pages of the Control List and the Watch List: the public list and entry pages (no sign-in), and
for ministry officers publishing, importing, removing and the list of changes."""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from enduser.lists import ownership, selectors, services
from enduser.lists.forms import (
    ImportForm,
    LinkImportForm,
    ListedPartyForm,
    ListFilterForm,
    OwnershipLinkEndForm,
    OwnershipLinkForm,
    RemoveForm,
)
from enduser.models import ListedParty
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages

CHANGES_PAGE_SIZE = 100


def _require_ministry(user) -> None:
    if not selectors.is_ministry(user):
        raise NotAllowed()


def entry_status(party: ListedParty, today) -> str:
    if party.removed_on is not None and party.removed_on <= today:
        return "removed"
    if party.effective_on > today:
        return "scheduled"
    return "in_force"


@require_GET
def list_page(request):
    form = ListFilterForm(request.GET)
    q, list_kind = form.filters()
    today = timezone.localdate()
    page = selectors.entries_page(q=q, list_kind=list_kind or None, page=request.GET.get("page"), day=today)
    trees = selectors.ownership_trees(page.object_list, day=today)
    for party in page.object_list:
        party.ownership_tree = trees.get(party.pk, [])
    context = {"form": form, "page": page, "q": q, "list_kind": list_kind, "today": today,
               "is_ministry": selectors.is_ministry(request.user)}
    template = "enduser/lists/results.html" if request.htmx else "enduser/lists/list.html"
    return render(request, template, context)


def _entry_context(request, party: ListedParty, remove_form=None) -> dict:
    today = timezone.localdate()
    is_ministry = selectors.is_ministry(request.user)
    status = entry_status(party, today)
    return {
        "party": party,
        "status": status,
        "today": today,
        "is_ministry": is_ministry,
        "can_remove": is_ministry and party.removed_on is None,
        "remove_form": remove_form or RemoveForm(initial={"version": party.version,
                                                          "removed_on": max(today, party.effective_on)}),
        "changes": selectors.changes(listed_id=party.pk) if is_ministry else [],
        "ownership_tree": selectors.ownership_trees([party], day=today).get(party.pk, []) if status == "in_force"
        else [],
    }


@require_GET
def entry_page(request, pk):
    party = get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)
    return render(request, "enduser/lists/entry.html", _entry_context(request, party))


@require_POST
@domain_errors_as_pages
def entry_remove(request, pk):
    _require_ministry(request.user)
    party = get_object_or_404(ListedParty, pk=pk)
    form = RemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        services.listed_party_remove(actor=request.user, listed_id=party.pk,
                                     removed_on=form.cleaned_data["removed_on"],
                                     announcement=form.cleaned_data["announcement"],
                                     expected_version=form.cleaned_data["version"])
    except NotFound:
        raise Http404() from None
    except DomainError as exc:
        for name, errors in (exc.fields or {}).items():
            for error in errors:
                if name in form.fields and error not in form.errors.get(name, []):
                    form.add_error(name, error)
        messages.error(request, exc.message)
        party.refresh_from_db()
        return render(request, "enduser/lists/entry.html", _entry_context(request, party, form),
                      status=exc.status_code)
    messages.success(request, _("The entry was removed from the list."))
    return redirect("lists-entry", pk=party.pk)


@domain_errors_as_pages
def entry_new(request):
    _require_ministry(request.user)
    if request.method != "POST":
        form = ListedPartyForm(initial={"client_token": uuid.uuid4(), "announced_on": timezone.localdate(),
                                        "effective_on": timezone.localdate()})
        return render(request, "enduser/lists/form.html", {"form": form})
    form = ListedPartyForm(request.POST)
    if form.is_valid():
        try:
            party = services.listed_party_publish(actor=request.user, data=form.service_data(),
                                                  client_token=form.cleaned_data.get("client_token"))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(name)s is published on the list.") % {"name": party.primary_name})
            return redirect("lists-entry", pk=party.pk)
    else:
        form.add_content_errors()
    return render(request, "enduser/lists/form.html", {"form": form}, status=400)


def localised(rows: list[services.RowError]) -> list[dict]:
    language = "zh-hans" if translation.get_language().startswith("zh") else "en"
    shown = [error.as_dict() for error in rows]
    return [{**error, "message": error["messages"][language]} for error in shown]


def _imported(request, form, run_import):
    """Run a file import from a page: (its result, []) when it went through, else (None, the rows'
    errors in the page's language), the form carrying the message."""
    if not form.is_valid():
        return None, []
    try:
        result = run_import(actor=request.user, upload=form.cleaned_data["file"])
    except services.ImportRefused as exc:
        form.add_error(None, exc.message)
        return None, localised(exc.rows)
    except DomainError as exc:
        if exc.status_code != 400:
            raise
        form.add_error("file", exc.message)
        return None, []
    if result.replayed:
        messages.info(request, _("This file was imported before; nothing new was published."))
    return result, []


@domain_errors_as_pages
def import_page(request):
    _require_ministry(request.user)
    if request.method != "POST":
        return render(request, "enduser/lists/import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    result, row_errors = _imported(request, form, services.list_import)
    if result is not None:
        count = len(result.entries)
        if not result.replayed:
            messages.success(request, ngettext("%(n)s entry published.", "%(n)s entries published.",
                                               count) % {"n": count})
        return redirect("lists-changes")
    return render(request, "enduser/lists/import.html", {"form": form, "row_errors": row_errors}, status=400)


@require_GET
@domain_errors_as_pages
def change_list(request):
    _require_ministry(request.user)
    rows = selectors.changes().order_by("-pk")
    page = Paginator(rows, CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enduser/lists/changes.html", {"page": page})


# ---------------------------------------------------------------- ownership links (ministry)


def _link_form_errors(form, exc: DomainError) -> None:
    for name, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    if not exc.fields:
        form.add_error(None, exc.message)


@require_GET
@domain_errors_as_pages
def link_list(request):
    _require_ministry(request.user)
    state = request.GET.get("state", "")
    page = selectors.links_page(page=request.GET.get("page"), state=state if state in ("in_force", "ended") else "")
    return render(request, "enduser/lists/links.html", {"page": page, "state": state,
                                                        "today": timezone.localdate()})


@domain_errors_as_pages
def link_new(request):
    _require_ministry(request.user)
    if request.method != "POST":
        initial = {"client_token": uuid.uuid4(), "start_on": timezone.localdate(),
                   "owner_listed": request.GET.get("owner", "")}
        return render(request, "enduser/lists/link_form.html", {"form": OwnershipLinkForm(initial=initial)})
    form = OwnershipLinkForm(request.POST)
    if form.is_valid():
        try:
            link = ownership.ownership_link_publish(actor=request.user, data=form.service_data(),
                                                    client_token=form.cleaned_data.get("client_token"))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            _link_form_errors(form, exc)
        else:
            messages.success(request, _("The ownership link is published; open cases are screened again."))
            return redirect("lists-link", pk=link.pk)
    return render(request, "enduser/lists/link_form.html", {"form": form}, status=400)


def _link_context(link, change_form=None, end_form=None) -> dict:
    initial = {**ownership.link_snapshot(link), "owned_names": "\n".join(link.owned_names),
               **link.owned_identifiers}
    return {
        "link": link, "today": timezone.localdate(), "history": selectors.link_changes(link.pk),
        "change_form": change_form or OwnershipLinkForm(initial=initial, change=True),
        "end_form": end_form or OwnershipLinkEndForm(initial={"version": link.version,
                                                              "end_on": max(timezone.localdate(), link.start_on)}),
    }


@require_GET
@domain_errors_as_pages
def link_page(request, pk):
    _require_ministry(request.user)
    link = get_object_or_404(selectors.links_visible_to(request.user), pk=pk)
    return render(request, "enduser/lists/link.html", _link_context(link))


@require_POST
@domain_errors_as_pages
def link_change(request, pk):
    _require_ministry(request.user)
    link = get_object_or_404(selectors.links_visible_to(request.user), pk=pk)
    form = OwnershipLinkForm(request.POST, change=True)
    if form.is_valid():
        try:
            ownership.ownership_link_change(actor=request.user, link_id=link.pk, data=form.service_data(),
                                            expected_version=form.cleaned_data.get("version"))
        except DomainError as exc:
            if exc.status_code not in (400, 409):
                raise
            _link_form_errors(form, exc)
            link.refresh_from_db()
            return render(request, "enduser/lists/link.html", _link_context(link, change_form=form),
                          status=exc.status_code)
        messages.success(request, _("The ownership link is changed; open cases are screened again."))
        return redirect("lists-link", pk=link.pk)
    return render(request, "enduser/lists/link.html", _link_context(link, change_form=form), status=400)


@require_POST
@domain_errors_as_pages
def link_end(request, pk):
    _require_ministry(request.user)
    link = get_object_or_404(selectors.links_visible_to(request.user), pk=pk)
    form = OwnershipLinkEndForm(request.POST)
    if form.is_valid():
        try:
            ownership.ownership_link_end(actor=request.user, link_id=link.pk, end_on=form.cleaned_data["end_on"],
                                         evidence=form.cleaned_data["evidence"],
                                         expected_version=form.cleaned_data.get("version"))
        except DomainError as exc:
            if exc.status_code not in (400, 409):
                raise
            _link_form_errors(form, exc)
            link.refresh_from_db()
            return render(request, "enduser/lists/link.html", _link_context(link, end_form=form),
                          status=exc.status_code)
        messages.success(request, _("The ownership link is ended; open cases are screened again."))
        return redirect("lists-link", pk=link.pk)
    return render(request, "enduser/lists/link.html", _link_context(link, end_form=form), status=400)


@domain_errors_as_pages
def link_import(request):
    _require_ministry(request.user)
    if request.method != "POST":
        return render(request, "enduser/lists/link_import.html", {"form": LinkImportForm()})
    form = LinkImportForm(request.POST, request.FILES)
    result, row_errors = _imported(request, form, ownership.ownership_links_import)
    if result is not None:
        count = len(result.links)
        if not result.replayed:
            messages.success(request, ngettext("%(n)s ownership link published.",
                                               "%(n)s ownership links published.", count) % {"n": count})
        return redirect("lists-links")
    return render(request, "enduser/lists/link_import.html", {"form": form, "row_errors": row_errors},
                  status=400)
