"""PDF files in and out, for every app: an uploaded document is checked before it is kept (PDFs only,
within the size limit, readable), and a stored PDF goes back as a private attachment."""

import io
import os

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from portal.errors import ValidationFailed, lazy_format


def read_pdf_upload(upload) -> tuple[bytes, str]:
    if upload is None or not hasattr(upload, "read"):
        raise ValidationFailed(_("Attach the document as a PDF file."), fields={"file": [_("No file.")]})
    name = os.path.basename(getattr(upload, "name", "") or "document.pdf")[:255]
    limit = settings.PORTAL_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large(limit)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    if not content:
        raise ValidationFailed(_("The file is empty."), fields={"file": [_("The file is empty.")]})
    if not content.lstrip()[:5] == b"%PDF-":
        raise ValidationFailed(_("Only PDF files are accepted."), code="not_pdf",
                               fields={"file": [_("Only PDF files are accepted.")]})
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise ValidationFailed(_("Encrypted PDFs are not accepted; upload an unprotected copy."),
                                   code="pdf_encrypted")
        if len(reader.pages) < 1:
            raise PdfReadError("no pages")
    except ValidationFailed:
        raise
    except Exception:  # pypdf raises many kinds on malformed files
        raise ValidationFailed(_("The PDF file is damaged or unreadable."), code="bad_pdf",
                               fields={"file": [_("The PDF file is damaged or unreadable.")]}) from None
    return content, name


def read_pdf_uploads(uploads, *, limit: int) -> list[tuple[bytes, str]]:
    """Several PDFs attached at once (a report's, an answer's), each checked as read_pdf_upload
    does before anything is stored: one bad file, or more than `limit`, refuses them all (400,
    on the field `documents`, naming the file)."""
    uploads = [u for u in (uploads or ()) if u is not None]
    if len(uploads) > limit:
        message = lazy_format(_("Attach at most %(n)s documents."), n=limit)
        raise ValidationFailed(message, code="too_many_documents", fields={"documents": [message]})
    files = []
    for upload in uploads:
        try:
            files.append(read_pdf_upload(upload))
        except ValidationFailed as exc:
            name = (getattr(upload, "name", "") or "")[:100]
            message = lazy_format(_("%(name)s: %(problem)s"), name=name, problem=exc.message)
            raise ValidationFailed(message, code=exc.code, fields={"documents": [message]}) from None
    return files


def _too_large(limit: int) -> ValidationFailed:
    message = lazy_format(_("The file is too large: at most %(mb)s MB is accepted."),
                          mb=limit // (1024 * 1024))
    return ValidationFailed(message, code="too_large", fields={"file": [message]})


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_ascii(filename)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ascii(name: str) -> str:
    cleaned = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return cleaned or "document.pdf"
