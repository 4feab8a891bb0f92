"""The ministry's decision on a case: the officer's recommendation, a senior officer's
countersignature where an administrator's rule asks for one, and the refusal letter.

Every change runs in one transaction that locks the case (workflow.lock_case), applies a
transition of the table (workflow.transition: role, state, version, audit event) and records its
side effects (licence or refusal letter task, notifications) through the outbox."""

import hashlib
from datetime import timedelta
from decimal import Decimal, DecimalException, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from audit import services as audit
from audit.models import AuditEvent
from licensing.applications.selectors import case_url, exporter_people
from licensing.clock import services as clock_services
from licensing.decisions import letter
from licensing.models import (
    Application,
    Counter,
    CountersignRule,
    CountersignRuleKind,
    DecisionOutcome,
    LawFactor,
    OpinionKind,
    PauseKind,
    Recommendation,
    RecommendationState,
    RefusalLetter,
    Status,
)
from licensing.workflow import lock_case, require_ministry, transition
from notifications.services import notify
from outbox.services import enqueue
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)

OUTCOME_ACTION = {DecisionOutcome.APPROVE: "approve", DecisionOutcome.REFUSE: "refuse"}
REFUSAL_PREFIX = "RF"


# ---------------------------------------------------------------- countersignature rules


def _item_codes(app: Application) -> list[str]:
    return [item.control_code for item in app.items.all() if item.control_code]


def _rule_match(rule: CountersignRule, app: Application, outcome: str, facts: dict) -> str | None:
    """What made `rule` apply to the case (an item code, the value...), or None."""
    kind, parameter = rule.kind, rule.parameter.strip()
    if kind == CountersignRuleKind.AGENCY_OBJECTION:
        return ", ".join(facts["objecting"]) or None
    if kind == CountersignRuleKind.CODE_PREFIX:
        return ", ".join(c for c in facts["codes"] if parameter and c.upper().startswith(parameter.upper())) or None
    if kind == CountersignRuleKind.REGIME_DIGIT:
        return ", ".join(c for c in facts["codes"] if len(c) > 2 and c[2] == parameter) or None
    if kind == CountersignRuleKind.WATCH_LISTED:
        return str(_("a party is on the watch list")) if facts["watch_listed"] else None
    if kind == CountersignRuleKind.VALUE_ABOVE:
        try:
            threshold = Decimal(parameter)
        except (InvalidOperation, ValueError):
            return None
        return f"{app.total_value_rmb} RMB" if app.total_value_rmb > threshold else None
    if kind == CountersignRuleKind.OUTCOME:
        return outcome if parameter == outcome else None
    return None


def _facts(app: Application) -> dict:
    objecting = (app.referrals.filter(opinion=OpinionKind.OBJECTION)
                 .values_list("agency__name_zh", flat=True))
    return {"codes": _item_codes(app), "objecting": list(objecting),
            "watch_listed": app.pauses.filter(kind=PauseKind.WATCH_LIST).exists()}


def rule_snapshot(rule: CountersignRule, matched: str = "") -> dict:
    return {"id": rule.pk, "kind": rule.kind, "parameter": rule.parameter, "version": rule.version,
            "description_zh": rule.description_zh, "description_en": rule.description_en,
            "matched": matched}


def countersign_rules_applying(app: Application, outcome: str, *, facts: dict | None = None) -> list[dict]:
    """Snapshots of the active rules under which a recommendation of `outcome` on this case needs
    a senior officer's countersignature (empty: it takes effect at once)."""
    facts = facts if facts is not None else _facts(app)
    applying = []
    for rule in CountersignRule.objects.filter(active=True).order_by("pk"):
        matched = _rule_match(rule, app, outcome, facts)
        if matched:
            applying.append(rule_snapshot(rule, matched))
    return applying


def countersign_preview(app: Application) -> dict[str, list[dict]]:
    """The rules that would apply to an approval and to a refusal (the decision panel's preview)."""
    facts = _facts(app)
    return {outcome: countersign_rules_applying(app, outcome, facts=facts) for outcome in DecisionOutcome.values}


