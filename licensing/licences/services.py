"""Writes to licences: numbering and issuing the signed PDF of an approved case, and one function
per status transition of licensing/licences/lifecycle.py."""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_37_36

from audit import services as audit
from licensing.applications import timeline
from licensing.applications.routes import general_max_until
from licensing.applications.selectors import exporter_people
from licensing.licences import lifecycle, notice
from licensing.licences import pdf as licence_pdf
from licensing.licences.selectors import licence_pdf_data
from licensing.licences.signing import sign_licence_pdf
from licensing.models import (
    Application,
    Counter,
    CustomsRule,
    LawFactor,
    Licence,
    LicenceEventKind,
    LicenceItem,
    LicenceNotice,
    LicenceNoticeKind,
    LicenceStatus,
    LicenceType,
    Route,
    Status,
    ToleranceRule,
)
from licensing.reporting.services import report_requirements_from_defaults
from notifications.services import notify
from outbox.services import enqueue
from portal.errors import ValidationFailed

LICENCE_ISSUER_CODE = "MC"  # 商务部 MOFCOM
INDIVIDUAL_LICENCE_VALIDITY_DAYS = 365  # Reg. 19: at most one year


def licence_number(year: int, serial: int) -> str:
    body = f"{year}{LICENCE_ISSUER_CODE}{serial:06d}"
    return body + mod_37_36.calc_check_digit(body)


def licence_number_is_valid(number: str) -> bool:
    return bool(number) and mod_37_36.is_valid(number.upper())


def approved_without_licence(older_than_seconds: int = 120) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(Application.objects.filter(status=Status.APPROVED, licence__isnull=True,
                                           decided_at__lte=cutoff).values_list("pk", flat=True))


def tolerance_for(control_code: str, hs_code: str) -> Decimal:
    """The over-shipment tolerance of an item: the rule with the longest matching prefix."""
    best, best_len = Decimal(0), -1
    for rule in ToleranceRule.objects.all():
        prefix = rule.control_code_prefix or rule.hs_code_prefix
        value = control_code if rule.control_code_prefix else hs_code
        if value and value.upper().startswith(prefix.upper()) and len(prefix) > best_len:
            best, best_len = rule.percent, len(prefix)
    return best


def licence_items_create(licence: Licence, items: list[dict]) -> None:
    """The licence's lines from the items as printed (licence_pdf_data: approved quantities). A
    general licence's line has no quantity cap unless the ministry approved a quantity for it."""
    LicenceItem.objects.bulk_create([
        LicenceItem(licence=licence, line=n, application_item_id=i.get("application_item"),
                    control_code=i["control_code"], catch_all=i["catch_all"], description=i["description"],
                    specification=i["specification"], hs_code=i["hs_code"], customs_unit_id=i.get("customs_unit"),
                    unit=i.get("unit_code") or i["unit"], quantity=i["quantity"], value_rmb=i["value_rmb"],
                    tolerance_percent=tolerance_for(i["control_code"], i["hs_code"]),
                    used_quantity=i.get("used_quantity", 0), used_value=i.get("used_value", 0),
                    capped=i.get("capped", True))
        for n, i in enumerate(items, start=1)])


def licence_valid_until(app: Application, valid_from):
    """Reg. 19: an individual licence at most 1 year; a general licence to the day the ministry
    granted, else the day the exporter asked, never past 3 years."""
    if app.route != Route.GENERAL:
        return valid_from + timedelta(days=INDIVIDUAL_LICENCE_VALIDITY_DAYS - 1)
    latest = general_max_until(valid_from)
    asked = app.granted_valid_until or app.requested_valid_until or latest
    return max(min(asked, latest), valid_from)


