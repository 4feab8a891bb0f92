"""Challenges (质疑): customs suspects goods are controlled but declared without a licence and holds
them; the exporter answers on the portal within 7 working days (Law 19, Reg. 21); an answer not
given in time goes to the ministry (beat: challenges_escalate), which closes the challenge.

States: open → answered (the exporter) | escalated (beat, when overdue); escalated → answered
(a late answer); any but closed → closed (the ministry)."""

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Organisation, OrgKind, Role, User
from audit import services as audit
from licensing.models import Challenge, ChallengeDocument, ChallengeState, Counter, CustomsPort
from notifications.services import notify
from portal.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed, lazy_format
from portal.pdf import read_pdf_uploads
from portal.text import clean_text
from workdays.services import NoCalendarError, add_working_days

ANSWER_WORKING_DAYS = 7
MAX_DOCUMENTS = 5
S = ChallengeState


def challenge_url(challenge: Challenge) -> str:
    return reverse("customs-challenge", args=[challenge.reference])


def answer_due(today=None):
    """7 working days after today on the official calendar. A statutory deadline is never counted
    on plain weekdays: while the coming year's calendar is missing and the 7 days reach into it,
    the challenge is refused (409 `no_calendar`), as a referral is."""
    try:
        return add_working_days(today or timezone.localdate(), ANSWER_WORKING_DAYS)
    except NoCalendarError as exc:
        raise InvalidTransition(lazy_format(_("The deadline cannot be computed: %(problem)s."), problem=str(exc)),
                                code="no_calendar") from None


def exporter_recipients(exporter_id) -> list[User]:
    return list(User.objects.filter(organisation_id=exporter_id, role__in=EXPORTER_ROLES, is_active=True)
                .order_by("pk"))


def _ministry() -> list[User]:
    return list(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True).order_by("pk"))


def _text(value, field, limit, required=True) -> str:
    return clean_text(value, field, limit=limit, required=required)


@transaction.atomic
def challenge_raise(*, exporter_code, goods, reason, declaration_number="", port="", hs_code="",
                    suspected_code="", external_id="", system=None, officer=None) -> tuple[Challenge, bool]:
    """Customs raises a challenge; (challenge, created). The same external id from the same
    sender again returns the challenge already made."""
    if (system is None) == (officer is None):
        raise ValueError("a challenge comes from a customs system or a customs officer")
    if officer is not None and officer.role != Role.CUSTOMS_OFFICER:
        raise NotAllowed(_("Only customs raises a challenge."))
    external_id = str(external_id or "").strip()[:64]
    if external_id:
        earlier = Challenge.objects.filter(system=system, external_id=external_id,
                                           **({"raised_by": officer} if officer else {})).first()
        if earlier:
            return earlier, False
    errors = {}
    exporter = Organisation.objects.filter(kind=OrgKind.EXPORTER, code=str(exporter_code or "").strip().upper()).first()
    if exporter is None:
        errors["exporter_code"] = [_("No registered exporter has this credit code.")]
    port = str(port or "").strip()
    if port and not CustomsPort.objects.filter(code=port).exists():
        errors["port"] = [_("No customs port has this code.")]
    declaration_number = str(declaration_number or "").strip().upper()
    if len(declaration_number) > 32:
        errors["declaration_number"] = [_("At most 32 characters.")]
    hs_code, suspected_code = str(hs_code or "").strip(), str(suspected_code or "").strip().upper()
    if hs_code and (not hs_code.isdigit() or len(hs_code) > 10):
        errors["hs_code"] = [_("Up to 10 digits.")]
    if len(suspected_code) > 16:
        errors["suspected_code"] = [_("At most 16 characters.")]
    cleaned = {}
    for field, value, limit in (("goods", goods, 2000), ("reason", reason, 4000)):
        try:
            cleaned[field] = _text(value, field, limit)
        except ValidationFailed as exc:
            errors.update(exc.fields or {field: [exc.message]})
    if errors:
        raise ValidationFailed(fields=errors)
    today = timezone.localdate()
    due = answer_due(today)
    reference = f"ZY{today.year}{Counter.objects.next_value('challenge', today.year):06d}"
    try:
        with transaction.atomic():
            challenge = Challenge.objects.create(
                reference=reference, exporter=exporter, system=system, raised_by=officer, external_id=external_id,
                declaration_number=declaration_number, port_id=port or None, goods=cleaned["goods"],
                hs_code=hs_code, suspected_code=suspected_code, reason=cleaned["reason"], answer_due=due)
    except IntegrityError:  # the same external id, made meanwhile
        return Challenge.objects.get(system=system, external_id=external_id), False
    audit.record(actor=officer, action="challenge.raise", obj=challenge, after={
        "reference": reference, "exporter": exporter.code, "declaration": declaration_number, "port": port,
        "hs_code": hs_code, "suspected_code": suspected_code, "answer_due": challenge.answer_due,
        "system": system.code if system else None})
    notify(recipients=exporter_recipients(exporter.pk), key=f"challenge:{challenge.pk}:raise", kind="challenge.raise",
           title_zh=f"海关质疑 {reference}：请在 {challenge.answer_due:%Y-%m-%d} 前答复",
           title_en=f"Customs challenge {reference}: answer by {challenge.answer_due:%Y-%m-%d}",
           body_zh=f"{cleaned['goods']}\n{cleaned['reason']}", body_en=f"{cleaned['goods']}\n{cleaned['reason']}",
           url=challenge_url(challenge))
    return challenge, True


