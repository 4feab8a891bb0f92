"""Administration of the control list. Only the regime table is edited here (it is configuration,
DOMAIN.md); versions, controls and questions change through their services and are shown read-only."""

from django.contrib import admin

from audit import services as audit
from controllist.models import (
    ClassificationQuestion,
    Entry,
    ListVersion,
    Prohibition,
    RegimeRule,
    TemporaryControl,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ListVersion)
class ListVersionAdmin(ReadOnlyAdmin):
    list_display = ("label", "title_zh", "effective_from", "state", "entry_count", "published_at")
    list_filter = ("state",)
    search_fields = ("label", "title_zh", "title_en")


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "description_zh", "uncertain")
    list_filter = ("version", "uncertain")
    search_fields = ("code", "description_zh", "description_en")
    list_select_related = ("version",)
    show_full_result_count = False


def _rule_state(rule: RegimeRule) -> dict:
    fields = ("sector", "item_type", "regime_digit", "code_prefix", "regime_zh", "regime_en",
              "reason_zh", "reason_en", "note")
    return {name: getattr(rule, name) for name in fields}


@admin.register(RegimeRule)
class RegimeRuleAdmin(admin.ModelAdmin):
    """Regime and control reason only: the agencies consulted on a code are the routing rules'
    (/review/rules/), edited by the ministry."""

    list_display = ("__str__", "sector", "item_type", "regime_digit", "code_prefix", "regime_zh", "note")
    list_filter = ("sector", "item_type", "regime_digit")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The admin view saves the row and its relations in one transaction; audit inside it.
        audit.record(actor=request.user, action="controllist.regime_rule_change" if change
                     else "controllist.regime_rule_add", obj=form.instance, after=_rule_state(form.instance))

    def delete_model(self, request, obj):
        before = _rule_state(obj)
        audit.record(actor=request.user, action="controllist.regime_rule_delete", obj=obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            self.delete_model(request, rule)


@admin.register(TemporaryControl)
class TemporaryControlAdmin(ReadOnlyAdmin):
    list_display = ("number", "title_zh", "starts_on", "ends_on", "extensions", "state")
    list_filter = ("state",)
    search_fields = ("number", "title_zh", "title_en", "control_code")


@admin.register(Prohibition)
class ProhibitionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "item_code", "destination", "party_name", "effective_from", "revoked_at")
    search_fields = ("number", "item_code", "party_name")


@admin.register(ClassificationQuestion)
class ClassificationQuestionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "exporter", "item_name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("reference", "item_name")
    list_select_related = ("exporter",)