# ---------------------------------------------------------------- input checks


def _text(value, field: str, *, required: bool, max_length: int, message=None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={field: [_("Expected text.")]})
    value = value.strip()
    if required and not value:
        message = message or _("This field is required.")
        raise ValidationFailed(message, fields={field: [message]})
    if len(value) > max_length:
        message = lazy_format(_("At most %(n)s characters."), n=max_length)
        raise ValidationFailed(message, fields={field: [message]})
    return value


def _clean_factors(factors, outcome: str) -> list[str]:
    if factors in (None, ""):
        factors = []
    if isinstance(factors, str):
        factors = [factors]
    if not isinstance(factors, (list, tuple)) or not all(isinstance(f, str) for f in factors):
        raise ValidationFailed(fields={"factors": [_("Expected a list of review factors.")]})
    unknown = [f for f in factors if f not in LawFactor.values]
    if unknown:
        message = lazy_format(_("Unknown review factors: %(factors)s. Choose from: %(choices)s."),
                              factors=", ".join(unknown), choices=", ".join(LawFactor.values))
        raise ValidationFailed(message, fields={"factors": [message]})
    cleaned = [f for f in LawFactor.values if f in factors]  # the order of Art. 13
    if outcome == DecisionOutcome.REFUSE and not cleaned:
        message = _("A refusal must name at least one of the review factors of Export Control Law Art. 13.")
        raise ValidationFailed(message, fields={"factors": [message]})
    return cleaned


def _clean_quantities(app: Application, quantities, outcome: str) -> dict[str, str]:
    """{item id: approved quantity} for the items approved below the quantity applied for."""
    if quantities in (None, ""):
        quantities = {}
    if not isinstance(quantities, dict):
        raise ValidationFailed(fields={"item_quantities": [_("Expected an object {item id: quantity}.")]})
    items = {str(item.pk): item for item in app.items.all()}
    unknown = [str(key) for key in quantities if str(key) not in items]
    if unknown:
        message = lazy_format(_("These items are not part of this case: %(ids)s."), ids=", ".join(unknown))
        raise ValidationFailed(message, fields={"item_quantities": [message]})
    reduced, approved_any = {}, False
    for key, item in items.items():
        raw = quantities.get(key, quantities.get(item.pk))
        if raw is None or raw == "":
            approved_any = True
            continue
        field = f"item_quantities.{key}"
        number = None
        if not isinstance(raw, bool):
            try:
                number = Decimal(str(raw).strip())
            except (DecimalException, ValueError):
                number = None
        if number is None or not number.is_finite():
            raise ValidationFailed(lazy_format(_("Item %(code)s: enter a quantity."), code=item.control_code or key),
                                   fields={field: [_("Enter a number.")]})
        if number < 0 or number > item.quantity or number.as_tuple().exponent < -3:
            message = lazy_format(
                _("Item %(code)s: the approved quantity must be between 0 and the %(applied)s applied for "
                  "(at most three decimals)."),
                code=item.control_code or item.description, applied=item.quantity.normalize())
            raise ValidationFailed(message, fields={field: [message]})
        approved_any = approved_any or number > 0
        if number < item.quantity:
            reduced[key] = format(number.normalize(), "f") if number else "0"
    if outcome == DecisionOutcome.APPROVE and not approved_any:
        message = _("An approval must keep at least one item with a quantity above zero; refuse the case instead.")
        raise ValidationFailed(message, fields={"item_quantities": [message]})
    return reduced if outcome == DecisionOutcome.APPROVE else {}


