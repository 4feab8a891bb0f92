"""Demo data of the licence routes (seed_demo calls `seed` after the ICP and licence demos): the
demo exporter, with its good ICP rating and its export record to the Fraunhofer demo end user, holds
a general licence (two end users, uncapped, two years) and a registration-route certificate for
the return of an item after repair. Through the services; once only."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from licensing.applications import services as applications
from licensing.decisions import services as decisions
from licensing.licences import services as licences
from licensing.models import Application, Route
from licensing.referrals.services import referrals_skip
from licensing.registration.services import registration_file

PORT = "2200"  # 上海海关 Shanghai Customs


def seed(*, staff, officer, senior, province, sample_case, pdf) -> list[str]:
    org = staff.organisation
    lines = []
    if not Application.objects.filter(exporter=org, route=Route.GENERAL).exists():
        until = timezone.localdate() + timedelta(days=730)
        app = sample_case(staff, value="210000", data={
            "route": Route.GENERAL, "export_port": PORT, "trade_mode": "0110",
            "requested_valid_until": until.isoformat()})
        applications.application_forward(application_id=app.pk, actor=province)
        applications.application_accept(application_id=app.pk, actor=officer)
        referrals_skip(application_id=app.pk, actor=officer, reason="演示：无需会商 / demo: no agency concerned")
        rec = decisions.decision_recommend(application_id=app.pk, actor=officer, outcome="approve", factors=[],
                                           reasons="演示：合规良好，渠道稳定 / demo: good ICP, stable channels")
        if rec.state == "awaiting_countersign":
            decisions.decision_countersign(application_id=app.pk, actor=senior)
        licence = licences.licence_issue(application_id=app.pk)
        lines.append(f"General licence {licence.number} (通用许可, two years, no quantity cap) of exporter_staff's "
                     "company: /licences/; its eligibility at /compliance/routes/")
    if not Application.objects.filter(exporter=org, route=Route.REGISTRATION).exists():
        app = sample_case(staff, value="90000", submit=False, documents=(), data={
            "route": Route.REGISTRATION, "circumstance": "repair-return", "export_port": PORT,
            "trade_mode": "4561"})
        for kind in ("contract", "other"):
            applications.document_add(application_id=app.pk, actor=staff, kind=kind, upload=SimpleUploadedFile(
                f"{kind}.pdf", pdf(), content_type="application/pdf"))
        certificate = registration_file(actor=staff, application_id=app.pk)
        lines.append(f"Registration route: certificate {certificate.number} (return after repair) issued on filing: "
                     "/registration/certificates/")
    return lines
