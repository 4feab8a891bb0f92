"""Referrals to the consulted agencies (跨部门许可会商) and their opinions: proposing them on
acceptance, the officer's changes, sending, the agencies' opinions, and the deadline task's
reminder, escalation and no objection by silence. (The routing tables' edits live in
licensing.routing_tables and are re-exported here.)

Lock order, everywhere: the case, then the referral. An agency answering while the deadline task
records its silence therefore ends with exactly one outcome, and the loser is told which."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AGENCY_ROLES, MINISTRY_ROLES, Organisation, OrgKind, Role, User
from audit import services as audit
from licensing.applications import timeline
from licensing.applications.selectors import case_url
from licensing.models import (
    AgencySettings,
    Application,
    OpinionKind,
    Referral,
    ReferralState,
    Status,
)
from licensing.referrals import routing
from licensing.referrals.tables import (  # noqa: F401  (the table edits, re-exported for callers)
    agency_settings_update,
    country_group_create,
    country_group_update,
    country_group_version,
    routing_rule_create,
    routing_rule_deactivate,
    routing_rule_update,
)
from licensing.referrals.tables import clean_text as _text
from licensing.workflow import (
    check_version,
    is_replay,
    lock_case,
    require_ministry,
    transition,
)
from notifications.services import notify
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    ValidationFailed,
    lazy_format,
)
from workdays.services import NoCalendarError, add_working_days, working_days_between

# The case states in which the officer may still change who is consulted.
REFERRAL_STATES = frozenset({Status.ACCEPTED, Status.WITH_AGENCIES, Status.AWAITING_DECISION})
SILENCE_NOTE = "no objection by silence (EO 12981 rule)"


# ---------------------------------------------------------------- helpers




def _agency_users(agency_id, roles=AGENCY_ROLES):
    return list(User.objects.filter(organisation_id=agency_id, role__in=roles, is_active=True))


def agency_settings_for(agency: Organisation) -> AgencySettings:
    """The agency's settings, or the model's defaults when none were saved yet."""
    try:
        return agency.review_settings
    except AgencySettings.DoesNotExist:
        return AgencySettings(agency=agency)


def _lock_referral(app: Application, referral_id) -> Referral:
    try:
        return (Referral.objects.select_for_update(of=("self",)).select_related("agency")
                .get(pk=int(referral_id), application=app))
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _referral_state(ref: Referral) -> dict:
    return {"application": ref.application_id, "agency": ref.agency.code, "state": ref.state,
            "version": ref.version, "due_on": ref.due_on, "reason": ref.reason, "opinion": ref.opinion}


def _require_open_review(app: Application) -> None:
    if app.status not in REFERRAL_STATES:
        raise InvalidTransition(lazy_format(
            _("This case is “%(status)s”: its referrals can no longer be changed."),
            status=Status(app.status).label))


def _bump_case(app: Application) -> None:
    app.version += 1
    app.save(update_fields=["version", "updated_at"])


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _close_if_all_in(app: Application) -> bool:
    """The last outstanding opinion is in (given, silent or withdrawn): the case goes to decision
    and the officer is told."""
    if app.status != Status.WITH_AGENCIES or app.referrals.filter(state=ReferralState.SENT).exists():
        return False
    transition(app, None, "opinions_in")
    notify(recipients=[app.assigned_to], key=f"opinions-in:{app.pk}:{app.version}", kind="opinions_in",
           title_zh=f"案件 {app.reference} 的会商意见已全部收到",
           title_en=f"All agency opinions are in for case {app.reference}",
           body_zh="请查看各部门意见并作出决定建议。", body_en="Read the opinions and write your recommendation.",
           url=case_url(app), application_id=app.pk)
    return True


# ---------------------------------------------------------------- proposing and sending


@transaction.atomic
def referrals_propose(application_id) -> list[Referral]:
    """Run by the `licensing.propose_referrals` task after acceptance: a PROPOSED referral to each
    agency the routing rules name. Running it twice adds nothing (one referral per agency)."""
    try:
        app = lock_case(application_id, None)
    except NotFound:
        return []
    if app.status != Status.ACCEPTED:
        return []
    existing = set(app.referrals.values_list("agency_id", flat=True))
    made = []
    for agency, rules in routing.route(app):
        if agency.pk in existing:
            continue
        ref = Referral.objects.create(application=app, agency=agency, rules=rules)
        audit.record(actor=None, action="referral.propose", obj=ref, after={
            **_referral_state(ref), "rules": [rule["id"] for rule in rules]})
        made.append(ref)
    if made:
        _bump_case(app)  # an officer's page opened before the proposal is stale
    return made


@transaction.atomic
def referral_add(*, application_id, actor, agency_id, reason: str, expected_version=None) -> Referral:
    app = lock_case(application_id, actor)
    require_ministry(actor)
    _require_open_review(app)
    reason = _text(reason, "reason", required_message=_("Say why this agency should be consulted."),
                   max_length=2000)
    try:
        agency = Organisation.objects.get(pk=int(agency_id), kind=OrgKind.AGENCY)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        message = _("Choose one of the consulted agencies.")
        raise ValidationFailed(message, fields={"agency": [message]}) from None
    ref = Referral.objects.select_for_update().filter(application=app, agency=agency).first()
    if ref and ref.state == ReferralState.PROPOSED and ref.added_by_id == actor.pk and ref.reason == reason:
        return ref  # a repeated click
    check_version(app, expected_version)
    if ref and ref.state in (ReferralState.PROPOSED, ReferralState.SENT):
        message = _("This agency is already consulted on this case.")
        raise ValidationFailed(message, fields={"agency": [message]})
    if ref and ref.state in (ReferralState.ANSWERED, ReferralState.SILENT):
        raise InvalidTransition(_("This agency has already given its opinion on this case."))
    before = _referral_state(ref) if ref else {}
    if ref is None:
        ref = Referral(application=app, agency=agency)
    else:  # dropped or withdrawn earlier: proposed again, as new
        ref.sent_at = ref.due_on = ref.reminded_at = ref.escalated_at = None
        ref.version += 1
    ref.state, ref.rules, ref.added_by, ref.reason = ReferralState.PROPOSED, [], actor, reason
    ref.save()
    _bump_case(app)
    audit.record(actor=actor, action="referral.add", obj=ref, before=before, after=_referral_state(ref))
    return ref


def _end_proposal(*, application_id, referral_id, actor, reason, expected_version, from_state, to_state,
                  action, message) -> Referral:
    app = lock_case(application_id, actor)
    require_ministry(actor)
    ref = _lock_referral(app, referral_id)
    reason = _text(reason, "reason", required_message=message, max_length=2000)
    if ref.state == to_state and ref.reason == reason:
        return ref  # a repeated click
    _require_open_review(app)
    check_version(app, expected_version)
    if ref.state != from_state:
        raise InvalidTransition(lazy_format(_("This referral is “%(state)s”; it cannot be changed so."),
                                            state=ReferralState(ref.state).label))
    before = _referral_state(ref)
    ref.state, ref.reason = to_state, reason
    ref.version += 1
    ref.save(update_fields=["state", "reason", "version"])
    _bump_case(app)
    audit.record(actor=actor, action=action, obj=ref, before=before, after=_referral_state(ref))
    return ref


@transaction.atomic
def referral_drop(*, application_id, referral_id, actor, reason: str, expected_version=None) -> Referral:
    """The officer decides not to consult a proposed agency (the reason is kept and audited)."""
    return _end_proposal(application_id=application_id, referral_id=referral_id, actor=actor, reason=reason,
                         expected_version=expected_version, from_state=ReferralState.PROPOSED,
                         to_state=ReferralState.DROPPED, action="referral.drop",
                         message=_("Say why this agency need not be consulted."))


@transaction.atomic
def referral_withdraw(*, application_id, referral_id, actor, reason: str, expected_version=None) -> Referral:
    """Withdraw a referral already sent; the case goes on to decision if it was the last one."""
    ref = _end_proposal(application_id=application_id, referral_id=referral_id, actor=actor, reason=reason,
                        expected_version=expected_version, from_state=ReferralState.SENT,
                        to_state=ReferralState.WITHDRAWN, action="referral.withdraw",
                        message=_("Say why the referral is withdrawn."))
    app = ref.application
    notify(recipients=_agency_users(ref.agency_id), key=f"referral-withdrawn:{ref.pk}:{ref.version}",
           kind="referral_withdrawn", title_zh=f"案件 {app.reference} 的会商已撤回",
           title_en=f"The referral of case {app.reference} was withdrawn", body_zh=ref.reason, body_en=ref.reason,
           url=case_url(app), application_id=app.pk)
    _close_if_all_in(app)
    return ref


@transaction.atomic
def referrals_send(*, application_id, actor, expected_version=None, today: date | None = None,
                   now: datetime | None = None) -> list[Referral]:
    """Send every proposed referral: each agency's deadline runs from today in working days."""
    app = lock_case(application_id, actor)
    require_ministry(actor)
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    proposed = list(app.referrals.select_for_update(of=("self",)).filter(state=ReferralState.PROPOSED)
                    .select_related("agency__review_settings"))
    if not proposed and is_replay(app, actor, "refer"):
        return []
    _require_open_review(app)
    if not proposed:
        if app.status == Status.WITH_AGENCIES:
            raise InvalidTransition(_("Every referral of this case has been sent already."))
        raise ValidationFailed(_("There is no referral to send. Add an agency, or use “Decide without "
                                 "referral”."), code="no_referral")
    due = {}
    for ref in proposed:
        try:
            due[ref.pk] = add_working_days(today, agency_settings_for(ref.agency).deadline_working_days)
        except NoCalendarError as exc:
            raise InvalidTransition(lazy_format(_("The deadline cannot be computed: %(problem)s."),
                                                problem=str(exc)), code="no_calendar") from None
    if app.status == Status.WITH_AGENCIES:  # one more agency while the others are still out
        check_version(app, expected_version)
        _bump_case(app)
    else:
        transition(app, actor, "refer", expected_version,
                   audit_extra={"agencies": [ref.agency.code for ref in proposed]})
        timeline.tell_exporter(app, "under_review", key="under_review")
    for ref in proposed:
        before = _referral_state(ref)
        ref.state, ref.sent_at, ref.due_on = ReferralState.SENT, now, due[ref.pk]
        ref.version += 1
        ref.save(update_fields=["state", "sent_at", "due_on", "version"])
        audit.record(actor=actor, action="referral.send", obj=ref, before=before, after=_referral_state(ref))
        notify(recipients=_agency_users(ref.agency_id), key=f"referral:{ref.pk}:{today.isoformat()}",
               kind="referral", title_zh=f"案件 {app.reference} 请贵单位出具会商意见",
               title_en=f"Case {app.reference} is referred to your agency for an opinion",
               body_zh=f"请于 {ref.due_on.isoformat()} 前出具意见。",
               body_en=f"Please give your opinion by {ref.due_on.isoformat()}.",
               url=case_url(app), application_id=app.pk)
    return proposed


