"""Reads: what a case page, a queue or a licence needs."""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from audit.services import history
from licensing.models import Application, Licence, PauseKind
from portal.errors import lazy_format


def applications_for(user):
    return (Application.objects.visible_to(user)
            .select_related("exporter", "province", "importer", "end_user", "assigned_to")
            .prefetch_related("items"))


def case_url(app: Application) -> str:
    return reverse("case-detail", args=[app.pk])


def exporter_people(app: Application) -> list:
    """The exporter's people who see the case (as Application.objects.visible_to decides): its
    creator, the colleagues it is shared with, the company's administrators."""
    from django.db.models import Q

    from accounts.models import EXPORTER_ROLES, Role, User

    return list(User.objects.filter(
        Q(pk=app.created_by_id) | Q(role=Role.EXPORTER_ADMIN) | Q(shared_cases=app),
        organisation_id=app.exporter_id, role__in=EXPORTER_ROLES, is_active=True).distinct().order_by("pk"))


def licence_visible_to(user, application: Application) -> bool:
    """Only the exporter and the ministry see a licence (the province does not)."""
    return bool(user.is_authenticated and (
        (user.is_exporter and application.exporter_id == user.organisation_id) or user.is_ministry))


EVENT_LABELS = {
    "application.create": pgettext_lazy("case event", "Draft created"),
    "application.update": pgettext_lazy("case event", "Draft edited"),
    "document.add": pgettext_lazy("case event", "Document added"),
    "document.remove": pgettext_lazy("case event", "Document removed"),
    "application.submit": pgettext_lazy("case event", "Submitted to the provincial department"),
    "application.return": pgettext_lazy("case event", "Returned for correction"),
    "application.forward": pgettext_lazy("case event", "Forwarded to the ministry"),
    "application.request_corrections": pgettext_lazy("case event", "Corrections requested (补正)"),
    "application.answer_corrections": pgettext_lazy("case event", "Corrections answered; back with the ministry"),
    "application.accept": pgettext_lazy("case event", "Accepted by the ministry"),
    "application.refer": pgettext_lazy("case event", "Referred to the agencies"),
    "application.no_referral": pgettext_lazy("case event", "Sent for decision without referral"),
    "application.opinions_in": pgettext_lazy("case event", "All agency opinions in"),
    "application.recommend": pgettext_lazy("case event", "Recommendation sent for countersignature"),
    "application.send_back": pgettext_lazy("case event", "Recommendation sent back"),
    "application.approve": pgettext_lazy("case event", "Approved"),
    "application.refuse": pgettext_lazy("case event", "Refused"),
    "application.assign": pgettext_lazy("case event", "Officer assigned"),
    "application.share": pgettext_lazy("case event", "Shared with a colleague"),
    "application.unshare": pgettext_lazy("case event", "A colleague's access removed"),
    "request.rfi": pgettext_lazy("case event", "Request for information sent; decision clock stopped"),
    "request.answer": pgettext_lazy("case event", "Request for information answered; decision clock runs again"),
    "request.withdraw": pgettext_lazy("case event", "Request for information withdrawn; decision clock runs again"),
    "clock.pause": pgettext_lazy("case event", "Decision clock stopped"),
    "clock.resume": pgettext_lazy("case event", "Decision clock restarted"),
}


def _event_note(event) -> str:
    after = event.after or {}
    if event.action in ("clock.pause", "clock.resume") and after.get("kind") in PauseKind.values:
        return str(PauseKind(after["kind"]).label)
    if event.action == "application.request_corrections" and after.get("respond_by"):
        return str(lazy_format(_("answer by %(date)s"), date=after["respond_by"]))
    return after.get("return_reason") or after.get("decision_reason") or ""


def case_history(app: Application, limit: int = 100) -> list[dict]:
    rows = []
    for event in history(app).select_related("actor")[:limit]:
        actor = event.actor
        who = (f"{actor.get_full_name() or actor.username} · {actor.get_role_display()}"
               if actor else _("System"))
        rows.append({"at": event.created_at, "who": who,
                     "what": EVENT_LABELS.get(event.action, event.action), "note": _event_note(event)})
    return rows


def decision_deadline(app: Application, today: date | None = None):
    """The decision clock (Reg. 17) of an accepted case (licensing.clock.Summary: due, days_left,
    overdue, problem, ...), or None before acceptance."""
    from licensing.clock import selectors as clock

    if app.accepted_at is None:
        return None
    return clock.page_summary(app) if today is None else clock.summary(app, today)


def licence_token_ok(licence: Licence, token: str) -> bool:
    return constant_time_compare(licence.verify_token, token or "")


def licence_verify_url(licence: Licence) -> str:
    path = reverse("licence-verify", args=[licence.number])
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}?t={licence.verify_token}"


def _country(code: str) -> tuple[str, str]:
    from django.utils import translation

    with translation.override("zh-hans"):
        zh = str(countries.name(code))
    with translation.override("en"):
        en = str(countries.name(code))
    return zh, en


def _party(party) -> dict:
    zh, en = _country(party.country.code)
    return {"name": party.name, "address": party.address, "country_zh": zh, "country_en": en}


def licence_pdf_data(licence: Licence) -> dict:
    from decimal import Decimal

    from licensing.models import DecisionOutcome, RecommendationState

    app = licence.application
    dest_zh, dest_en = _country(app.destination.code)
    # The items as approved: a smaller approved quantity is printed with its value pro rata; an
    # item approved at 0 is left off.
    items = []
    for i in app.items.all():
        quantity, value = i.quantity, i.value_rmb
        if i.approved_quantity is not None:
            if i.approved_quantity <= 0:
                continue
            quantity = i.approved_quantity
            value = (i.value_rmb * i.approved_quantity / i.quantity).quantize(Decimal("0.01"))
        items.append({"control_code": i.control_code, "catch_all": i.catch_all, "description": i.description,
                      "quantity": quantity, "unit": i.unit, "value_rmb": value})
    conditions = (app.recommendations.filter(state=RecommendationState.FINAL, outcome=DecisionOutcome.APPROVE)
                  .order_by("-pk").values_list("conditions", flat=True).first())
    return {
        "number": licence.number,
        "case_reference": app.reference,
        "issued_on": timezone.localdate(licence.issued_at),
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "licence_type": {"zh": "单项许可", "en": "Individual License"},
        "exporter": {"name_zh": app.exporter.name_zh, "name_en": app.exporter.name_en,
                     "uscc": app.exporter.code, "address": app.exporter.address},
        "importer": _party(app.importer),
        "end_user": _party(app.end_user),
        "destination": {"code": app.destination.code, "zh": dest_zh, "en": dest_en},
        "end_use": app.end_use,
        "items": items,
        "conditions": conditions or "",
        "issuer": {"zh": "中华人民共和国商务部",
                   "en": "Ministry of Commerce of the People's Republic of China"},
        "verify_url": licence_verify_url(licence),
    }
