"""Finding entries of the control list, for everyone signed in: the search page (results update as
you type), an entry's page (its sub-items, regime, version and history across versions), and the
suggestion partial other forms embed to fill in a code; and the ministry's synonym table."""

import re
import uuid
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from controllist.codes import ITEM_TYPES, SECTORS, parent_code, sort_key
from controllist.models import Entry, ListVersion, VersionState
from controllist.regime import RegimeInfo, classify
from controllist.search import services
from controllist.search.engine import SearchResult, check_query, search
from controllist.search.forms import SynonymDeleteForm, SynonymForm
from controllist.search.selectors import synonyms_visible_to
from portal.api import error_body
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages

PAGE_SIZE = 20
MAX_PAGE = 500
SUGGESTIONS = 8
OUTLINE_CODES_PER_SECTOR = 40
_TARGET = re.compile(r"[A-Za-z0-9_-]{1,40}")


# ---------------------------------------------------------------- reads shared with the API


def selectable_versions(user) -> list[ListVersion]:
    """Versions offered in the version selector: published ones, and for the ministry its drafts;
    discarded imports are left out."""
    return list(ListVersion.objects.visible_to(user).exclude(state=VersionState.DISCARDED)
                .order_by("-effective_from", "-pk"))


def chosen_version(user, label: str | None, versions: list[ListVersion] | None = None):
    """The version a request names by label (visible to the user), or the version in force."""
    versions = selectable_versions(user) if versions is None else versions
    if label:
        if "\x00" in label:  # PostgreSQL refuses NUL in a string: no such version
            raise NotFound()
        found = next((v for v in versions if v.label == label), None)
        if found is None:
            found = ListVersion.objects.visible_to(user).filter(label=label).first()
        if found is None:
            raise NotFound(_("No such list version, or it is not visible to you."))
        return found
    today = timezone.localdate()
    in_force = [v for v in versions if v.state == VersionState.PUBLISHED and v.effective_from <= today]
    return max(in_force, key=lambda v: (v.effective_from, v.pk), default=None)


@dataclass
class TreeNode:
    entry: Entry
    children: list = field(default_factory=list)


@dataclass
class HistoryStep:
    version: ListVersion
    kind: str  # added, changed, unchanged, removed
    entry: Entry | None = None
    changes: list = field(default_factory=list)  # [(field, label, old, new)]


@dataclass
class EntryDetail:
    version: ListVersion
    entry: Entry
    ancestors: list
    children: list
    regime: RegimeInfo
    history: list

    @property
    def sector_name(self):
        return SECTORS.get(self.entry.code[0], "")

    @property
    def item_type_name(self):
        return ITEM_TYPES.get(self.entry.code[1:2], "")


FIELD_LABELS = {
    "parent": _("parent code"),
    "description_zh": _("description (Chinese)"),
    "description_en": _("description (English)"),
    "parameters_zh": _("technical parameters (Chinese)"),
    "parameters_en": _("technical parameters (English)"),
    "hs_codes": _("HS codes"),
    "notes": _("notes"),
    "uncertain": _("code or content uncertain"),
}


def _normalised_code(code: str) -> str:
    code = (code or "").strip()
    return code[:2].upper() + code[2:]


def entry_detail(user, label: str, code: str) -> EntryDetail:
    if "\x00" in label + code:  # PostgreSQL refuses NUL in a string: no such entry
        raise NotFound()
    version = ListVersion.objects.visible_to(user).filter(label=label).first()
    if version is None:
        raise NotFound()
    code = _normalised_code(code)
    entry = Entry.objects.filter(version=version, code=code).first()
    if entry is None:
        raise NotFound()
    ancestor_codes = []
    parent = parent_code(code)
    while parent:
        ancestor_codes.insert(0, parent)
        parent = parent_code(parent)
    ancestors = (sorted(Entry.objects.filter(version=version, code__in=ancestor_codes),
                        key=lambda e: e.depth) if ancestor_codes else [])
    return EntryDetail(version=version, entry=entry, ancestors=ancestors,
                       children=_subtree(entry), regime=classify(entry.code),
                       history=entry_history(user, entry))


