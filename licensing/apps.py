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

        # Cases and referrals carry a version: the API gives them an ETag, honours If-Match and
        # checks the caller's role before reading a write's body.
        from licensing.applications.selectors import case_version
        from licensing.referrals.services import referral_version, require_opinion_role
        from licensing.workflow import require_api_write_role
        from portal.preconditions import register_versioned

        register_versioned(r"^/api/applications/(?P<id>\d+)/", case_version, may_act=require_api_write_role,
                           other_version=r"certificate/$")  # the certificate has its own version
        register_versioned(r"^/api/referrals/(?P<id>\d+)/", referral_version, may_act=require_opinion_role)
