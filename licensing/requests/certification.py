"""Government certification of the end-user certificate (Reg. 24): the ministry may require that
the certificate be certified by the end user's government. The exporter answers by uploading the
certified document; the decision clock stops meanwhile exactly as for a request for information
(Reg. 17) and runs again on the answer or the withdrawal. The request is a CaseRequest of kind
`certification` with a ClockPause of kind `certification`."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from audit import services as audit
from licensing.applications import timeline
from licensing.clock import services as clock_services
from licensing.models import (
    OPEN_REVIEW_STATES,
    CaseRequest,
    DocumentKind,
    PauseKind,
    RequestKind,
    Status,
)
from licensing.requests.services import (
    ANSWER_MAX_CHARS,
    NOTE_MAX_CHARS,
    REQUEST_TEXT_MAX_CHARS,
    _bump,
    _check_version,
    _discard,
    _documents_after,
    _end_pause,
    _open_pause,
    _read_uploads,
    _request_of,
    _require,
    _respond_by,
    _store,
    _tell_exporter,
    _tell_officer,
    _text,
    raise_request,
)
from licensing.workflow import lock_case
from portal.errors import InvalidTransition, ValidationFailed, lazy_format

DEFAULT_TEXT = ("请提供经最终用户所在国（地区）政府机构证明的最终用户和最终用途证明文件。 / Please provide the end-user "
                "certificate certified by the government of the end user's country or region.")


def open_certification(app) -> CaseRequest | None:
    return app.requests.filter(kind=RequestKind.CERTIFICATION, answered_at__isnull=True,
                               withdrawn_at__isnull=True).first()


def can_require(app, user, requests) -> bool:
    return (user.role in MINISTRY_ROLES and app.status in OPEN_REVIEW_STATES
            and not any(r.kind == RequestKind.CERTIFICATION and r.is_open for r in requests))


@transaction.atomic
def certification_require(*, application_id, actor, text: str = "", respond_by: date | None = None,
                          expected_version=None, today: date | None = None) -> CaseRequest:
    """The ministry requires government certification of the certificate; the clock stops."""
    app = lock_case(application_id, actor)
    _require(actor, MINISTRY_ROLES, _("Only the ministry requires government certification."))
    today = today or timezone.localdate()
    text = _text(text, "text", limit=REQUEST_TEXT_MAX_CHARS, required=False) or DEFAULT_TEXT
    respond_by = _respond_by(respond_by, today, required=False)
    pending = open_certification(app)
    if pending is not None:
        if pending.asked_by_id == actor.pk and pending.text == text and pending.respond_by == respond_by:
            return pending  # the same request again: a double click
        raise InvalidTransition(_("Government certification is already required on this case: wait for the "
                                  "certified document, or withdraw the request."))
    if app.status not in OPEN_REVIEW_STATES:
        raise InvalidTransition(lazy_format(
            _("This case is “%(status)s”: government certification is required once the case is accepted "
              "and until it is decided."), status=Status(app.status).label))
    _check_version(app, expected_version)
    return raise_request(app, actor, kind=RequestKind.CERTIFICATION, pause_kind=PauseKind.CERTIFICATION, text=text,
                         text_key="text", respond_by=respond_by, today=today, action="request.certification",
                         title_zh=f"案件 {app.reference} 最终用户证明文件需经政府证明",
                         title_en=f"Case {app.reference}: government certification of the end-user certificate")


def certification_answer(*, application_id, request_id, actor, uploads=(), answer: str = "",
                         expected_version=None, today: date | None = None) -> CaseRequest:
    """The exporter uploads the certified certificate (1 to 5 PDFs); the clock runs again."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            app = lock_case(application_id, actor)
            _require(actor, EXPORTER_ROLES, _("Only the exporter answers a request for government certification."))
            today = today or timezone.localdate()
            req = _request_of(app, request_id, RequestKind.CERTIFICATION)
            text = _text(answer, "answer", limit=ANSWER_MAX_CHARS, required=False)
            if not req.is_open:
                if req.answered_by_id == actor.pk and not uploads:
                    return req  # answered already by this exporter: a retried request
                raise InvalidTransition(_("This request for government certification has already been "
                                          "answered or withdrawn."))
            files = _read_uploads(uploads)
            if not files:
                message = _("Attach the certified certificate as a PDF file.")
                raise ValidationFailed(message, code="document_required", fields={"documents": [message]})
            _check_version(app, expected_version)
            req.answer, req.answered_by, req.answered_at = text, actor, timezone.now()
            req.save(update_fields=["answer", "answered_by", "answered_at"])
            docs = _store(app, req, actor, DocumentKind.CERTIFIED_CERTIFICATE, files, stored)
            _end_pause(_open_pause(req), actor, today)
            _bump(app)
            audit.record(actor=actor, action="request.certification_answer", obj=app,
                         after={"request": req.pk, "documents": _documents_after(docs), "version": app.version})
            clock_services.refresh(app, today)
            _tell_officer(app, req, f"case-request:{req.pk}:answered",
                          text or "已上传经政府证明的最终用户证明文件 / The certified certificate is uploaded.")
            timeline.tell_exporter(app, "certification_answered", key=f"request:{req.pk}:answered")
    except BaseException:
        _discard(stored)
        raise
    return req


@transaction.atomic
def certification_withdraw(*, application_id, request_id, actor, reason: str = "", expected_version=None,
                           today: date | None = None) -> CaseRequest:
    """The ministry no longer requires the certification; the clock runs again."""
    app = lock_case(application_id, actor)
    _require(actor, MINISTRY_ROLES, _("Only the ministry withdraws its request for government certification."))
    today = today or timezone.localdate()
    req = _request_of(app, request_id, RequestKind.CERTIFICATION)
    reason = _text(reason, "reason", limit=NOTE_MAX_CHARS, required=False)
    if req.withdrawn_at is not None:
        return req
    if req.answered_at is not None:
        raise InvalidTransition(_("The exporter has already given the certified certificate."))
    _check_version(app, expected_version)
    req.withdrawn_at = timezone.now()
    req.save(update_fields=["withdrawn_at"])
    _end_pause(_open_pause(req), actor, today)
    _bump(app)
    audit.record(actor=actor, action="request.certification_withdraw", obj=app,
                 after={"request": req.pk, "reason": reason, "version": app.version})
    clock_services.refresh(app, today)
    _tell_exporter(app, req, f"case-request:{req.pk}:withdrawn", f"案件 {app.reference} 政府证明要求已撤回",
                   f"Case {app.reference}: government certification no longer required",
                   reason or "无需再提供 / Nothing more is needed.")
    return req
