"""The revocation notice (撤销通知书): a bilingual A4 PDF in the licence's look, signed like the
licence (PAdES B-B with the ministry's signing key) in a field of its own.

``revocation_notice_data(notice, event)`` reads the database; ``render_revocation_notice_pdf(data)``
is a pure function of the data (Django settings only), as ``pdf.render_licence_pdf`` is."""

from __future__ import annotations

import io

from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter

from licensing.decisions.letter import ISSUER, RECONSIDERATION_DAYS, factor_labels
from licensing.licences import pdf, signing
from licensing.licences.selectors import country_names
from licensing.models import LicenceEvent, LicenceNotice

TEMPLATE_NAME = "licensing/licences/revocation_notice_pdf.html"
FIELD_NAME = "MOFCOM-Revocation"
REASON = "撤销通知书 / Notice of revocation of an export licence"
PREFIX = "MCRV"  # 商务部 撤销 (revocation), then the year and a serial

# Export Control Law Art. 41 applies to a revocation as to a refusal (see decisions.letter).
REMEDY_ZH = ("你单位如对本决定不服，可以自收到本通知书之日起{days}日内，依照《中华人民共和国行政复议法》"
             "向中华人民共和国商务部申请行政复议。根据《中华人民共和国出口管制法》第四十一条，行政复议决定为最终裁决。")
REMEDY_EN = ("If you disagree with this decision, you may apply to the Ministry of Commerce of the People's "
             "Republic of China for administrative reconsideration within {days} days of receiving this "
             "notice, under the Administrative Reconsideration Law of the People's Republic of China. Under "
             "Article 41 of the Export Control Law, the reconsideration decision is final.")


def notice_number(year: int, serial: int) -> str:
    return f"{PREFIX}{year}-{serial:06d}"


def revocation_notice_data(notice: LicenceNotice, event: LicenceEvent | None) -> dict:
    licence = notice.licence
    app = licence.application
    dest_zh, dest_en = country_names(app.destination.code)
    revoked_at = event.at if event else notice.issued_at
    return {
        "number": notice.number,
        "licence_number": licence.number,
        "case_reference": app.reference,
        "issued_on": timezone.localdate(notice.issued_at),
        "revoked_on": timezone.localdate(revoked_at),
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "exporter": {"name_zh": licence.exporter.name_zh, "name_en": licence.exporter.name_en,
                     "uscc": licence.exporter.code, "address": licence.exporter.address},
        "destination": {"code": app.destination.code, "zh": dest_zh, "en": dest_en},
        "items": [{"line": i.line, "control_code": i.control_code, "catch_all": i.catch_all,
                   "description": i.description, "quantity": i.quantity, "used_quantity": i.used_quantity,
                   "unit": i.unit} for i in licence.items.all()],
        "factors": [event.factor] if event and event.factor else [],
        "reasons": event.reason if event else "",
        "issuer": ISSUER,
    }


def build_notice_context(data: dict) -> dict:
    items = [{**item, "quantity": pdf._format_quantity(item.get("quantity")),
              "used_quantity": pdf._format_quantity(item.get("used_quantity"))} for item in data.get("items") or []]
    return {
        **data,
        "issued_on": pdf._format_date(data.get("issued_on")),
        "revoked_on": pdf._format_date(data.get("revoked_on")),
        "valid_from": pdf._format_date(data.get("valid_from")),
        "valid_until": pdf._format_date(data.get("valid_until")),
        "items": items,
        "factors": factor_labels(data.get("factors") or []),
        "remedy_zh": REMEDY_ZH.format(days=RECONSIDERATION_DAYS),
        "remedy_en": REMEDY_EN.format(days=RECONSIDERATION_DAYS),
    }


def render_revocation_notice_pdf(data: dict) -> bytes:
    """The notice described by ``data`` as PDF bytes (not signed)."""
    return pdf.render_template_pdf(TEMPLATE_NAME, build_notice_context(data))


def _sign(signer, content: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        reason=REASON, location=signing.LOCATION, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES)
    pdf_signer = signers.PdfSigner(metadata, signer, new_field_spec=SigFieldSpec(sig_field_name=FIELD_NAME))
    return pdf_signer.sign_pdf(writer, bytes_reserved=signing.BYTES_RESERVED).getvalue()


def sign_revocation_notice_pdf(content: bytes) -> bytes:
    """``content`` with the ministry's certification signature (the licence's signer, kept once per
    process); ``signing.verify_licence_pdf`` validates it."""
    return signing._outside_event_loop(_sign, signing._get_signer(), content)
