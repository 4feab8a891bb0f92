"""The decision panel of the case page: opinions side by side, the recommendation, countersignature and the outcome."""

from accounts.models import Role
from licensing.decisions import services as decisions
from licensing.models import (
    DecisionOutcome,
    LawFactor,
    RecommendationState,
    ReferralState,
    RefusalLetter,
    Status,
)

DECIDING_STATES = (Status.AWAITING_DECISION, Status.AWAITING_COUNTERSIGN)


def _opinions(app) -> list:
    return list(app.referrals.filter(sent_at__isnull=False).exclude(state=ReferralState.DROPPED)
                .select_related("agency").order_by("pk"))


def _form_values(request, app) -> dict:
    """What the recommendation form shows: the officer's last post when it was refused, else the
    quantities applied for."""
    posted = request.method == "POST" and getattr(request, "decision_error", None) is not None
    data = request.POST if posted else {}
    items = [{"item": item, "value": data.get(f"qty_{item.pk}", item.quantity.normalize() if not posted else "")}
             for item in app.items.all()]
    return {"outcome": data.get("outcome", ""), "factors": data.getlist("factors") if posted else [],
            "reasons": data.get("reasons", ""), "conditions": data.get("conditions", ""), "items": items,
            "errors": getattr(getattr(request, "decision_error", None), "fields", {}) or {}}


def _factor_labels(factors) -> list:
    return [label for value, label in LawFactor.choices if value in factors]


def panel_context(request, app) -> dict:
    """Context for templates/licensing/panels/decision.html on the case page."""
    user = request.user
    panel = {"show": False}
    if not (user.is_ministry and app.status in DECIDING_STATES) and app.status not in (Status.APPROVED,
                                                                                      Status.REFUSED):
        return {"decision": panel}
    recommendations = list(app.recommendations.select_related("recommended_by", "countersigned_by").order_by("pk"))
    final = next((r for r in reversed(recommendations) if r.state == RecommendationState.FINAL), None)
    if user.is_ministry and app.status in DECIDING_STATES:
        pending = next((r for r in reversed(recommendations)
                        if r.state == RecommendationState.AWAITING_COUNTERSIGN), None)
        panel.update(
            show=True, ministry=True, opinions=_opinions(app), recommendations=recommendations, pending=pending,
            can_recommend=app.status == Status.AWAITING_DECISION,
            can_countersign=bool(pending) and user.role == Role.MINISTRY_SENIOR and pending.recommended_by_id != user.pk,
            is_recommender=bool(pending) and pending.recommended_by_id == user.pk,
            sent_back=next((r for r in reversed(recommendations) if r.state == RecommendationState.SENT_BACK), None)
            if app.status == Status.AWAITING_DECISION else None,
            pending_factor_labels=_factor_labels(pending.factors) if pending else [],
        )
        if app.status == Status.AWAITING_DECISION:
            panel.update(preview=decisions.countersign_preview(app), form=_form_values(request, app),
                         factors=[(value, index + 1, label) for index, (value, label) in enumerate(LawFactor.choices)],
                         outcomes=DecisionOutcome.choices)
    elif final is not None and app.status in (Status.APPROVED, Status.REFUSED) \
            and decisions.refusal_letter_visible_to(user, app):
        letter = (RefusalLetter.objects.filter(application=app).only("number", "issued_at", "application_id").first()
                  if app.status == Status.REFUSED else None)
        panel.update(show=True, ministry=user.is_ministry, final=final, letter=letter,
                     letter_pending=app.status == Status.REFUSED and letter is None,
                     recommendations=recommendations if user.is_ministry else [],
                     factor_labels=_factor_labels(final.factors))
    return {"decision": panel}
