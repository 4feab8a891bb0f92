"""Classification questions (咨询, Reg. 14): an exporter unsure whether an item is controlled asks
the ministry, which asks for more information or answers with a code or "not controlled". Each
transition locks the question, checks role, state and version, adds a message to the thread and
writes the audit event in one transaction; emails go through the outbox.

Also the read that offers an answer again when the exporter later describes a similar item."""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, User, Verification
from audit import services as audit
from controllist.codes import parse_control_code
from controllist.models import (
    ClassificationDocument,
    ClassificationMessage,
    ClassificationQuestion,
    Entry,
    MessageKind,
    QuestionStatus,
    TemporaryControl,
    TemporaryControlState,
)
from controllist.selectors import version_in_force
from outbox.services import enqueue
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

# Field limits of a question (the model's); the API serializers show the same numbers.
QUESTION_FIELDS = {
    "item_name": 300,
    "item_model": 200,
    "specifications": 5000,
    "intended_uses": 3000,
    "reason_for_doubt": 3000,
    "suggested_code": 32,
}
REQUIRED_FIELDS = ("item_name", "specifications", "intended_uses", "reason_for_doubt")
MESSAGE_LIMIT = 5000
MAX_DOCUMENTS_PER_MESSAGE = 5
MAX_DOCUMENTS_PER_QUESTION = 20
SUGGESTION_THRESHOLD = 85
# Only the most recent answers are compared with a description: enough for any real exporter,
# and it keeps the fuzzy comparison bounded.
SUGGESTION_CANDIDATES = 500


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    roles: frozenset
    message_kind: str


def _t(sources, target, roles, kind):
    return Transition(frozenset(sources), target, frozenset(roles), kind)


S = QuestionStatus
TRANSITIONS = {
    # action:          from                          to                 who             message
    "request_info": _t({S.OPEN},                     S.INFO_REQUESTED,  MINISTRY_ROLES, MessageKind.INFO_REQUEST),
    "reply":        _t({S.INFO_REQUESTED, S.OPEN},   S.OPEN,            EXPORTER_ROLES, MessageKind.REPLY),
    "answer":       _t({S.OPEN, S.INFO_REQUESTED},   S.ANSWERED,        MINISTRY_ROLES, MessageKind.ANSWER),
    "withdraw":     _t({S.OPEN, S.INFO_REQUESTED},   S.WITHDRAWN,       EXPORTER_ROLES, MessageKind.WITHDRAWAL),
}  # fmt: skip

ACTION_LABELS = {
    "request_info": _("sent back with a request for information"),
    "reply": _("replied to"),
    "answer": _("answered"),
    "withdraw": _("withdrawn"),
}


def allowed_actions(question: ClassificationQuestion, user) -> list[str]:
    return [name for name, rule in TRANSITIONS.items()
            if question.status in rule.sources and user.role in rule.roles]


def waiting_for(question: ClassificationQuestion) -> str:
    """Whose turn it is: "ministry", "exporter", or "" once the thread is closed."""
    return {S.OPEN: "ministry", S.INFO_REQUESTED: "exporter"}.get(question.status, "")


# ---------------------------------------------------------------- input checks


_text = clean_text


