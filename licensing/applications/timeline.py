"""The exporter's view of its case: the public steps (submitted, forwarded or returned, accepted or
corrections asked, under review, questions, decision, licence) and nothing of the review behind
them (the officer's recommendation, countersignature, referrals, agencies, staff names).

`exporter_timeline` is the one place that decides what an exporter sees of the case's history:
the case page and the API show it to exporters. `tell_exporter` notifies the exporter's people of a
step (inbox and e-mail through the outbox), once per key."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from audit.services import history
from licensing.applications.selectors import case_url, exporter_people
from licensing.models import Application, RefusalLetter, Status
from notifications.services import notify
from portal.errors import lazy_format

EXPORTER, PROVINCE, MINISTRY, PORTAL = "exporter", "province", "ministry", "portal"

PARTY_LABELS = {
    EXPORTER: _("Your company"),
    PROVINCE: _("Provincial commerce department"),
    MINISTRY: _("Ministry of Commerce"),
    PORTAL: _("Portal"),
}

# audit action -> (step, who acts, label). Every action not listed here is internal to the review
# and never shown to the exporter (recommend, send_back, refer's agencies, assign, opinions_in, ...).
PUBLIC_ACTIONS = {
    "application.submit": ("submitted", EXPORTER, _("Submitted to the provincial department")),
    "application.return": ("returned", PROVINCE, _("Returned for correction")),
    "application.forward": ("forwarded", PROVINCE, _("Forwarded to the ministry")),
    "application.request_corrections": ("corrections", MINISTRY,
                                        _("The ministry asked for corrections (补正)")),
    "application.answer_corrections": ("corrections_answered", EXPORTER,
                                       _("Corrections sent to the ministry")),
    "application.accept": ("accepted", MINISTRY, _("Accepted by the ministry")),
    # Referred or not: the exporter learns only that the review has begun (Reg. 17 clock runs).
    "application.refer": ("under_review", MINISTRY, _("Under review")),
    "application.no_referral": ("under_review", MINISTRY, _("Under review")),
    "request.rfi": ("question", MINISTRY, _("The ministry asked a question; the decision "
                                                                    "period is stopped")),
    "request.answer": ("question_answered", EXPORTER, _("Question answered; the decision "
                                                                                 "period runs again")),
    "request.withdraw": ("question_withdrawn", MINISTRY, _("Question withdrawn; the "
                                                                                   "decision period runs again")),
    "request.certification": ("certification", MINISTRY, _("Government certification of the end-user certificate required; the decision period is "
                    "stopped")),
    "request.certification_answer": ("certification_answered", EXPORTER, _("Certified end-user certificate sent; the decision period runs again")),
    "request.certification_withdraw": ("certification_withdrawn", MINISTRY, _("Government certification no longer required; the decision period runs again")),
    "application.approve": ("approved", MINISTRY, _("Approved")),
    "application.refuse": ("refused", MINISTRY, _("Refused")),
}
STEPS_SHOWN_ONCE = frozenset({"under_review"})


@dataclass(frozen=True)
class Step:
    step: str
    at: datetime
    label: str
    party: str
    note: str = ""

    @property
    def by(self) -> str:
        return str(PARTY_LABELS[self.party])


def _note(action: str, after: dict) -> str:
    """Only what the exporter is told anyway: the province's reason for returning, the date to
    answer by, the decision's reasons (with its conditions)."""
    if action == "application.return":
        return after.get("return_reason") or ""
    if action == "application.request_corrections" and after.get("respond_by"):
        return str(lazy_format(_("answer by %(date)s"), date=after["respond_by"]))
    if action in ("application.approve", "application.refuse"):
        return after.get("decision_reason") or ""
    return ""


def exporter_timeline(app: Application) -> list[Step]:
    """What the exporter sees of its case's history, oldest first: 2 queries (3 once refused)."""
    steps, seen = [], set()
    events = (history(app).filter(action__in=PUBLIC_ACTIONS).order_by("seq")
              .values_list("action", "created_at", "after"))
    for action, at, after in events:
        step, party, label = PUBLIC_ACTIONS[action]
        if step in STEPS_SHOWN_ONCE and step in seen:
            continue
        seen.add(step)
        steps.append(Step(step, at, str(label), party, _note(action, after or {})))
    if app.status == Status.APPROVED:
        licence = getattr(app, "licence", None) if _has_licence(app) else None
        if licence is not None:
            steps.append(Step("licence", licence.issued_at, str(lazy_format(
                _("Licence %(number)s issued, valid until %(date)s"),
                number=licence.number, date=licence.valid_until.isoformat())), MINISTRY))
    elif app.status == Status.REFUSED:
        letter = RefusalLetter.objects.filter(application=app).only("number", "issued_at").first()
        if letter is not None:
            steps.append(Step("refusal_letter", letter.issued_at, str(lazy_format(
                _("Refusal letter %(number)s issued"), number=letter.number)), MINISTRY))
    return steps


def _has_licence(app) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return app.licence is not None
    except ObjectDoesNotExist:
        return False


# ---------------------------------------------------------------- telling the exporter

# step -> (Chinese title, English title); %(ref)s is the case number. The decision, the request
# for corrections and questions are told by their own services (decisions, requests), in the
# same words for years; these are the other steps.
TITLES = {
    "submitted": ("案件 %(ref)s 已提交省级商务主管部门", "Case %(ref)s was submitted to the provincial department"),
    "returned": ("案件 %(ref)s 被省级商务主管部门退回补充", "Case %(ref)s was returned for correction"),
    "forwarded": ("案件 %(ref)s 已转报商务部", "Case %(ref)s was forwarded to the ministry"),
    "corrections_answered": ("案件 %(ref)s 补正材料已提交商务部", "Case %(ref)s: corrections sent to the ministry"),
    "accepted": ("案件 %(ref)s 已受理，45 个工作日审查期开始",
                 "Case %(ref)s was accepted; the 45-working-day review period starts"),
    "under_review": ("案件 %(ref)s 正在审查中", "Case %(ref)s is under review"),
    "question_answered": ("案件 %(ref)s 已答复商务部的问题", "Case %(ref)s: your answer was sent to the ministry"),
    "certification_answered": ("案件 %(ref)s 经政府证明的最终用户证明已提交",
                               "Case %(ref)s: the certified end-user certificate was sent"),
    "licence": ("案件 %(ref)s 许可证已签发，可在案件页面下载",
                "Case %(ref)s: the licence was issued and can be downloaded from the case page"),
}


def tell_exporter(app: Application, step: str, *, key: str, body: str = "") -> None:
    """Notify the exporter's people on the case of a timeline step, inside the change's
    transaction. `key` names the event (a replay with the same key tells nobody twice)."""
    title_zh, title_en = TITLES[step]
    ref = app.reference or f"#{app.pk}"
    notify(recipients=exporter_people(app), key=f"timeline:{app.pk}:{key}", kind=f"case.{step}",
           title_zh=title_zh % {"ref": ref}, title_en=title_en % {"ref": ref}, body_zh=body, body_en=body,
           url=case_url(app), application_id=app.pk)