@transaction.atomic
def referrals_skip(*, application_id, actor, reason: str, expected_version=None) -> Application:
    """Decide without referral: the proposed referrals are dropped with the officer's reason."""
    app = lock_case(application_id, actor)
    require_ministry(actor)
    if is_replay(app, actor, "no_referral"):
        return app
    reason = _text(reason, "reason", required_message=_("Say why no agency needs to be consulted."),
                   max_length=2000)
    dropped = list(app.referrals.select_for_update(of=("self",)).select_related("agency")
                   .filter(state=ReferralState.PROPOSED))
    if transition(app, actor, "no_referral", expected_version,
                  audit_extra={"reason": reason, "dropped": [ref.agency.code for ref in dropped]}):
        for ref in dropped:
            before = _referral_state(ref)
            ref.state, ref.reason = ReferralState.DROPPED, reason
            ref.version += 1
            ref.save(update_fields=["state", "reason", "version"])
            audit.record(actor=actor, action="referral.drop", obj=ref, before=before, after=_referral_state(ref))
        timeline.tell_exporter(app, "under_review", key="under_review")
    return app


# ---------------------------------------------------------------- opinions and deadlines


def _find_referral_for(actor, referral_id) -> Referral:
    """The referral as the actor may see it: an agency only its own sent referrals (NotFound for
    any other), the ministry any (but it may not answer: NotAllowed)."""
    qs = Referral.objects.filter(sent_at__isnull=False)
    if actor is not None and actor.role in AGENCY_ROLES:
        qs = qs.filter(agency_id=actor.organisation_id)
    elif actor is None or actor.role not in MINISTRY_ROLES:
        raise NotFound()
    try:
        ref = qs.get(pk=int(referral_id))
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if actor.role not in AGENCY_ROLES:
        raise NotAllowed(_("Only the consulted agency gives its opinion."))
    return ref


