"""The ministry asks, the exporter answers; the officer stops and restarts the decision clock.

- Corrections (补正): before acceptance, ONE request listing everything missing, with a date to
  answer by; the answer (text and PDFs) brings the case back and the 5 working days to accept
  run again from it.
- Requests for information (RFI): after acceptance, at any time until the decision; the clock
  stops while one is open (Reg. 17) and restarts when it is answered or withdrawn.
- Pauses the officer starts and ends: item identification (鉴别), expert consultation, on-site
  checks; and the no-limit stops (a watch-listed party, Reg. 26; the State Council).

Each function runs in one transaction: lock the case, check role, input, state and version,
change, bump the case's version, write the audit event, recompute the clock, notify. A repeated
call (double click, retried request) returns the row the first one made and changes nothing.
"""

import hashlib
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, User
from audit import services as audit
from licensing.applications import timeline
from licensing.applications.selectors import case_url, exporter_people
from licensing.clock import services as clock_services
from licensing.models import (
    NO_LIMIT_KINDS,
    OPEN_REVIEW_STATES,
    Application,
    CaseRequest,
    ClockPause,
    Document,
    DocumentKind,
    PauseKind,
    RequestKind,
    Status,
)
from licensing.workflow import lock_case, transition
from notifications.services import notify
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)
from portal.pdf import read_pdf_upload
from portal.text import clean_text

MAX_CORRECTION_ITEMS = 30
ITEM_MAX_CHARS = 500
REQUEST_TEXT_MAX_CHARS = 5000  # CaseRequest.text
ANSWER_MAX_CHARS = 10000  # CaseRequest.answer
NOTE_MAX_CHARS = 2000  # ClockPause.note
MAX_ANSWER_DOCUMENTS = 5
RESPOND_WITHIN_DAYS = 366  # a respond-by date further out is a typing error
# The stops an officer starts and ends by hand; the others follow a request's answer.
OFFICER_PAUSE_KINDS = (PauseKind.IDENTIFICATION, PauseKind.EXPERT, PauseKind.ONSITE,
                       PauseKind.WATCH_LIST, PauseKind.STATE_COUNCIL)


# ---------------------------------------------------------------- input checks


_text = clean_text


def _items(items) -> list[str]:
    if isinstance(items, str) or not isinstance(items, list | tuple):
        raise ValidationFailed(fields={"items": [_("List what is missing, one item per line.")]})
    lines = []
    for item in items:
        line = _text(item, "items", limit=ITEM_MAX_CHARS, required=False)
        if line:
            lines.append(line)
    if not lines:
        message = _("List what is missing, one item per line.")
        raise ValidationFailed(message, fields={"items": [message]})
    if len(lines) > MAX_CORRECTION_ITEMS:
        message = lazy_format(_("At most %(n)s items: a request for corrections lists everything "
                                "missing at once, so group related points."), n=MAX_CORRECTION_ITEMS)
        raise ValidationFailed(message, fields={"items": [message]})
    if len("\n".join(lines)) > REQUEST_TEXT_MAX_CHARS:
        message = lazy_format(_("The items come to more than %(n)s characters; shorten them."),
                              n=REQUEST_TEXT_MAX_CHARS)
        raise ValidationFailed(message, fields={"items": [message]})
    return lines


def _respond_by(value, today: date, *, required: bool) -> date | None:
    if value is None and not required:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        message = _("Give the date to answer by (YYYY-MM-DD).")
        raise ValidationFailed(message, fields={"respond_by": [message]})
    if value <= today:
        message = _("The date to answer by must be in the future.")
        raise ValidationFailed(message, fields={"respond_by": [message]})
    if value > today + timedelta(days=RESPOND_WITHIN_DAYS):
        message = _("The date to answer by must be within a year.")
        raise ValidationFailed(message, fields={"respond_by": [message]})
    return value


def _read_uploads(uploads) -> list[tuple[bytes, str]]:
    """Check every file before anything is stored: one bad file refuses them all."""
    uploads = [u for u in (uploads or ()) if u is not None]
    if len(uploads) > MAX_ANSWER_DOCUMENTS:
        message = lazy_format(_("Attach at most %(n)s documents."), n=MAX_ANSWER_DOCUMENTS)
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


def _store(app, req, actor, kind, files, stored: list) -> list[Document]:
    docs = []
    for content, name in files:
        doc = Document(application=app, kind=kind, original_name=name, size=len(content),
                       sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor, request=req)
        doc.file.save("upload.pdf", ContentFile(content), save=False)
        stored.append(doc.file.name)
        doc.save()
        docs.append(doc)
    return docs


