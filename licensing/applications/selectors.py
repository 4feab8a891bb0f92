"""Reads: what a case page, a queue or a licence needs."""

from datetime import date

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.services import history
from licensing.applications.models import ExchangeRate
from licensing.clock import selectors as clock
from licensing.models import Application, ApplicationItem, PauseKind
from portal.errors import NotFound, lazy_format


def applications_for(user):
    return (Application.objects.visible_to(user)
            .select_related("exporter", "province", "importer", "end_user", "assigned_to")
            .prefetch_related("items"))


def search(qs, query: str, licence: str = ""):
    """The case list searched by case or licence number, contract number, item code or name, or
    party name; `licence` "valid" / "expired" / "none" keeps the cases with such a licence."""
    if query:
        qs = qs.filter(Q(reference__icontains=query) | Q(contract_number__icontains=query)
                       | Q(licence__number__icontains=query) | Q(importer__name__icontains=query)
                       | Q(end_user__name__icontains=query) | Q(pk__in=ApplicationItem.objects.filter(
                           Q(control_code__icontains=query) | Q(description__icontains=query)
                           | Q(hs_code__startswith=query)).values("application_id")))
    today = timezone.localdate()
    if licence == "valid":
        qs = qs.filter(licence__valid_until__gte=today)
    elif licence == "expired":
        qs = qs.filter(licence__valid_until__lt=today)
    elif licence == "none":
        qs = qs.filter(licence__isnull=True)
    return qs.select_related("licence").defer("licence__pdf")


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


EVENT_LABELS = {
    "application.create": pgettext_lazy("case event", "Draft created"),
    "application.update": pgettext_lazy("case event", "Draft edited"),
    "document.add": pgettext_lazy("case event", "Document added"),
    "document.remove": pgettext_lazy("case event", "Document removed"),
    "application.submit": pgettext_lazy("case event", "Submitted to the provincial department"),
    "application.return": pgettext_lazy("case event", "Returned for correction"),
    "application.forward": pgettext_lazy("case event", "Forwarded to the ministry"),
    "application.request_corrections": pgettext_lazy("case event", "Corrections requested"),
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
    "request.certification": pgettext_lazy("case event", "Government certification of the end-user certificate "
                                           "required; decision clock stopped"),
    "request.certification_answer": pgettext_lazy("case event", "Government-certified end-user certificate given; "
                                                  "decision clock runs again"),
    "request.certification_withdraw": pgettext_lazy("case event", "Government certification no longer required; "
                                                    "decision clock runs again"),
    "certificate.save": pgettext_lazy("case event", "End-user certificate entered"),
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
    """The decision clock (Reg. 17) of an accepted case (licensing.clock.selectors.Summary: due, days_left,
    overdue, problem, ...), or None before acceptance."""
    if app.accepted_at is None:
        return None
    return clock.page_summary(app) if today is None else clock.summary(app, today)




def exchange_rates():
    """Every rate, newest first within each currency, with the one in force today marked."""
    today = timezone.localdate()
    rows = list(ExchangeRate.objects.order_by("currency", "-valid_from"))
    current = {}
    for row in rows:
        if row.valid_from <= today and row.currency not in current:
            current[row.currency] = row.pk
    for row in rows:
        row.in_force = current.get(row.currency) == row.pk
    return rows


def case_version(user, id) -> int:
    """The version of a case the user may see (its API ETag); NotFound otherwise."""
    version = Application.objects.visible_to(user).filter(pk=id).values_list("version", flat=True).first()
    if version is None:
        raise NotFound()
    return version