def _clean_recommendation(app, *, outcome, factors, reasons, conditions, item_quantities) -> dict:
    if outcome not in DecisionOutcome.values:
        message = _("Choose approve or refuse.")
        raise ValidationFailed(message, fields={"outcome": [message]})
    cleaned = {
        "outcome": outcome,
        "reasons": _text(reasons, "reasons", required=True, max_length=10000,
                         message=_("Write the reasons for the decision.")),
        "factors": _clean_factors(factors, outcome),
        "item_quantities": _clean_quantities(app, item_quantities, outcome),
        "conditions": _text(conditions, "conditions", required=False, max_length=5000),
    }
    if outcome == DecisionOutcome.REFUSE:
        cleaned["conditions"] = ""  # conditions attach to an approval only
    return cleaned



def _require_senior(actor, message) -> None:
    if actor is None or actor.role != Role.MINISTRY_SENIOR:
        raise NotAllowed(message)


def _state_message(app: Application, what):
    return lazy_format(_("This case is now “%(status)s”: %(what)s"), status=Status(app.status).label, what=what)


# ---------------------------------------------------------------- recommendation and decision




def _decision_audit(rec: Recommendation, *, countersigner=None) -> dict:
    return {"recommendation": rec.pk, "outcome": rec.outcome, "factors": list(rec.factors),
            "item_quantities": dict(rec.item_quantities), "countersign_rules": list(rec.countersign_rules),
            "recommended_by": rec.recommended_by_id,
            "countersigned_by": countersigner.pk if countersigner else None}


def _decision_reason(rec: Recommendation) -> str:
    if rec.conditions:
        return f"{rec.reasons}\n\n附加条件 Conditions: {rec.conditions}"
    return rec.reasons


def _finalise(app: Application, rec: Recommendation, actor, *, expected_version, countersigner=None) -> bool:
    """Apply the recommendation as the decision; False when it is a replay of the same decision."""
    now = timezone.now()
    action = OUTCOME_ACTION[rec.outcome]
    if not transition(app, actor, action, expected_version,
                               audit_extra=_decision_audit(rec, countersigner=countersigner),
                               decided_at=now, decision_reason=_decision_reason(rec)):
        return False
    rec.state = RecommendationState.FINAL
    if countersigner is not None:
        rec.countersigned_by, rec.countersigned_at = countersigner, now
    rec.save()
    clock_services.case_decided(app, on=timezone.localdate(now))
    reference = app.reference
    if rec.outcome == DecisionOutcome.APPROVE:
        for item in app.items.all():
            if str(item.pk) in rec.item_quantities:
                item.approved_quantity = Decimal(rec.item_quantities[str(item.pk)])
                item.save(update_fields=["approved_quantity"])
        enqueue("licensing.issue_licence", application_id=app.pk)
        titles = (f"案件 {reference} 已批准，许可证正在签发", f"Case {reference} was approved; the licence is being issued")
    else:
        enqueue("licensing.issue_refusal_letter", application_id=app.pk)
        titles = (f"案件 {reference} 不予许可，不予许可决定书可在案件页面下载",
                  f"Case {reference} was refused; the refusal letter can be downloaded from the case page")
    recipients = exporter_people(app)
    officers = [user for user in (app.assigned_to, rec.recommended_by) if user is not None and user.pk != actor.pk]
    notify(recipients=recipients + officers, key=f"decision:{app.pk}", kind="decision",
           title_zh=titles[0], title_en=titles[1], body_zh=rec.reasons, body_en=rec.reasons,
           url=case_url(app), application_id=app.pk)
    return True


def _pending(app: Application) -> Recommendation | None:
    return app.recommendations.filter(state=RecommendationState.AWAITING_COUNTERSIGN).order_by("-pk").first()


def _last(app: Application) -> Recommendation | None:
    return app.recommendations.order_by("-pk").first()


def _sent_back_by(app: Application, actor) -> bool:
    last = (AuditEvent.objects.filter(object_type=app._meta.label_lower, object_id=str(app.pk),
                                      action="application.send_back").order_by("-seq").values("actor_id").first())
    return bool(last) and last["actor_id"] == actor.pk


