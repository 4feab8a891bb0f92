"""The one "next step" box that leads the case page: what this person has to do now on this case
(or, when nothing, whom the case waits for), computed from the case's state and the person's role."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES, Role
from licensing.models import RecommendationState, Status
from portal.errors import lazy_format


@dataclass(frozen=True)
class NextStep:
    text: str
    anchor: str = ""  # the form on the page that does it
    waiting: bool = False  # nothing for this person to do: the case waits for someone else

    @property
    def key(self) -> str:
        return "waiting" if self.waiting else self.anchor.lstrip("#")


def _ministry(app, user, acceptance_due) -> NextStep | None:
    status = app.status
    if status in (Status.FORWARDED,) and app.assigned_to_id is None:
        return NextStep(str(_("Take the case, then accept it or ask once for all corrections.")), "#assignment-panel")
    if status == Status.FORWARDED:
        if acceptance_due:
            return NextStep(str(lazy_format(_("Accept the case, or ask once for all corrections, by %(date)s."),
                                            date=acceptance_due.isoformat())), "#form-accept")
        return NextStep(str(_("Accept the case, or ask once for all corrections.")), "#form-accept")
    if status == Status.CORRECTING:
        return NextStep(str(_("Waiting for the exporter's corrections.")), waiting=True)
    if status == Status.ACCEPTED:
        return NextStep(str(_("Send the proposed referrals to the agencies, or decide without referral.")),
                        "#referrals-panel")
    if status == Status.WITH_AGENCIES:
        return NextStep(str(_("Waiting for the agencies' opinions.")), "#referrals-panel", waiting=True)
    if status == Status.AWAITING_DECISION:
        return NextStep(str(_("Write the recommendation: outcome, review factors and reasons.")), "#form-recommend")
    if status == Status.AWAITING_COUNTERSIGN:
        pending = (app.recommendations.filter(state=RecommendationState.AWAITING_COUNTERSIGN)
                   .values_list("recommended_by_id", flat=True).order_by("-pk").first())
        if user.role == Role.MINISTRY_SENIOR and pending != user.pk:
            return NextStep(str(_("Countersign the recommendation, or send it back with a comment.")),
                            "#decision-pending")
        return NextStep(str(_("Waiting for a senior officer's countersignature.")), "#decision-pending", waiting=True)
    return None


def next_step(app, user, *, acceptance_due=None, open_requests=()) -> NextStep | None:
    role = user.role
    status = app.status
    if role in MINISTRY_ROLES:
        return _ministry(app, user, acceptance_due)
    if role == Role.PROVINCIAL_OFFICER and status == Status.SUBMITTED:
        return NextStep(str(_("Check the application is complete, then forward it to the ministry with your "
                              "first-review opinion, or return it for correction.")), "#form-forward")
    if user.is_exporter and user.organisation_id == app.exporter_id:
        if status in (Status.DRAFT, Status.RETURNED):
            return NextStep(str(_("Complete the application and submit it to the provincial department.")),
                            "#form-submit")
        if open_requests:
            return NextStep(str(_("Answer the ministry's request below.")), "#requests-panel")
        if status in (Status.APPROVED, Status.REFUSED):
            return None
        return NextStep(str(_("Nothing to do now: you are told here and by e-mail at each step.")), waiting=True)
    return None
