"""The refusal letter (不予许可决定书): a bilingual A4 PDF in the licence's look, signed like the
licence (PAdES B-B with the ministry's signing key) in a field of its own.

``refusal_letter_data(letter)`` reads the database; ``render_refusal_letter_pdf(data)`` is a pure
function of the data (Django settings only), as ``licensing.pdf.render_licence_pdf`` is."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter

from licensing.licences import pdf, signing
from licensing.licences.selectors import country_names, party_lines
from licensing.models import LawFactor, RecommendationState, RefusalLetter

TEMPLATE_NAME = "licensing/refusal_letter_pdf.html"
FIELD_NAME = "MOFCOM-Refusal"
REASON = "不予许可决定书 / Decision refusing an export licence"

# Export Control Law Art. 13, in the law's own words and order.
FACTOR_ZH = {
    LawFactor.NATIONAL_SECURITY: "国家安全和利益",
    LawFactor.INTERNATIONAL_OBLIGATIONS: "国际义务和对外承诺",
    LawFactor.EXPORT_TYPE: "出口类型",
    LawFactor.SENSITIVITY: "管制物项敏感程度",
    LawFactor.DESTINATION: "出口目的国家或者地区",
    LawFactor.END_USER: "最终用户和最终用途",
    LawFactor.CREDIT_RECORD: "出口经营者的相关信用记录",
    LawFactor.OTHER: "法律、行政法规规定的其他因素",
}
ORDINALS_ZH = "一二三四五六七八"

# Export Control Law Art. 41: a refusal may be challenged by administrative reconsideration, and
# the reconsideration decision is final (so no administrative lawsuit, Administrative Litigation
# Law Art. 13(4)). 60 days: Administrative Reconsideration Law Art. 20. To the ministry itself:
# the same law, Art. 25 (an act of a State Council department).
RECONSIDERATION_DAYS = 60
REMEDY_ZH = ("你单位如对本决定不服，可以自收到本决定书之日起{days}日内，依照《中华人民共和国行政复议法》"
             "向中华人民共和国商务部申请行政复议。根据《中华人民共和国出口管制法》第四十一条，行政复议决定为最终裁决。")
REMEDY_EN = ("If you disagree with this decision, you may apply to the Ministry of Commerce of the People's "
             "Republic of China for administrative reconsideration within {days} days of receiving this "
             "letter, under the Administrative Reconsideration Law of the People's Republic of China. Under "
             "Article 41 of the Export Control Law, the reconsideration decision is final.")
ISSUER = {"zh": "中华人民共和国商务部", "en": "Ministry of Commerce of the People's Republic of China"}


def factor_labels(factors) -> list[dict]:
    """Each chosen factor with its number in Art. 13 and its Chinese and English label."""
    rows = []
    for index, value in enumerate(LawFactor.values):
        if value in factors:
            with translation.override("en"):
                english = str(LawFactor(value).label)
            rows.append({"value": value, "number": index + 1, "ordinal_zh": ORDINALS_ZH[index],
                         "zh": FACTOR_ZH[LawFactor(value)], "en": english})
    return rows


def refusal_letter_data(letter: RefusalLetter) -> dict:
    app = letter.application
    rec = app.recommendations.filter(state=RecommendationState.FINAL).order_by("-pk").first()
    dest_zh, dest_en = country_names(app.destination.code)
    return {
        "number": letter.number,
        "case_reference": app.reference,
        "issued_on": timezone.localdate(letter.issued_at),
        "decided_on": timezone.localdate(app.decided_at) if app.decided_at else timezone.localdate(letter.issued_at),
        "submitted_on": timezone.localdate(app.submitted_at) if app.submitted_at else None,
        "accepted_on": timezone.localdate(app.accepted_at) if app.accepted_at else None,
        "exporter": {"name_zh": app.exporter.name_zh, "name_en": app.exporter.name_en,
                     "uscc": app.exporter.code, "address": app.exporter.address},
        "importer": party_lines(app.importer, app.importer_snapshot) if app.importer else {},
        "end_user": party_lines(app.end_user, app.end_user_snapshot) if app.end_user else {},
        "destination": {"code": app.destination.code, "zh": dest_zh, "en": dest_en},
        "end_use": app.end_use,
        "items": [{"control_code": i.control_code, "catch_all": i.catch_all, "description": i.description,
                   "quantity": i.quantity, "unit": i.unit, "value_rmb": i.value_rmb} for i in app.items.all()],
        "factors": list(rec.factors) if rec else [],
        "reasons": rec.reasons if rec else app.decision_reason,
        "issuer": ISSUER,
    }


def build_letter_context(data: dict) -> dict:
    items = []
    for index, item in enumerate(data.get("items") or [], start=1):
        items.append({**item, "index": index, "quantity": pdf._format_quantity(item.get("quantity")),
                      "value_rmb": pdf._format_money(pdf._decimal(item.get("value_rmb")))})
    return {
        **data,
        "issued_on": pdf._format_date(data.get("issued_on")),
        "decided_on": pdf._format_date(data.get("decided_on")),
        "submitted_on": pdf._format_date(data.get("submitted_on")),
        "accepted_on": pdf._format_date(data.get("accepted_on")),
        "items": items,
        "factors": factor_labels(data.get("factors") or []),
        "remedy_zh": REMEDY_ZH.format(days=RECONSIDERATION_DAYS),
        "remedy_en": REMEDY_EN.format(days=RECONSIDERATION_DAYS),
    }


def render_refusal_letter_pdf(data: dict) -> bytes:
    """The refusal letter described by ``data`` as PDF bytes (not signed)."""
    return pdf.render_template_pdf(TEMPLATE_NAME, build_letter_context(data))


def _sign(signer, content: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        reason=REASON, location=signing.LOCATION, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES)
    pdf_signer = signers.PdfSigner(metadata, signer, new_field_spec=SigFieldSpec(sig_field_name=FIELD_NAME))
    return pdf_signer.sign_pdf(writer, bytes_reserved=signing.BYTES_RESERVED).getvalue()


def sign_refusal_letter_pdf(content: bytes) -> bytes:
    """``content`` with the ministry's certification signature (the licence's signer, kept once
    per process by licensing.signing); ``signing.verify_licence_pdf`` validates it."""
    return signing._outside_event_loop(_sign, signing._get_signer(), content)
