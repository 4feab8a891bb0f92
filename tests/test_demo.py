import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from accounts.models import Role, User
from controllist.models import CatchAllNotice, NoticeAcknowledgement
from enduser.models import EndUseCheck, ScreeningHit
from licensing.applications import services
from licensing.models import Application, EndUseReport
from portal.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_demo_data_gives_one_user_per_role_and_cases_at_each_stage(capsys, settings):
    call_command("seed_demo")
    call_command("seed_demo")  # scripts/start runs it every time: safe to repeat
    out = capsys.readouterr().out
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for username in ("exporter_admin", "exporter_staff", "province_sh", "ministry_officer",
                     "ministry_senior", "agency_miit", "customs", "sysadmin"):
        assert username in out
    assert sorted(Application.objects.values_list("status", flat=True)) == sorted(
        ["submitted", "forwarded", "with_agencies", "awaiting_countersign", "draft", "forwarded", "draft",
         "registered"] + ["approved"] * 7)
    # Licences in each state a user meets, drawn on and changed through the services; the customs
    # token printed at each start works (and the one printed before it no longer does).
    from licensing.models import Licence, LicenceEvent, WriteOff

    assert sorted(Licence.objects.values_list("status", flat=True)) == sorted(
        ["issued", "issued", "issued", "exhausted", "suspended", "revoked", "expired"])
    assert WriteOff.objects.count() == 2 and LicenceEvent.objects.filter(kind="exhausted").count() == 1
    tokens = re.findall(r"Authorization: Customs (\S+)'", out)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    number = Licence.objects.filter(status="issued").first().number
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.get(f"/api/customs/licences/{number}/", HTTP_AUTHORIZATION=f"Customs {tokens[1]}").status_code == 200
    assert client.get(f"/api/customs/licences/{number}/", HTTP_AUTHORIZATION=f"Customs {tokens[0]}").status_code == 401
    # Screening: the draft to a Control List company in traditional characters cannot be submitted;
    # the Watch List company's case reached the ministry with its hit.
    blocked = Application.objects.get(status="draft", end_user__name="東辰精密電子有限公司")
    with pytest.raises(ValidationFailed) as refused:
        services.application_submit(application_id=blocked.pk, actor=User.objects.get(username="exporter_staff"))
    assert refused.value.code == "control_listed"
    hit = ScreeningHit.objects.get(party_name="華榮精密技術有限公司")
    assert hit.listed.list_kind == "watch" and hit.state == "open"
    # The address book's Hong Kong subsidiary of a Control List entry is hit through the 50% rule.
    owned = ScreeningHit.objects.get(party_name="Dongchen Precision (Hong Kong) Limited")
    assert owned.listed.list_kind == "control" and owned.ownership["percent"] == "60"
    # The draft whose certificate disagrees with it lists the mismatches before submission.
    draft = Application.objects.get(status="draft", end_user__name="Nordlicht Optik GmbH")
    with translation.override("en"):
        missing = " ".join(str(m) for m in services.missing_for_submission(draft))
    assert "more than the 20 on the certificate" in missing and "no seal" in missing
    assert CatchAllNotice.objects.count() == 2 and NoticeAcknowledgement.objects.count() == 1
    assert EndUseCheck.objects.filter(state="open").count() == 1 and EndUseReport.objects.count() == 1
    waiting = Application.objects.get(status="awaiting_countersign")
    assert sorted(waiting.referrals.values_list("opinion", flat=True)) == ["no_objection", "objection"]
    assert Application.objects.get(status="with_agencies").referrals.filter(state="sent").count() == 2
    assert User.objects.get(username="exporter_staff").check_password("Demo-2026-portal")
    # Compliance (issue 14): an evaluated ICP, a general licence, a registration certificate, an
    # enforcement case with a warning letter and a decided penalty, the dashboard computed.
    from compliance.enforcement.models import EnforcementStep, Penalty
    from compliance.icp.models import ICPEvaluation
    from compliance.statistics.models import StatisticsSnapshot
    from licensing.models import RegistrationCertificate

    staff = User.objects.get(username="exporter_staff")
    assert ICPEvaluation.objects.filter(exporter=staff.organisation, status="issued", rating="good").count() == 1
    general = Licence.objects.get(licence_type="general")
    assert general.exporter == staff.organisation and general.status == "issued"
    assert RegistrationCertificate.objects.filter(application__exporter=staff.organisation).count() == 1
    other = User.objects.get(username="other_exporter").organisation
    assert EnforcementStep.objects.filter(case__exporter=other, kind="warning_letter").exclude(pdf=b"").count() == 1
    assert Penalty.objects.get(exporter=other).status == "decided"
    assert StatisticsSnapshot.objects.exists()
    assert "General licence" in out and "Registration route" in out and "ENF-" in out


def test_demo_data_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(username="exporter_admin").exists()