@transaction.atomic
def decision_recommend(*, application_id, actor, outcome: str, factors=None, reasons: str = "",
                       conditions: str = "", item_quantities=None, expected_version=None) -> Recommendation:
    """The officer's recommendation (approve, possibly with conditions or smaller quantities, or
    refuse on Art. 13 factors). It is the decision at once unless a countersignature rule applies;
    then it waits for a senior officer other than the recommender."""
    app = lock_case(application_id, actor)
    require_ministry(actor)
    cleaned = _clean_recommendation(app, outcome=outcome, factors=factors, reasons=reasons,
                                    conditions=conditions, item_quantities=item_quantities)
    last = _last(app)
    if last is not None and last.recommended_by_id == actor.pk and last.outcome == outcome and (
            (app.status == Status.AWAITING_COUNTERSIGN and last.state == RecommendationState.AWAITING_COUNTERSIGN)
            or (app.status in (Status.APPROVED, Status.REFUSED) and last.state == RecommendationState.FINAL
                and last.countersigned_by_id is None)):
        return last  # the same officer clicking twice
    if app.status != Status.AWAITING_DECISION:
        raise InvalidTransition(_state_message(app, _("a recommendation can only be made while the case awaits "
                                                      "a decision.")))
    applying = countersign_rules_applying(app, outcome)
    if not applying:
        rec = Recommendation.objects.create(application=app, recommended_by=actor,
                                            state=RecommendationState.FINAL, **cleaned)
        _finalise(app, rec, actor, expected_version=expected_version)
        return rec
    rec = Recommendation(application=app, recommended_by=actor, countersign_rules=applying,
                         state=RecommendationState.AWAITING_COUNTERSIGN, **cleaned)
    transition(app, actor, "recommend", expected_version,
                        audit_extra={"outcome": outcome, "factors": cleaned["factors"], "countersign_rules": applying})
    rec.save()
    seniors = User.objects.filter(role=Role.MINISTRY_SENIOR, is_active=True).exclude(pk=actor.pk).order_by("pk")
    notify(recipients=list(seniors), key=f"countersign:{rec.pk}", kind="countersign",
           title_zh=f"案件 {app.reference} 的审查建议待会签",
           title_en=f"The recommendation on case {app.reference} awaits a countersignature",
           body_zh="；".join(r["description_zh"] for r in applying),
           body_en="; ".join(r["description_en"] for r in applying),
           url=case_url(app), application_id=app.pk)
    return rec


@transaction.atomic
def decision_countersign(*, application_id, actor, expected_version=None) -> Recommendation:
    """A senior officer other than the recommender countersigns: the recommendation becomes the
    decision."""
    app = lock_case(application_id, actor)
    _require_senior(actor, _("Only a senior officer can countersign a recommendation."))
    rec = _pending(app)
    if rec is None:
        last = _last(app)
        if (app.status in (Status.APPROVED, Status.REFUSED) and last is not None
                and last.countersigned_by_id == actor.pk):
            return last  # the same senior clicking twice
        raise InvalidTransition(_state_message(app, _("there is no recommendation awaiting a countersignature.")))
    if rec.recommended_by_id == actor.pk:
        raise NotAllowed(_("You cannot countersign your own recommendation: another senior officer must."))
    _finalise(app, rec, actor, expected_version=expected_version, countersigner=actor)
    return rec


