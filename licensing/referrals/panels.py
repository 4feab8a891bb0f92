"""The referrals panel of the case page: the ministry sees every referral, an agency only its own."""

from accounts.models import MINISTRY_ROLES, Organisation, OrgKind
from licensing.models import (
    OpinionKind,
    ReferralState,
    Status,
)
from licensing.referrals import services


def panel_context(request, app) -> dict:
    """Extra context for templates/licensing/panels/referrals.html: the ministry sees every
    referral; an agency only its own (never another agency's referral or opinion); everyone else
    nothing."""
    user = request.user
    if user.role in MINISTRY_ROLES:
        refs = list(services.referrals_visible_to(user, app).select_related("added_by"))
        taken = {ref.agency_id for ref in refs if ref.state not in (ReferralState.DROPPED, ReferralState.WITHDRAWN)}
        open_review = app.status in services.REFERRAL_STATES
        return {
            "referral_panel": "ministry",
            "referrals": refs,
            "referral_opinions": [ref for ref in refs if ref.opinion],
            "referral_can_change": open_review,
            "referral_can_send": open_review and any(ref.state == ReferralState.PROPOSED for ref in refs),
            "referral_can_skip": app.status == Status.ACCEPTED,
            "referral_agencies": [agency for agency in Organisation.objects.filter(kind=OrgKind.AGENCY)
                                  .order_by("code") if agency.pk not in taken] if open_review else [],
        }
    if user.is_agency:
        return {"referral_panel": "agency", "my_referral": services.referrals_visible_to(user, app).first(),
                "opinion_kinds": OpinionKind.choices}
    return {}
