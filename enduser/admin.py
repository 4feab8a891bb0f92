"""Administration of the end-user app: the ownership rule's periods are configuration (DOMAIN.md,
"Ownership"), edited here by the system administrator as the announcements change them."""

from django.contrib import admin

from audit.admin import AuditedAdmin
from enduser.models import OwnershipRulePeriod


@admin.register(OwnershipRulePeriod)
class OwnershipRulePeriodAdmin(AuditedAdmin):
    # An edit decides whether exports to listed parties' subsidiaries are screened, so each one
    # is on the audit trail with its before and after.
    audit_name = "enduser.ownership_rule_period"
    audit_fields = ("rule", "threshold_percent", "state", "valid_from", "valid_until",
                    "announcement_zh", "announcement_en", "note", "uncertain")
    list_display = ("rule", "state", "valid_from", "valid_until", "threshold_percent",
                    "announcement_zh", "uncertain")
    list_filter = ("rule", "state", "uncertain")
    search_fields = ("announcement_zh", "announcement_en", "note")
    fields = audit_fields
