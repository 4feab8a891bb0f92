"""Writes of end-use checks (最终用户和最终用途核查): the ministry opens a check on an importer or end
user through the exporter that named it (documents asked, or an on-site visit), the exporter
answers with documents, the ministry records the visit and closes the check as cooperated or not.
A party that did not cooperate is proposed for the Watch List (Reg. 26: importers and end users
that fail to cooperate with an end-use check), with the check as the reason; the officer accepts
the proposal, which publishes the entry through enduser.lists (audited, rescreened), or dismisses it.

Each write locks its row, checks the actor and the transition in TRANSITIONS, writes the audit
event and the notifications in one transaction (the e-mails leave through the outbox on commit)."""

import hashlib
import uuid
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role, User
from audit import services as audit
from enduser.checks import selectors
from enduser.lists import services as lists
from enduser.models import (
    CheckMethod,
    CheckOutcome,
    CheckState,
    EndUseCheck,
    EndUseCheckDocument,
    ListKind,
    Party,
    ProposalState,
    WatchListProposal,
)
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

QUESTIONS_MAX_CHARS = 5000
ANSWER_MAX_CHARS = 10000
FINDINGS_MAX_CHARS = 10000
PLACE_MAX_CHARS = 500
NOTE_MAX_CHARS = 2000
CASE_NUMBER_MAX_CHARS = 20
MAX_ANSWER_DOCUMENTS = 10
DEADLINE_WITHIN_DAYS = 366  # a deadline further out is a typing error
PROPOSAL_NAMESPACE = uuid.UUID("0b7f3c1e-9d42-5a61-8e7c-3f2a1b0c4d5e")

# The whole life of a check: (state, step) -> next state. A step not here is refused.
TRANSITIONS = {
    (CheckState.OPEN, "answer"): CheckState.ANSWERED,
    (CheckState.OPEN, "record_visit"): CheckState.ANSWERED,
    (CheckState.ANSWERED, "record_visit"): CheckState.ANSWERED,
    (CheckState.OPEN, "close"): CheckState.CLOSED,
    (CheckState.ANSWERED, "close"): CheckState.CLOSED,
}


def next_state(state: str, step: str) -> str | None:
    return TRANSITIONS.get((state, step))


# ---------------------------------------------------------------- helpers


def _as_id(value) -> int:
    try:
        number = int(value)
    except (ValueError, TypeError, OverflowError):
        raise NotFound() from None
    if not 0 < number < 2**63:
        raise NotFound()
    return number