@transaction.atomic
def licence_issue(*, application_id) -> Licence | None:
    """Issue the licence of an approved case. Safe to run twice: the second run finds the licence
    (and the database would refuse a second one anyway)."""
    app = (Application.objects.select_for_update(of=("self",)).select_related("exporter", "importer", "end_user")
           .filter(pk=application_id).first())
    if app is None or app.status != Status.APPROVED:
        return None
    existing = Licence.objects.filter(application=app).first()
    if existing:
        return existing
    issued_at = timezone.now()
    valid_from = timezone.localdate(issued_at)
    year = valid_from.year
    licence_type = LicenceType.GENERAL if app.route == Route.GENERAL else LicenceType.INDIVIDUAL
    rule = CustomsRule.objects.filter(licence_type=licence_type).first()
    licence = Licence(application=app, current_for=app, exporter_id=app.exporter_id, export_port_id=app.export_port_id,
                      number=licence_number(year, Counter.objects.next_value("licence", year)),
                      licence_type=licence_type, status=LicenceStatus.ISSUED, status_changed_at=issued_at,
                      one_port=rule.one_port if rule else True, one_shipment=rule.one_shipment if rule else True,
                      issued_at=issued_at, valid_from=valid_from, valid_until=licence_valid_until(app, valid_from))
    data = licence_pdf_data(licence)
    content = sign_licence_pdf(licence_pdf.render_licence_pdf(data))
    licence.pdf = content
    licence.sha256 = hashlib.sha256(content).hexdigest()
    licence.save()
    licence_items_create(licence, data["items"])
    audit.record(actor=None, action="licence.issue", obj=licence,
                 after={"application": app.pk, "number": licence.number, "sha256": licence.sha256,
                        "valid_until": licence.valid_until.isoformat()})
    report_requirements_from_defaults(licence_id=licence.pk)  # Reg. 18 reports, from licensing/reporting
    timeline.tell_exporter(app, "licence", key="licence", body=f"{licence.number}")
    lifecycle.record_event(licence, LicenceEventKind.ISSUED)
    if app.replaces_licence_id and licence_cancel(licence_id=app.replaces_licence_id, replaced_by=licence):
        Licence.objects.filter(pk=licence.pk).update(replaces_id=app.replaces_licence_id)  # Reg. 18: new application
    return licence


# ---------------------------------------------------------------- status transitions (lifecycle.TRANSITIONS)


@transaction.atomic
def licence_suspend(*, actor, licence_id, reason: str, expected_version=None) -> Licence:
    licence = lifecycle.lock_licence(licence_id, actor)
    lifecycle.transition(licence, actor, "suspend", reason=reason, expected_version=expected_version)
    return licence


@transaction.atomic
def licence_restore(*, actor, licence_id, reason: str, expected_version=None) -> Licence:
    licence = lifecycle.lock_licence(licence_id, actor)
    if licence.status == LicenceStatus.SUSPENDED and licence.valid_until < timezone.localdate():
        lifecycle.transition(licence, None, "expire")  # validity ended while suspended
        return licence
    lifecycle.transition(licence, actor, "restore", reason=reason, expected_version=expected_version)
    return licence


@transaction.atomic
def licence_revoke(*, actor, licence_id, reason: str, factor: str, expected_version=None) -> Licence:
    """Revocation by a senior officer on a Law 13 factor; the notice PDF goes to the exporter."""
    licence = lifecycle.lock_licence(licence_id, actor)
    if factor not in LawFactor.values:
        raise ValidationFailed(fields={"factor": [_("Choose the Law 13 factor the revocation rests on.")]})
    if lifecycle.transition(licence, actor, "revoke", reason=reason, factor=factor,
                            expected_version=expected_version):
        enqueue("licensing.issue_revocation_notice", licence_id=licence.pk)
    return licence


@transaction.atomic
def licence_surrender(*, actor, licence_id, reason: str = "", expected_version=None) -> Licence:
    """The exporter gives the licence back, before any use or after partial use."""
    licence = lifecycle.lock_licence(licence_id, actor)
    lifecycle.transition(licence, actor, "surrender", reason=reason, expected_version=expected_version)
    return licence


