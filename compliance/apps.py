from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    """Internal compliance programmes, warnings and penalties (a later issue); the app exists so
    the layout is fixed from the start."""

    name = "compliance"
    verbose_name = _("Compliance")
