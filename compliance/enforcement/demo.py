"""Demo data of enforcement: a case against the Shenzhen demo company (other_exporter) opened by
hand after a customs tip-off, with an inspection, a warning letter to answer, a note of its
cooperation and a decided penalty inside the statutory range (not serious, no application bar, so
the company stays eligible). Through the services, as an officer would; once only."""

from datetime import timedelta

from django.utils import timezone

from compliance.enforcement import services
from compliance.enforcement.models import EnforcementCase, StepKind
from compliance.penalties.services import penalty_submit


def seed(*, exporter, officer) -> list[str]:
    """Returns the lines seed_demo prints; nothing when the demo case exists already."""
    if EnforcementCase.objects.filter(exporter=exporter).exists():
        return []
    today = timezone.localdate()
    case = services.case_open(
        actor=officer, origin="manual", exporter_id=exporter.pk,
        summary="海关线索：2026 年 9 月一批精密测量仪器疑似未申领许可证出口 / Customs tip-off: a batch of precision "
                "measuring instruments may have been exported in September 2026 without a licence")
    services.step_add(actor=officer, reference=case.reference, kind=StepKind.INSPECTION,
                      occurred_on=today - timedelta(days=10), place="深圳市南山区科技园 8 号",
                      text="现场检查出口台账与报关单 / On-site check of the export ledger and declarations",
                      findings="一票出口未申领许可证，货值 32 万元 / One shipment exported without a licence, "
                               "value RMB 320,000")
    services.step_add(actor=officer, reference=case.reference, kind=StepKind.WARNING_LETTER,
                      text="贵司未经许可出口两用物项，请于期限内书面说明并整改 / Your company exported dual-use items "
                           "without a licence; explain in writing and remedy within the period.", answer_days=10)
    services.note_add(actor=officer, reference=case.reference, kind="cooperation",
                      text="主动提供全部报关资料，配合检查 / Handed over every declaration of its own accord")
    penalty_submit(actor=officer, reference=case.reference, head="unlicensed_export", turnover="320000",
                   amount="600000", reasons="未经许可出口（出口管制法第三十四条），货值不足五十万元；企业积极配合 / "
                                            "Export without a licence (Law Art. 34), turnover below RMB 500,000; "
                                            "the company cooperated")
    return [f"Enforcement: {case.reference} against {exporter.name_zh} (other_exporter) has an inspection, a warning "
            "letter to answer and a decided penalty; ministry_officer sees it at /compliance/enforcement/"]
