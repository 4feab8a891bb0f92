"""Reads: what a case page, a queue or a licence needs."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from audit.services import history
from licensing.models import Application, Licence

DECISION_LIMIT_WORKING_DAYS = 45  # Reg. 17


def applications_for(user):
    return (Application.objects.visible_to(user)
            .select_related("exporter", "province", "importer", "end_user")
            .prefetch_related("items"))


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
    "application.accept": pgettext_lazy("case event", "Accepted by the ministry"),
    "application.approve": pgettext_lazy("case event", "Approved"),
    "application.refuse": pgettext_lazy("case event", "Refused"),
}


def case_history(app: Application, limit: int = 100) -> list[dict]:
    rows = []
    for event in history(app).select_related("actor")[:limit]:
        actor = event.actor
        who = (f"{actor.get_full_name() or actor.username} · {actor.get_role_display()}"
               if actor else _("System"))
        rows.append({"at": event.created_at, "who": who,
                     "what": EVENT_LABELS.get(event.action, event.action),
                     "note": (event.after or {}).get("return_reason") or (event.after or {}).get("decision_reason")
                     or ""})
    return rows


@dataclass
class Deadline:
    due: date | None
    days_left: int | None
    problem: str = ""

    @property
    def overdue(self) -> int:
        return -self.days_left if self.days_left and self.days_left < 0 else 0


def decision_deadline(app: Application, today: date | None = None) -> Deadline | None:
    """The 45-working-day decision limit counted from acceptance (Reg. 17)."""
    from workdays.services import NoCalendarError, add_working_days, working_days_between

    if app.accepted_at is None:
        return None
    accepted = timezone.localdate(app.accepted_at)
    today = today or timezone.localdate()
    try:
        due = add_working_days(accepted, DECISION_LIMIT_WORKING_DAYS)
        left = working_days_between(today, due) if today < due else -working_days_between(due, today)
    except NoCalendarError as exc:
        return Deadline(None, None, str(exc))
    return Deadline(due, left)


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
    app = licence.application
    dest_zh, dest_en = _country(app.destination.code)
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
        "items": [{"control_code": i.control_code, "catch_all": i.catch_all, "description": i.description,
                   "quantity": i.quantity, "unit": i.unit, "value_rmb": i.value_rmb}
                  for i in app.items.all()],
        "issuer": {"zh": "中华人民共和国商务部",
                   "en": "Ministry of Commerce of the People's Republic of China"},
        "verify_url": licence_verify_url(licence),
    }