def _subtree(entry: Entry) -> list[TreeNode]:
    # Descendants sort right after their parent: one range over the (version, sort_key) index.
    key = sort_key(entry.code)
    below = Entry.objects.filter(version_id=entry.version_id, sort_key__gt=key + ".",
                                 sort_key__lt=key + "/").order_by("sort_key")
    nodes = {entry.pk: TreeNode(entry)}
    for child in below:
        node = TreeNode(child)
        nodes[child.pk] = node
        if child.parent_id in nodes:
            nodes[child.parent_id].children.append(node)
    return nodes[entry.pk].children


def entry_history(user, entry: Entry) -> list[HistoryStep]:
    """The versions visible to the user, oldest first, and what happened to this code in each:
    added, changed (field by field against the previous version holding it), unchanged, removed."""
    versions = list(ListVersion.objects.visible_to(user).exclude(state=VersionState.DISCARDED)
                    .order_by("effective_from", "pk"))
    if entry.version_id not in {v.pk for v in versions}:
        versions = sorted([*versions, entry.version], key=lambda v: (v.effective_from, v.pk))
    held = {e.version_id: e for e in Entry.objects.filter(code=entry.code,
                                                          version__in=[v.pk for v in versions])}
    steps: list[HistoryStep] = []
    previous = None
    for version in versions:
        current = held.get(version.pk)
        if current is None:
            if previous is not None:
                steps.append(HistoryStep(version, "removed"))
            previous = None
            continue
        if previous is None:
            steps.append(HistoryStep(version, "added", current))
        else:
            changes = _changes(previous.snapshot(), current.snapshot())
            steps.append(HistoryStep(version, "changed" if changes else "unchanged", current, changes))
        previous = current
    return steps


def _changes(before: dict, after: dict) -> list:
    return [(name, FIELD_LABELS.get(name, name), shown(before.get(name)), shown(after.get(name)))
            for name in after if before.get(name) != after.get(name)]


def shown(value) -> str:
    """A snapshot value as the pages show it: lists joined, yes or no for flags."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return value or ""


def entry_url(version: ListVersion, entry: Entry) -> str:
    return reverse("controllist-entry", args=[version.label, entry.code])


# ---------------------------------------------------------------- pages


def _page_number(raw) -> int:
    try:
        return min(MAX_PAGE, max(1, int(raw)))
    except (TypeError, ValueError):
        return 1


def _outline(version) -> list[dict]:
    """The version's top-level codes by sector and item type, shown before anything is typed."""
    if version is None:
        return []
    sectors: dict[str, dict] = {}
    rows = (Entry.objects.filter(version=version, depth=0).order_by("sort_key")
            .values_list("code", "description_zh", "description_en", "uncertain"))
    for code, description_zh, description_en, uncertain in rows:
        sector = sectors.setdefault(code[0], {"digit": code[0], "name": SECTORS.get(code[0], ""),
                                              "types": {}, "codes": [], "count": 0})
        sector["count"] += 1
        prefix = code[:2]
        sector["types"].setdefault(prefix, {"prefix": prefix, "name": ITEM_TYPES.get(code[1], ""),
                                            "count": 0})["count"] += 1
        if len(sector["codes"]) < OUTLINE_CODES_PER_SECTOR:
            sector["codes"].append({"code": code, "description_zh": description_zh,
                                    "description_en": description_en, "uncertain": uncertain})
    return [{**sector, "types": list(sector["types"].values())}
            for _digit, sector in sorted(sectors.items())]


@login_required
@require_GET
@domain_errors_as_pages
def search_page(request):
    versions = selectable_versions(request.user)
    version = chosen_version(request.user, request.GET.get("version"), versions)
    page = _page_number(request.GET.get("page"))
    error = None
    try:
        query = check_query(request.GET.get("q"))
        result = search(query, version=version, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE) \
            if version is not None else SearchResult(query=query, version=None)
    except ValidationFailed as exc:
        error, query = exc.message, (request.GET.get("q") or "")[:200]
        result = SearchResult(query="", version=version)
    context = {
        "query": query, "result": result, "version": version, "versions": versions,
        "page": page, "error": error, "outline": [] if query else _outline(version),
        "is_ministry": request.user.is_ministry,
        "in_force": chosen_version(request.user, None, versions),
    }
    status = 400 if error else 200
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "controllist/search_results.html", context, status=status)
    return render(request, "controllist/search.html", context, status=status)


