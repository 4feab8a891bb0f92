"""The refusal letter (issue 5, item 7): written after the refusal commits, bilingual, with the
Art. 13 factors, the reasons and the right to administrative reconsideration (Art. 41), fonts
embedded, signed; one per case; read back from the PDF."""

import hashlib
import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from pypdf import PdfReader

from licensing.decisions import letter
from licensing.decisions import services as decisions
from licensing.licences.signing import verify_licence_pdf
from licensing.models import Application, Counter, RefusalLetter
from outbox.models import OutboxMessage
from tests.conftest import decide

pytestmark = pytest.mark.django_db

REASONS = "最终用户与军事项目存在关联，存在转用风险。The end user is linked to a military programme; diversion risk."


@pytest.fixture
def refused(actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("awaiting_decision")
    with django_capture_on_commit_callbacks(execute=True):
        decide(app.pk, actors, "refuse", factors=["end_user", "national_security"], reasons=REASONS)
    app.refresh_from_db()
    return app


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def embedded_fonts(content: bytes) -> dict:
    fonts = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def test_the_refusal_records_the_letter_task_and_the_letter_follows(refused):
    assert refused.status == "refused" and refused.decided_at
    message = OutboxMessage.objects.get(task="licensing.issue_refusal_letter")
    assert message.kwargs == {"application_id": refused.pk} and message.sent_at is not None
    refusal = RefusalLetter.objects.get(application=refused)
    assert refusal.number == f"RF{timezone.localdate(refusal.issued_at).year}-000001"
    assert hashlib.sha256(bytes(refusal.pdf)).hexdigest() == refusal.sha256


def test_the_letter_reads_back_in_both_languages(refused):
    content = bytes(refused.refusal_letter.pdf)
    text = " ".join(pdf_text(content).split())
    for expected in ("不予许可决定书", "Decision Refusing", refused.reference, refused.refusal_letter.number,
                     refused.exporter.name_zh, refused.exporter.name_en, "1C902.a", "德国", "Germany",
                     "最终用户和最终用途", "End user and end use", "国家安全和利益", "National security and interests",
                     "转用风险", "diversion risk", "行政复议", "administrative reconsideration", "60",
                     "第四十一条", "Article 41", "中华人民共和国商务部"):
        assert expected in text, expected
    assert "credit record" not in text and "出口类型" not in text  # factors not chosen are not listed
    assert content.startswith(b"%PDF-")


def test_the_letter_embeds_its_fonts_and_is_signed(refused):
    content = bytes(refused.refusal_letter.pdf)
    fonts = embedded_fonts(content)
    assert fonts and all(fonts.values()), fonts
    assert any("Portal-Sans-SC" in name for name in fonts), fonts
    result = verify_licence_pdf(content)
    assert result["signed"] and result["intact"] and result["trusted"], result
    assert result["field"] == letter.FIELD_NAME and not result["modified_after_signing"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdftotext_reads_the_letter(refused, tmp_path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(bytes(refused.refusal_letter.pdf))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "不予许可决定书" in text and "administrative reconsideration" in text and "End user and end use" in text


def test_one_letter_per_case(refused):
    first = refused.refusal_letter
    again = decisions.refusal_letter_issue(application_id=refused.pk)
    assert again.pk == first.pk and RefusalLetter.objects.count() == 1
    assert Counter.objects.get(name="refusal").value == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        RefusalLetter.objects.create(application=refused, number="RF-X", issued_at=timezone.now(), pdf=b"", sha256="")


def test_no_letter_for_a_case_that_is_not_refused(actors, case_factory):
    app = case_factory("awaiting_decision")
    assert decisions.refusal_letter_issue(application_id=app.pk) is None
    assert decisions.refusal_letter_issue(application_id=999999) is None
    assert not RefusalLetter.objects.exists()


def test_beat_safety_net_issues_a_lost_letter(actors, case_factory, django_capture_on_commit_callbacks):
    from licensing.decisions.tasks import issue_missing_refusal_letters

    app = case_factory("awaiting_decision")
    with django_capture_on_commit_callbacks(execute=False):  # the task never reaches a worker
        decide(app.pk, actors, "refuse", reasons="no")
    assert not RefusalLetter.objects.exists()
    assert issue_missing_refusal_letters() == 0  # too fresh: its own task may still be on its way
    Application.objects.filter(pk=app.pk).update(decided_at=timezone.now() - timedelta(minutes=5))
    assert issue_missing_refusal_letters() == 1
    assert RefusalLetter.objects.filter(application=app).count() == 1
    assert issue_missing_refusal_letters() == 0


def test_rendering_is_a_pure_function_of_the_data():
    data = {
        "number": "RF2026-000042", "case_reference": "DU2026-000007", "issued_on": "2026-03-02",
        "decided_on": "2026-03-02", "submitted_on": "2026-01-05", "accepted_on": "2026-01-08",
        "exporter": {"name_zh": "福建堃泰新材料有限公司", "name_en": "Fujian Kuntai", "uscc": "91350100M000100Y43",
                     "address": "福州"},
        "importer": {"name": "Müller GmbH", "country_zh": "德国", "country_en": "Germany"},
        "end_user": {"name": "Müller GmbH", "country_zh": "德国", "country_en": "Germany"},
        "destination": {"code": "DE", "zh": "德国", "en": "Germany"},
        "items": [{"control_code": "", "catch_all": True, "description": "Unlisted alloy", "quantity": "2.5",
                   "unit": "t", "value_rmb": "1000"}],
        "factors": ["other"], "reasons": "Line one\nLine two", "issuer": letter.ISSUER,
    }
    text = " ".join(pdf_text(letter.render_refusal_letter_pdf(data)).split())
    assert "RF2026-000042" in text and "Art. 12(3)" in text and "2.5" in text and "1,000.00" in text
    assert "法律、行政法规规定的其他因素" in text and "堃" in text
