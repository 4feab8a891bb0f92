"""Reads about registrations: who may see a company's licence scan, and which companies sit in a
province their credit code does not name."""

from django.db.models import F
from django.db.models.functions import Substr

from accounts.models import BusinessLicenceScan, Organisation, OrgKind, Province
from portal.errors import NotFound


def licence_scan_for(user, organisation_id) -> BusinessLicenceScan:
    scan = (BusinessLicenceScan.objects.visible_to(user).select_related("organisation")
            .filter(organisation_id=organisation_id).first())
    if scan is None:
        raise NotFound()
    return scan


def province_mismatches():
    """Exporters whose registered province is not the one their credit code was issued in
    (characters 3-4 of the code), or who have none; codes issued nationally (division 10xxxx)
    or not in the credit-code form name no province and are left out."""
    return (Organisation.objects.filter(kind=OrgKind.EXPORTER)
            .annotate(code_province=Substr("code", 3, 2))
            .filter(code_province__in=Province.objects.values("code"))
            .exclude(province_id=F("code_province"))
            .select_related("province").order_by("code"))


def provinces_by_code() -> dict[str, Province]:
    return {p.code: p for p in Province.objects.all()}
