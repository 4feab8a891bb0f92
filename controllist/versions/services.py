"""Writes to list versions: importing a file (as a job, checked whole before anything is created),
publishing a draft, discarding it. Only ministry officers write; the management command acts as
the system (actor None)."""

import hashlib
import logging
import os
import re
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES, User
from audit import services as audit
from controllist.models import (
    Entry,
    ImportJob,
    ImportState,
    ListVersion,
    SearchTerm,
    VersionState,
)
from controllist.versions import importer, loader
from controllist.versions.diff import version_diff
from outbox.services import enqueue
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed, lazy_format

log = logging.getLogger(__name__)

MAX_KEPT_ERRORS = 2000
# A run that has not finished after this long is dead (20,000 entries take about a minute).
IMPORT_STALE_AFTER = timedelta(minutes=15)
FIELD_LABELS = {"label": _("Label"), "title_zh": _("Title (Chinese)"), "title_en": _("Title (English)"),
                "effective_from": _("Effective from"), "source": _("Source")}
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


# ---------------------------------------------------------------- helpers


def _require_ministry(actor, *, system_allowed: bool = False) -> None:
    if actor is None and system_allowed:
        return
    if actor is None or not actor.is_authenticated or actor.role not in MINISTRY_ROLES:
        raise NotAllowed(_("Only ministry officers manage control list versions."))


