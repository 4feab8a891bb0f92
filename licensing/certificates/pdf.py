"""The pre-filled bilingual end-user and end-use certificate (最终用户和最终用途证明文件) for the end user
to sign: the application's parties, items, end use and the three undertakings of Reg. 24 in
Chinese and English, with blank signature, seal and date boxes. Rendered like the licence
(licensing.licences.pdf: same fonts, font configuration and URL fetcher).

`certificate_pdf_data(app)` reads the database; `render_certificate_pdf(data)` is a pure function
of the data (Django settings only)."""

from decimal import Decimal

from django.utils import timezone

from licensing.certificates.selectors import certificate_of
from licensing.licences.pdf import render_template_pdf
from licensing.licences.selectors import country_names, party_lines

TEMPLATE_NAME = "licensing/certificates/certificate_pdf.html"

# Reg. 24: what the end user undertakes, in the order the regulation gives it.
UNDERTAKINGS = [
    {"zh": "本最终用户保证，上述物项不用于设计、开发、生产或者使用大规模杀伤性武器及其运载工具，不用于恐怖主义目的。",
     "en": "The end user undertakes that the items above will not be used to design, develop, produce or use "
           "weapons of mass destruction or their means of delivery, nor for terrorist purposes."},
    {"zh": "未经中国政府出口管制管理部门同意，不擅自改变上述物项的最终用途。",
     "en": "The end user will not change the end use of the items above without the consent of the export "
           "control authority of the Chinese government."},
    {"zh": "未经中国政府出口管制管理部门同意，不向任何第三方转让上述物项。",
     "en": "The end user will not transfer the items above to any third party without the consent of the "
           "export control authority of the Chinese government."},
]


def _number(value) -> str:
    value = Decimal(value).normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return f"{value:,f}"


def certificate_pdf_data(app) -> dict:
    certificate = certificate_of(app)
    destination = country_names(app.destination.code) if app.destination else ("", "")
    return {
        "case_reference": app.reference or f"#{app.pk}",
        "prepared_on": timezone.localdate().isoformat(),
        "exporter": {"name_zh": app.exporter.name_zh, "name_en": app.exporter.name_en,
                     "address": app.exporter.address},
        "importer": party_lines(app.importer) if app.importer else {},
        "end_user": {**party_lines(app.end_user), "contact": app.end_user.contact} if app.end_user else {},
        "destination": {"zh": destination[0], "en": destination[1]},
        "contract_number": app.contract_number,
        "end_use": app.end_use,
        "place_of_use": certificate.place_of_use if certificate else "",
        "items": [{"index": n, "description": i.description, "specification": i.specification,
                   "quantity": _number(i.quantity), "unit": i.unit, "value": f"{i.value_rmb:,.2f}",
                   "currency": "CNY"} for n, i in enumerate(app.items.all(), 1)],
    }


def render_certificate_pdf(data: dict) -> bytes:
    return render_template_pdf(TEMPLATE_NAME, {**data, "undertakings": UNDERTAKINGS})
