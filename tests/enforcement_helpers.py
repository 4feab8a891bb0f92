"""Helpers of the enforcement tests: open a case, add a step, read a PDF's text."""

import io
import re

from pypdf import PdfReader

from compliance.enforcement import services


def open_case(actors, summary="Suspected export without a licence / 涉嫌未经许可出口"):
    return services.case_open(actor=actors.ministry, origin="manual", summary=summary,
                              exporter_id=actors.owner.organisation_id)


def add_step(actors, case, kind="rfi", text="Send the shipping records of 2026 / 请提供2026年出口记录", **kw):
    kw.setdefault("answer_days", 5 if kind in ("rfi", "talk", "warning_letter") else None)
    return services.step_add(actor=actors.ministry, reference=case.reference, kind=kind, text=text, **kw)


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(content))).pages))