def already_decided_error(ref: Referral) -> InvalidTransition:
    if ref.state == ReferralState.SILENT:
        return InvalidTransition(lazy_format(
            _("The deadline passed and no objection by silence was recorded at %(time)s."),
            time=_when(ref.answered_at)), code="silent")
    if ref.state == ReferralState.ANSWERED:
        return InvalidTransition(lazy_format(_("An opinion was already given (%(time)s)."),
                                             time=_when(ref.answered_at)), code="answered")
    return InvalidTransition(_("The ministry withdrew this referral; no opinion is needed."), code="withdrawn")


@transaction.atomic
def opinion_give(*, referral_id, actor, opinion: str, reasons: str, conditions: str = "",
                 expected_version=None, now: datetime | None = None) -> Referral:
    """The agency's opinion: no objection, no objection with conditions, or objection, with reasons."""
    found = _find_referral_for(actor, referral_id)
    app = lock_case(found.application_id, actor)
    ref = _lock_referral(app, found.pk)
    if opinion not in OpinionKind.values:
        message = lazy_format(_("Choose one of: %(choices)s."), choices=", ".join(OpinionKind.values))
        raise ValidationFailed(message, fields={"opinion": [message]})
    reasons = _text(reasons, "reasons", required_message=_("Give the reasons for your opinion."), max_length=10000)
    conditions = _text(conditions, "conditions", max_length=5000) if opinion == OpinionKind.CONDITIONS else ""
    if opinion == OpinionKind.CONDITIONS and not conditions:
        message = _("State the conditions.")
        raise ValidationFailed(message, fields={"conditions": [message]})
    if ref.state != ReferralState.SENT:
        if (ref.state == ReferralState.ANSWERED and ref.answered_by_id == actor.pk and ref.opinion == opinion
                and ref.opinion_reasons == reasons and ref.opinion_conditions == conditions):
            return ref  # a repeated click
        raise already_decided_error(ref)
    check_version(ref, expected_version)
    before = _referral_state(ref)
    ref.state, ref.opinion, ref.opinion_reasons, ref.opinion_conditions = (
        ReferralState.ANSWERED, opinion, reasons, conditions)
    ref.answered_by, ref.answered_at = actor, now or timezone.now()
    ref.version += 1
    ref.save()
    audit.record(actor=actor, action="referral.opinion", obj=ref, before=before,
                 after={**_referral_state(ref), "reasons": reasons, "conditions": conditions})
    _close_if_all_in(app)
    return ref


