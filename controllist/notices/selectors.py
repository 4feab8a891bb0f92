"""Reads of catch-all notices (Law 12(3)): who sees which, which are in force for an exporter, which
cover an export, which an exporter has yet to acknowledge, and who has acknowledged one."""

from datetime import date

from django.db.models import Exists, OuterRef

from accounts.models import EXPORTER_ROLES, Organisation, OrgKind, Verification
from controllist.models import CatchAllNotice, NoticeAcknowledgement, NoticeCitation
from controllist.notices.matching import NoticeHit, notice_covers


def notices_visible_to(user):
    return CatchAllNotice.objects.visible_to(user).select_related("exporter")


def notice_for(user, notice_id) -> CatchAllNotice | None:
    try:
        return notices_visible_to(user).filter(pk=int(notice_id)).first()
    except (TypeError, ValueError):
        return None


def _organisation_id(exporter):
    return getattr(exporter, "pk", exporter)


def notices_in_force(exporter, on: date | None = None) -> list[CatchAllNotice]:
    """The notices in force on a date that reach an exporter (addressed to it or to all)."""
    organisation_id = _organisation_id(exporter)
    if organisation_id is None:
        return []
    return list(CatchAllNotice.objects.in_force(on).addressed_to(organisation_id).order_by("issued_on", "pk"))


def covering(exporter, *, items, parties=(), end_use: str = "", destinations=(), on=None) -> list[NoticeHit]:
    """The notices in force for the exporter that cover this export, in the order issued."""
    return [hit for notice in notices_in_force(exporter, on)
            if (hit := notice_covers(notice, items=items, parties=parties, end_use=end_use,
                                     destinations=destinations)) is not None]


def unacknowledged(user):
    """Notices in force for the user's company that nobody there has acknowledged yet (the banner)."""
    if not user.is_authenticated or user.role not in EXPORTER_ROLES or not user.organisation_id:
        return CatchAllNotice.objects.none()
    return unacknowledged_by_organisation(user.organisation_id)


def unacknowledged_by_organisation(organisation_id):
    acknowledged = NoticeAcknowledgement.objects.filter(notice=OuterRef("pk"), exporter_id=organisation_id)
    return (CatchAllNotice.objects.in_force().addressed_to(organisation_id)
            .exclude(Exists(acknowledged)).order_by("issued_on", "pk"))


def acknowledged_by(notice, organisation_id) -> NoticeAcknowledgement | None:
    if organisation_id is None:
        return None
    return (NoticeAcknowledgement.objects.filter(notice=notice, exporter_id=organisation_id)
            .select_related("acknowledged_by").first())


def acknowledged_ids(organisation_id, notice_ids) -> list[int]:
    return list(NoticeAcknowledgement.objects.filter(exporter_id=organisation_id, notice_id__in=notice_ids)
                .values_list("notice_id", flat=True))


def addressees(notice):
    """The companies a notice reaches: the one addressed, or every verified exporter."""
    if not notice.all_exporters:
        return Organisation.objects.filter(pk=notice.exporter_id)
    return Organisation.objects.filter(kind=OrgKind.EXPORTER, verification=Verification.VERIFIED)


def acknowledgement_table(notice) -> dict:
    """For the ministry: who has acknowledged (with whom and when) and who has not."""
    acks = {ack.exporter_id: ack for ack in notice.acknowledgements.select_related("exporter", "acknowledged_by")}
    companies = list(addressees(notice).order_by("name_zh", "pk"))
    done = [acks[company.pk] for company in companies if company.pk in acks]
    # A company no longer verified that acknowledged before stays on the record.
    done += [ack for ack in acks.values() if ack not in done]
    return {"acknowledged": done, "pending": [company for company in companies if company.pk not in acks],
            "total": len(companies)}


def citations_of_case(application_id) -> list[NoticeCitation]:
    return list(NoticeCitation.objects.filter(application_id=application_id).select_related("notice"))
