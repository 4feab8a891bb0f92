"""What rescreening after a list change needs from the cases (registered with
enduser.screening.rescreen when licensing starts; enduser never imports licensing): the parties of
open cases and of approved cases whose licence is still valid, and how a case is told of a new hit.

A hit on a party of a valid licence proposes a suspension to the officer: there is no suspension
feature yet, so the proposal is the notification and the audit event `screening.suspension_proposed`."""

from django.db.models import Q
from django.utils import timezone

from accounts.models import MINISTRY_ROLES, OrgKind, User
from audit import services as audit
from enduser.screening.rescreen import OpenParty
from licensing.applications.selectors import case_url
from licensing.models import Application, Status
from notifications.services import notify

# A case is open from submission until the decision; a returned case is the exporter's draft again
# and is screened when it is submitted anew.
OPEN_STATES = (Status.SUBMITTED, Status.FORWARDED, Status.CORRECTING, Status.ACCEPTED, Status.WITH_AGENCIES,
               Status.AWAITING_DECISION, Status.AWAITING_COUNTERSIGN)


def open_parties() -> list[OpenParty]:
    today = timezone.localdate()
    cases = (Application.objects.filter(Q(status__in=OPEN_STATES)
                                         | Q(status=Status.APPROVED, licence__valid_until__gte=today))
             .values_list("pk", "status", "importer_id", "end_user_id"))
    found = []
    for case_id, status, importer_id, end_user_id in cases:
        for party_id in {importer_id, end_user_id} - {None}:
            found.append(OpenParty(party_id=party_id, case_id=case_id, licence_valid=status == Status.APPROVED))
    return found


def _officers(app: Application) -> list:
    if app.assigned_to_id:
        return [app.assigned_to]
    return list(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True, organisation__kind=OrgKind.MINISTRY))


def tell(*, hit, case: OpenParty) -> None:
    """Tell the case officer (every ministry officer while the case has none) of a new hit on a
    party of the case, in the transaction that records the hit."""
    app = Application.objects.select_related("assigned_to", "licence").get(pk=case.case_id)
    listed = hit.listed
    facts = {"party": hit.party_name, "listed": hit.listed_name, "list_zh": "管控名单" if listed.list_kind == "control"
             else "关注名单", "list_en": "Control List" if listed.list_kind == "control" else "Watch List",
             "announcement": listed.announcement, "score": hit.score, "case": app.reference or app.pk}
    body_zh = ("“{party}”与{list_zh}条目“{listed}”（{announcement}）相似，得分 {score}。请在案件页面判定是否为同一主体。"
               .format(**facts))
    body_en = ("“{party}” is alike “{listed}” on the {list_en} ({announcement}), score {score}. Judge on the case "
               "page whether it is the same party.".format(**facts))
    if case.licence_valid:
        number = app.licence.number
        notify(recipients=_officers(app), key=f"rescreen-suspend:{hit.pk}:{app.pk}", kind="suspension_proposed",
               title_zh=f"建议考虑暂停许可证 {number}：名单变更后的筛查命中",
               title_en=f"Consider suspending licence {number}: a hit after a list change",
               body_zh=body_zh + f"许可证 {number} 仍在有效期内，建议考虑暂停。",
               body_en=body_en + f" Licence {number} is still valid: consider suspending it.",
               url=case_url(app), application_id=app.pk)
        audit.record(actor=None, action="screening.suspension_proposed", obj=app,
                     after={"hit": hit.pk, "licence": number, "listed": listed.pk, "party": hit.party_id})
    else:
        notify(recipients=_officers(app), key=f"rescreen-hit:{hit.pk}:{app.pk}", kind="screening_hit",
               title_zh=f"名单变更后的筛查命中：案件 {facts['case']}",
               title_en=f"A screening hit after a list change: case {facts['case']}",
               body_zh=body_zh, body_en=body_en, url=case_url(app), application_id=app.pk)