def _require_ministry(actor, message) -> None:
    if getattr(actor, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed(message)


def _token(client_token) -> uuid.UUID | None:
    if client_token in (None, ""):
        return None
    try:
        return client_token if isinstance(client_token, uuid.UUID) else uuid.UUID(str(client_token))
    except ValueError:
        raise ValidationFailed(fields={"client_token": [_("Must be a UUID.")]}) from None


def _check_version(row, expected_version, message) -> None:
    if expected_version in (None, ""):
        return
    try:
        expected = int(expected_version)
    except (ValueError, TypeError):
        raise ValidationFailed(fields={"version": [_("Must be a whole number.")]}) from None
    if expected != row.version:
        raise StaleVersion(message)


def _stale_check():
    return _("Someone changed this check after you opened it. Reload the page and try again.")


def _lock(check_id) -> EndUseCheck:
    try:
        return EndUseCheck.objects.select_for_update().get(pk=_as_id(check_id))
    except EndUseCheck.DoesNotExist:
        raise NotFound() from None


def _step(row: EndUseCheck, step: str, message) -> str:
    state = next_state(row.state, step)
    if state is None:
        raise InvalidTransition(lazy_format(message, state=row.get_state_display()))
    return state


def _date(value, field: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    message = _("Enter a date (YYYY-MM-DD).")
    raise ValidationFailed(message, fields={field: [message]})


def _url(row: EndUseCheck) -> str:
    return reverse("enduse-check", args=[row.pk])


def _snapshot(row: EndUseCheck) -> dict:
    return {"state": row.state, "party": row.party_id, "party_names": list(row.party_names),
            "exporter": row.exporter_id, "application": row.application_id, "case_number": row.case_number,
            "method": row.method, "deadline": row.deadline.isoformat(), "outcome": row.outcome,
            "version": row.version}


def _bump(row: EndUseCheck) -> None:
    row.version += 1
    row.save()


def party_names(party: Party) -> list[str]:
    """The party's name and, when the record keeps them, its other forms (Chinese and Latin names,
    aliases), without repeats."""
    forms = [party.name, getattr(party, "name_zh", ""), getattr(party, "name_latin", ""),
             *(getattr(party, "aliases", None) or [])]
    out = []
    for form in forms:
        if isinstance(form, str) and form.strip() and form.strip() not in out:
            out.append(form.strip())
    return out


def _exporter_people(row: EndUseCheck) -> list[User]:
    """Who answers for the exporter: its administrators and the staff who answered; everyone of the
    company when it has no administrator."""
    people = list(User.objects.filter(organisation_id=row.exporter_id, role__in=EXPORTER_ROLES, is_active=True)
                  .order_by("pk"))
    if not any(user.role == Role.EXPORTER_ADMIN for user in people):
        return people
    return [user for user in people if user.role == Role.EXPORTER_ADMIN or user.pk == row.answered_by_id]


def _officers(row: EndUseCheck) -> list[User]:
    """The officer who opened the check, else every active ministry officer."""
    if row.opened_by.is_active and row.opened_by.role in MINISTRY_ROLES:
        return [row.opened_by]
    return list(User.objects.filter(role__in=MINISTRY_ROLES, is_active=True).order_by("pk"))


# ---------------------------------------------------------------- open


def _clean_case(application_id, case_number) -> tuple[int | None, str]:
    if application_id in (None, ""):
        return None, ""
    try:
        application_id = int(application_id)
    except (ValueError, TypeError):
        raise ValidationFailed(fields={"application_id": [_("Must be a whole number.")]}) from None
    if not 0 < application_id < 2**63:
        raise ValidationFailed(fields={"application_id": [_("Must be a whole number.")]})
    return application_id, clean_text(case_number, "case_number", limit=CASE_NUMBER_MAX_CHARS, required=False)


def _clean_deadline(value, today: date) -> date:
    deadline = _date(value, "deadline")
    if deadline <= today:
        message = _("The deadline must be in the future.")
        raise ValidationFailed(message, fields={"deadline": [message]})
    if deadline > today + timedelta(days=DEADLINE_WITHIN_DAYS):
        message = _("The deadline must be within a year.")
        raise ValidationFailed(message, fields={"deadline": [message]})
    return deadline


@transaction.atomic
def check_open(*, actor, party_id, method: str, questions: str, deadline, application_id=None, case_number="",
               client_token=None, today: date | None = None) -> EndUseCheck:
    """A ministry officer opens a check on a party, through the exporter whose record it is. The
    case it was opened from is kept as plain data. The same client_token (a double click) returns
    the check already opened."""
    _require_ministry(actor, _("Only the ministry opens end-use checks."))
    token = _token(client_token)
    if token and (earlier := EndUseCheck.objects.filter(client_token=token).first()):
        return earlier
    party = Party.objects.select_related("exporter").filter(pk=_as_id(party_id)).first()
    if party is None:
        raise NotFound()
    if method not in CheckMethod.values:
        message = lazy_format(_("Choose one of: %(choices)s."), choices=", ".join(CheckMethod.values))
        raise ValidationFailed(message, fields={"method": [message]})
    questions = clean_text(questions, "questions", limit=QUESTIONS_MAX_CHARS)
    deadline = _clean_deadline(deadline, today or timezone.localdate())
    application_id, case_number = _clean_case(application_id, case_number)
    try:
        with transaction.atomic():
            row = EndUseCheck.objects.create(
                party=party, party_names=party_names(party), party_kind=party.kind, party_address=party.address,
                party_country=party.country, party_identifiers=party.identifiers or {}, exporter=party.exporter,
                application_id=application_id, case_number=case_number, method=method, questions=questions,
                deadline=deadline, opened_by=actor, client_token=token)
    except IntegrityError:  # the same token raced in from a second request
        earlier = EndUseCheck.objects.filter(client_token=token).first() if token else None
        if earlier is None:
            raise
        return earlier
    audit.record(actor=actor, action="enduse_check.open", obj=row, after={**_snapshot(row), "questions": questions})
    method_zh = "现场核查" if method == CheckMethod.ON_SITE else "提交材料"
    method_en = "an on-site visit" if method == CheckMethod.ON_SITE else "documents"
    notify(recipients=_exporter_people(row), key=f"enduse-check:{row.pk}:opened", kind="enduse_check.open",
           title_zh=f"最终用户和最终用途核查：{row.party_name}",
           title_en=f"End-use check: {row.party_name}",
           body_zh=f"商务部对“{row.party_name}”开展核查（{method_zh}），请于 {deadline.isoformat()} 前答复。\n{questions}",
           body_en=f"The ministry checks “{row.party_name}” ({method_en}); answer by {deadline.isoformat()}.\n"
                   f"{questions}",
           url=_url(row))
    return row


# ---------------------------------------------------------------- answer, visit


def _read_uploads(uploads) -> list[tuple[bytes, str]]:
    """Every file is checked before anything is stored: one bad file refuses them all."""
    uploads = [upload for upload in (uploads or ()) if upload is not None]
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


def check_answer(*, actor, check_id, answer: str, uploads=(), expected_version=None) -> EndUseCheck:
    """The exporter's administrator or staff answers a check addressed to it, with PDFs, while the
    check is open. The same answer again by the same person (a double submit) changes nothing."""
    if getattr(actor, "role", None) not in EXPORTER_ROLES:
        raise NotAllowed(_("Only the exporter the check is addressed to answers it."))
    stored: list[str] = []
    try:
        with transaction.atomic():
            row = _lock(check_id)
            if row.exporter_id != actor.organisation_id:
                raise NotFound()
            text = clean_text(answer, "answer", limit=ANSWER_MAX_CHARS)
            if row.answered_by_id == actor.pk and row.answer == text and row.state != CheckState.OPEN:
                return row
            state = _step(row, "answer", _("This check is not awaiting your answer (%(state)s)."))
            files = _read_uploads(uploads)
            _check_version(row, expected_version, _stale_check())
            before = _snapshot(row)
            row.state, row.answer, row.answered_by, row.answered_at = state, text, actor, timezone.now()
            _bump(row)
            docs = []
            for content, name in files:
                doc = EndUseCheckDocument(enduse_check=row, original_name=name, size=len(content),
                                          sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor)
                doc.file.save("upload.pdf", ContentFile(content), save=False)
                stored.append(doc.file.name)
                doc.save()
                docs.append(doc)
            audit.record(actor=actor, action="enduse_check.answer", obj=row, before=before, after={
                **_snapshot(row), "answer": text,
                "documents": [{"document": d.pk, "name": d.original_name, "sha256": d.sha256, "size": d.size}
                              for d in docs]})
            late = timezone.localdate(row.answered_at) > row.deadline
            notify(recipients=_officers(row), key=f"enduse-check:{row.pk}:answered", kind="enduse_check.answer",
                   title_zh=f"核查已答复{'（逾期）' if late else ''}：{row.party_name}",
                   title_en=f"End-use check answered{' (late)' if late else ''}: {row.party_name}",
                   body_zh=text, body_en=text, url=_url(row))
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return row


@transaction.atomic
def check_record_visit(*, actor, check_id, visit_on, place: str, findings: str, expected_version=None,
                       today: date | None = None) -> EndUseCheck:
    """The ministry records an on-site visit: when, where, and what it found (including a refusal
    to receive the visit). It may be recorded again, correcting the record, until the check closes."""
    _require_ministry(actor, _("Only the ministry records on-site visits."))
    row = _lock(check_id)
    visit_on = _date(visit_on, "visit_on")
    if visit_on > (today or timezone.localdate()):
        message = _("A visit is recorded once it has taken place: the date cannot be in the future.")
        raise ValidationFailed(message, fields={"visit_on": [message]})
    place = clean_text(place, "place", limit=PLACE_MAX_CHARS)
    findings = clean_text(findings, "findings", limit=FINDINGS_MAX_CHARS)
    if row.visit_recorded_by_id == actor.pk and (row.visit_on, row.visit_place, row.visit_findings) == (
            visit_on, place, findings) and row.state != CheckState.CLOSED:
        return row
    state = _step(row, "record_visit", _("A visit can no longer be recorded on this check (%(state)s)."))
    if row.method != CheckMethod.ON_SITE:
        raise InvalidTransition(_("This check asks for documents; open an on-site check to record a visit."))
    _check_version(row, expected_version, _stale_check())
    before = {**_snapshot(row), "visit_on": row.visit_on.isoformat() if row.visit_on else None,
              "place": row.visit_place, "findings": row.visit_findings}
    row.state, row.visit_on, row.visit_place, row.visit_findings = state, visit_on, place, findings
    row.visit_recorded_by = actor
    _bump(row)
    audit.record(actor=actor, action="enduse_check.record_visit", obj=row, before=before,
                 after={**_snapshot(row), "visit_on": visit_on.isoformat(), "place": place, "findings": findings})
    return row


# ---------------------------------------------------------------- close, and the Watch List proposal


def _proposal_reason(row: EndUseCheck) -> str:
    opened = timezone.localdate(row.opened_at).isoformat()
    case = f"，案件 {row.case_number}" if row.case_number else ""
    case_en = f", case {row.case_number}" if row.case_number else ""
    return (f"未配合最终用户和最终用途核查（核查编号 {row.pk}{case}，{opened} 发起，"
            f"答复期限 {row.deadline.isoformat()}）。《两用物项出口管制条例》第二十六条。\n"
            f"Failed to cooperate with end-use check No. {row.pk}{case_en} (opened "
            f"{opened}, deadline {row.deadline.isoformat()}). Dual-use Export Control "
            f"Regulations, Art. 26.")


def _propose(actor, row: EndUseCheck) -> WatchListProposal:
    proposal = WatchListProposal.objects.create(
        enduse_check=row, kind=row.party_kind, names=list(row.party_names),
        addresses=[row.party_address] if row.party_address else [], country=row.party_country,
        identifiers={key: value for key, value in (row.party_identifiers or {}).items()
                     if key in ("uscc", "registration") and isinstance(value, str) and value.strip()},
        reason=_proposal_reason(row))
    audit.record(actor=actor, action="enduse_check.propose_watch_list", obj=proposal,
                 after=_proposal_snapshot(proposal))
    return proposal


@transaction.atomic
def check_close(*, actor, check_id, outcome: str, findings: str, expected_version=None,
                today: date | None = None) -> EndUseCheck:
    """The ministry closes a check with its outcome and findings. A party that did not cooperate
    is proposed for the Watch List (Reg. 26) in the same transaction. "Did not cooperate" on a check
    still open before its deadline is refused: the party still has time to answer."""
    _require_ministry(actor, _("Only the ministry closes end-use checks."))
    row = _lock(check_id)
    if outcome not in CheckOutcome.values:
        message = lazy_format(_("Choose one of: %(choices)s."), choices=", ".join(CheckOutcome.values))
        raise ValidationFailed(message, fields={"outcome": [message]})
    findings = clean_text(findings, "findings", limit=FINDINGS_MAX_CHARS)
    if row.state == CheckState.CLOSED and row.closed_by_id == actor.pk and (row.outcome, row.findings) == (
            outcome, findings):
        return row
    state = _step(row, "close", _("This check is already closed (%(state)s)."))
    _check_version(row, expected_version, _stale_check())
    today = today or timezone.localdate()
    if outcome == CheckOutcome.NOT_COOPERATED and row.state == CheckState.OPEN and row.deadline >= today:
        message = lazy_format(_("The deadline (%(day)s) has not passed and nothing is recorded yet: the party "
                                "cannot be found not to have cooperated before then."), day=row.deadline.isoformat())
        raise InvalidTransition(message)
    before = _snapshot(row)
    row.state, row.outcome, row.findings = state, outcome, findings
    row.closed_by, row.closed_at = actor, timezone.now()
    _bump(row)
    audit.record(actor=actor, action="enduse_check.close", obj=row, before=before,
                 after={**_snapshot(row), "findings": findings})
    cooperated = outcome == CheckOutcome.COOPERATED
    notify(recipients=_exporter_people(row), key=f"enduse-check:{row.pk}:closed", kind="enduse_check.close",
           title_zh=f"核查已结束（{'已配合' if cooperated else '未配合'}）：{row.party_name}",
           title_en=f"End-use check closed ({'cooperated' if cooperated else 'did not cooperate'}): {row.party_name}",
           url=_url(row))
    if not cooperated:
        proposal = _propose(actor, row)
        officers = User.objects.filter(role__in=MINISTRY_ROLES, is_active=True).order_by("pk")
        notify(recipients=officers, key=f"watch-list-proposal:{proposal.pk}:proposed",
               kind="enduse_check.propose_watch_list",
               title_zh=f"建议列入关注名单：{row.party_name}", title_en=f"Proposed for the Watch List: {row.party_name}",
               body_zh=proposal.reason, body_en=proposal.reason, url=_url(row))
    return row


def _proposal_snapshot(proposal: WatchListProposal) -> dict:
    return {"state": proposal.state, "check": proposal.enduse_check_id, "names": list(proposal.names),
            "country": proposal.country.code or "", "identifiers": dict(proposal.identifiers),
            "reason": proposal.reason, "listed": proposal.listed_id, "version": proposal.version}


def _lock_proposal(proposal_id) -> WatchListProposal:
    try:
        return WatchListProposal.objects.select_for_update().get(pk=_as_id(proposal_id))
    except WatchListProposal.DoesNotExist:
        raise NotFound() from None


# Reg. 26 gives the Watch List to the State export control administration (the ministry) and names
# no rank for it; enduser.lists lets every ministry officer publish, so a senior-only accept would
# only send the officer to publish by hand. Any ministry officer accepts.
@transaction.atomic
def proposal_accept(*, actor, proposal_id, announcement: str, announced_on, effective_on=None,
                    expected_version=None) -> WatchListProposal:
    """Publish the proposed entry on the Watch List, as the announcement names it, through
    enduser.lists (audited, rescreened like any publication). Accepting again returns it."""
    _require_ministry(actor, _("Only the ministry decides Watch List proposals."))
    proposal = _lock_proposal(proposal_id)
    if proposal.state == ProposalState.ACCEPTED:
        return proposal
    if proposal.state != ProposalState.PROPOSED:
        raise InvalidTransition(_("This proposal was dismissed."))
    _check_version(proposal, expected_version, _("Someone changed this proposal after you opened it. Reload the "
                                                 "page and try again."))
    data = {"list_kind": ListKind.WATCH, "kind": proposal.kind, "names": list(proposal.names),
            "addresses": list(proposal.addresses), "country": proposal.country.code or "",
            "identifiers": dict(proposal.identifiers), "announcement": announcement,
            "announced_on": announced_on, "effective_on": effective_on or announced_on,
            "reason": proposal.reason[:lists.MAX_TEXT],
            "effect": "《两用物项出口管制条例》第二十六条 / Dual-use Export Control Regulations, Art. 26"}
    listed = lists.listed_party_publish(actor=actor, data=data,
                                        client_token=uuid.uuid5(PROPOSAL_NAMESPACE, str(proposal.pk)))
    before = _proposal_snapshot(proposal)
    proposal.state, proposal.listed = ProposalState.ACCEPTED, listed
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.version += 1
    proposal.save()
    audit.record(actor=actor, action="enduse_check.proposal_accept", obj=proposal, before=before,
                 after=_proposal_snapshot(proposal))
    return proposal


@transaction.atomic
def proposal_dismiss(*, actor, proposal_id, note: str, expected_version=None) -> WatchListProposal:
    """The officer decides not to list the party, saying why."""
    _require_ministry(actor, _("Only the ministry decides Watch List proposals."))
    proposal = _lock_proposal(proposal_id)
    note = clean_text(note, "note", limit=NOTE_MAX_CHARS)
    if proposal.state == ProposalState.DISMISSED and proposal.decided_by_id == actor.pk:
        return proposal
    if proposal.state != ProposalState.PROPOSED:
        raise InvalidTransition(_("This proposal is already decided."))
    _check_version(proposal, expected_version, _("Someone changed this proposal after you opened it. Reload the "
                                                 "page and try again."))
    before = _proposal_snapshot(proposal)
    proposal.state, proposal.decision_note = ProposalState.DISMISSED, note
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.version += 1
    proposal.save()
    audit.record(actor=actor, action="enduse_check.proposal_dismiss", obj=proposal, before=before,
                 after={**_proposal_snapshot(proposal), "note": note})
    return proposal


# ---------------------------------------------------------------- overdue


def checks_tell_overdue(*, today: date | None = None) -> int:
    """Tell the officer of each check past its deadline without an answer, once per check. Safe to
    run twice: a told check is marked, and the notification key is the check's."""
    told = 0
    for check_id in selectors.overdue_checks(today=today).filter(overdue_told_at__isnull=True).values_list(
            "pk", flat=True):
        with transaction.atomic():
            row = EndUseCheck.objects.select_for_update().select_related("opened_by").get(pk=check_id)
            if row.overdue_told_at is not None or row.state != CheckState.OPEN:
                continue
            row.overdue_told_at = timezone.now()
            row.save(update_fields=["overdue_told_at"])
            notify(recipients=_officers(row), key=f"enduse-check:{row.pk}:overdue", kind="enduse_check.overdue",
                   title_zh=f"核查已逾期未答复：{row.party_name}",
                   title_en=f"End-use check overdue, no answer: {row.party_name}",
                   body_zh=f"答复期限 {row.deadline.isoformat()}。", body_en=f"Deadline {row.deadline.isoformat()}.",
                   url=_url(row))
            told += 1
    return told
