"""Demo data for licences after the decision (seed_demo calls `seed`): six licences of the demo
exporter, one in each state a user meets (valid, partly used, used up, suspended, revoked, expired),
drawn on and changed through the services the pages and the customs API use, and a customs system
whose API token is printed. A second run adds no licences; it replaces the demo token (tokens are
stored hashed, so the earlier one cannot be shown again) and revokes the one before."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from licensing.customs import services as customs
from licensing.customs import tokens
from licensing.decisions import services as decisions
from licensing.licences import services as licences
from licensing.models import CustomsSystem, CustomsToken, Licence
from licensing.referrals.services import referrals_skip

DEMO_SYSTEM = "demo-h2018"
PORT = "2200"  # 上海海关 Shanghai Customs (licensing.applications seed)


def seed(*, staff: User, officer: User, senior: User, province: User, customs_officer: User, admin: User,
         sample_case) -> list[str]:
    """Returns the lines seed_demo prints about what is there to try."""
    if not Licence.objects.filter(exporter=staff.organisation).exists():
        _licences(staff, officer, senior, province, customs_officer, sample_case)
    token = _token(admin)
    numbers = dict(Licence.objects.filter(exporter=staff.organisation).values_list("status", "number"))
    valid = numbers.get("issued", "")
    return [
        "Licences (/licences/): valid, partly used, used up, suspended, revoked and expired ones of exporter_staff's "
        "company; customs looks one up at /customs/ and records a write-off by hand",
        f"Customs API token (system {DEMO_SYSTEM}, shown once, replaced at every start): {token}",
        f"  curl -H 'Authorization: Customs {token}' http://127.0.0.1:8000/api/customs/licences/{valid}/",
    ]


def _approved_licence(staff, officer, senior, province, sample_case, value: str) -> Licence:
    from licensing.applications import services as applications

    app = sample_case(staff, value=value, data={"export_port": PORT})
    applications.application_forward(application_id=app.pk, actor=province)
    applications.application_accept(application_id=app.pk, actor=officer)
    referrals_skip(application_id=app.pk, actor=officer, reason="演示：无需会商 / demo: no agency concerned")
    rec = decisions.decision_recommend(application_id=app.pk, actor=officer, outcome="approve", factors=[],
                                       reasons="演示：风险可控 / demo: risk acceptable")
    if rec.state == "awaiting_countersign":
        decisions.decision_countersign(application_id=app.pk, actor=senior)
    # With a worker the licence is issued by it; issuing here too is harmless (idempotent).
    return licences.licence_issue(application_id=app.pk)


def _draw(licence: Licence, customs_officer: User, declaration: str, quantity: str) -> None:
    item = licence.items.first()
    customs.write_off_record(officer=customs_officer, shipment=customs.shipment(
        declaration_number=declaration, line=1, licence_number=licence.number, item_line=item.line,
        quantity=quantity, unit=item.customs_unit_id or item.unit, value_rmb="0",
        shipped_on=timezone.localdate(), port=PORT))


def _licences(staff, officer, senior, province, customs_officer, sample_case):
    made = [_approved_licence(staff, officer, senior, province, sample_case, value)
            for value in ("150000", "160000", "170000", "175000", "185000", "190000")]
    _valid, partly, used_up, suspended, revoked, expired = made
    _draw(partly, customs_officer, "220020261000000101", "10")
    _draw(used_up, customs_officer, "220020261000000102", str(used_up.items.first().quantity))
    licences.licence_suspend(actor=officer, licence_id=suspended.pk,
                             reason="演示：最终用户正在接受核查 / demo: the end user is being checked")
    licences.licence_revoke(actor=senior, licence_id=revoked.pk, factor="end_user",
                            reason="演示：最终用户已列入管控名单 / demo: the end user was put on the Control List")
    # An expired licence needs a past validity: the demo moves its dates back, then the beat's sweep runs.
    year_ago = timezone.localdate() - timedelta(days=400)
    Licence.objects.filter(pk=expired.pk).update(valid_from=year_ago, valid_until=year_ago + timedelta(days=364))
    licences.licences_expire()


def _token(admin) -> str:
    with transaction.atomic():
        system = CustomsSystem.objects.filter(code=DEMO_SYSTEM).first() or tokens.system_create(
            actor=admin, code=DEMO_SYSTEM, name="上海海关通关系统（演示） Shanghai Customs clearance (demo)")
        for old in CustomsToken.objects.filter(system=system, revoked_at__isnull=True):
            tokens.token_revoke(actor=admin, token_id=old.pk)
    _row, token = tokens.token_create(actor=admin, system_id=system.pk, scopes=["verify", "write_off", "feed",
                                                                               "challenge"], label="demo")
    return token