@transaction.atomic
def decision_send_back(*, application_id, actor, comment: str, expected_version=None) -> Recommendation:
    """A senior officer returns the recommendation to the officers with a comment; the case awaits
    a new recommendation."""
    app = lock_case(application_id, actor)
    _require_senior(actor, _("Only a senior officer can send a recommendation back."))
    comment = _text(comment, "comment", required=True, max_length=5000,
                    message=_("Say why the recommendation is sent back."))
    rec = _pending(app)
    if rec is None:
        last = _last(app)
        if (app.status == Status.AWAITING_DECISION and last is not None and last.state == RecommendationState.SENT_BACK
                and last.send_back_comment == comment and _sent_back_by(app, actor)):
            return last  # the same senior clicking twice
        raise InvalidTransition(_state_message(app, _("there is no recommendation awaiting a countersignature.")))
    if rec.recommended_by_id == actor.pk:
        raise NotAllowed(_("You cannot send back your own recommendation: another senior officer decides on it."))
    transition(app, actor, "send_back", expected_version,
                        audit_extra={"recommendation": rec.pk, "comment": comment})
    rec.state, rec.send_back_comment = RecommendationState.SENT_BACK, comment
    rec.save(update_fields=["state", "send_back_comment"])
    notify(recipients=[rec.recommended_by], key=f"sent-back:{rec.pk}", kind="countersign",
           title_zh=f"您对案件 {app.reference} 的审查建议被退回",
           title_en=f"Your recommendation on case {app.reference} was sent back",
           body_zh=comment, body_en=comment, url=case_url(app), application_id=app.pk)
    return rec


# ---------------------------------------------------------------- refusal letter


def refusal_number(year: int, serial: int) -> str:
    return f"{REFUSAL_PREFIX}{year}-{serial:06d}"


def refused_without_letter(older_than_seconds: int = 120) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(Application.objects.filter(status=Status.REFUSED, refusal_letter__isnull=True,
                                           decided_at__lte=cutoff).values_list("pk", flat=True))


@transaction.atomic
def refusal_letter_issue(*, application_id) -> RefusalLetter | None:
    """Write, sign and store the refusal letter of a refused case (Law 13; Art. 41). Safe to run
    twice: the second run finds the letter, and the database refuses a second one anyway."""
    app = (Application.objects.select_for_update(of=("self",)).select_related("exporter", "importer", "end_user")
           .filter(pk=application_id).first())
    if app is None or app.status != Status.REFUSED:
        return None
    existing = RefusalLetter.objects.filter(application=app).defer("pdf").first()
    if existing:
        return existing
    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    refusal = RefusalLetter(application=app, issued_at=issued_at,
                            number=refusal_number(year, Counter.objects.next_value("refusal", year)))
    content = letter.sign_refusal_letter_pdf(letter.render_refusal_letter_pdf(letter.refusal_letter_data(refusal)))
    refusal.pdf = content
    refusal.sha256 = hashlib.sha256(content).hexdigest()
    refusal.save()
    audit.record(actor=None, action="refusal_letter.issue", obj=refusal,
                 after={"application": app.pk, "number": refusal.number, "sha256": refusal.sha256})
    return refusal


def refusal_letter_visible_to(user, app: Application) -> bool:
    """Like the licence: the exporter's people who see the case, and the ministry."""
    return bool(user.is_authenticated and (
        (user.is_exporter and app.exporter_id == user.organisation_id) or user.is_ministry))


# ---------------------------------------------------------------- rule editing


