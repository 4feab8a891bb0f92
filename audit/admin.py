from django.contrib import admin

from audit import services as audit
from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """An admin whose every edit is audited (in the admin's own transaction) as
    `<audit_name>_add/_change/_delete`, for tables whose rows change what the portal decides (the
    calendar moves statutory deadlines, ownership rule periods change screening). Bulk deletes
    from the change list, which would bypass delete_model, are switched off for the same reason."""

    audit_name = ""
    audit_fields: tuple = ()

    def _state(self, obj) -> dict | None:
        return None if obj is None else {name: str(getattr(obj, name)) for name in self.audit_fields}

    def save_model(self, request, obj, form, change):
        before = self._state(type(obj).objects.filter(pk=obj.pk).first())
        super().save_model(request, obj, form, change)
        action = f"{self.audit_name}_change" if change else f"{self.audit_name}_add"
        audit.record(actor=request.user, action=action, obj=obj, before=before, after=self._state(obj))

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action=f"{self.audit_name}_delete", obj=obj, before=self._state(obj))
        super().delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