def referrals_due(today: date) -> list[int]:
    """Sent referrals whose reminder, escalation or silence may be due (uses referral_due_idx);
    referral_deadline_pass decides exactly."""
    from django.db.models import Max, Q

    longest = AgencySettings.objects.aggregate(n=Max("remind_working_days_before"))["n"] or 0
    longest = max(longest, AgencySettings._meta.get_field("remind_working_days_before").default)
    try:
        horizon = add_working_days(today, longest)
    except NoCalendarError:
        horizon = date.fromordinal(today.toordinal() + 2 * longest + 14)
    return list(Referral.objects.filter(state=ReferralState.SENT, due_on__lte=horizon)
                .filter(Q(reminded_at__isnull=True, due_on__gte=today)
                        | Q(escalated_at__isnull=True, due_on__lt=today)
                        | Q(agency__review_settings__silence_is_no_objection=True, due_on__lt=today))
                .order_by("due_on", "pk").values_list("pk", flat=True))


@transaction.atomic
def referral_deadline_pass(referral_id, *, today: date | None = None, now: datetime | None = None) -> list[str]:
    """What the deadline task does for one referral, once each: remind the agency before the due
    date, escalate to its leads and the case officer after it, and where the agency is so
    configured record no objection by silence (EO 12981 model). Returns what it did."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    app_id = Referral.objects.filter(pk=referral_id).values_list("application_id", flat=True).first()
    if app_id is None:
        return []
    app = lock_case(app_id, None)
    ref = _lock_referral(app, referral_id)
    if ref.state != ReferralState.SENT or ref.due_on is None:
        return []
    settings = agency_settings_for(ref.agency)
    done = []
    before = _referral_state(ref)
    due = ref.due_on.isoformat()
    if ref.reminded_at is None and today <= ref.due_on:
        try:
            left = working_days_between(today, ref.due_on)
        except NoCalendarError:
            left = None
        if left is not None and left <= settings.remind_working_days_before:
            ref.reminded_at = now
            done.append("remind")
            notify(recipients=_agency_users(ref.agency_id), key=f"referral-reminder:{ref.pk}:{due}",
                   kind="referral_reminder", title_zh=f"提醒：案件 {app.reference} 的会商意见将于 {due} 到期",
                   title_en=f"Reminder: your opinion on case {app.reference} is due on {due}",
                   url=case_url(app), application_id=app.pk)
    if today > ref.due_on and ref.escalated_at is None:
        ref.escalated_at = now
        done.append("escalate")
        silent = settings.silence_is_no_objection
        notify(recipients=[*_agency_users(ref.agency_id, {Role.AGENCY_LEAD}), app.assigned_to],
               key=f"referral-escalation:{ref.pk}:{due}", kind="referral_escalation",
               title_zh=f"案件 {app.reference}：{ref.agency.name_zh} 逾期未出具会商意见（{due} 到期）",
               title_en=f"Case {app.reference}: {ref.agency.name_en or ref.agency.name_zh} did not give its "
                        f"opinion by {due}",
               body_zh="按该部门的设置，视为无异议。" if silent else "请督办。",
               body_en="Under this agency's settings its silence counts as no objection." if silent
               else "Please follow it up.", url=case_url(app), application_id=app.pk)
    if today > ref.due_on and settings.silence_is_no_objection:
        ref.state, ref.opinion, ref.answered_at = ReferralState.SILENT, OpinionKind.NO_OBJECTION, now
        ref.opinion_reasons = f"No opinion by {due}: {SILENCE_NOTE}. / {due} 前未出具意见，视为无异议。"
        done.append("silence")
    if not done:
        return []
    ref.version += 1
    ref.save()
    for action in done:
        audit.record(actor=None, action=f"referral.{action}", obj=ref, before=before, after={
            **_referral_state(ref), **({"note": SILENCE_NOTE} if action == "silence" else {})})
    if "silence" in done:
        _close_if_all_in(app)
    return done


def referrals_visible_to(user, app: Application):
    """The referrals of a case a user may see: the ministry all, an agency its own once sent,
    anyone else none (exporters and provinces are told nothing about the agencies)."""
    qs = app.referrals.select_related("agency", "answered_by").order_by("pk")
    if user.role in MINISTRY_ROLES:
        return qs
    if user.role in AGENCY_ROLES:
        return qs.filter(agency_id=user.organisation_id, sent_at__isnull=False)
    return qs.none()


def referral_version(user, id) -> int:
    """The version of a referral the user may see (its API ETag); NotFound otherwise."""
    ref = Referral.objects.filter(pk=id).select_related("application").first()
    if ref is None or not referrals_visible_to(user, ref.application).filter(pk=ref.pk).exists():
        raise NotFound()
    return ref.version


def require_opinion_role(user, rest: str, method: str) -> None:
    if user.role not in AGENCY_ROLES:
        raise NotAllowed(_("Only the agency the case was referred to gives an opinion."))
