"""Demo data of internal compliance programmes: the demo exporter's programme (training due for
review soon, the compliance audit stale, evidence on two elements) and an issued good evaluation
with a finding to fix. Through the services, as a user would; once only."""

import io
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from compliance.icp import evaluations, services
from compliance.icp.models import ICP, Element

ASSESSMENTS = {
    Element.POLICY: ("in_place", "董事会 2025 年签发出口管制合规政策声明 / Board-signed export-control policy statement"),
    Element.ORGANISATION: ("in_place", "合规部 3 人，直接向总经理报告 / Compliance office of three reporting to the CEO"),
    Element.RISK_ASSESSMENT: ("in_place", "每年评估客户与物项风险 / Yearly customer and item risk assessment"),
    Element.REVIEW_PROCEDURE: ("in_place", "每笔出口经合规部审查 / Every export reviewed by compliance"),
    Element.EMERGENCY: ("partly", "应急预案已起草，待演练 / Emergency plan drafted, not yet rehearsed"),
    Element.TRAINING: ("partly", "新员工培训尚未覆盖 / New staff not yet trained"),
    Element.AUDIT: ("missing", "上次审计已逾一年 / Last audit more than a year ago"),
    Element.RECORD_KEEPING: ("in_place", "出口记录保存 5 年 / Export records kept five years"),
    Element.MANUAL: ("in_place", "合规手册第 3 版 / Compliance manual, 3rd edition"),
}


def _pdf(name: str) -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def seed(*, admin, officer, today: date | None = None) -> list[str]:
    """The demo exporter's ICP and an issued evaluation; nothing when its ICP exists already."""
    org = admin.organisation
    if ICP.objects.filter(exporter=org).exists():
        return []
    today = today or timezone.localdate()
    reviewed = {Element.TRAINING: today - relativedelta(months=12) + timedelta(days=20),
                Element.AUDIT: today - relativedelta(months=13), Element.POLICY: today - relativedelta(months=10)}
    for element, (assessment, text) in ASSESSMENTS.items():
        services.icp_element_update(
            actor=admin, organisation_id=org.pk, element=element, owner_user_id=admin.pk if element in (
                Element.POLICY, Element.TRAINING) else None, owner_name="合规部 / Compliance office",
            last_reviewed_on=reviewed.get(element, today - relativedelta(months=3)), assessment=assessment,
            assessment_text=text, today=today)
    services.icp_evidence_add(actor=admin, organisation_id=org.pk, element=Element.POLICY,
                              uploads=[_pdf("合规政策声明.pdf")])
    services.icp_evidence_add(actor=admin, organisation_id=org.pk, element=Element.TRAINING,
                              uploads=[_pdf("培训签到表.pdf")])
    ev = evaluations.icp_evaluation_create(actor=officer, organisation_id=org.pk, method="on_site",
                                           evaluated_on=today - timedelta(days=14), today=today)
    evaluations.icp_evaluation_update(
        actor=officer, organisation_id=org.pk, evaluation_id=ev.pk, rating="good", method="on_site",
        valid_until=today + relativedelta(years=2), evaluated_on=today - timedelta(days=14),
        summary="现场评估：制度运行有效 / On-site evaluation: the programme runs well",
        findings=[{"element": Element.TRAINING, "severity": "minor",
                   "text": "新员工须于三个月内完成出口管制培训 / Train new staff in export control within three months"},
                  {"element": Element.EMERGENCY, "severity": "observation",
                   "text": "建议每年演练应急预案 / Rehearse the emergency plan yearly"}], today=today)
    evaluations.icp_evaluation_issue(actor=officer, organisation_id=org.pk, evaluation_id=ev.pk, today=today)
    return [f"ICP: {org.name_zh} keeps its programme at /compliance/icp/{org.pk}/ (training due for review soon, "
            "the compliance audit stale) with an issued good evaluation; ministry_officer sees every exporter at "
            "/compliance/icp/, ministry_senior edits the evidence periods at /compliance/icp/periods/"]