def _clean_rule(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed(_("Expected an object."))
    unknown = set(data) - {"kind", "parameter", "description_zh", "description_en", "active"}
    if unknown:
        raise ValidationFailed(lazy_format(_("Unknown fields: %(fields)s."), fields=sorted(unknown)))
    kind = data.get("kind")
    if kind not in CountersignRuleKind.values:
        message = lazy_format(_("Choose one of: %(choices)s."), choices=", ".join(CountersignRuleKind.values))
        raise ValidationFailed(message, fields={"kind": [message]})
    parameter = _text(data.get("parameter"), "parameter", required=False, max_length=40)
    message = None
    if kind in (CountersignRuleKind.AGENCY_OBJECTION, CountersignRuleKind.WATCH_LISTED):
        parameter = ""
    elif kind == CountersignRuleKind.CODE_PREFIX:
        from controllist.controls.services import check_item_code_or_prefix

        try:
            parameter = check_item_code_or_prefix(parameter) if parameter else ""
        except ValidationFailed as exc:
            message = exc.message
        message = message or (None if parameter else _("Give the beginning of a control code, e.g. 1C9."))
    elif kind == CountersignRuleKind.REGIME_DIGIT:
        if len(parameter) != 1 or parameter not in "0123456789":
            message = _("Give one digit, the first of the three (e.g. 9 for China's own 9xx entries).")
    elif kind == CountersignRuleKind.VALUE_ABOVE:
        try:
            number = Decimal(parameter)
            ok = number.is_finite() and 0 <= number < Decimal("1e18") and number.as_tuple().exponent >= -2
        except (InvalidOperation, ValueError):
            ok = False
        message = None if ok else _("Give an amount in RMB, e.g. 10000000.")
        parameter = format(number.normalize(), "f") if ok else parameter
    elif kind == CountersignRuleKind.OUTCOME and parameter not in DecisionOutcome.values:
        message = lazy_format(_("Choose one of: %(choices)s."), choices=", ".join(DecisionOutcome.values))
    if message:
        raise ValidationFailed(message, fields={"parameter": [message]})
    active = data.get("active", True)
    if not isinstance(active, bool):
        raise ValidationFailed(fields={"active": [_("Expected true or false.")]})
    return {"kind": kind, "parameter": parameter, "active": active,
            "description_zh": _text(data.get("description_zh"), "description_zh", required=True, max_length=200),
            "description_en": _text(data.get("description_en"), "description_en", required=True, max_length=200)}


def _rule_state(rule: CountersignRule) -> dict:
    return {"kind": rule.kind, "parameter": rule.parameter, "description_zh": rule.description_zh,
            "description_en": rule.description_en, "active": rule.active, "version": rule.version}


def _lock_rule(rule_id) -> CountersignRule:
    try:
        return CountersignRule.objects.select_for_update().get(pk=rule_id)
    except (CountersignRule.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _check_rule_version(rule: CountersignRule, expected_version) -> None:
    if expected_version is not None and int(expected_version) != rule.version:
        raise StaleVersion(_("Someone changed this rule after you opened it. Reload the page and try again."))


RULE_EDITOR = _("Only a senior officer edits the countersignature rules.")


@transaction.atomic
def countersign_rule_create(*, actor, data: dict) -> CountersignRule:
    _require_senior(actor, RULE_EDITOR)
    rule = CountersignRule.objects.create(**_clean_rule(data))
    audit.record(actor=actor, action="countersign_rule.create", obj=rule, after=_rule_state(rule))
    return rule


@transaction.atomic
def countersign_rule_update(*, actor, rule_id, data: dict, expected_version=None) -> CountersignRule:
    _require_senior(actor, RULE_EDITOR)
    rule = _lock_rule(rule_id)
    _check_rule_version(rule, expected_version)
    if not isinstance(data, dict):
        raise ValidationFailed(_("Expected an object."))
    current = {key: value for key, value in _rule_state(rule).items() if key != "version"}
    cleaned = _clean_rule({**current, **data})
    before = _rule_state(rule)
    for field, value in cleaned.items():
        setattr(rule, field, value)
    if _rule_state(rule) == before:
        return rule  # nothing changed: no new version, no audit event
    rule.version += 1
    rule.save()
    audit.record(actor=actor, action="countersign_rule.update", obj=rule, before=before, after=_rule_state(rule))
    return rule


@transaction.atomic
def countersign_rule_set_active(*, actor, rule_id, active: bool, expected_version=None) -> CountersignRule:
    """Deactivate (or reactivate) a rule; rules are never deleted, recommendations keep snapshots."""
    _require_senior(actor, RULE_EDITOR)
    rule = _lock_rule(rule_id)
    if rule.active == bool(active):
        return rule  # a double click
    _check_rule_version(rule, expected_version)
    before = _rule_state(rule)
    rule.active = bool(active)
    rule.version += 1
    rule.save()
    audit.record(actor=actor, action="countersign_rule.activate" if active else "countersign_rule.deactivate",
                 obj=rule, before=before, after=_rule_state(rule))
    return rule
