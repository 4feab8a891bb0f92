"""Writes for catch-all notices (Law 12(3); the 2023 notice, §6: told that an export may endanger
national security, the exporter must stop and apply for a licence). The ministry issues and
withdraws them; the exporters addressed acknowledge them; a submission cites those that cover it.

Each write runs in one transaction that locks the row, checks actor and state, and writes the audit
event; inbox notices are stored in the same transaction and e-mailed through the outbox on commit."""

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Organisation, OrgKind, User
from audit import services as audit
from controllist.controls.services import check_item_code_or_prefix
from controllist.models import CatchAllNotice, NoticeAcknowledgement, NoticeCitation
from controllist.notices import selectors
from notifications.services import notify
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)

NUMBER_PREFIX = "TZ"  # 通知
DEFAULT_LEGAL_BASIS = "《出口管制法》第十二条第三款；《两用物项出口管制条例》第十四条 / Export Control Law Art. 12(3); Regulations Art. 14"
EARLIEST_DATE = date(2020, 12, 1)  # the Export Control Law took effect
LATEST_DATE = date(2999, 12, 31)
MAX_LIST = 50
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


# ---------------------------------------------------------------- input


def _text(data, name, *, required=False, max_length=1000) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={name: [_("Expected text.")]})
    value = value.strip()
    if required and not value:
        raise ValidationFailed(lazy_format(_("%(field)s is required."), field=name),
                               fields={name: [_("This field is required.")]})
    if len(value) > max_length:
        message = lazy_format(_("At most %(n)s characters."), n=max_length)
        raise ValidationFailed(message, fields={name: [message]})
    return value


