"""The retained records in Django's admin (view only), with the date each is kept until.

Deleting is refused here as everywhere before that date (Reg. 27): the single delete page and the
bulk action show the reason and delete nothing. A case past its retention date is deleted from its
admin page as the purge deletes it (compliance.retention.services.case_purge: every record of the
case, one audit event each, the admin as actor); its licences, certificate and reports go with it,
never one by one."""

from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.utils import unquote
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.retention import selectors, services
from compliance.retention.guard import refusal
from licensing.models import Application, EndUseCertificate, EndUseReport, Licence, LicenceReport
from portal.errors import lazy_format

REFUSALS_SHOWN = 10


@admin.action(description=_("Delete selected %(verbose_name_plural)s"), permissions=["delete"])
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, unless one of the rows may not be deleted: then nothing is."""
    refused = [(obj, reason) for obj in queryset if (reason := modeladmin.refusal_for(obj))]
    if refused:
        lines = [f"{obj}: {reason}" for obj, reason in refused[:REFUSALS_SHOWN]]
        messages.error(request, lazy_format(_("Nothing was deleted. %(count)s of the selected records may not be "
                                              "deleted: %(lines)s"), count=len(refused), lines=lines))
        return None
    return admin_actions.delete_selected(modeladmin, request, queryset)


class RetainedRecordAdmin(admin.ModelAdmin):
    """View only; delete refused while retained."""

    actions = [delete_selected]
    list_per_page = 50

    def case_of(self, obj) -> Application:
        return obj.application

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("kept until (Reg. 27)"))
    def kept_until(self, obj):
        application = self.case_of(obj)
        if not selectors.is_record(application):
            return _("draft: not a record")
        until = selectors.retained_until(application)
        return until.isoformat() if until else _("open: kept")

    def refusal_for(self, obj):
        """Why this record may not be deleted here, or None."""
        application = self.case_of(obj)
        until = selectors.retained_until(application)
        if until is None or until >= timezone.localdate():
            return refusal(until).message
        return lazy_format(_("It is past its retention date and goes with its case: delete the case %(case)s."),
                           case=application.reference)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        reason = obj is not None and self.refusal_for(obj)
        if reason:
            messages.error(request, reason)
            opts = self.opts
            return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)


@admin.register(Application)
class CaseRecordAdmin(RetainedRecordAdmin):
    list_display = ("__str__", "status", "exporter", "submitted_at", "decided_at", "kept_until")
    list_filter = ("status",)
    search_fields = ("reference",)
    fields = ("reference", "status", "exporter", "province", "submitted_at", "decided_at", "kept_until")
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.with_licences(super().get_queryset(request).select_related("exporter"))

    def case_of(self, obj):
        return obj

    def refusal_for(self, obj):
        if not selectors.is_record(obj):
            return _("A draft that was never submitted is deleted by its owner on the portal.")
        until = selectors.retained_until(obj)
        if until is None or until >= timezone.localdate():
            return refusal(until).message
        return None

    def get_deleted_objects(self, objs, request):
        """What the purge deletes (the confirmation page), instead of Django's cascade walk, which
        would stop at the licences and reports the case protects."""
        lines = []
        for application in objs:
            lines += [f"{record.kind} {record.label}"
                      for record in selectors.records_of(application, selectors.retained_until(application))]
        return lines, {}, set(), []

    def delete_model(self, request, obj):
        services.case_purge(actor=request.user, application_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for application_id in queryset.values_list("pk", flat=True):
            services.case_purge(actor=request.user, application_id=application_id)


@admin.register(Licence)
class LicenceRecordAdmin(RetainedRecordAdmin):
    list_display = ("number", "status", "valid_until", "status_changed_at", "kept_until")
    list_filter = ("status",)
    search_fields = ("number",)
    fields = ("number", "application", "licence_type", "status", "valid_from", "valid_until", "status_changed_at",
              "kept_until")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf").select_related("application").prefetch_related(
            Prefetch("application__licences", queryset=Licence.objects.defer("pdf")))


@admin.register(EndUseCertificate)
class CertificateRecordAdmin(RetainedRecordAdmin):
    list_display = ("__str__", "application", "end_user_name", "signed_on", "kept_until")
    fields = ("application", "end_user_name", "signed_on", "valid_until", "kept_until")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application").prefetch_related(
            Prefetch("application__licences", queryset=Licence.objects.defer("pdf")))


@admin.register(LicenceReport)
class LicenceReportRecordAdmin(RetainedRecordAdmin):
    list_display = ("__str__", "licence", "kind", "event_on", "filed_at", "kept_until")
    fields = ("licence", "kind", "event_on", "filed_at", "kept_until")
    readonly_fields = fields

    def case_of(self, obj):
        return obj.licence.application

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("licence__application").defer("licence__pdf")
                .prefetch_related(Prefetch("licence__application__licences", queryset=Licence.objects.defer("pdf"))))


@admin.register(EndUseReport)
class EndUseReportRecordAdmin(RetainedRecordAdmin):
    list_display = ("__str__", "application", "kind", "state", "created_at", "kept_until")
    fields = ("application", "kind", "state", "created_at", "kept_until")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application").prefetch_related(
            Prefetch("application__licences", queryset=Licence.objects.defer("pdf")))