def _date(value, field_name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        message = _("Enter a date as YYYY-MM-DD.")
        raise ValidationFailed(message, fields={field_name: [message]}) from None


def version_meta(*, label, title_zh, title_en, effective_from, defaults: dict | None = None) -> dict:
    """The new version's label, titles and date: what the officer typed, else what a JSON file
    carries. Every problem is reported at once, per field."""
    defaults = defaults or {}

    def pick(value, name):
        text = value.strip() if isinstance(value, str) else ""
        fallback = defaults.get(name)
        return text or (fallback.strip() if isinstance(fallback, str) else "")

    meta = {"label": pick(label, "label"), "title_zh": pick(title_zh, "title_zh"),
            "title_en": pick(title_en, "title_en"), "source": pick("", "source")[:500]}
    errors = {}
    if not meta["label"]:
        errors["label"] = [_("Give the version a label, e.g. 2025-06-01.")]
    elif not _LABEL.match(meta["label"]):
        errors["label"] = [_("A label has at most 40 letters, digits, dots, dashes or underscores.")]
    elif ListVersion.objects.filter(label=meta["label"]).exists():
        errors["label"] = [_("A list version with this label already exists.")]
    for name in ("title_zh", "title_en"):
        if not meta[name]:
            errors[name] = [_("This title is required.")]
        elif len(meta[name]) > 200:
            errors[name] = [_("At most 200 characters.")]
    # A JSON file's own texts reach here unchecked by any form.
    for name in ("title_zh", "title_en", "source"):
        if name not in errors and not importer.storable(meta[name]):
            errors[name] = [_("Contains a NUL character or an unpaired surrogate, which cannot be stored.")]
    try:
        meta["effective_from"] = _date(effective_from, "effective_from") or _date(
            defaults.get("effective_from"), "effective_from")
    except ValidationFailed as exc:
        errors.update(exc.fields)
    else:
        if meta["effective_from"] is None:
            errors["effective_from"] = [_("Give the date the version takes effect.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return meta


def _read_upload(upload) -> tuple[bytes, str]:
    if upload is None or not hasattr(upload, "read"):
        message = _("Attach the list file (CSV, XLSX or JSON).")
        raise ValidationFailed(message, fields={"file": [message]})
    name = os.path.basename(getattr(upload, "name", "") or "list")[:255]
    limit = settings.PORTAL_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    content = b"" if size is not None and size > limit else upload.read(limit + 1)
    if (size is not None and size > limit) or len(content) > limit:
        message = lazy_format(_("The file is too large: at most %(mb)s MB is accepted."),
                              mb=limit // (1024 * 1024))
        raise ValidationFailed(message, code="too_large", fields={"file": [message]})
    if not content:
        message = _("The file is empty.")
        raise ValidationFailed(message, fields={"file": [message]})
    return content, name


def _lock_version(version_id, actor) -> ListVersion:
    qs = ListVersion.objects.all() if actor is None else ListVersion.objects.visible_to(actor)
    try:
        return qs.select_for_update().get(pk=version_id)
    except (ListVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _state(version: ListVersion) -> dict:
    return {"state": version.state, "effective_from": version.effective_from.isoformat()}


# ---------------------------------------------------------------- import


def import_job_create(*, actor, upload, label="", title_zh="", title_en="", effective_from=None) -> ImportJob:
    """Store an uploaded list file and schedule its check; the same file uploaded again while its
    job is still waiting or running returns that job."""
    _require_ministry(actor)
    content, name = _read_upload(upload)
    try:
        file_format = importer.detect_format(name, content)
    except importer.FileRefused as exc:
        raise ValidationFailed(exc.message, code=exc.code, fields={"file": [exc.message]}) from None
    if file_format == "json":
        # The file may carry its own label, titles and date; checked once it is read.
        cleaned = {"label": (label or "").strip(), "title_zh": (title_zh or "").strip(),
                   "title_en": (title_en or "").strip(), "effective_from": _date(effective_from, "effective_from")}
        limits = {"label": 40, "title_zh": 200, "title_en": 200}
        too_long = {name: [_("Too long.")] for name, limit in limits.items() if len(cleaned[name]) > limit}
        if too_long:
            raise ValidationFailed(fields=too_long)
    else:
        cleaned = version_meta(label=label, title_zh=title_zh, title_en=title_en, effective_from=effective_from)
    sha256 = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        # Serialises this officer's uploads, so a double submit finds the first job.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        pending = (ImportJob.objects.filter(sha256=sha256, state__in=[ImportState.PENDING, ImportState.RUNNING])
                   .order_by("pk").first())
        if pending is not None:
            return pending
        job = ImportJob.objects.create(
            uploaded_by=actor, original_name=name, file_format=file_format, content=content,
            size=len(content), sha256=sha256, label=cleaned["label"], title_zh=cleaned["title_zh"],
            title_en=cleaned["title_en"], effective_from=cleaned["effective_from"],
        )
        audit.record(actor=actor, action="controllist.import_upload", obj=job, after={
            "name": name, "format": file_format, "size": len(content), "sha256": sha256,
            "label": cleaned["label"]})
        enqueue("controllist.import_list", job_id=job.pk)
    return job


def _progress(job_id):
    def report(processed, total):
        # Autocommitted one by one, so a page polling the job sees the count move.
        ImportJob.objects.filter(pk=job_id).update(processed_rows=processed, total_rows=total)
    return report


def _fail(job_id, errors: list[dict], error_count: int | None = None) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        job.state = ImportState.FAILED
        job.errors = errors[:MAX_KEPT_ERRORS]
        job.error_count = len(errors) if error_count is None else error_count
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "errors", "error_count", "finished_at"])
    return job


def _file_error(message) -> dict:
    """An error about the whole file rather than one row."""
    return {**importer.RowError(0, "", message).as_dict(), "row": None}


def import_job_run(*, job_id) -> ImportJob | None:
    """The body of the import task: check the stored file whole; a clean file becomes a draft
    version. Safe to run twice: only a waiting job is taken."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not _may_take(job):
            return job
        job.state = ImportState.RUNNING
        job.started_at = timezone.now()
        job.processed_rows = 0
        job.save(update_fields=["state", "started_at", "processed_rows"])
    try:
        return _check_and_import(job)
    except Exception:  # the job must end, whatever went wrong; the log has the details
        log.exception("controllist import job %s failed", job.pk)
        return _fail(job.pk, [_file_error(_("The import failed unexpectedly. Upload the file again, "
                                            "or ask the administrator to check the logs."))])


def _may_take(job: ImportJob) -> bool:
    """A waiting job, or one whose run died: a worker killed mid-import leaves it RUNNING, and
    the redelivered task takes it again once the run is clearly dead (nothing was written: the
    version is created in one transaction at the end)."""
    if job.state == ImportState.PENDING:
        return True
    return (job.state == ImportState.RUNNING and job.started_at is not None
            and timezone.now() - job.started_at > IMPORT_STALE_AFTER)


def import_job_is_busy(job: ImportJob | None) -> bool:
    return job is not None and job.state == ImportState.RUNNING and not _may_take(job)


def _check_and_import(job: ImportJob) -> ImportJob:
    try:
        checked = importer.check_file(bytes(job.content), job.file_format, on_progress=_progress(job.pk))
    except importer.FileRefused as exc:
        return _fail(job.pk, [_file_error(exc.message)])
    if not checked.ok:
        return _fail(job.pk, [error.as_dict() for error in checked.errors[:MAX_KEPT_ERRORS]],
                     checked.error_count)
    try:
        meta = version_meta(label=job.label, title_zh=job.title_zh, title_en=job.title_en,
                            effective_from=job.effective_from, defaults=checked.meta)
    except ValidationFailed as exc:
        return _fail(job.pk, [
            _file_error(lazy_format(_("%(field)s: %(message)s"), field=FIELD_LABELS.get(name, name),
                                    message=message))
            for name, messages in exc.fields.items() for message in messages])
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.state != ImportState.RUNNING:
                return job
            version = version_import(actor=job.uploaded_by, checked=checked, meta=meta, sha256=job.sha256)
            job.state = ImportState.DONE
            job.version = version
            job.processed_rows = job.total_rows = len(checked.entries)
            job.finished_at = timezone.now()
            job.save(update_fields=["state", "version", "processed_rows", "total_rows", "finished_at"])
    except IntegrityError:  # the label was taken by another import meanwhile
        return _fail(job.pk, [_file_error(_("A list version with this label already exists."))])
    return job


def version_import(*, actor, checked: importer.CheckedFile, meta: dict, sha256: str = "") -> ListVersion:
    """Create a draft version from a checked, error-free file (the job, or the management command
    with actor None)."""
    _require_ministry(actor, system_allowed=True)
    if not checked.ok:
        raise ValidationFailed(_("The file has errors; nothing was imported."))
    with transaction.atomic():
        version = loader.load_version(
            {"version": meta, "entries": checked.entries}, ListVersion=ListVersion, Entry=Entry,
            SearchTerm=SearchTerm, state=VersionState.DRAFT, created_by_id=actor.pk if actor else None,
            source_sha256=sha256)
        audit.record(actor=actor, action="controllist.version_import", obj=version, after={
            "label": version.label, "entries": version.entry_count, "sha256": sha256,
            **_state(version)})
    return version


# ---------------------------------------------------------------- publish, discard


def version_publish(*, actor, version_id, effective_from, expected_state=VersionState.DRAFT,
                    allow_past: bool = False) -> ListVersion:
    """Publish a draft. A version takes effect on its date, so it cannot be back-dated; only the
    management command's `import --publish` may (allow_past), to load an older list. Actor None
    is the system (the management command)."""
    _require_ministry(actor, system_allowed=True)
    effective = _date(effective_from, "effective_from")
    if effective is None:
        message = _("Give the date the version takes effect.")
        raise ValidationFailed(message, fields={"effective_from": [message]})
    with transaction.atomic():
        version = _lock_version(version_id, actor)
        actor_id = actor.pk if actor else None
        if (version.state == VersionState.PUBLISHED and expected_state == VersionState.DRAFT
                and version.published_by_id == actor_id and version.effective_from == effective):
            return version  # a double click or a retried request
        if version.state != VersionState.DRAFT or (expected_state and version.state != expected_state):
            raise InvalidTransition(lazy_format(
                _("This version is “%(state)s”; only a draft can be published."),
                state=VersionState(version.state).label))
        today = timezone.localdate()
        if effective < today and not allow_past:
            message = _("A version takes effect on its date: choose today or a later date.")
            raise ValidationFailed(message, fields={"effective_from": [message]})
        # Even a back-dated load must not reach behind the version in force: that would rewrite
        # which list applied to cases already decided.
        current = ListVersion.objects.in_force(today)
        if current is not None and effective < current.effective_from:
            message = lazy_format(
                _("The version in force (%(label)s) took effect on %(date)s; the new one cannot take effect earlier."),
                label=current.label, date=current.effective_from.isoformat())
            raise ValidationFailed(message, fields={"effective_from": [message]})
        before = _state(version)
        counts = version_diff(current, version).counts
        version.state = VersionState.PUBLISHED
        version.effective_from = effective
        version.published_by = actor
        version.published_at = timezone.now()
        version.save(update_fields=["state", "effective_from", "published_by", "published_at"])
        audit.record(actor=actor, action="controllist.version_publish", obj=version, before=before,
                     after={**_state(version), "compared_with": current.label if current else None,
                            **counts})
    return version


def version_discard(*, actor, version_id) -> ListVersion:
    _require_ministry(actor)
    with transaction.atomic():
        version = _lock_version(version_id, actor)
        if version.state == VersionState.DISCARDED:
            return version
        if version.state != VersionState.DRAFT:
            raise InvalidTransition(_("Only a draft can be discarded; a published version stays on record."))
        before = {**_state(version), "label": version.label}
        version.state = VersionState.DISCARDED
        # Labels are unique; a discarded draft gives its label up so the corrected file can be
        # imported under it. The audit event keeps the label it had.
        version.label = f"{version.label[:24]}~discarded-{version.pk}"
        version.save(update_fields=["state", "label"])
        audit.record(actor=actor, action="controllist.version_discard", obj=version, before=before,
                     after={**_state(version), "label": version.label})
    return version