def _discard(names) -> None:
    for name in names:
        default_storage.delete(name)


# ---------------------------------------------------------------- helpers


def _require(actor, roles, message) -> None:
    if actor.role not in roles:
        raise NotAllowed(message)


def _check_version(app: Application, expected_version) -> None:
    if expected_version is not None and int(expected_version) != app.version:
        raise StaleVersion()


def _bump(app: Application) -> None:
    app.version += 1
    app.save(update_fields=["version", "updated_at"])


def _request_of(app: Application, request_id, kind) -> CaseRequest:
    try:
        return app.requests.select_for_update().get(pk=int(request_id), kind=kind)
    except (CaseRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def _open_pause(req: CaseRequest) -> ClockPause | None:
    return ClockPause.objects.select_for_update().filter(request=req, ended_on__isnull=True).first()


def _end_pause(pause: ClockPause | None, actor, today: date) -> None:
    if pause is None:
        return
    pause.ended_on = max(today, pause.started_on)
    pause.ended_by = actor
    pause.ended_at = timezone.now()
    pause.save(update_fields=["ended_on", "ended_by", "ended_at"])


def _start_pause(app, actor, kind, today: date, *, note: str = "", req=None) -> ClockPause:
    try:
        with transaction.atomic():  # the open-pause constraint backs the check made under the lock
            return ClockPause.objects.create(application=app, kind=kind, note=note, request=req,
                                             started_on=today, started_by=actor)
    except IntegrityError:
        raise InvalidTransition(lazy_format(_("The clock is already stopped for “%(kind)s”."),
                                            kind=PauseKind(kind).label)) from None




def officer_recipients(app: Application, req: CaseRequest) -> list[User]:
    """The officer handling the case, else the officer who asked."""
    for user in (app.assigned_to, req.asked_by):
        if user is not None and user.is_active and user.role in MINISTRY_ROLES:
            return [user]
    return []


def _tell_exporter(app, req, key: str, title_zh: str, title_en: str, body: str) -> None:
    notify(recipients=exporter_people(app), key=key, kind=f"request.{req.kind}",
           title_zh=title_zh, title_en=title_en, body_zh=body, body_en=body, url=case_url(app),
           application_id=app.pk)


def _tell_officer(app, req, key: str, body: str) -> None:
    notify(recipients=officer_recipients(app, req), key=key, kind="request.answer",
           title_zh=f"案件 {app.reference} 出口经营者已答复", title_en=f"Case {app.reference}: the exporter answered",
           body_zh=body, body_en=body, url=case_url(app), application_id=app.pk)


def _documents_after(docs) -> list[dict]:
    return [{"document": d.pk, "name": d.original_name, "sha256": d.sha256, "size": d.size} for d in docs]


# ---------------------------------------------------------------- corrections (补正)


@transaction.atomic
def corrections_request(*, application_id, actor, items: list[str], respond_by: date, note: str = "",
                        expected_version=None, today: date | None = None) -> CaseRequest:
    """Ask the exporter, once, for everything missing before the case can be accepted."""
    app = lock_case(application_id, actor)
    _require(actor, MINISTRY_ROLES, _("Only the ministry asks for corrections."))
    today = today or timezone.localdate()
    lines = _items(items)
    respond_by = _respond_by(respond_by, today, required=True)
    note = _text(note, "note", limit=NOTE_MAX_CHARS, required=False)
    earlier = app.requests.filter(kind=RequestKind.CORRECTION).order_by("-pk").first()
    if earlier is not None:
        if (earlier.is_open and app.status == Status.CORRECTING and earlier.asked_by_id == actor.pk
                and earlier.items == lines and earlier.respond_by == respond_by):
            return earlier  # the same request again: a double click
        raise InvalidTransition(lazy_format(
            _("Corrections are asked for once only (“ask once”): list everything missing in one "
              "request. This case had its request on %(date)s."),
            date=timezone.localdate(earlier.asked_at).isoformat()), code="corrections_asked_once")
    if app.corrections_requested_at is not None:
        raise InvalidTransition(_("Corrections are asked for once only (“ask once”)."),
                                code="corrections_asked_once")
    now = timezone.now()
    transition(app, actor, "request_corrections", expected_version,
               audit_extra={"items": lines, "respond_by": respond_by.isoformat(), "note": note},
               corrections_requested_at=now)
    req = CaseRequest.objects.create(application=app, kind=RequestKind.CORRECTION, text="\n".join(lines),
                                     items=lines, respond_by=respond_by, asked_by=actor)
    _start_pause(app, actor, PauseKind.CORRECTION, today, note=note, req=req)
    clock_services.refresh(app, today)
    body = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    body += f"\n\n请于 {respond_by.isoformat()} 前答复 / Answer by {respond_by.isoformat()}"
    if note:
        body += f"\n\n{note}"
    _tell_exporter(app, req, f"case-request:{req.pk}:asked", f"案件 {app.reference} 需要补正材料",
                   f"Case {app.reference}: corrections requested", body)
    return req


def corrections_answer(*, application_id, actor, answer: str, uploads=(), expected_version=None,
                       today: date | None = None) -> CaseRequest:
    """The exporter answers the request for corrections; the case is back with the ministry and
    the 5 working days to accept it run again from today."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            app = lock_case(application_id, actor)
            _require(actor, EXPORTER_ROLES, _("Only the exporter answers a request for corrections."))
            today = today or timezone.localdate()
            text = _text(answer, "answer", limit=ANSWER_MAX_CHARS)
            req = (app.requests.select_for_update().filter(kind=RequestKind.CORRECTION)
                   .order_by("-pk").first())
            if req is None:
                raise InvalidTransition(_("The ministry has not asked for corrections on this case."))
            if not req.is_open:
                if req.answered_by_id == actor.pk and req.answer == text and app.status != Status.CORRECTING:
                    return req  # the same answer again
                raise InvalidTransition(_("This request for corrections has already been answered."))
            files = _read_uploads(uploads)
            now = timezone.now()
            transition(app, actor, "answer_corrections", expected_version,
                       audit_extra={"request": req.pk, "documents": len(files)})
            req.answer, req.answered_by, req.answered_at = text, actor, now
            req.save(update_fields=["answer", "answered_by", "answered_at"])
            docs = _store(app, req, actor, DocumentKind.CORRECTION, files, stored)
            if docs:
                audit.record(actor=actor, action="document.add", obj=app,
                             after={"request": req.pk, "documents": _documents_after(docs)})
            _end_pause(_open_pause(req), actor, today)
            clock_services.refresh(app, today)
            _tell_officer(app, req, f"case-request:{req.pk}:answered", text)
            timeline.tell_exporter(app, "corrections_answered", key=f"request:{req.pk}:answered")
    except BaseException:
        _discard(stored)
        raise
    return req


# ---------------------------------------------------------------- requests for information


@transaction.atomic
def rfi_ask(*, application_id, actor, question: str, respond_by: date | None = None, expected_version=None,
            today: date | None = None) -> CaseRequest:
    """Ask the exporter a question after acceptance; the decision clock stops until the answer
    (Reg. 17: time waiting for the exporter is not counted)."""
    app = lock_case(application_id, actor)
    _require(actor, MINISTRY_ROLES, _("Only the ministry asks the exporter for information."))
    today = today or timezone.localdate()
    text = _text(question, "question", limit=REQUEST_TEXT_MAX_CHARS)
    respond_by = _respond_by(respond_by, today, required=False)
    pending = app.requests.filter(kind=RequestKind.RFI, answered_at__isnull=True, withdrawn_at__isnull=True).first()
    if pending is not None:
        if pending.asked_by_id == actor.pk and pending.text == text and pending.respond_by == respond_by:
            return pending  # the same question again: a double click
        raise InvalidTransition(_("A request for information is already open on this case: wait for "
                                  "the answer, or withdraw it, before asking another."))
    if app.status not in OPEN_REVIEW_STATES:
        raise InvalidTransition(lazy_format(
            _("This case is “%(status)s”: requests for information are sent once the case is accepted "
              "and until it is decided."), status=Status(app.status).label))
    _check_version(app, expected_version)
    return raise_request(app, actor, kind=RequestKind.RFI, pause_kind=PauseKind.RFI, text=text, text_key="question",
                         respond_by=respond_by, today=today, action="request.rfi",
                         title_zh=f"案件 {app.reference} 商务部要求补充信息",
                         title_en=f"Case {app.reference}: the ministry asks for information")


def raise_request(app, actor, *, kind, pause_kind, text: str, text_key: str, respond_by, today: date, action: str,
                  title_zh: str, title_en: str) -> CaseRequest:
    """A request the exporter answers after acceptance (an RFI, government certification): the
    row, the clock stopped meanwhile (Reg. 17), the audit event and the exporter told. The caller
    has locked the case and checked role, state and version."""
    req = CaseRequest.objects.create(application=app, kind=kind, text=text, respond_by=respond_by, asked_by=actor)
    pause = _start_pause(app, actor, pause_kind, today, req=req)
    _bump(app)
    audit.record(actor=actor, action=action, obj=app,
                 after={"request": req.pk, "pause": pause.pk, text_key: text, "version": app.version,
                        "respond_by": respond_by.isoformat() if respond_by else None})
    clock_services.refresh(app, today)
    body = text + (f"\n\n请于 {respond_by.isoformat()} 前答复 / Answer by {respond_by.isoformat()}"
                   if respond_by else "")
    _tell_exporter(app, req, f"case-request:{req.pk}:asked", title_zh, title_en, body)
    return req


def rfi_answer(*, application_id, request_id, actor, answer: str, uploads=(), expected_version=None,
               today: date | None = None) -> CaseRequest:
    """The exporter answers an RFI with text and up to 5 PDFs; the decision clock runs again."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            app = lock_case(application_id, actor)
            _require(actor, EXPORTER_ROLES, _("Only the exporter answers a request for information."))
            today = today or timezone.localdate()
            req = _request_of(app, request_id, RequestKind.RFI)
            text = _text(answer, "answer", limit=ANSWER_MAX_CHARS)
            if not req.is_open:
                if req.answered_by_id == actor.pk and req.answer == text:
                    return req  # the same answer again
                raise InvalidTransition(_("This request for information has already been answered or "
                                          "withdrawn."))
            files = _read_uploads(uploads)
            _check_version(app, expected_version)
            req.answer, req.answered_by, req.answered_at = text, actor, timezone.now()
            req.save(update_fields=["answer", "answered_by", "answered_at"])
            docs = _store(app, req, actor, DocumentKind.RFI_ANSWER, files, stored)
            _end_pause(_open_pause(req), actor, today)
            _bump(app)
            audit.record(actor=actor, action="request.answer", obj=app,
                         after={"request": req.pk, "documents": _documents_after(docs), "version": app.version})
            clock_services.refresh(app, today)
            _tell_officer(app, req, f"case-request:{req.pk}:answered", text)
            timeline.tell_exporter(app, "question_answered", key=f"request:{req.pk}:answered")
    except BaseException:
        _discard(stored)
        raise
    return req


@transaction.atomic
def rfi_withdraw(*, application_id, request_id, actor, reason: str = "", expected_version=None,
                 today: date | None = None) -> CaseRequest:
    """The officer no longer needs the answer; the decision clock runs again."""
    app = lock_case(application_id, actor)
    _require(actor, MINISTRY_ROLES, _("Only the ministry withdraws its request for information."))
    today = today or timezone.localdate()
    req = _request_of(app, request_id, RequestKind.RFI)
    reason = _text(reason, "reason", limit=NOTE_MAX_CHARS, required=False)
    if req.withdrawn_at is not None:
        return req  # withdrawn already: nothing more to do
    if req.answered_at is not None:
        raise InvalidTransition(_("The exporter has already answered this request for information."))
    _check_version(app, expected_version)
    req.withdrawn_at = timezone.now()
    req.save(update_fields=["withdrawn_at"])
    _end_pause(_open_pause(req), actor, today)
    _bump(app)
    audit.record(actor=actor, action="request.withdraw", obj=app,
                 after={"request": req.pk, "reason": reason, "version": app.version})
    clock_services.refresh(app, today)
    _tell_exporter(app, req, f"case-request:{req.pk}:withdrawn", f"案件 {app.reference} 补充信息要求已撤回",
                   f"Case {app.reference}: request for information withdrawn",
                   reason or "无需再答复 / No answer is needed any more.")
    return req


# ---------------------------------------------------------------- pauses started by the officer or the portal


def watch_list_stop(app: Application, *, today: date, hits: list) -> ClockPause | None:
    """A party of the case is on the Watch List (Reg. 26): the 45-working-day limit does not apply.
    The portal starts this stop itself, on a case locked by the caller; once, however often called."""
    if not hits or app.status not in OPEN_REVIEW_STATES:
        return None
    if app.pauses.filter(kind=PauseKind.WATCH_LIST, ended_on__isnull=True).exists():
        return None
    names = ", ".join(sorted({hit.party_name for hit in hits}))
    pause = _start_pause(app, None, PauseKind.WATCH_LIST, today, note=f"Watch List: {names}"[:NOTE_MAX_CHARS])
    audit.record(actor=None, action="clock.pause", obj=app,
                 after={"pause": pause.pk, "kind": PauseKind.WATCH_LIST, "started_on": today.isoformat(),
                        "no_limit": True, "hits": [hit.pk for hit in hits]})
    clock_services.refresh(app, today)
    return pause


@transaction.atomic
def pause_start(*, application_id, actor, kind: str, note: str = "", expected_version=None,
                today: date | None = None) -> ClockPause:
    """Stop the decision clock for identification, expert consultation or an on-site check, or
    lift the limit while a party is watch-listed or the State Council decides (Reg. 17)."""
    app = lock_case(application_id, actor)
    _require(actor, MINISTRY_ROLES, _("Only the ministry stops the decision clock."))
    today = today or timezone.localdate()
    if kind not in OFFICER_PAUSE_KINDS:
        message = lazy_format(_("Choose one of: %(kinds)s."), kinds=", ".join(OFFICER_PAUSE_KINDS))
        raise ValidationFailed(message, fields={"kind": [message]})
    note = _text(note, "note", limit=NOTE_MAX_CHARS, required=False)
    current = app.pauses.filter(kind=kind, ended_on__isnull=True).first()
    if current is not None:
        if current.started_by_id == actor.pk and current.note == note:
            return current  # the same stop again: a double click
        raise InvalidTransition(lazy_format(_("The clock is already stopped for “%(kind)s” since %(date)s."),
                                            kind=PauseKind(kind).label, date=current.started_on.isoformat()))
    if app.status not in OPEN_REVIEW_STATES:
        raise InvalidTransition(lazy_format(
            _("This case is “%(status)s”: the decision clock can be stopped only between acceptance "
              "and the decision."), status=Status(app.status).label))
    _check_version(app, expected_version)
    pause = _start_pause(app, actor, kind, today, note=note)
    _bump(app)
    audit.record(actor=actor, action="clock.pause", obj=app,
                 after={"pause": pause.pk, "kind": kind, "note": note, "started_on": today.isoformat(),
                        "no_limit": kind in NO_LIMIT_KINDS, "version": app.version})
    clock_services.refresh(app, today)
    return pause


@transaction.atomic
def pause_end(*, application_id, pause_id, actor, expected_version=None, today: date | None = None) -> ClockPause:
    """Restart the decision clock stopped by pause_start; today is not counted as stopped."""
    app = lock_case(application_id, actor)
    _require(actor, MINISTRY_ROLES, _("Only the ministry restarts the decision clock."))
    today = today or timezone.localdate()
    try:
        pause = app.pauses.select_for_update().get(pk=int(pause_id))
    except (ClockPause.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    if pause.kind not in OFFICER_PAUSE_KINDS:
        raise InvalidTransition(_("This stop ends when the exporter answers the request, or when the "
                                  "request is withdrawn."))
    if pause.ended_on is not None:
        if pause.ended_by_id == actor.pk:
            return pause  # ended already by this officer: a double click
        raise InvalidTransition(lazy_format(_("This stop of the clock already ended on %(date)s."),
                                            date=pause.ended_on.isoformat()))
    _check_version(app, expected_version)
    _end_pause(pause, actor, today)
    _bump(app)
    audit.record(actor=actor, action="clock.resume", obj=app,
                 after={"pause": pause.pk, "kind": pause.kind, "started_on": pause.started_on.isoformat(),
                        "ended_on": pause.ended_on.isoformat(), "version": app.version})
    clock_services.refresh(app, today)
    return pause


# ---------------------------------------------------------------- reads


def visible_case(user, application_id) -> Application:
    """The case if `user` sees it (404 otherwise), for the panel, the pages and the API."""
    try:
        return Application.objects.visible_to(user).get(pk=int(application_id))
    except (Application.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def case_requests(app: Application) -> list[CaseRequest]:
    return list(app.requests.select_related("asked_by", "answered_by").prefetch_related("documents")
                .order_by("asked_at", "pk"))


def can_request_corrections(app: Application, user) -> bool:
    return (user.role in MINISTRY_ROLES and app.status == Status.FORWARDED
            and app.corrections_requested_at is None)


def can_ask_rfi(app: Application, user, requests=None) -> bool:
    requests = case_requests(app) if requests is None else requests
    return (user.role in MINISTRY_ROLES and app.status in OPEN_REVIEW_STATES
            and not any(r.kind == RequestKind.RFI and r.is_open for r in requests))


def can_pause(app: Application, user) -> bool:
    return user.role in MINISTRY_ROLES and app.status in OPEN_REVIEW_STATES
