"""Pages for list versions: everyone signed in sees the published versions; ministry officers also
see drafts, import files, compare a draft with the version in force, and publish or discard it."""

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from controllist.models import ImportJob, ImportState, ListVersion, VersionState
from controllist.search.views import FIELD_LABELS, shown
from controllist.versions import services
from controllist.versions.diff import default_base, version_diff
from portal.errors import DomainError, NotAllowed, ValidationFailed
from portal.pages import domain_errors_as_pages

DIFF_PAGE_SIZE = 100


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("List file"),
                           help_text=gettext_lazy("CSV, XLSX or JSON; the first row of a table names the columns."))
    label = forms.CharField(label=gettext_lazy("Label"), max_length=40, required=False,
                            help_text=gettext_lazy("e.g. 2025-06-01; a JSON file may carry its own."))
    title_zh = forms.CharField(label=gettext_lazy("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=200, required=False)
    effective_from = forms.DateField(label=gettext_lazy("Effective from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))

    def add_service_errors(self, fields: dict) -> None:
        for name, errors in (fields or {}).items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=gettext_lazy("Takes effect on"),
                                     widget=forms.DateInput(attrs={"type": "date"}))
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)


def _require_ministry(user) -> None:
    if not user.is_ministry:
        raise NotAllowed()


@login_required
@require_GET
def version_list(request):
    versions = ListVersion.objects.visible_to(request.user).order_by("-effective_from", "-pk")
    page = Paginator(versions, 50).get_page(request.GET.get("page"))
    in_force = ListVersion.objects.in_force()
    jobs = (ImportJob.objects.defer("content", "errors").select_related("version")[:10]
            if request.user.is_ministry else [])
    return render(request, "controllist/version_list.html", {
        "page": page, "in_force": in_force, "can_import": request.user.is_ministry, "jobs": jobs,
    })


def _paged(request, items, name):
    return Paginator(items, DIFF_PAGE_SIZE).get_page(request.GET.get(f"{name}_page"))


def version_id(raw) -> int | None:
    """A version id from a query parameter; None unless plain ASCII digits (str.isdigit also
    accepts "²" and "١", which int() or the database refuse)."""
    raw = raw or ""
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _changed_rows(page) -> list:
    """The changed entries of one diff page, fields named in words and values as the entry page
    shows them."""
    return [SimpleNamespace(code=changed.code, changes=[(FIELD_LABELS.get(name, name), shown(old), shown(new))
                                                        for name, old, new in changed.changes])
            for changed in page]


def _detail_context(request, version, publish_form=None):
    visible = ListVersion.objects.visible_to(request.user)
    against = None
    if (against_id := version_id(request.GET.get("against"))) is not None:
        against = visible.exclude(pk=version.pk).filter(pk=against_id).first()
    base = against or default_base(version)
    diff = version_diff(base, version)
    is_ministry = request.user.is_ministry
    changed = _paged(request, diff.changed, "changed")
    return {
        "version": version,
        "in_force": ListVersion.objects.in_force(),
        "base": base,
        "diff": diff,
        "counts": diff.counts,
        "added": _paged(request, diff.added, "added"),
        "removed": _paged(request, diff.removed, "removed"),
        "changed": changed,
        "changed_rows": _changed_rows(changed),
        "others": visible.exclude(pk=version.pk).order_by("-effective_from", "-pk")[:50],
        "can_publish": is_ministry and version.state == VersionState.DRAFT,
        "publish_form": publish_form or PublishForm(initial={
            "effective_from": max(version.effective_from, timezone.localdate()),
            "expected_state": version.state}),
        "imports": version.imports.defer("content", "errors") if is_ministry else [],
    }


@login_required
@require_GET
def version_detail(request, pk):
    version = get_object_or_404(ListVersion.objects.visible_to(request.user), pk=pk)
    return render(request, "controllist/version_detail.html", _detail_context(request, version))


@login_required
@require_POST
@domain_errors_as_pages
def version_publish(request, pk):
    version = get_object_or_404(ListVersion.objects.visible_to(request.user), pk=pk)
    _require_ministry(request.user)
    form = PublishForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=form.errors)
        services.version_publish(actor=request.user, version_id=version.pk,
                                 effective_from=form.cleaned_data["effective_from"],
                                 expected_state=form.cleaned_data.get("expected_state") or VersionState.DRAFT)
    except DomainError as exc:
        if exc.status_code not in (400, 409):
            raise
        messages.error(request, exc.message)
        version.refresh_from_db()
        return render(request, "controllist/version_detail.html",
                      _detail_context(request, version, publish_form=form), status=exc.status_code)
    messages.success(request, _("The version is published. It takes effect on its date."))
    return redirect("controllist-version", pk=version.pk)


@login_required
@require_POST
@domain_errors_as_pages
def version_discard(request, pk):
    version = get_object_or_404(ListVersion.objects.visible_to(request.user), pk=pk)
    services.version_discard(actor=request.user, version_id=version.pk)
    messages.success(request, _("The draft was discarded."))
    return redirect("controllist-versions")


@login_required
@domain_errors_as_pages
def import_new(request):
    _require_ministry(request.user)
    if request.method != "POST":
        return render(request, "controllist/import_form.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_job_create(
                actor=request.user, upload=data["file"], label=data["label"], title_zh=data["title_zh"],
                title_en=data["title_en"], effective_from=data["effective_from"])
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            form.add_service_errors(exc.fields)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            return redirect("controllist-import", pk=job.pk)
    return render(request, "controllist/import_form.html", {"form": form}, status=400)


def _localised_errors(job: ImportJob) -> list[dict]:
    language = "zh-hans" if translation.get_language().startswith("zh") else "en"
    return [{"row": error.get("row"), "code": error.get("code", ""),
             "message": (error.get("messages") or {}).get(language) or error.get("message", "")}
            for error in job.errors]


@login_required
@require_GET
@domain_errors_as_pages
def import_detail(request, pk):
    _require_ministry(request.user)
    job = get_object_or_404(ImportJob.objects.defer("content").select_related("version", "uploaded_by"), pk=pk)
    context = {
        "job": job,
        "running": job.state in (ImportState.PENDING, ImportState.RUNNING),
        "percent": int(job.processed_rows * 100 / job.total_rows) if job.total_rows else 0,
        "errors": _localised_errors(job) if job.state == ImportState.FAILED else [],
    }
    template = "controllist/import_progress.html" if request.htmx else "controllist/import_detail.html"
    return render(request, template, context)
