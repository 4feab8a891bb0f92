"""Regime and control reason come from the code through the RegimeRule table (DOMAIN.md: sector,
item type, and the 0xx/1xx/2xx/3xx/4xx/9xx pattern), which an administrator edits; every edit is
audited. The agencies consulted on a code come from licensing's routing rules, the one table that
refers cases, handed to controllist through its agency-source registry (controllist never imports
licensing)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from controllist import regime
from controllist.models import RegimeRule
from controllist.regime import classify, load_rules
from licensing.models import RoutingRule
from licensing.referrals import routing
from tests.factories import PASSWORD


@pytest.mark.parametrize("code,regime_en,agencies", [
    ("3A001.a", "Wassenaar Arrangement type", ["MIIT"]),
    ("9A101", "Missile and related items (MTCR type)", ["CMC-EDD", "SASTIND"]),
    ("2B201", "Nuclear dual-use items (NSG type)", ["CAEA"]),
    ("1C350", "Biological and chemical items (Australia Group type)", ["MIIT"]),
    ("1C351.a", "Biological and chemical items (Australia Group type)", ["MIIT", "NHC"]),
    ("1C352", "Biological and chemical items (Australia Group type)", ["MARA", "MIIT"]),
    ("1C450", "Chemical-weapons related items (CWC type)", ["MIIT"]),
    ("1C902.a", "China's own controls", ["MIIT"]),
    ("3B901", "China's own controls", ["MIIT"]),
    ("5A002.a", "Wassenaar Arrangement type", ["MIIT", "SCA"]),
])
def test_regime_from_the_regime_table_agencies_from_the_routing_table(db, code, regime_en, agencies):
    info = classify(code)
    assert info.regime_en == regime_en
    assert info.reason_zh and info.reason_en
    assert info.agency_codes == agencies
    assert info.conditional == ()  # the seeded case rules have no code condition


def test_each_agency_comes_with_the_routing_rules_that_propose_it(db):
    info = classify("1C902.a")
    [miit] = info.consulted
    assert miit.code == "MIIT"
    assert [rule.name_en for rule in miit.reasons] == [
        "China's own controls (regime digit 9) (illustrative default)",
        "Rare earths, graphite and other strategic materials (1C9xx) (illustrative default)"]
    assert all(rule.name_zh and rule.case_conditions == () for rule in miit.reasons)


def test_the_most_specific_regime_rule_names_the_regime(db):
    RegimeRule.objects.create(code_prefix="3A001", regime_zh="测试", regime_en="Test regime")
    info = classify("3A001.a")
    assert info.regime_en == "Test regime"
    assert info.reason_en.startswith("National security")  # the 0xx rule still gives the reason
    assert classify("3A002").regime_en == "Wassenaar Arrangement type"


def test_a_code_no_rule_matches_has_no_regime_and_no_agencies(db):
    RegimeRule.objects.filter(regime_digit="0").delete()
    RoutingRule.objects.filter(regime_digit="0").update(active=False)
    info = classify("3A001")
    assert info.regime_en == "" and info.agencies == () and info.consulted == ()


def test_without_an_agency_source_codes_have_no_agencies(db, monkeypatch):
    monkeypatch.setattr(regime, "_agency_source", None)
    info = classify("5A002.a")
    assert info.regime_en == "Wassenaar Arrangement type"
    assert info.agencies == () and info.conditional == () and info.agency_codes == []


def test_licensing_registers_the_routing_table_as_the_agency_source():
    source = regime.registered_agency_source()
    assert source.propose is routing.code_proposals and source.load is routing.load_rules


def test_classifying_many_codes_reads_the_tables_once(db, django_assert_num_queries):
    with django_assert_num_queries(3):  # the regime rules; the routing rules and their agencies
        rules = load_rules()
    with django_assert_num_queries(0):
        for code in ("1C902.a", "2B201", "9A101", "5A002.a"):
            classify(code, rules)


def test_controllist_never_imports_licensing():
    """controllist is the lower app: licensing imports it, never the other way round, not even
    inside a function."""
    root = Path(settings.BASE_DIR) / "controllist"
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                    "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                names = [str(node.args[0].value)]
            else:
                continue
            offenders += [f"{path.relative_to(root)}: {name}" for name in names
                          if name == "licensing" or name.startswith("licensing.")]
    assert len(list(root.rglob("*.py"))) > 20  # the check did read the app
    assert offenders == []


# ---------------------------------------------------------------- the administrator's regime table


def test_an_administrator_edits_the_table_and_the_edit_is_audited(admin_client, db):
    rule = RegimeRule.objects.get(regime_digit="2", sector="", item_type="", code_prefix="")
    response = admin_client.post(reverse("admin:controllist_regimerule_change", args=[rule.pk]), {
        "sector": "", "item_type": "", "regime_digit": "2", "code_prefix": "",
        "regime_zh": "核两用品", "regime_en": "Nuclear items", "reason_zh": rule.reason_zh,
        "reason_en": rule.reason_en, "note": "renamed",
    })
    assert response.status_code == 302, response.content[:500]
    assert classify("2B201").regime_en == "Nuclear items"
    assert classify("2B201").agency_codes == ["CAEA"]  # agencies are the routing table's
    event = AuditEvent.objects.get(action="controllist.regime_rule_change")
    assert event.actor.username == "admin" and event.after["regime_en"] == "Nuclear items"

    admin_client.post(reverse("admin:controllist_regimerule_delete", args=[rule.pk]), {"post": "yes"})
    assert not RegimeRule.objects.filter(pk=rule.pk).exists()
    deleted = AuditEvent.objects.get(action="controllist.regime_rule_delete")
    assert deleted.before["regime_digit"] == "2"
    assert classify("2B201").regime_en == "" and classify("2B201").agency_codes == ["CAEA"]


def test_only_administrators_reach_the_table(actors):
    client = Client()
    assert client.login(username=actors.ministry.username, password=PASSWORD)
    response = client.get(reverse("admin:controllist_regimerule_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
