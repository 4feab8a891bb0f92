"""Demo data for a newcomer: one user per role, two exporters, and cases at each stage of the review:
one at the province, one awaiting acceptance, one with the agencies, one awaiting countersignature;
and a sample Control List and Watch List."""

import hashlib
import io
import os
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from accounts.management.commands import _enduse_demo as enduse_demo
from accounts.management.commands import _licence_demo as licence_demo
from accounts.models import BusinessLicenceScan, Organisation, OrgKind, Province, Role, User
from compliance.eligibility import demo as routes_demo
from compliance.enforcement import demo as enforcement_demo
from compliance.icp import demo as icp_demo
from compliance.statistics.services import statistics_refresh
from controllist.controls import services as controls
from controllist.models import ClassificationQuestion, TemporaryControl
from controllist.questions import services as questions
from enduser.lists.demo import seed_demo_lists
from licensing.applications import services as licensing
from licensing.models import Application

DEMO_PASSWORD = "Demo-2026-portal"

EXPORTERS = [
    # code, zh, en, province, address, registration
    ("91310115MA1H7XQK4X", "上海稀材科技有限公司", "Shanghai Rare Materials Technology Co., Ltd.", "31",
     "上海市浦东新区张江路 100 号", "verified"),
    ("91440300MA5FUTQA7C", "深圳华测精密仪器有限公司", "Shenzhen Huace Precision Instruments Co., Ltd.", "44",
     "广东省深圳市南山区科技园 8 号", "verified"),
    # A registration for province_sh to verify on /companies/.
    ("91310112MA01RXAB3K", "上海新注册材料有限公司", "Shanghai Newly Registered Materials Co., Ltd.", "31",
     "上海市闵行区新骏环路 9 号", "pending"),
]

