from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControllistConfig(AppConfig):
    name = "controllist"
    verbose_name = _("Control list")