def _clean_question(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed()
    unknown = set(data) - set(QUESTION_FIELDS)
    if unknown:
        raise ValidationFailed(lazy_format(_("Unknown fields: %(fields)s."), fields=sorted(map(str, unknown))))
    cleaned, errors = {}, {}
    for field, limit in QUESTION_FIELDS.items():
        try:
            cleaned[field] = _text(data.get(field), field, limit=limit, required=field in REQUIRED_FIELDS)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if cleaned.get("suggested_code"):
        try:
            cleaned["suggested_code"] = parse_control_code(cleaned["suggested_code"]).code
        except ValidationFailed as exc:
            errors["suggested_code"] = [exc.message]
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


def _read_documents(uploads, *, already: int = 0) -> list[tuple[bytes, str]]:
    """Check every upload before anything is stored: one bad file refuses them all."""
    uploads = [u for u in (uploads or ()) if u is not None]
    if len(uploads) > MAX_DOCUMENTS_PER_MESSAGE or already + len(uploads) > MAX_DOCUMENTS_PER_QUESTION:
        limit = min(MAX_DOCUMENTS_PER_MESSAGE, MAX_DOCUMENTS_PER_QUESTION - already)
        message = lazy_format(_("Attach at most %(n)s documents here."), n=max(limit, 0))
        raise ValidationFailed(message, code="too_many_documents", fields={"documents": [message]})
    files = []
    for upload in uploads:
        try:
            files.append(read_pdf_upload(upload))
        except ValidationFailed as exc:
            name = getattr(upload, "name", "") or ""
            message = lazy_format(_("%(name)s: %(problem)s"), name=name[:100], problem=exc.message)
            raise ValidationFailed(message, code=exc.code, fields={"documents": [message]}) from None
    return files


def _store_documents(question, actor, files, stored: list) -> list[ClassificationDocument]:
    """Save the checked files; `stored` collects the storage names so the caller can remove them
    when the transaction does not commit."""
    docs = []
    for content, name in files:
        doc = ClassificationDocument(question=question, original_name=name, size=len(content),
                                     sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
        doc.file.save("upload.pdf", ContentFile(content), save=False)
        stored.append(doc.file.name)
        doc.save()
        docs.append(doc)
    return docs


def _delete_files(names) -> None:
    for name in names:
        default_storage.delete(name)


def _documents_after(docs) -> list[dict]:
    return [{"document": d.pk, "name": d.original_name, "sha256": d.sha256, "size": d.size} for d in docs]


# ---------------------------------------------------------------- emails


def _link(question) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("controllist-question", args=[question.pk])


def _one_line(text: str) -> str:
    return " ".join((text or "").split())[:120]  # no line breaks in a mail header


def _email(to, subject: str, body: str) -> None:
    recipients = sorted({address for address in to if address})
    if recipients:
        enqueue("outbox.send_email", to=recipients, subject=subject, body=body)


def _ministry_addresses() -> list[str]:
    return list(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True).exclude(email="")
                .values_list("email", flat=True))


def _exporter_addresses(question) -> list[str]:
    """The asker while active in the asking company, else that company's active exporter users:
    someone who has left must not keep receiving the company's classification answers."""
    asker = question.asked_by
    if asker.is_active and asker.organisation_id == question.exporter_id and asker.role in EXPORTER_ROLES:
        return [asker.email]
    return list(User.objects.filter(organisation_id=question.exporter_id, role__in=EXPORTER_ROLES,
                                    is_active=True).exclude(email="").values_list("email", flat=True))


def _officer_addresses(officer) -> list[str]:
    """The officer who asked for the information while active, else every active officer."""
    if officer.is_active and officer.role in MINISTRY_ROLES:
        return [officer.email]
    return _ministry_addresses()


# ---------------------------------------------------------------- transitions


def _lock(question_id, actor) -> ClassificationQuestion:
    if actor.role not in EXPORTER_ROLES | MINISTRY_ROLES:
        raise NotAllowed()
    try:
        return (ClassificationQuestion.objects.visible_to(actor).select_for_update(of=("self",))
                .select_related("exporter", "asked_by").get(pk=question_id))
    except (ClassificationQuestion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _state(question) -> dict:
    return {"status": question.status, "version": question.version}


def _is_replay(question, actor, action, body, same_outcome=True) -> bool:
    """The same person sending the same message again (a double click, a retried request) after
    it already produced the current state: answer with the result and change nothing."""
    if question.status != TRANSITIONS[action].target or not same_outcome:
        return False
    last = question.messages.order_by("-created_at", "-pk").first()
    return (last is not None and last.kind == TRANSITIONS[action].message_kind
            and last.author_id == actor.pk and last.body == body)


def _check_version(question, expected_version) -> None:
    if expected_version is not None and int(expected_version) != question.version:
        raise StaleVersion(_("Someone changed this question after you opened it. Reload the page "
                             "and try again."))


def _check_transition(question, actor, action, expected_version) -> None:
    rule = TRANSITIONS[action]
    if question.status not in rule.sources:
        raise InvalidTransition(lazy_format(
            _("This question is “%(status)s”; it cannot be %(action)s now."),
            status=QuestionStatus(question.status).label, action=ACTION_LABELS[action]))
    _check_version(question, expected_version)


def _apply(question, actor, action, body, **changes) -> ClassificationMessage:
    before = _state(question)
    for field, value in changes.items():
        setattr(question, field, value)
    question.status = TRANSITIONS[action].target
    question.version += 1
    question.save()
    message = ClassificationMessage.objects.create(question=question, author=actor,
                                                   kind=TRANSITIONS[action].message_kind, body=body)
    audit.record(actor=actor, action=f"classification_question.{action}", obj=question, before=before,
                 after={**_state(question), "message": message.pk,
                        **{k: getattr(v, "pk", v) for k, v in changes.items()}})
    return message


def question_ask(*, actor, data: dict, documents=(), client_token=None) -> tuple[ClassificationQuestion, bool]:
    """File a question (Reg. 14). The same client_token returns the question already filed
    (created=False) and stores nothing new."""
    if actor.role not in EXPORTER_ROLES:
        raise NotAllowed(_("Only exporters file classification questions."))
    if actor.organisation.verification != Verification.VERIFIED:
        raise ValidationFailed(_("Your company's registration has not yet been verified by the "
                                 "provincial department."), code="not_verified")
    cleaned = _clean_question(data)
    if client_token is not None:
        existing = ClassificationQuestion.objects.filter(exporter_id=actor.organisation_id,
                                                         client_token=client_token).first()
        if existing:
            return existing, False
    files = _read_documents(documents)
    stored = []
    try:
        with transaction.atomic():
            question = ClassificationQuestion.objects.create(
                exporter=actor.organisation, asked_by=actor, client_token=client_token, **cleaned)
            question.reference = f"ZX{timezone.localdate(question.created_at).year}-{question.pk:06d}"
            question.save(update_fields=["reference"])
            message = ClassificationMessage.objects.create(question=question, author=actor,
                                                           kind=MessageKind.QUESTION,
                                                           body=cleaned["reason_for_doubt"])
            docs = _store_documents(question, actor, files, stored)
            audit.record(actor=actor, action="classification_question.ask", obj=question,
                         after={**_state(question), **cleaned, "reference": question.reference,
                                "message": message.pk, "documents": _documents_after(docs)})
            _email(_ministry_addresses(),
                   f"{question.reference} 两用物项分类咨询 / Classification question: {_one_line(question.item_name)}",
                   f"{actor.organisation.name_zh} 提交了分类咨询（《两用物项出口管制条例》第十四条）：\n"
                   f"{actor.organisation.name_en or actor.organisation.name_zh} asked whether an item is "
                   f"controlled (Reg. 14):\n\n{question.item_name} {question.item_model}\n\n{_link(question)}")
    except IntegrityError:
        _delete_files(stored)
        existing = ClassificationQuestion.objects.filter(exporter_id=actor.organisation_id,
                                                         client_token=client_token).first()
        if client_token is None or existing is None:
            raise
        return existing, False
    except BaseException:
        _delete_files(stored)
        raise
    return question, True


@transaction.atomic
def question_request_info(*, actor, question_id, message: str, expected_version) -> ClassificationQuestion:
    question = _lock(question_id, actor)
    if actor.role not in TRANSITIONS["request_info"].roles:
        raise NotAllowed(_("Only the ministry asks the exporter for information."))
    body = _text(message, "message", limit=MESSAGE_LIMIT)
    if _is_replay(question, actor, "request_info", body):
        return question
    _check_transition(question, actor, "request_info", expected_version)
    _apply(question, actor, "request_info", body)
    _email(_exporter_addresses(question),
           f"{question.reference} 需补充信息 / More information needed",
           f"商务部就您的分类咨询 {question.reference}（{question.item_name}）要求补充信息：\n"
           f"The ministry asks for more information on your classification question "
           f"{question.reference} ({question.item_name}):\n\n{body}\n\n{_link(question)}")
    return question


def question_reply(*, actor, question_id, message: str, documents=(), expected_version) -> ClassificationQuestion:
    stored = []
    try:
        with transaction.atomic():
            question = _lock(question_id, actor)
            if actor.role not in TRANSITIONS["reply"].roles:
                raise NotAllowed(_("Only the exporter that asked replies to its question."))
            body = _text(message, "message", limit=MESSAGE_LIMIT)
            if _is_replay(question, actor, "reply", body):
                return question
            _check_transition(question, actor, "reply", expected_version)
            files = _read_documents(documents, already=question.documents.count())
            requester = (question.messages.filter(kind=MessageKind.INFO_REQUEST)
                         .select_related("author").order_by("-created_at", "-pk").first())
            _apply(question, actor, "reply", body)
            docs = _store_documents(question, actor, files, stored)
            if docs:
                audit.record(actor=actor, action="classification_question.documents", obj=question,
                             after={"documents": _documents_after(docs)})
            if requester is not None:
                _email(_officer_addresses(requester.author),
                       f"{question.reference} 出口经营者已答复 / The exporter replied",
                       f"{question.exporter.name_zh} 已答复分类咨询 {question.reference}：\n"
                       f"{question.exporter.name_en or question.exporter.name_zh} replied on "
                       f"{question.reference}:\n\n{body}\n\n{_link(question)}")
    except BaseException:
        _delete_files(stored)
        raise
    return question


def _clean_answer(code, not_controlled, note) -> tuple[str, bool, str]:
    if not isinstance(not_controlled, bool):
        raise ValidationFailed(fields={"not_controlled": [_("Must be true or false.")]})
    code = _text(code, "code", limit=32, required=False)
    note = _text(note, "note", limit=MESSAGE_LIMIT)
    if bool(code) == not_controlled:
        message = _("Answer with either an export control code or “not controlled”: exactly one of them.")
        raise ValidationFailed(message, code="code_or_not_controlled",
                               fields={"code": [message], "not_controlled": [message]})
    if not code:
        return "", True, note
    try:
        code = parse_control_code(code).code
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, fields={"code": [exc.message]}) from None
    if not code_in_force(code):
        version = version_in_force()
        message = lazy_format(
            _("%(code)s is neither an entry of the control list in force (%(version)s) nor the code of "
              "a temporary control in force."), code=code, version=version.label if version else "—")
        raise ValidationFailed(message, code="unknown_code", fields={"code": [message]})
    return code, False, note


def code_in_force(code: str, on=None) -> bool:
    """A code the ministry may answer with today: an entry of the list version in force, or the
    code of a temporary control (Law 9, Reg. 12) in force."""
    on = on or timezone.localdate()
    version = version_in_force(on)
    if version is not None and Entry.objects.filter(version=version, code=code).exists():
        return True
    return TemporaryControl.objects.filter(control_code=code, state=TemporaryControlState.ACTIVE,
                                           starts_on__lte=on, ends_on__gte=on).exists()


@transaction.atomic
def question_answer(*, actor, question_id, code: str = "", not_controlled: bool = False, note: str,
                    expected_version) -> ClassificationQuestion:
    question = _lock(question_id, actor)
    if actor.role not in TRANSITIONS["answer"].roles:
        raise NotAllowed(_("Only the ministry answers classification questions."))
    code, not_controlled, note = _clean_answer(code, not_controlled, note)
    same = question.answer_code == code and question.answer_not_controlled == not_controlled
    if _is_replay(question, actor, "answer", note, same_outcome=same):
        return question
    _check_transition(question, actor, "answer", expected_version)
    _apply(question, actor, "answer", note, answer_code=code, answer_not_controlled=not_controlled,
           answer_note=note, answer_list_version=version_in_force(), answered_by=actor,
           answered_at=timezone.now())
    outcome = (f"{code}" if code else "不属于管制物项 / not controlled")
    _email(_exporter_addresses(question),
           f"{question.reference} 分类咨询已答复 / Classification answered: {outcome}",
           f"商务部已答复您的分类咨询 {question.reference}（{question.item_name}）：{outcome}\n"
           f"The ministry answered your classification question {question.reference} "
           f"({question.item_name}): {outcome}\n\n{note}\n\n{_link(question)}")
    return question


@transaction.atomic
def question_withdraw(*, actor, question_id, reason: str, expected_version=None) -> ClassificationQuestion:
    question = _lock(question_id, actor)
    if actor.role not in TRANSITIONS["withdraw"].roles:
        raise NotAllowed(_("Only the exporter that asked withdraws its question."))
    body = _text(reason, "reason", limit=MESSAGE_LIMIT)
    if _is_replay(question, actor, "withdraw", body):
        return question
    _check_transition(question, actor, "withdraw", expected_version)
    _apply(question, actor, "withdraw", body)
    return question


# ---------------------------------------------------------------- reads


def visible_questions(user):
    return ClassificationQuestion.objects.visible_to(user).select_related("exporter", "asked_by")


def visible_question(user, pk) -> ClassificationQuestion:
    if user.role not in EXPORTER_ROLES | MINISTRY_ROLES:
        raise NotAllowed()
    question = (visible_questions(user).select_related("answer_list_version", "answered_by")
                .prefetch_related("messages__author__organisation", "documents").filter(pk=pk).first())
    if question is None:
        raise NotFound()
    return question


def author_label(author, viewer) -> str:
    """Who wrote a message, as the viewer may see it: names within one's own side, the
    organisation and role across sides."""
    same_side = (author.organisation_id == viewer.organisation_id
                 or (author.role in MINISTRY_ROLES and viewer.role in MINISTRY_ROLES))
    if same_side:
        return f"{author.get_full_name() or author.username} · {author.get_role_display()}"
    if author.role in MINISTRY_ROLES:
        return str(_("Ministry of Commerce"))
    return f"{author.organisation.name_zh} · {author.get_role_display()}"


@dataclass(frozen=True)
class Suggestion:
    question_id: int
    reference: str
    item_name: str
    item_model: str
    answer_code: str
    not_controlled: bool
    note: str
    answered_on: date
    # None for a "not controlled" answer; False when the list in force no longer has the code.
    code_in_force: bool | None
    # The list in force is not the one the answer was given against: the answer may be outdated.
    list_changed: bool
    score: float


def _prepare(text: str) -> str:
    return default_process((text or "").casefold())


def _score(description: str, name: str, model: str) -> float:
    if name and name in description:
        return 100.0
    scores = [fuzz.token_set_ratio(description, name)]
    if model:
        scores.append(fuzz.token_set_ratio(description, model))
    return max(scores)


def classification_suggestions(*, exporter, description: str, limit: int = 3) -> list[Suggestion]:
    """Answered questions of this exporter (only its own) about an item like the one described,
    best match first; an item asked about more than once is offered with its latest answer."""
    text = _prepare(description if isinstance(description, str) else "")
    exporter_id = getattr(exporter, "pk", exporter)
    if len(text) < 2 or exporter_id is None:
        return []
    answered = (ClassificationQuestion.objects
                .filter(exporter_id=exporter_id, status=QuestionStatus.ANSWERED)
                .order_by("-answered_at", "-pk")
                .only("pk", "reference", "item_name", "item_model", "answer_code", "answer_not_controlled",
                      "answer_note", "answered_at", "answer_list_version_id")[:SUGGESTION_CANDIDATES])
    best, seen = [], set()
    for question in answered:
        name, model = _prepare(question.item_name), _prepare(question.item_model)
        if (name, model) in seen:
            continue  # an older answer on the same item
        seen.add((name, model))
        score = _score(text, name, model)
        if score >= SUGGESTION_THRESHOLD:
            best.append((score, question))
    best.sort(key=lambda pair: -pair[0])  # stable: equal scores keep the newest answer first
    best = best[:limit]
    if not best:
        return []
    version = version_in_force()
    codes = {q.answer_code for _score_, q in best if q.answer_code}
    listed = set(Entry.objects.filter(version=version, code__in=codes).values_list("code", flat=True)
                 ) if version and codes else set()
    temporary = set(TemporaryControl.objects.filter(
        control_code__in=codes - listed, state=TemporaryControlState.ACTIVE,
        starts_on__lte=timezone.localdate(), ends_on__gte=timezone.localdate(),
    ).values_list("control_code", flat=True)) if codes - listed else set()
    return [Suggestion(
        question_id=q.pk, reference=q.reference, item_name=q.item_name, item_model=q.item_model,
        answer_code=q.answer_code, not_controlled=q.answer_not_controlled, note=q.answer_note,
        answered_on=timezone.localdate(q.answered_at),
        code_in_force=None if q.answer_not_controlled else q.answer_code in listed | temporary,
        list_changed=(version.pk if version else None) != q.answer_list_version_id,
        score=score,
    ) for score, q in best]