def licence_check_exhausted(licence: Licence) -> bool:
    """After a write-off, on a licence locked by the caller: used up when every line has reached
    its licensed quantity. True when it was marked used up now."""
    if licence.status != LicenceStatus.ISSUED:
        return False
    if licence.items.filter(Q(capped=False) | Q(used_quantity__lt=F("quantity"))).exists():
        return False  # a line without a cap is never used up
    return lifecycle.transition(licence, None, "exhaust")


def licence_check_reopened(licence: Licence) -> bool:
    """After a reversal, on a licence locked by the caller: a used-up licence inside its validity
    with quantity left is valid again."""
    if licence.status != LicenceStatus.EXHAUSTED or licence.valid_until < timezone.localdate():
        return False
    if not licence.items.filter(Q(capped=False) | Q(used_quantity__lt=F("quantity"))).exists():
        return False
    return lifecycle.transition(licence, None, "reopen")


def licence_cancel(*, licence_id, replaced_by: Licence) -> Licence | None:
    """The changed licence replacing this one was issued (Reg. 18): call in its transaction."""
    licence = lifecycle.lock_licence(licence_id, None)
    if licence.status not in lifecycle.TRANSITIONS["cancel"].sources:
        return None
    lifecycle.transition(licence, None, "cancel", reason=replaced_by.number,
                         audit_extra={"replaced_by": replaced_by.number})
    return licence


def licences_expire(today=None) -> int:
    """Beat: licences whose last valid day (Asia/Shanghai) has ended expire. Idempotent; each
    licence in its own transaction so one failure does not hold the rest back."""
    today = today or timezone.localdate()
    ids = list(Licence.objects.filter(status__in=lifecycle.TRANSITIONS["expire"].sources, valid_until__lt=today)
               .values_list("pk", flat=True))
    done = 0
    for pk in ids:
        with transaction.atomic():
            licence = lifecycle.lock_licence(pk, None)
            if licence.status in lifecycle.TRANSITIONS["expire"].sources and licence.valid_until < today:
                done += lifecycle.transition(licence, None, "expire")
    return done


# ---------------------------------------------------------------- revocation notice


def revoked_without_notice(older_than_seconds: int = 120) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(Licence.objects.filter(status=LicenceStatus.REVOKED, status_changed_at__lte=cutoff)
                .exclude(notices__kind=LicenceNoticeKind.REVOCATION).values_list("pk", flat=True))


@transaction.atomic
def revocation_notice_issue(*, licence_id) -> LicenceNotice | None:
    """Write, sign and store the revocation notice of a revoked licence and tell the exporter it
    is ready. Safe to run twice: the second run finds the notice (and the database refuses a
    second one anyway)."""
    licence = lifecycle.lock_licence(licence_id, None)
    if licence.status != LicenceStatus.REVOKED:
        return None
    existing = licence.notices.filter(kind=LicenceNoticeKind.REVOCATION).defer("pdf").first()
    if existing:
        return existing
    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    letter = LicenceNotice(licence=licence, kind=LicenceNoticeKind.REVOCATION, issued_at=issued_at,
                           number=notice.notice_number(year, Counter.objects.next_value("revocation_notice", year)))
    event = licence.events.filter(kind=LicenceEventKind.REVOKED).order_by("-seq").first()
    content = notice.sign_revocation_notice_pdf(
        notice.render_revocation_notice_pdf(notice.revocation_notice_data(letter, event)))
    letter.pdf = content
    letter.sha256 = hashlib.sha256(content).hexdigest()
    letter.save()
    audit.record(actor=None, action="licence_notice.issue", obj=letter,
                 after={"licence": licence.number, "kind": letter.kind, "number": letter.number,
                        "sha256": letter.sha256})
    notify(recipients=exporter_people(licence.application), key=f"licence-notice:{letter.pk}",
           kind="licence.revocation_notice",
           title_zh=f"许可证 {licence.number} 的撤销通知书 {letter.number} 可以下载",
           title_en=f"The revocation notice {letter.number} of licence {licence.number} can be downloaded",
           url=lifecycle.licence_url(licence), application_id=licence.application_id)
    return letter
