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

from enduser.lists import selectors, services
from enduser.lists.forms import ImportForm, ListedPartyForm, ListFilterForm, RemoveForm
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


def _localised(rows: list[services.RowError]) -> list[dict]:
    language = "zh-hans" if translation.get_language().startswith("zh") else "en"
    shown = [error.as_dict() for error in rows]
    return [{**error, "message": error["messages"][language]} for error in shown]


@domain_errors_as_pages
def import_page(request):
    _require_ministry(request.user)
    if request.method != "POST":
        return render(request, "enduser/lists/import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    row_errors = []
    if form.is_valid():
        try:
            result = services.list_import(actor=request.user, upload=form.cleaned_data["file"])
        except services.ImportRefused as exc:
            row_errors = _localised(exc.rows)
            form.add_error(None, exc.message)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_error("file", exc.message)
        else:
            count = len(result.entries)
            if result.replayed:
                messages.info(request, _("This file was imported before; nothing new was published."))
            else:
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
