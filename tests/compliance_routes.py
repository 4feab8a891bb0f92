"""Helpers of the licence-route and eligibility tests: ICP ratings, penalties and an export record
written with the ORM (compliance/icp and compliance/enforcement are other areas), and a general
licence obtained through the services."""

import uuid
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from compliance.enforcement.models import EnforcementCase, Penalty
from compliance.icp.models import ICPEvaluation
from enduser.lists import services as lists
from enduser.models import Party
from licensing.applications import services
from licensing.licences.services import licence_number
from licensing.models import Application, Counter, Licence, LicenceItem, Status
from tests.conftest import decide, skip_referrals
from tests.factories import DRAFT, pdf_upload


def today() -> date:
    return timezone.localdate()


def good_icp(organisation, actors, *, valid_until=None, rating="good", status="issued") -> ICPEvaluation:
    return ICPEvaluation.objects.create(exporter=organisation, status=status, rating=rating,
                                        valid_until=valid_until or today() + timedelta(days=365),
                                        evaluated_by=actors.ministry, issued_at=timezone.now())


def penalty(organisation, actors, *, kind="administrative", serious=False, status="decided", decided_on=None,
            bars_until=None) -> Penalty:
    case = EnforcementCase.objects.create(reference=f"EC{uuid.uuid4().hex[:10]}", exporter=organisation,
                                          summary="test", opened_by=actors.ministry)
    return Penalty.objects.create(case=case, exporter=organisation, kind=kind, head="unlicensed_export",
                                  serious=serious, status=status, decided_on=decided_on or today(),
                                  bars_applications_until=bars_until, created_by=actors.ministry)


def export_record(actors, *, end_user_name=DRAFT["end_user"]["name"], country="DE") -> Licence:
    """An earlier approved case of the owner's company naming the end user, with its licence
    (written directly: the export record and the stable end users)."""
    organisation = actors.owner.organisation
    party = Party.objects.filter(exporter=organisation, name=end_user_name, country=country).first() or \
        Party.objects.create(exporter=organisation, name=end_user_name, address="Hansastr. 27", country=country)
    with transaction.atomic():
        app = Application.objects.create(exporter=organisation, created_by=actors.owner, status=Status.APPROVED,
                                         end_user=party, destination=country)
        year = today().year
        licence = Licence.objects.create(
            application=app, exporter=organisation, number=licence_number(year, Counter.objects.next_value(
                "licence", year)), issued_at=timezone.now() - timedelta(days=30), valid_from=today(),
            valid_until=today() + timedelta(days=300), pdf=b"%PDF-", sha256="0" * 64)
        LicenceItem.objects.create(licence=licence, line=1, control_code="1C902.a", description="x", unit="kg",
                                   quantity="1", value_rmb="1")
    return licence


def eligible(actors):
    """The owner's company may use the general licence: a good ICP rating and an export record
    naming the draft's end user."""
    good_icp(actors.owner.organisation, actors)
    export_record(actors)


GENERAL = {"route": "general", "export_port": "2200", "trade_mode": "0110"}


def general_case(actors, until="draft", data=None, documents=("end_user_certificate",), valid_until=None):
    data = {**DRAFT, **GENERAL, "requested_valid_until": (valid_until or today() + timedelta(days=700)).isoformat(),
            **(data or {})}
    app, _ = services.application_create(actor=actors.owner, data=data)
    for kind in documents:
        services.document_add(application_id=app.pk, actor=actors.owner, kind=kind, upload=pdf_upload())
    steps = [
        ("submitted", lambda: services.application_submit(application_id=app.pk, actor=actors.owner)),
        ("forwarded", lambda: services.application_forward(application_id=app.pk, actor=actors.province)),
        ("accepted", lambda: services.application_accept(application_id=app.pk, actor=actors.ministry)),
        ("awaiting_decision", lambda: skip_referrals(app.pk, actors.ministry)),
        ("approved", lambda: decide(app.pk, actors, "approve")),
    ]
    for status, step in steps:
        if until == "draft":
            break
        step()
        if status == until:
            break
    app.refresh_from_db()
    return app


def publish_listed(actors, name, list_kind="control", country="SG"):
    past = today() - timedelta(days=30)
    return lists.listed_party_publish(actor=actors.ministry, client_token=uuid.uuid4(), data={
        "list_kind": list_kind, "kind": "company", "names": [name], "country": country,
        "announcement": "商务部公告2026年第1号", "announced_on": past, "effective_on": past, "reason": "test / 测试"})
