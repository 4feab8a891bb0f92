"""The warning letter (警示函) and the penalty decision (行政处罚决定书): bilingual A4 PDFs in the
licence's look, signed as the licence is (PAdES, the ministry's key) in fields of their own.

``*_data`` reads the database; ``*_pdf`` renders and signs, a function of the data only."""

from django.utils import timezone

from licensing.decisions.letter import ISSUER
from licensing.licences import pdf, signing

WARNING_TEMPLATE = "compliance/enforcement/warning_letter_pdf.html"
DECISION_TEMPLATE = "compliance/enforcement/penalty_decision_pdf.html"
WARNING_FIELD, WARNING_REASON = "MOFCOM-Warning", "警示函 / Warning letter"
DECISION_FIELD, DECISION_REASON = "MOFCOM-Penalty", "行政处罚决定书 / Administrative penalty decision"

# Administrative Reconsideration Law Art. 20; Administrative Litigation Law Art. 46.
REMEDY_ZH = ("你单位如对本决定不服，可以自收到本决定书之日起六十日内向中华人民共和国商务部申请行政复议，"
             "或者在六个月内依法向人民法院提起行政诉讼。")
REMEDY_EN = ("If you disagree with this decision, you may apply to the Ministry of Commerce of the People's Republic "
             "of China for administrative reconsideration within sixty days of receiving it, or bring an "
             "administrative action before a people's court within six months.")


def _exporter(org) -> dict:
    return {"name_zh": org.name_zh, "name_en": org.name_en, "uscc": org.code, "address": org.address}


def warning_letter_data(case, step) -> dict:
    return {"number": step.number, "case_reference": case.reference, "issued_on": step.occurred_on,
            "exporter": _exporter(case.exporter), "text": step.text, "findings": step.findings,
            "respond_by": step.respond_by, "issuer": ISSUER}


def penalty_decision_data(case, penalty, number, rng, mitigating) -> dict:
    return {"number": number, "case_reference": case.reference, "issued_on": penalty.decided_on or timezone.localdate(),
            "exporter": _exporter(case.exporter), "head": penalty.head, "head_label_zh": HEAD_ZH.get(penalty.head, ""),
            "head_label_en": HEAD_EN.get(penalty.head, ""), "article": rng.article if rng else "",
            "article_zh": rng.article_zh if rng else "", "range_min": penalty.range_min, "range_max": penalty.range_max,
            "turnover": penalty.turnover, "amount": penalty.amount, "reasons": penalty.reasons,
            "justification": penalty.justification, "serious": penalty.serious,
            "bars_applications_until": penalty.bars_applications_until, "mitigating": mitigating,
            "issuer": ISSUER}


HEAD_ZH = {"unlicensed_export": "未经许可擅自出口或者超出许可范围出口", "licence_fraud": "以欺骗、贿赂等不正当手段获取出口许可",
           "licence_forgery": "伪造、变造、买卖出口许可证件", "services_to_violators": "为违法出口提供代理、货运、寄递、报关等服务",
           "control_list_trading": "违反管控名单规定与列入管控名单的进口商、最终用户进行交易",
           "obstructing_inspection": "拒绝、阻碍监督检查"}
HEAD_EN = {"unlicensed_export": "Exporting without a licence or beyond it",
           "licence_fraud": "Obtaining a licence by fraud or bribery",
           "licence_forgery": "Forging, altering or trading licences",
           "services_to_violators": "Services (agency, freight, customs) to an unlawful export",
           "control_list_trading": "Trading with a party on the Control List",
           "obstructing_inspection": "Refusing or obstructing inspection"}


def _day(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))


def _money(value) -> str:
    return "" if value is None else f"{int(value):,}"


def _context(data: dict) -> dict:
    return {**data, "issued_on": _day(data.get("issued_on")),
            "respond_by": _day(data.get("respond_by")),
            "bars_applications_until": _day(data.get("bars_applications_until")),
            "amount": _money(data.get("amount")), "turnover": _money(data.get("turnover")),
            "range_min": _money(data.get("range_min")), "range_max": _money(data.get("range_max")),
            "remedy_zh": REMEDY_ZH, "remedy_en": REMEDY_EN}


def warning_letter_pdf(data: dict) -> bytes:
    content = pdf.render_template_pdf(WARNING_TEMPLATE, _context(data))
    return signing.sign_document_pdf(content, field_name=WARNING_FIELD, reason=WARNING_REASON)


def penalty_decision_pdf(data: dict) -> bytes:
    content = pdf.render_template_pdf(DECISION_TEMPLATE, _context(data))
    return signing.sign_document_pdf(content, field_name=DECISION_FIELD, reason=DECISION_REASON)
