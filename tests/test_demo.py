import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from enduser.models import ScreeningHit
from licensing.applications import services
from licensing.models import Application
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
        ["submitted", "forwarded", "with_agencies", "awaiting_countersign", "draft", "forwarded"])
    # Screening: the draft to a Control List company in traditional characters cannot be submitted;
    # the Watch List company's case reached the ministry with its hit.
    blocked = Application.objects.get(status="draft")
    with pytest.raises(ValidationFailed) as refused:
        services.application_submit(application_id=blocked.pk, actor=User.objects.get(username="exporter_staff"))
    assert refused.value.code == "control_listed"
    hit = ScreeningHit.objects.get()
    assert hit.party_name == "華榮精密技術有限公司" and hit.listed.list_kind == "watch" and hit.state == "open"
    waiting = Application.objects.get(status="awaiting_countersign")
    assert sorted(waiting.referrals.values_list("opinion", flat=True)) == ["no_objection", "objection"]
    assert Application.objects.get(status="with_agencies").referrals.filter(state="sent").count() == 2
    assert User.objects.get(username="exporter_staff").check_password("Demo-2026-portal")


def test_demo_data_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(username="exporter_admin").exists()
