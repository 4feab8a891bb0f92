"""Demo data for end users and the regime around them (seed_demo calls `seed`): an ownership link
below a Control List entry, address-book parties that hit and that don't, a draft whose end-user
certificate disagrees with it, catch-all notices (one unacknowledged, so exporters see the banner),
an open end-use check and a report of a change of end use. Every step goes through the services
the pages use, so each is audited like real work; a second run adds nothing."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Organisation, User
from controllist.models import CatchAllNotice
from controllist.notices import services as notices
from enduser.checks import services as checks
from enduser.lists import ownership
from enduser.models import ListedParty, OwnershipLink, Party
from enduser.parties import services as parties
from licensing.certificates import services as certificates
from licensing.enduse import services as enduse
from licensing.models import Application, Status

DONGCHEN = "东辰精密电子有限公司"
DONGCHEN_HK = ["东辰精密（香港）有限公司", "Dongchen Precision (Hong Kong) Limited"]


def seed(*, staff: User, officer: User, sample_case) -> list[str]:
    """Returns the lines seed_demo prints about what is there to try."""
    if CatchAllNotice.objects.exists():
        return []
    today = timezone.localdate()
    _ownership(officer, today)
    _parties(staff)
    _certificate(staff, sample_case, today)
    _notices(officer, today)
    _check_and_report(staff, officer, today)
    return [
        "Ownership: 东辰精密（香港）有限公司 is 60% owned by a Control List entry (/lists/links/); exporter_admin's "
        "address book (/parties/) holds it, hit through the 50% rule",
        "Certificate: exporter_staff's draft to Nordlicht Optik GmbH lists its certificate's mismatches",
        "Catch-all notices: exporters see an unacknowledged notice banner; the ministry sees who acknowledged "
        "(/controllist/notices/)",
        "End-use check open on 華榮精密技術有限公司 (/enduse-checks/); a change-of-end-use report in "
        "/enduse-reports/",
    ]


def _ownership(officer, today):
    listed = next((row for row in ListedParty.objects.filter(list_kind="control") if DONGCHEN in row.names), None)
    if listed is None or OwnershipLink.objects.exists():
        return
    ownership.ownership_link_publish(actor=officer, data={
        "owner_listed": listed.pk, "owned_names": DONGCHEN_HK, "owned_country": "HK", "kind": "subsidiary",
        "percent": "60", "start_on": (today - timedelta(days=400)).isoformat(),
        "evidence": "演示：公司注册处周年申报表所载股东 / demo: shareholders in the annual return to the Companies Registry",
        "source": "演示数据 (demo data)"})


def _parties(staff):
    admin = User.objects.get(username="exporter_admin")
    for data in (
        {"name": "Dongchen Precision (Hong Kong) Limited", "name_zh": "东辰精密（香港）有限公司",
         "kind": "company", "address": "8 Harbour Road, Wan Chai, Hong Kong (demo)", "country": "HK"},
        {"name": "Nordlicht Optik GmbH", "kind": "company", "address": "Carl-Zeiss-Str. 3, 07743 Jena (demo)",
         "country": "DE", "identifiers": {"registration": "HRB 501234 (demo)"}},
        {"name": "Institut für Werkstoffforschung (demo)", "kind": "research",
         "address": "Hansastr. 27c, 80686 München", "country": "DE"},
    ):
        if not Party.objects.filter(exporter=staff.organisation, name=data["name"]).exists():
            parties.party_create(actor=admin, data=data)


def _certificate(staff, sample_case, today):
    """A draft whose structured certificate allows less than applied for and lacks a seal and one
    undertaking: the checklist lists each mismatch before submission."""
    app = sample_case(staff, end_user=("Nordlicht Optik GmbH", "Carl-Zeiss-Str. 3, 07743 Jena (demo)", "DE"),
                      submit=False)
    certificates.certificate_save(application_id=app.pk, actor=staff, data={
        "end_user_name": "Nordlicht Optik GmbH", "importer_name": "Magnetec Handels GmbH",
        "end_use": "Laboratory tests for permanent-magnet motor research (demo)",
        "place_of_use": "Jena, Germany", "no_wmd_use": True, "no_end_use_change": True,
        "no_third_party_transfer": False, "sealed": False, "signatory_name": "Dr. Anna Weber",
        "signatory_title": "Managing Director", "signed_on": (today - timedelta(days=20)).isoformat(),
        "valid_until": (today + timedelta(days=345)).isoformat(),
        "lines": [{"item_name": "钐钴合金 Samarium-cobalt alloy", "unit": "kg", "quantity": "20", "value": "150000",
                   "currency": "CNY"}]})


def _notices(officer, today):
    notices.notice_issue(actor=officer, data={
        "all_exporters": True, "item_description": "用于锂离子电池负极的高纯球形石墨 / high-purity spheroidal graphite "
        "for lithium-ion battery anodes", "item_keywords": "球形石墨, spheroidal graphite",
        "reason_zh": "演示：此类物项出口可能危害国家安全，出口前须申请许可。",
        "reason_en": "Demo: exports of this item may endanger national security; apply for a licence before export.",
        "issued_on": today.isoformat(), "ends_on": (today + timedelta(days=180)).isoformat()})
    other = Organisation.objects.get(code="91440300MA5FUTQA7C")
    addressed = notices.notice_issue(actor=officer, data={
        "exporter": other.pk, "end_user_names": "Nordlicht Optik GmbH",
        "reason_zh": "演示：向该最终用户出口可能用于大规模杀伤性武器。",
        "reason_en": "Demo: exports to this end user may serve weapons of mass destruction.",
        "issued_on": today.isoformat()})
    notices.notice_acknowledge(actor=User.objects.get(username="other_exporter"), notice_id=addressed.pk)


def _check_and_report(staff, officer, today):
    watched = (Application.objects.filter(exporter=staff.organisation, end_user__name="華榮精密技術有限公司")
               .exclude(status=Status.DRAFT).first())
    if watched is not None:
        checks.check_open(actor=officer, party_id=watched.end_user_id, method="documents",
                          questions="请提供最终用户的营业执照、股权结构及最近一年的采购记录。/ Send the end user's business "
                                    "licence, its shareholders and last year's purchase records.",
                          deadline=(today + timedelta(days=21)).isoformat(), application_id=watched.pk,
                          case_number=watched.reference or "")
    referred = Application.objects.filter(exporter=staff.organisation, status=Status.WITH_AGENCIES).first()
    if referred is not None:
        enduse.enduse_report_file(actor=staff, application_id=referred.pk, kind="end_use_may_change",
                                  description="演示：最终用户告知可能将部分材料转用于另一研究项目。/ Demo: the end user "
                                              "says part of the material may go to another research project.")
