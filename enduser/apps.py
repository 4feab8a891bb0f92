from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnduserConfig(AppConfig):
    name = "enduser"
    verbose_name = _("End users and parties")
