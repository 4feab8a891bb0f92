from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")

    def ready(self):
        # The control list shows the agencies the routing table proposes for a code; controllist
        # is the lower app and never imports licensing, so licensing hands it the function.
        from controllist.regime import register_agency_source
        from licensing.referrals import routing

        register_agency_source(routing.code_proposals, load=routing.load_rules)

        # Rescreening after a list change needs the open cases; enduser is below licensing too.
        from enduser.screening.rescreen import register_case_source
        from licensing.applications import rescreening

        register_case_source(rescreening.open_parties, rescreening.tell)
