"""Reads about licences: who may download one, the public check, and what the PDF prints."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from licensing.models import Application, DecisionOutcome, Licence, RecommendationState
from portal import countries as portal_countries


def licence_visible_to(user, application: Application) -> bool:
    """Only the exporter and the ministry see a licence (the province does not)."""
    return bool(user.is_authenticated and (
        (user.is_exporter and application.exporter_id == user.organisation_id) or user.is_ministry))


def licence_token_ok(licence: Licence, token: str) -> bool:
    return constant_time_compare(licence.verify_token, token or "")


def licence_verify_url(licence: Licence) -> str:
    path = reverse("licence-verify", args=[licence.number])
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}?t={licence.verify_token}"


def country_names(code: str) -> tuple[str, str]:
    return portal_countries.names(code)


def party_lines(party) -> dict:
    zh, en = country_names(party.country.code)
    return {"name": party.name, "address": party.address, "country_zh": zh, "country_en": en}


def licence_pdf_data(licence: Licence) -> dict:
    app = licence.application
    dest_zh, dest_en = country_names(app.destination.code)
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
        "importer": party_lines(app.importer),
        "end_user": party_lines(app.end_user),
        "destination": {"code": app.destination.code, "zh": dest_zh, "en": dest_en},
        "end_use": app.end_use,
        "items": items,
        "conditions": conditions or "",
        "issuer": {"zh": "中华人民共和国商务部",
                   "en": "Ministry of Commerce of the People's Republic of China"},
        "verify_url": licence_verify_url(licence),
    }