def _list(data, name, *, split=r"[\n,;，；、]+") -> list[str]:
    """A JSON list of text, or the text a form sends (one a line, or separated by commas)."""
    value = data.get(name)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(split, value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(fields={name: [_("Expected a list of text values.")]})
    value = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(value) > MAX_LIST or any(len(v) > 300 for v in value):
        message = lazy_format(_("At most %(n)s values of at most 300 characters each."), n=MAX_LIST)
        raise ValidationFailed(message, fields={name: [message]})
    return value


def _date(data, name, *, required) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise ValidationFailed(fields={name: [_("Enter a date (YYYY-MM-DD).")]})
        return None
    day = value if isinstance(value, date) and not hasattr(value, "hour") else None
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        raise ValidationFailed(fields={name: [_("Enter a date (YYYY-MM-DD).")]})
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        message = lazy_format(_("Enter a date between %(earliest)s and %(latest)s."),
                              earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat())
        raise ValidationFailed(message, fields={name: [message]})
    return day


def _exporter(value) -> Organisation:
    """The company addressed: its id or its unified social credit code."""
    found = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = Organisation.objects.filter(pk=value, kind=OrgKind.EXPORTER).first()
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 18:
        found = Organisation.objects.filter(pk=int(value.strip()), kind=OrgKind.EXPORTER).first()
    elif isinstance(value, str) and _USCC.match(value.strip().upper()):
        found = Organisation.objects.filter(code=value.strip().upper(), kind=OrgKind.EXPORTER).first()
    if found is None:
        message = _("No exporter with this id or unified social credit code.")
        raise ValidationFailed(message, fields={"exporter": [message]})
    return found


def _clean(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed()
    all_exporters = data.get("all_exporters", False)
    if isinstance(all_exporters, str):
        all_exporters = all_exporters.strip().lower() in ("true", "1", "on", "all")
    if not isinstance(all_exporters, bool):
        raise ValidationFailed(fields={"all_exporters": [_("Expected true or false.")]})
    raw_exporter = data.get("exporter")
    if all_exporters and raw_exporter not in (None, ""):
        message = _("Address the notice to one exporter or to all exporters, not both.")
        raise ValidationFailed(message, fields={"exporter": [message]})
    if not all_exporters and raw_exporter in (None, ""):
        message = _("Name the exporter addressed, or address the notice to all exporters.")
        raise ValidationFailed(message, fields={"exporter": [message]})
    codes = []
    for raw in _list(data, "item_codes"):
        try:
            codes.append(check_item_code_or_prefix(raw))
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, code=exc.code, fields={"item_codes": [exc.message]}) from None
    destinations = [code.upper() for code in _list(data, "destinations")]
    unknown = [code for code in destinations if code not in countries]
    if unknown:
        message = lazy_format(_("Unknown ISO 3166 country codes: %(codes)s."), codes=unknown)
        raise ValidationFailed(message, fields={"destinations": [message]})
    cleaned = {
        "all_exporters": all_exporters,
        "exporter": None if all_exporters else _exporter(raw_exporter),
        "item_description": _text(data, "item_description"),
        "item_codes": list(dict.fromkeys(codes)),
        "item_keywords": _list(data, "item_keywords"),
        # Names may hold commas ("Huawei Technologies Co., Ltd."): one a line.
        "end_user_names": _list(data, "end_user_names", split=r"[\n;；]+"),
        "end_use": _text(data, "end_use"),
        "destinations": list(dict.fromkeys(destinations)),
        "reason_zh": _text(data, "reason_zh", required=True, max_length=5000),
        "reason_en": _text(data, "reason_en", required=True, max_length=5000),
        "legal_basis": _text(data, "legal_basis", max_length=300) or DEFAULT_LEGAL_BASIS,
        "issued_on": _date(data, "issued_on", required=False) or timezone.localdate(),
        "ends_on": _date(data, "ends_on", required=False),
    }
    if not (cleaned["item_description"] or cleaned["item_codes"] or cleaned["item_keywords"]
            or cleaned["end_user_names"] or cleaned["end_use"]):
        raise ValidationFailed(_("A notice names what it covers: an item (description, code prefixes or "
                                 "keywords), an end user, an end use, or a combination of them."),
                               code="names_nothing")
    if cleaned["ends_on"] and cleaned["ends_on"] < cleaned["issued_on"]:
        message = _("The end date is before the date of issue.")
        raise ValidationFailed(message, fields={"ends_on": [message]})
    return cleaned


def snapshot(notice: CatchAllNotice) -> dict:
    return {
        "number": notice.number, "all_exporters": notice.all_exporters, "exporter": notice.exporter_id,
        "item_description": notice.item_description, "item_codes": list(notice.item_codes),
        "item_keywords": list(notice.item_keywords), "end_user_names": list(notice.end_user_names),
        "end_use": notice.end_use, "destinations": list(notice.destinations),
        "reason_zh": notice.reason_zh, "reason_en": notice.reason_en, "legal_basis": notice.legal_basis,
        "issued_on": notice.issued_on.isoformat(),
        "ends_on": notice.ends_on.isoformat() if notice.ends_on else None,
        "withdrawn": notice.withdrawn_at is not None, "version": notice.version,
    }


# ---------------------------------------------------------------- telling the exporters


ISSUED_TITLE = gettext_noop("Catch-all notice %(number)s: a licence is required")
ISSUED_BODY = gettext_noop(
    "The Ministry of Commerce notifies you under Export Control Law Art. 12(3) that the exports it "
    "describes may endanger national security and interests. Stop such exports and apply for a licence "
    "first. Acknowledge the notice in the portal. Reason: %(reason)s")
WITHDRAWN_TITLE = gettext_noop("Catch-all notice %(number)s withdrawn")
WITHDRAWN_BODY = gettext_noop("The ministry withdrew catch-all notice %(number)s. Reason: %(reason)s")


def _in(language, message, params) -> str:
    with translation.override(language):
        return gettext(message) % params


def recipients(notice):
    users = User.objects.filter(role__in=EXPORTER_ROLES, is_active=True)
    if notice.all_exporters:
        return users.filter(organisation__in=selectors.addressees(notice))
    return users.filter(organisation_id=notice.exporter_id)


def _tell(notice, *, event, title, body, reason_zh, reason_en):
    params = {"number": notice.number}
    notify(recipients=recipients(notice).order_by("pk"), key=f"catch_all_notice:{notice.pk}:{event}",
           kind=f"catch_all_notice_{event}", url=reverse("notice-detail", args=[notice.pk]),
           title_zh=_in("zh-hans", title, params), title_en=_in("en", title, params),
           body_zh=_in("zh-hans", body, {**params, "reason": reason_zh}),
           body_en=_in("en", body, {**params, "reason": reason_en}))


# ---------------------------------------------------------------- transitions


def _require_ministry(actor):
    if actor is None or not actor.is_authenticated or actor.role not in MINISTRY_ROLES:
        raise NotAllowed()


def notice_issue(*, actor, data: dict, client_token=None) -> CatchAllNotice:
    """Issue a notice and tell every user of the companies it reaches. The same client token (a
    double click, a retried request) returns the notice already issued."""
    _require_ministry(actor)
    cleaned = _clean(data or {})

    def made_before():
        return (CatchAllNotice.objects.filter(issued_by=actor, client_token=client_token).first()
                if client_token else None)

    existing = made_before()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            notice = CatchAllNotice.objects.create(issued_by=actor, client_token=client_token or None, **cleaned)
            notice.number = f"{NUMBER_PREFIX}{notice.issued_on.year}-{notice.pk:04d}"
            notice.save(update_fields=["number"])
            audit.record(actor=actor, action="controllist.notice_issue", obj=notice, after=snapshot(notice))
            _tell(notice, event="issued", title=ISSUED_TITLE, body=ISSUED_BODY,
                  reason_zh=notice.reason_zh, reason_en=notice.reason_en)
    except IntegrityError:
        existing = made_before()
        if existing is None:
            raise
        return existing
    return notice


def _lock(notice_id) -> CatchAllNotice:
    try:
        return CatchAllNotice.objects.select_for_update().get(pk=int(notice_id))
    except (CatchAllNotice.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


@transaction.atomic
def notice_withdraw(*, actor, notice_id, reason, expected_version=None) -> CatchAllNotice:
    _require_ministry(actor)
    notice = _lock(notice_id)
    reason = _text({"reason": reason}, "reason", required=True, max_length=5000)
    if notice.withdrawn_at is not None:
        if notice.withdrawn_by_id == actor.pk and notice.withdraw_reason == reason:
            return notice  # a repeated request
        raise InvalidTransition(_("This notice has already been withdrawn."))
    if expected_version is not None and str(expected_version) != str(notice.version):
        raise StaleVersion(_("Someone changed this notice after you opened it. Reload the page and try again."))
    before = snapshot(notice)
    notice.withdrawn_at = timezone.now()
    notice.withdrawn_by = actor
    notice.withdraw_reason = reason
    notice.version += 1
    notice.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason", "version"])
    audit.record(actor=actor, action="controllist.notice_withdraw", obj=notice, before=before,
                 after={**snapshot(notice), "reason": reason})
    _tell(notice, event="withdrawn", title=WITHDRAWN_TITLE, body=WITHDRAWN_BODY, reason_zh=reason, reason_en=reason)
    return notice


@transaction.atomic
def notice_acknowledge(*, actor, notice_id) -> NoticeAcknowledgement:
    """The exporter's acknowledgement, once per company: a second one (a colleague, a double
    click) returns the first."""
    if actor is None or not actor.is_authenticated or actor.role not in EXPORTER_ROLES:
        raise NotAllowed()
    if selectors.notice_for(actor, notice_id) is None:
        raise NotFound()
    notice = _lock(notice_id)
    existing = selectors.acknowledged_by(notice, actor.organisation_id)
    if existing is not None:
        return existing
    if notice.withdrawn_at is not None:
        raise InvalidTransition(_("This notice has been withdrawn; there is nothing to acknowledge."))
    ack = NoticeAcknowledgement.objects.create(notice=notice, exporter_id=actor.organisation_id, acknowledged_by=actor)
    audit.record(actor=actor, action="controllist.notice_acknowledge", obj=notice,
                 after={"number": notice.number, "exporter": actor.organisation_id})
    return ack


def notice_cite(*, actor, hits, application_id, case_reference, exporter_id) -> list[NoticeCitation]:
    """Record, in the submission's transaction, the notices that made the case's unlisted items
    catch-all; a resubmission replaces what an earlier submission cited."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notice_cite must run inside the transaction of the submission")
    cited = {hit.notice.pk for hit in hits}
    stale = NoticeCitation.objects.filter(application_id=application_id).exclude(notice_id__in=cited)
    rows = []
    for hit in hits:
        row, _created = NoticeCitation.objects.update_or_create(
            notice=hit.notice, application_id=application_id,
            defaults={"case_reference": case_reference or "", "exporter_id": exporter_id, "covered": hit.covered()})
        rows.append(row)
    if stale.exists() or rows:
        audit.record(actor=actor, action="controllist.notice_cite", object_type="licensing.application",
                     object_id=application_id,
                     after={"notices": [hit.notice.number for hit in hits], "case": case_reference or ""})
    stale.delete()
    return rows