@login_required
@require_GET
@domain_errors_as_pages
def entry_page(request, label, code):
    detail = entry_detail(request.user, label, code)
    return render(request, "controllist/entry.html", {"detail": detail, "entry": detail.entry,
                                                      "version": detail.version})


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


@login_required
@require_GET
@domain_errors_as_pages
def suggest(request):
    """Top matches as a small partial for htmx (a button per code that fills the input named by
    `target`), or as JSON when the caller asks for it."""
    try:
        target = request.GET.get("target", "")
        if target and not _TARGET.fullmatch(target):
            raise ValidationFailed(_("The target must be an element id of letters, digits, - or _."),
                                   fields={"target": [_("Invalid.")]})
        version = chosen_version(request.user, request.GET.get("version"))
        query = check_query(request.GET.get("q"))
    except DomainError as exc:
        if not _wants_json(request):
            raise
        return JsonResponse(error_body(exc.code, exc.message), status=exc.status_code)
    result = search(query, version=version, limit=SUGGESTIONS) if version is not None \
        else SearchResult(query=query, version=None)
    if _wants_json(request):
        return JsonResponse({
            "version": version.label if version else None,
            "results": [{"code": hit.entry.code, "description_zh": hit.entry.description_zh,
                         "description_en": hit.entry.description_en, "uncertain": hit.entry.uncertain,
                         "url": entry_url(version, hit.entry)} for hit in result.hits],
        })
    return render(request, "controllist/search_suggest.html",
                  {"result": result, "target": target, "version": version})


# ---------------------------------------------------------------- the synonym table (ministry)


def _synonym_or_404(request, pk):
    synonym = synonyms_visible_to(request.user).filter(pk=pk).first()
    if synonym is None:
        raise NotFound()
    return synonym


def _require_ministry(user) -> None:
    if not user.is_ministry:
        raise NotAllowed(_("Only ministry officers maintain the search synonyms."))


@login_required
@require_GET
@domain_errors_as_pages
def synonym_list(request):
    _require_ministry(request.user)
    synonyms = synonyms_visible_to(request.user)
    query = (request.GET.get("q") or "").strip()[:60]
    if query:
        synonyms = synonyms.filter(Q(term_a__icontains=query) | Q(term_b__icontains=query))
    page = Paginator(synonyms, 100).get_page(request.GET.get("page"))
    return render(request, "controllist/synonym_list.html", {
        "page": page, "q": query, "form": SynonymForm(initial={"client_token": uuid.uuid4()})})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def synonym_edit(request, pk=None):
    """Add a pair (pk None) or change one."""
    _require_ministry(request.user)
    synonym = _synonym_or_404(request, pk) if pk is not None else None
    if request.method != "POST":
        initial = ({"term_a": synonym.term_a, "term_b": synonym.term_b, "note": synonym.note,
                    "version": synonym.version} if synonym else {"client_token": uuid.uuid4()})
        return render(request, "controllist/synonym_form.html", {"form": SynonymForm(initial=initial),
                                                                 "synonym": synonym})
    form = SynonymForm(request.POST)
    if form.is_valid():
        try:
            if synonym is None:
                services.synonym_create(actor=request.user, data=form.service_data(),
                                        client_token=form.cleaned_data.get("client_token"))
            else:
                services.synonym_update(actor=request.user, synonym_id=synonym.pk, data=form.service_data(),
                                        expected_version=form.cleaned_data.get("version"))
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved. Every list version is being indexed again with the "
                                        "synonyms; searches use them within a minute."))
            return redirect("controllist-synonyms")
    return render(request, "controllist/synonym_form.html", {"form": form, "synonym": synonym}, status=400)


@login_required
@require_POST
@domain_errors_as_pages
def synonym_delete(request, pk):
    _require_ministry(request.user)
    form = SynonymDeleteForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(fields=form.errors)
    services.synonym_delete(actor=request.user, synonym_id=pk,
                            expected_version=form.cleaned_data.get("version"))
    messages.success(request, _("Synonym deleted."))
    return redirect("controllist-synonyms")
