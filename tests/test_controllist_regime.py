"""Regime, control reason and agencies to consult come from the code through the RegimeRule
table (DOMAIN.md: sector, item type, and the 0xx/1xx/2xx/3xx/4xx/9xx pattern), which an
administrator edits; every edit is audited."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation
from audit.models import AuditEvent
from controllist.models import RegimeRule
from controllist.regime import classify, load_rules
from tests.factories import PASSWORD


@pytest.mark.parametrize("code,regime,agencies", [
    ("3A001.a", "Wassenaar Arrangement type", []),
    ("9A101", "Missile and related items (MTCR type)", ["CMC-EDD", "SASTIND"]),
    ("2B201", "Nuclear dual-use items (NSG type)", ["CAEA"]),
    ("1C350", "Biological and chemical items (Australia Group type)", ["MIIT"]),
    ("1C351.a", "Biological and chemical items (Australia Group type)", ["MIIT", "NHC"]),
    ("1C352", "Biological and chemical items (Australia Group type)", ["MARA", "MIIT"]),
    ("1C450", "Chemical-weapons related items (CWC type)", ["MIIT"]),
    ("1C902.a", "China's own controls", ["MIIT"]),
    ("3B901", "China's own controls", []),
    ("5A002.a", "Wassenaar Arrangement type", ["SCA"]),
])
def test_the_seeded_table_derives_regime_and_agencies_from_the_code(db, code, regime, agencies):
    info = classify(code)
    assert info.regime_en == regime
    assert info.agency_codes == agencies
    assert info.reason_zh and info.reason_en


def test_the_most_specific_rule_names_the_regime_and_every_matching_rule_adds_agencies(db):
    mfa = Organisation.objects.get(code="MFA")
    rule = RegimeRule.objects.create(code_prefix="3A001", regime_zh="测试", regime_en="Test regime")
    rule.agencies.set([mfa])
    info = classify("3A001.a")
    assert info.regime_en == "Test regime"
    assert info.reason_en.startswith("National security")  # the 0xx rule still gives the reason
    assert info.agency_codes == ["MFA"]
    assert classify("3A002").regime_en == "Wassenaar Arrangement type"


def test_a_code_no_rule_matches_has_no_regime(db):
    RegimeRule.objects.filter(regime_digit="0").delete()
    info = classify("3A001")
    assert info.regime_en == "" and info.agencies == ()


def test_classifying_many_codes_reads_the_table_once(db, django_assert_num_queries):
    with django_assert_num_queries(2):  # the rules and their agencies
        rules = load_rules()
    with django_assert_num_queries(0):
        for code in ("1C902.a", "2B201", "9A101", "5A002.a"):
            classify(code, rules)


def test_an_administrator_edits_the_table_and_the_edit_is_audited(admin_client, db):
    rule = RegimeRule.objects.get(regime_digit="2", sector="", item_type="", code_prefix="")
    caea, mfa = Organisation.objects.get(code="CAEA"), Organisation.objects.get(code="MFA")
    response = admin_client.post(reverse("admin:controllist_regimerule_change", args=[rule.pk]), {
        "sector": "", "item_type": "", "regime_digit": "2", "code_prefix": "",
        "regime_zh": rule.regime_zh, "regime_en": rule.regime_en,
        "reason_zh": rule.reason_zh, "reason_en": rule.reason_en,
        "agencies": [caea.pk, mfa.pk], "note": "MFA consulted on nuclear items",
    })
    assert response.status_code == 302, response.content[:500]
    assert classify("2B201").agency_codes == ["CAEA", "MFA"]
    event = AuditEvent.objects.get(action="controllist.regime_rule_change")
    assert event.actor.username == "admin" and event.after["agencies"] == ["CAEA", "MFA"]

    admin_client.post(reverse("admin:controllist_regimerule_delete", args=[rule.pk]), {"post": "yes"})
    assert not RegimeRule.objects.filter(pk=rule.pk).exists()
    deleted = AuditEvent.objects.get(action="controllist.regime_rule_delete")
    assert deleted.before["regime_digit"] == "2"
    assert classify("2B201").agency_codes == []


def test_only_administrators_reach_the_table(actors):
    client = Client()
    assert client.login(username=actors.ministry.username, password=PASSWORD)
    response = client.get(reverse("admin:controllist_regimerule_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_entry_page_shows_the_table_s_answer(actors, admin_client):
    rule = RegimeRule.objects.get(sector="1", item_type="C", regime_digit="9")
    rule.agencies.add(Organisation.objects.get(code="MFA"))
    client = Client()
    client.cookies["django_language"] = "en"
    assert client.login(username=actors.owner.username, password=PASSWORD)
    page = client.get("/controllist/entry/2024-12-01/1C902/").content.decode()
    assert "Ministry of Foreign Affairs" in page and "Ministry of Industry and Information Technology" in page