# username, role, organisation code, full name
USERS = [
    ("exporter_admin", Role.EXPORTER_ADMIN, "91310115MA1H7XQK4X", "王静 Wang Jing"),
    ("exporter_staff", Role.EXPORTER_STAFF, "91310115MA1H7XQK4X", "李强 Li Qiang"),
    ("other_exporter", Role.EXPORTER_ADMIN, "91440300MA5FUTQA7C", "陈芳 Chen Fang"),
    ("province_sh", Role.PROVINCIAL_OFFICER, "PROV-31", "赵敏 Zhao Min (上海)"),
    ("province_gd", Role.PROVINCIAL_OFFICER, "PROV-44", "黄伟 Huang Wei (广东)"),
    ("ministry_officer", Role.MINISTRY_OFFICER, "MOFCOM", "刘洋 Liu Yang"),
    ("ministry_senior", Role.MINISTRY_SENIOR, "MOFCOM", "孙磊 Sun Lei"),
    ("ministry_officer2", Role.MINISTRY_OFFICER, "MOFCOM", "何静 He Jing"),
    ("agency_miit", Role.AGENCY_REVIEWER, "MIIT", "周婷 Zhou Ting"),
    ("agency_miit_lead", Role.AGENCY_LEAD, "MIIT", "钱峰 Qian Feng"),
    ("agency_caea", Role.AGENCY_REVIEWER, "CAEA", "冯雪 Feng Xue"),
    ("agency_sastind", Role.AGENCY_REVIEWER, "SASTIND", "蒋涛 Jiang Tao"),
    ("agency_mfa", Role.AGENCY_REVIEWER, "MFA", "韩梅 Han Mei"),
    ("customs", Role.CUSTOMS_OFFICER, "GACC", "吴昊 Wu Hao"),
    ("sysadmin", Role.SYSTEM_ADMIN, "OPERATOR", "郑军 Zheng Jun"),
]


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def demo_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class Command(BaseCommand):
    help = "Load demo users (one per role) and a sample case, then print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow in production")

    def handle(self, *args, force=False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to load demo users with a known password in production.")
        with transaction.atomic():
            for code, zh, en, prov, address, verification in EXPORTERS:
                org, _created = Organisation.objects.get_or_create(code=code, defaults={
                    "kind": OrgKind.EXPORTER, "name_zh": zh, "name_en": en, "address": address,
                    "province": Province.objects.get(pk=prov), "contact_name": "demo",
                    "contact_email": "demo@example.com", "verification": verification})
                if not BusinessLicenceScan.objects.filter(organisation=org).exists():
                    scan = BusinessLicenceScan(organisation=org, original_name="营业执照.pdf", size=0, sha256="")
                    content = demo_pdf()
                    scan.size, scan.sha256 = len(content), hashlib.sha256(content).hexdigest()
                    scan.file.save("upload.pdf", ContentFile(content), save=False)
                    scan.save()
            for username, role, org_code, full_name in USERS:
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User(username=username, role=role, first_name=full_name,
                                organisation=Organisation.objects.get(code=org_code),
                                email=f"{username}@example.com")
                    user.set_password(DEMO_PASSWORD)
                if role == Role.SYSTEM_ADMIN:
                    user.is_staff = user.is_superuser = True
                user.save()
            staff = User.objects.get(username="exporter_staff")
            if not Application.objects.filter(exporter=staff.organisation).exists():
                self._sample_cases(staff)
            officer = User.objects.get(username="ministry_officer")
            if not TemporaryControl.objects.exists():
                self._sample_controls(officer)
            if not ClassificationQuestion.objects.exists():
                self._sample_questions(staff, officer)
            seed_demo_lists(officer)
            self._sample_screening(staff)
            tried = enduse_demo.seed(staff=staff, officer=officer, sample_case=self._sample_case)
            tried += licence_demo.seed(
                staff=staff, officer=officer, senior=User.objects.get(username="ministry_senior"),
                province=User.objects.get(username="province_sh"), customs_officer=User.objects.get(username="customs"),
                admin=User.objects.get(username="sysadmin"), sample_case=self._sample_case)
            tried += icp_demo.seed(admin=User.objects.get(username="exporter_admin"), officer=officer)
            tried += routes_demo.seed(staff=staff, officer=officer, senior=User.objects.get(username="ministry_senior"),
                                      province=User.objects.get(username="province_sh"), sample_case=self._sample_case,
                                      pdf=demo_pdf)
            tried += enforcement_demo.seed(exporter=Organisation.objects.get(code=EXPORTERS[1][0]), officer=officer)
            statistics_refresh()  # the dashboard's monthly summary, otherwise first computed at night
        base = f"http://{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '8000'}"
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in at {base}/accounts/login/"))
        self.stdout.write(f"Every demo user's password: {DEMO_PASSWORD}\n")
        width = max(len(u[0]) for u in USERS)
        role_width = max(_width(str(u[1].label)) for u in USERS)
        for username, role, org_code, _name in USERS:
            org = Organisation.objects.get(code=org_code)
            label = str(role.label)
            self.stdout.write(f"  {username.ljust(width)}  {label}{' ' * (role_width - _width(label))}  {org.name_zh}")
        self.stdout.write("API schema: /api/schema/  interactive: /api/docs/  admin: /admin/ (sysadmin)")
        self.stdout.write("Control List and Watch List (public, sample entries to be checked): /lists/")
        self.stdout.write("Screening: exporter_staff's draft to 東辰精密電子有限公司 is refused at submission (Control "
                          "List); ministry_officer sees the Watch List hit on the case to 華榮精密技術有限公司")
        for line in tried:
            self.stdout.write(line)

    def _sample_controls(self, officer):
        """A temporary control due for review within 60 days, and a destination-and-item ban,
        so the pages for both have something real to show."""
        today = timezone.localdate()
        controls.temporary_control_create(actor=officer, data={
            "title_zh": "高纯氧化镥靶材（演示）", "title_en": "High-purity lutetium oxide sputtering targets (demo)",
            "description_zh": "纯度≥99.99%，直径≥50 mm 的氧化镥溅射靶材。",
            "description_en": "Lutetium oxide sputtering targets of purity >= 99.99% and diameter >= 50 mm.",
            "hs_codes": ["2846901990"], "announcement": "演示公告 Demo announcement 2026 No. 1",
            "starts_on": (today - timedelta(days=700)).isoformat(),
            "ends_on": (today + timedelta(days=28)).isoformat()})
        controls.prohibition_create(actor=officer, data={
            "item_code": "1C9", "destination": "KP",
            "reason_zh": "依据联合国安理会决议，禁止向该目的地出口稀土等战略物项（演示）。",
            "reason_en": "Rare earths and other strategic items may not be exported to this destination "
                         "under UN Security Council resolutions (demo).",
            "announcement": "演示公告 Demo announcement 2026 No. 2",
            "effective_from": today.isoformat()})

    def _sample_questions(self, staff, officer):
        """One answered question (its code is offered when the item appears in an application)
        and one waiting for the ministry."""
        answered, _created = questions.question_ask(actor=staff, data={
            "item_name": "钐钴永磁体 Samarium-cobalt permanent magnets", "item_model": "SmCo-28",
            "specifications": "Sm2Co17, 最大磁能积 28 MGOe / max. energy product 28 MGOe",
            "intended_uses": "伺服电机 / servo motors",
            "reason_for_doubt": "不确定成品磁体是否属于 1C902 / Unsure whether finished magnets fall under 1C902"})
        questions.question_answer(actor=officer, question_id=answered.pk, code="1C902.a",
                                  note="成品钐钴磁体按 1C902.a 管制 / Finished SmCo magnets are controlled under 1C902.a",
                                  expected_version=answered.version)
        questions.question_ask(actor=staff, data={
            "item_name": "石墨负极材料 Graphite anode material", "item_model": "GA-360",
            "specifications": "球形石墨，纯度 99.95% / spheroidal graphite, purity 99.95%",
            "intended_uses": "锂离子电池负极 / lithium-ion battery anodes",
            "reason_for_doubt": "纯度接近阈值 / Purity is close to the threshold"})

    def _sample_cases(self, staff):
        """Four cases through the same services as the pages: at the province; awaiting acceptance;
        with MIIT and MFA for their opinions; and a refusal awaiting a senior's countersignature."""
        from licensing.decisions import services as decisions
        from licensing.referrals import services as referrals

        province = User.objects.get(username="province_sh")
        officer = User.objects.get(username="ministry_officer")
        self._sample_case(staff)
        cases = [self._sample_case(staff, value=value) for value in ("64000", "250000", "920000")]
        for app in cases:
            licensing.application_forward(application_id=app.pk, actor=province)
        for app in cases[1:]:
            licensing.application_accept(application_id=app.pk, actor=officer)
            referrals.referrals_propose(app.pk)
            referrals.referral_add(application_id=app.pk, actor=officer,
                                   agency_id=Organisation.objects.get(code="MFA").pk,
                                   reason="演示：目的地敏感 / demo: sensitive destination")
            referrals.referrals_send(application_id=app.pk, actor=officer)
        last = cases[2]
        for code, opinion, reasons in [
                ("MIIT", "objection", "演示：存在转用于军事用途的风险 / demo: risk of military diversion"),
                ("MFA", "no_objection", "演示：无外交方面异议 / demo: no foreign-policy objection")]:
            referral = last.referrals.get(agency__code=code)
            reviewer = User.objects.filter(organisation__code=code).order_by("pk").first()
            referrals.opinion_give(referral_id=referral.pk, actor=reviewer, opinion=opinion, reasons=reasons)
        decisions.decision_recommend(application_id=last.pk, actor=officer, outcome="refuse",
                                     factors=["national_security", "end_user"],
                                     reasons="演示：最终用途存在军事转用风险 / demo: risk of military end use")

    def _sample_screening(self, staff):
        """Two cases whose end users are demo list entries written in traditional characters: a
        draft the exporter cannot submit (Control List), and a forwarded case whose Watch List hit
        the ministry sees and judges."""
        from enduser.models import Party

        if Party.objects.filter(exporter=staff.organisation, name="東辰精密電子有限公司").exists():
            return
        address = "1 Demo Road, Singapore 018989 (demo)"
        self._sample_case(staff, end_user=("東辰精密電子有限公司", address, "SG"), submit=False)
        watched = self._sample_case(staff, value="120000", end_user=("華榮精密技術有限公司", address, "SG"),
                                    documents=("end_user_certificate", "risk_assessment", "compliance_undertaking"))
        licensing.application_forward(application_id=watched.pk, actor=User.objects.get(username="province_sh"))

    def _sample_case(self, staff, value="180000", end_user=None, submit=True, documents=("end_user_certificate",),
                     data=None):
        name, address, country = end_user or ("Fraunhofer-Institut (demo)", "Hansastr. 27c, 80686 München", "DE")
        app, _ = licensing.application_create(actor=staff, data={
            "destination": country, "end_use": "用于永磁电机研发的实验室测试 / Laboratory tests for permanent-magnet motor research.",
            "importer": {"name": "Magnetec Handels GmbH", "address": "Industriestr. 5, 70565 Stuttgart",
                         "country": "DE"},
            "end_user": {"name": name, "address": address, "country": country},
            "item": {"control_code": "1C902.a", "description": "钐钴合金 Samarium-cobalt alloy",
                     "quantity": "25", "unit": "kg", "value_rmb": value},
            **(data or {}),
        })
        for kind in documents:
            upload = SimpleUploadedFile(f"{kind.replace('_', '-')}.pdf", demo_pdf(), content_type="application/pdf")
            licensing.document_add(application_id=app.pk, actor=staff, kind=kind, upload=upload)
        if submit:
            licensing.application_submit(application_id=app.pk, actor=staff)
        return app
