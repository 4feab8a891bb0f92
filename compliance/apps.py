from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    """Internal compliance programmes, licence-route eligibility, enforcement and penalties,
    retention and statistics: the other half of the regime (white paper §III)."""

    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from compliance.retention import guard

        guard.connect()  # Reg. 27: retained records are not deleted before their time