def _lock(reference) -> Challenge:
    challenge = (Challenge.objects.select_for_update(of=("self",)).select_related("exporter")
                 .filter(reference=str(reference or "")[:20]).first())
    if challenge is None:
        raise NotFound()
    return challenge


@transaction.atomic
def challenge_answer(*, actor, reference, answer, uploads=()) -> Challenge:
    """The exporter answers (text and PDF documents); customs and, when escalated, the ministry
    are told."""
    challenge = _lock(reference)
    if getattr(actor, "role", None) not in EXPORTER_ROLES or actor.organisation_id != challenge.exporter_id:
        raise NotFound()
    if challenge.state not in (S.OPEN, S.ESCALATED):
        raise InvalidTransition(_("This challenge is answered or closed already."))
    answer = _text(answer, "answer", 8000)
    files = read_pdf_uploads(uploads, limit=MAX_DOCUMENTS)
    stored = []
    try:
        docs = []
        for content, name in files:
            doc = ChallengeDocument(challenge=challenge, original_name=name, size=len(content),
                                    sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
            doc.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
            stored.append(doc.file.name)
            doc.save()
            docs.append(doc)
        before = {"state": challenge.state, "version": challenge.version}
        escalated = challenge.state == S.ESCALATED
        challenge.state, challenge.answer = S.ANSWERED, answer
        challenge.answered_at, challenge.answered_by = timezone.now(), actor
        challenge.version += 1
        challenge.save()
        audit.record(actor=actor, action="challenge.answer", obj=challenge, before=before, after={
            "state": challenge.state, "version": challenge.version, "answer": answer,
            "documents": [{"name": d.original_name, "sha256": d.sha256, "size": d.size} for d in docs]})
        recipients = [u for u in [challenge.raised_by] if u is not None]
        if escalated:
            recipients += _ministry()
        notify(recipients=recipients, key=f"challenge:{challenge.pk}:answer", kind="challenge.answer",
               title_zh=f"海关质疑 {challenge.reference} 已答复", title_en=f"Customs challenge {challenge.reference} answered",
               body_zh=answer, body_en=answer, url=challenge_url(challenge))
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise
    return challenge


@transaction.atomic
def challenge_close(*, actor, reference, note="") -> Challenge:
    """The ministry closes a challenge (answered, or escalated and dealt with). Twice is once."""
    if getattr(actor, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed(_("Only the ministry closes a challenge."))
    challenge = _lock(reference)
    if challenge.state == S.CLOSED:
        return challenge
    note = _text(note, "note", 4000, required=False)
    before = {"state": challenge.state, "version": challenge.version}
    challenge.state, challenge.closed_at = S.CLOSED, timezone.now()
    challenge.version += 1
    challenge.save(update_fields=["state", "closed_at", "version"])
    audit.record(actor=actor, action="challenge.close", obj=challenge, before=before,
                 after={"state": challenge.state, "version": challenge.version, "note": note})
    notify(recipients=exporter_recipients(challenge.exporter_id), key=f"challenge:{challenge.pk}:close",
           kind="challenge.close", title_zh=f"海关质疑 {challenge.reference} 已结案",
           title_en=f"Customs challenge {challenge.reference} closed", body_zh=note, body_en=note,
           url=challenge_url(challenge))
    return challenge


def challenges_escalate(today=None) -> int:
    """Beat (hourly): open challenges past their answer date go to the ministry. Idempotent: each
    is locked and checked again in its own transaction."""
    today = today or timezone.localdate()
    ids = list(Challenge.objects.filter(state=S.OPEN, answer_due__lt=today).values_list("reference", flat=True))
    done = 0
    for reference in ids:
        with transaction.atomic():
            challenge = _lock(reference)
            if challenge.state != S.OPEN or challenge.answer_due >= today:
                continue
            challenge.state, challenge.escalated_at = S.ESCALATED, timezone.now()
            challenge.version += 1
            challenge.save(update_fields=["state", "escalated_at", "version"])
            audit.record(actor=None, action="challenge.escalate", obj=challenge, before={"state": S.OPEN},
                         after={"state": challenge.state, "answer_due": challenge.answer_due})
            notify(recipients=_ministry(), key=f"challenge:{challenge.pk}:escalate", kind="challenge.escalate",
                   title_zh=f"海关质疑 {challenge.reference} 逾期未答复（{challenge.exporter.name_zh}）",
                   title_en=f"Customs challenge {challenge.reference} not answered in time "
                            f"({challenge.exporter.name_en or challenge.exporter.name_zh})",
                   url=challenge_url(challenge))
            done += 1
    return done
