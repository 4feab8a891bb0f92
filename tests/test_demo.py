import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from licensing.models import Application

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
        ["submitted", "forwarded", "with_agencies", "awaiting_countersign"])
    waiting = Application.objects.get(status="awaiting_countersign")
    assert sorted(waiting.referrals.values_list("opinion", flat=True)) == ["no_objection", "objection"]
    assert Application.objects.get(status="with_agencies").referrals.filter(state="sent").count() == 2
    assert User.objects.get(username="exporter_staff").check_password("Demo-2026-portal")


def test_demo_data_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(username="exporter_admin").exists()
