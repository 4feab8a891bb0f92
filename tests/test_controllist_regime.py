"""Regime and control reason come from the code through the RegimeRule table (DOMAIN.md: sector,
item type, and the 0xx/1xx/2xx/3xx/4xx/9xx pattern), which an administrator edits; every edit is
audited. The agencies consulted on a code come from licensing's routing rules, the one table that
refers cases, handed to controllist through its agency-source registry (controllist never imports
licensing)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation
from audit.models import AuditEvent
from controllist import regime
from controllist.models import RegimeRule
from controllist.regime import classify, load_rules
from licensing.models import RoutingRule
from licensing.referrals import routing
from licensing.referrals import tables as routing_tables
from tests.factories import PASSWORD

ENTRY_PAGE = "/controllist/entry/2024-12-01/{}/"
ENTRY_API = "/api/controllist/entries/2024-12-01/{}/"


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
    assert "agencies" not in event.after

    form = admin_client.get(reverse("admin:controllist_regimerule_change", args=[rule.pk])).content.decode()
    assert 'name="agencies"' not in form

    admin_client.post(reverse("admin:controllist_regimerule_delete", args=[rule.pk]), {"post": "yes"})
    assert not RegimeRule.objects.filter(pk=rule.pk).exists()
    deleted = AuditEvent.objects.get(action="controllist.regime_rule_delete")
    assert deleted.before["regime_digit"] == "2" and "agencies" not in deleted.before
    assert classify("2B201").regime_en == "" and classify("2B201").agency_codes == ["CAEA"]


def test_only_administrators_reach_the_table(actors):
    client = Client()
    assert client.login(username=actors.ministry.username, password=PASSWORD)
    response = client.get(reverse("admin:controllist_regimerule_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# ---------------------------------------------------------------- the ministry's edits reach the list


def entry_client(user, language="en"):
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def agencies_html(client, code) -> str:
    html = client.get(ENTRY_PAGE.format(code)).content.decode()
    return html[html.index('id="agencies"'):html.index('id="entry-version"')]


def api_agencies(client, code) -> dict:
    response = client.get(ENTRY_API.format(code))
    assert response.status_code == 200
    return response.json()["regime"]


def edit_rule_in_the_browser(client, rule, **changes):
    form = rule_form_data(rule)
    form.update(changes)
    response = client.post(f"/review/rules/{rule.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]


def rule_form_data(rule) -> dict:
    rule.refresh_from_db()
    data = {"version": rule.version, "name_zh": rule.name_zh, "name_en": rule.name_en,
            "agencies": [str(agency.pk) for agency in rule.agencies.all()], "active": "on"}
    for name in ("sector", "item_type", "regime_digit", "code_exact", "code_prefix", "destination",
                 "end_use_category"):
        data[name] = getattr(rule, name)
    return data


def test_a_rule_edited_in_the_browser_changes_the_entry_page_and_api(actors):
    senior, owner = entry_client(actors.senior), entry_client(actors.owner)
    mfa = Organisation.objects.get(code="MFA")
    before = agencies_html(owner, "5A002")
    assert "SCA" in before and "Cryptography equipment (5A002)" in before and "MFA" not in before

    rule = RoutingRule.objects.get(code_prefix="5A002")
    edit_rule_in_the_browser(senior, rule, name_zh="密码设备，外交部会商", name_en="Cryptography, with MFA",
                             agencies=[str(mfa.pk)])

    after = agencies_html(owner, "5A002")
    assert "Cryptography, with MFA" in after and "密码设备，外交部会商" in after  # both languages
    assert 'data-agency="MFA"' in after and 'data-agency="SCA"' not in after
    assert 'data-agency="MIIT"' in after  # the regime digit 0 rule is untouched
    body = api_agencies(entry_client(actors.owner), "5A002")
    by_code = {agency["code"]: agency for agency in body["agencies"]}
    assert set(by_code) == {"MFA", "MIIT"}
    assert by_code["MFA"] == {"code": "MFA", "name_zh": mfa.name_zh, "name_en": mfa.name_en,
                              "reasons": [{"id": rule.pk, "name_zh": "密码设备，外交部会商",
                                           "name_en": "Cryptography, with MFA"}]}
    assert body["conditional_rules"] == []
    # The Chinese page (the default language) shows the same rule.
    assert "密码设备，外交部会商" in agencies_html(entry_client(actors.owner, "zh-hans"), "5A002")


def test_a_rule_deactivated_in_the_browser_disappears_from_the_entry_page_and_api(actors):
    senior, owner = entry_client(actors.senior), entry_client(actors.owner)
    rule = RoutingRule.objects.get(code_prefix="5A002")
    assert 'data-agency="SCA"' in agencies_html(owner, "5A002")
    response = senior.post(f"/review/rules/{rule.pk}/deactivate/", {"version": rule.version})
    assert response.status_code == 302
    assert not RoutingRule.objects.get(pk=rule.pk).active

    html = agencies_html(owner, "5A002")
    assert 'data-agency="SCA"' not in html and "Cryptography equipment" not in html
    assert [agency["code"] for agency in api_agencies(owner, "5A002")["agencies"]] == ["MIIT"]


def test_a_rule_with_a_destination_condition_shows_as_conditional(actors):
    senior, owner = entry_client(actors.senior), entry_client(actors.owner)
    mps = Organisation.objects.get(code="MPS")
    response = senior.post("/review/rules/new/", {
        "name_zh": "钐出口至日本", "name_en": "Samarium to Japan", "code_prefix": "1C902",
        "destination": "JP", "agencies": [str(mps.pk)]})
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get(name_en="Samarium to Japan")

    html = agencies_html(owner, "1C902")
    assert 'data-agency="MPS"' not in html  # not an agency of the code alone
    conditional = html[html.index('id="conditional-agencies"'):]
    assert "Also, depending on the case" in conditional
    assert "Samarium to Japan" in conditional and "钐出口至日本" in conditional and "MPS" in conditional
    assert "the destination" in conditional
    body = api_agencies(owner, "1C902")
    assert "MPS" not in [agency["code"] for agency in body["agencies"]]
    assert body["conditional_rules"] == [{
        "id": rule.pk, "name_zh": "钐出口至日本", "name_en": "Samarium to Japan", "depends_on": ["destination"],
        "agencies": [{"code": "MPS", "name_zh": mps.name_zh, "name_en": mps.name_en}]}]
    # Another code is not concerned.
    assert "Samarium to Japan" not in agencies_html(owner, "1C350")
    zh = agencies_html(entry_client(actors.owner, "zh-hans"), "1C902")
    assert "此外，视具体案件而定" in zh and "目的国" in zh


def test_the_entry_page_reads_the_tables_in_a_fixed_number_of_queries(actors, django_assert_max_num_queries):
    client = entry_client(actors.owner)
    client.get(ENTRY_PAGE.format("1C902"))  # warm the session and per-process caches

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(ENTRY_PAGE.format("1C902")).status_code == 200
        return len(context)

    baseline = queries()
    agencies = list(Organisation.objects.filter(kind="agency"))
    for number in range(12):
        rule = routing_tables.routing_rule_create(actor=actors.senior, data={
            "name_zh": f"规则{number}", "name_en": f"rule {number}", "sector": "1",
            "destination": "JP" if number % 3 == 0 else "", "agencies": [a.pk for a in agencies[:3]]})
        assert rule.pk
    assert queries() == baseline
    with django_assert_max_num_queries(12):
        assert client.get(ENTRY_PAGE.format("1C902")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(ENTRY_API.format("1C902")).status_code == 200
