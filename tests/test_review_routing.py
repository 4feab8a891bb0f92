"""Referral routing: the seeded rules table, matching, and rule edits that change the next routing
but never a referral already made."""

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Organisation
from licensing.models import AgencySettings, ApplicationItem, CountryGroup, Referral, RoutingRule
from licensing.referrals import routing
from licensing.referrals import services as referrals
from licensing.referrals import tables as routing_tables

pytestmark = pytest.mark.django_db


def set_case(app, *, items, destination="DE", end_user_country="DE", end_use_category="civil", total=None):
    """Replace a case's routing facts directly (a case has one item through the draft API; routing
    handles any number)."""
    app.items.all().delete()
    for code in items:
        ApplicationItem.objects.create(application=app, control_code="" if code == "catch-all" else code,
                                       catch_all=code == "catch-all", description=f"item {code}", quantity=1,
                                       unit="pcs", value_rmb=1000)
    app.destination = destination
    app.end_use_category = end_use_category
    app.total_value_rmb = Decimal(total if total is not None else 1000 * len(items))
    app.save()
    app.end_user.country = end_user_country
    app.end_user.save()
    return app


def agencies_of(app, rules=None) -> dict:
    return {agency.code: [rule["name_en"] for rule in rules_] for agency, rules_ in routing.route(app, rules)}


@pytest.mark.parametrize("items,facts,expected", [
    # Codes taken from controllist/data/unified-list-2024-12-01.json unless said otherwise.
    (["1A102"], {}, {"SASTIND", "CMC-EDD"}),                   # 1xx missile (MTCR type)
    (["9A101"], {}, {"SASTIND", "CMC-EDD"}),                   # 1xx in the aerospace sector
    (["2B201"], {}, {"CAEA"}),                                 # 2xx nuclear (NSG type)
    (["1C350.a"], {}, {"MIIT"}),                               # 3xx Australia Group type
    (["1C450"], {}, {"MIIT"}),                                 # 4xx CWC type
    (["3A001.a.1"], {}, {"MIIT"}),                             # 0xx Wassenaar type
    (["1C902.a"], {}, {"MIIT"}),                               # 9xx China's own, rare earths
    (["5A002.a"], {}, {"MIIT", "SCA"}),                        # cryptography (and 0xx)
    (["1C351"], {}, {"MIIT", "NHC"}),                          # human pathogens (code set directly)
    (["1C352"], {}, {"MIIT", "MARA"}),                         # animal pathogens (code set directly)
    (["1A102", "2B201"], {}, {"SASTIND", "CMC-EDD", "CAEA"}),  # two regimes: every agency once
    (["1C902.a"], {"destination": "KP", "end_user_country": "KP"}, {"MIIT", "MFA"}),
    (["1C902.a"], {"destination": "DE", "end_user_country": "LY"}, {"MIIT", "MFA"}),  # end user's country
    (["1C902.a"], {"destination": "IR", "end_user_country": "IR"}, {"MIIT"}),  # left out of the group (see seed)
    (["1C902.a"], {"end_use_category": "military"}, {"MIIT", "CMC-EDD", "MPS"}),
    (["2B201"], {"end_use_category": "nuclear"}, {"CAEA"}),
    (["1C902.a"], {"total": "50000000"}, {"MIIT", "MFA"}),
    (["1C902.a"], {"total": "49999999.99"}, {"MIIT"}),
    (["catch-all"], {}, {"MFA"}),                              # unlisted item under Art. 12(3)
])
def test_seeded_routing_table(case_factory, items, facts, expected):
    app = set_case(case_factory("draft"), items=items, **facts)
    assert set(agencies_of(app)) == expected


def test_each_agency_once_with_every_rule_that_proposed_it(case_factory):
    app = set_case(case_factory("draft"), items=["1C350", "1C450", "1C902.a"])
    routed = routing.route(app)
    assert [agency.code for agency, _ in routed] == ["MIIT"]
    names = [rule["name_en"] for rule in routed[0][1]]
    assert len(names) == 4 and any("regime digit 3" in n for n in names) and any("regime digit 4" in n for n in names)
    snapshot = routed[0][1][0]
    assert set(snapshot) == {"id", "version", "name_zh", "name_en", "conditions"}
    assert snapshot["conditions"] == {"regime_digit": "3"}


def test_group_snapshot_keeps_the_countries(case_factory):
    app = set_case(case_factory("draft"), items=["1C902.a"], destination="KP", end_user_country="KP")
    mfa = next(rules for agency, rules in routing.route(app) if agency.code == "MFA")
    assert mfa[0]["conditions"]["country_group"] == "un-arms-embargo"
    assert "KP" in mfa[0]["conditions"]["country_group_countries"]


def test_code_conditions_hold_for_one_and_the_same_item(actors, case_factory):
    rule = referrals.routing_rule_create(actor=actors.senior, data={
        "name_zh": "测试", "name_en": "sector 1 and regime 2", "sector": "1", "regime_digit": "2",
        "agencies": [Organisation.objects.get(code="MPS").pk]})
    app = set_case(case_factory("draft"), items=["1A102", "2B201"])
    assert "MPS" not in agencies_of(app)  # 1A102 is sector 1, 2B201 regime 2: no one item is both
    set_case(app, items=["1B201"])
    assert agencies_of(app)["MPS"] == ["sector 1 and regime 2"]
    referrals.routing_rule_deactivate(actor=actors.senior, rule_id=rule.pk, expected_version=rule.version)
    assert "MPS" not in agencies_of(app)


def test_exact_code_and_destination_conditions(actors, case_factory):
    mps = Organisation.objects.get(code="MPS")
    referrals.routing_rule_create(actor=actors.senior, data={
        "name_zh": "精确", "name_en": "exact", "code_exact": "1c350.a", "destination": "jp", "agencies": [mps.pk]})
    app = set_case(case_factory("draft"), items=["1C350.a"], destination="JP", end_user_country="JP")
    assert agencies_of(app)["MPS"] == ["exact"]
    set_case(app, items=["1C350.b"], destination="JP", end_user_country="JP")
    assert "MPS" not in agencies_of(app)
    set_case(app, items=["1C350.a"], destination="KR", end_user_country="KR")
    assert "MPS" not in agencies_of(app)


def test_routing_reads_the_rules_in_a_fixed_number_of_queries(case_factory, django_assert_max_num_queries):
    app = set_case(case_factory("draft"), items=["1A102", "2B201", "1C902.a"], destination="KP")
    app = type(app).objects.select_related("end_user").prefetch_related("items").get(pk=app.pk)
    with django_assert_max_num_queries(2):
        routed = routing.route(app)
    assert len(routed) == 5


def test_seed_agency_settings_and_groups():
    codes = set(Organisation.objects.filter(kind="agency").values_list("code", flat=True))
    assert codes == {"MIIT", "CAEA", "SASTIND", "CMC-EDD", "MFA", "NHC", "MARA", "SCA", "MPS"}
    settings = {s.agency.code: s for s in AgencySettings.objects.select_related("agency")}
    assert set(settings) == codes
    assert settings["CMC-EDD"].deadline_working_days == 15 and settings["MIIT"].deadline_working_days == 10
    assert settings["MIIT"].silence_is_no_objection and settings["MFA"].silence_is_no_objection
    assert not settings["CAEA"].silence_is_no_objection and not settings["CMC-EDD"].silence_is_no_objection
    embargo = CountryGroup.objects.get(code="un-arms-embargo")
    assert "KP" in embargo.countries and "IR" not in embargo.countries
    assert all("illustrative" in rule.name_en for rule in RoutingRule.objects.all())


# ---------------------------------------------------------------- edits change the next routing only


def test_a_rule_edited_in_the_browser_changes_the_next_routing_not_past_referrals(
        client, actors, case_factory, calendar_2027, django_capture_on_commit_callbacks):
    from licensing.applications import services

    first = case_factory("forwarded")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application_id=first.pk, actor=actors.ministry)
    old = Referral.objects.get(application=first)
    assert old.agency.code == "MIIT" and old.state == "proposed"
    old_rules = list(old.rules)

    rule = RoutingRule.objects.get(regime_digit="9", sector="")
    mfa = Organisation.objects.get(code="MFA")
    client.force_login(actors.senior)
    form = client.get(f"/review/rules/{rule.pk}/")
    assert form.status_code == 200
    data = {"version": rule.version, "name_zh": "中国自主管控（修改）", "name_en": "China's own, edited",
            "regime_digit": "9", "agencies": [str(mfa.pk)], "active": "on"}
    resp = client.post(f"/review/rules/{rule.pk}/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.version == 2 and list(rule.agencies.values_list("code", flat=True)) == ["MFA"]
    # A second save from the same (now stale) form is refused.
    assert client.post(f"/review/rules/{rule.pk}/", data).status_code == 409

    old.refresh_from_db()
    assert old.rules == old_rules and old.state == "proposed"
    assert not Referral.objects.filter(application=first, agency=mfa).exists()

    second = case_factory("forwarded")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application_id=second.pk, actor=actors.ministry)
    new = {ref.agency.code: ref for ref in Referral.objects.filter(application=second)}
    assert set(new) == {"MIIT", "MFA"}  # MIIT still from the 1C9 rule
    assert new["MFA"].rules == [{"id": rule.pk, "version": 2, "name_zh": "中国自主管控（修改）",
                                 "name_en": "China's own, edited", "conditions": {"regime_digit": "9"}}]


def test_a_country_group_edit_changes_the_next_routing(actors, case_factory):
    group = CountryGroup.objects.get(code="sensitive")
    app = set_case(case_factory("draft"), items=["1C902.a"], destination="AE", end_user_country="AE")
    assert "MFA" not in agencies_of(app)
    referrals.country_group_update(actor=actors.senior, group_id=group.pk, data={"countries": ["ae"]},
                                   expected_version=referrals.country_group_version(group))
    assert "MFA" in agencies_of(app)


def test_login_needed_for_rule_pages(client):
    resp = client.get("/review/rules/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


# ---------------------------------------------------------------- what the table says about a bare code


def proposals(code, rules=None) -> dict:
    found = routing.code_proposals(code, rules)
    return {consulted.agency.code: [rule.name_en for rule in consulted.reasons] for consulted in found.agencies}


def test_code_proposals_on_the_seeded_table():
    assert proposals("5A002.a") == {"MIIT": ["Wassenaar-type conventional items (regime digit 0) (illustrative default)"],
                                    "SCA": ["Cryptography equipment (5A002) (illustrative default)"]}
    assert set(proposals("9A101")) == {"SASTIND", "CMC-EDD"}
    assert len(proposals("1C902.a")["MIIT"]) == 2  # the 9xx rule and the 1C9xx rule, one agency
    # The seeded case rules (embargo, end use, value) and the catch-all rule have no code condition:
    # they say nothing about a code.
    assert routing.code_proposals("1C902.a").conditional == ()


@pytest.mark.parametrize("code", ["1A102", "2B201", "1C350.a", "1C351", "1C902.a", "5A002.a", "3A001.a.1"])
def test_code_proposals_agree_with_the_routing_of_a_plain_case(case_factory, code):
    app = set_case(case_factory("draft"), items=[code])
    assert proposals(code) == agencies_of(app)


def test_case_conditions_inactive_and_other_codes(actors):
    def create(name, agency, **conditions):
        return referrals.routing_rule_create(actor=actors.senior, data={
            "name_zh": name, "name_en": name, "agencies": [Organisation.objects.get(code=agency).pk], **conditions})

    military = create("1C902 for the military", "CMC-EDD", code_prefix="1C902", end_use_category="military")
    grouped = create("1C902 to a group", "MFA", code_prefix="1C902",
                     country_group=CountryGroup.objects.get(code="sensitive").pk, min_value_rmb="1000")
    create("Anything to Japan", "MPS", destination="JP")
    inactive = create("1C902, switched off", "NHC", code_prefix="1C902")
    referrals.routing_rule_deactivate(actor=actors.senior, rule_id=inactive.pk, expected_version=inactive.version)
    create("Exactly 1C902.a", "SCA", code_exact="1C902.a")

    found = routing.code_proposals("1C902")
    assert [consulted.agency.code for consulted in found.agencies] == ["MIIT"]
    assert [(rule.id, rule.case_conditions, [a.code for a in rule.agencies]) for rule in found.conditional] == [
        (military.pk, ("end_use_category",), ["CMC-EDD"]),
        (grouped.pk, ("country_group", "min_value_rmb"), ["MFA"])]
    assert set(proposals("1C902.a")) == {"MIIT", "SCA"}
    assert routing.code_proposals("1C350").conditional == ()
    # Switched-off rules say nothing, even when the caller hands them over.
    everything = list(RoutingRule.objects.prefetch_related("agencies"))
    assert "NHC" not in proposals("1C902", everything) and inactive in everything


def test_code_proposals_read_nothing_once_the_rules_are_loaded(django_assert_num_queries):
    rules = routing.load_rules()
    with django_assert_num_queries(0):
        for code in ("1C902.a", "5A002.a", "2B201", "1C351"):
            routing.code_proposals(code, rules)


# ---------------------------------------------------------------- the regime table's agencies carried over


CARRY_OVER = "licensing.migrations.0009_carry_over_regime_agencies"


def regime_row(agencies, *, sector="", item_type="", regime_digit="", code_prefix="", regime_zh="", regime_en="",
               note=""):
    row = SimpleNamespace(sector=sector, item_type=item_type, regime_digit=regime_digit, code_prefix=code_prefix,
                          regime_zh=regime_zh, regime_en=regime_en, note=note)
    return row, {Organisation.objects.get(code=code).pk for code in agencies}


def test_the_shipped_regime_table_is_already_covered_by_the_shipped_routing_rules():
    carry = importlib.import_module(CARRY_OVER)
    shipped = importlib.import_module("controllist.migrations.0002_regime_rules").RULES
    assert not RoutingRule.objects.filter(name_en__contains="carried over from the regime table").exists()
    rows = [regime_row(agencies, sector=sector, item_type=item_type, regime_digit=digit, code_prefix=prefix,
                       regime_zh=rzh, regime_en=ren, note=note)
            for sector, item_type, digit, prefix, rzh, ren, _szh, _sen, agencies, note in shipped]
    assert sum(bool(ids) for _row, ids in rows) == 12
    count = RoutingRule.objects.count()
    assert carry.carry_over_rules(django_apps, rows) == []
    assert RoutingRule.objects.count() == count


def test_carry_over_creates_a_rule_only_for_agencies_not_already_proposed(actors):
    carry = importlib.import_module(CARRY_OVER)
    RoutingRule.objects.get(code_prefix="5A002").agencies.add(Organisation.objects.get(code="MFA"))
    routing_tables.routing_rule_deactivate(actor=actors.senior, rule_id=RoutingRule.objects.get(code_prefix="5D002").pk)
    covered = [
        regime_row(["NHC"], code_prefix="1C351"),
        regime_row(["MIIT", "NHC"], code_prefix="1C351"),                 # by two rules together
        regime_row(["SCA", "MFA"], sector="5", item_type="A", regime_digit="0", code_prefix="5A002"),
        regime_row(["MIIT"], sector="1", item_type="C", regime_digit="9"),
        regime_row(["MIIT"], code_prefix="1C35"),                         # the 3xx rule: its digit is in the prefix
        regime_row([]),
    ]
    uncovered = [
        regime_row(["CAEA", "MFA"], regime_digit="2", regime_zh="核两用品", regime_en="Nuclear items"),
        regime_row(["MPS"], code_prefix="1C902", note="Samarium: MPS"),   # only a case rule names MPS
        regime_row(["SCA"], code_prefix="5D002"),                         # its routing rule is switched off
        regime_row(["CAEA", "MFA"], regime_digit="2"),                    # covered by the first one created
    ]
    created = carry.carry_over_rules(django_apps, covered + uncovered)

    assert [(rule.regime_digit, rule.code_prefix, rule.name_zh, rule.name_en) for rule in created] == [
        ("2", "", "核两用品（由管制类别表转入）", "Nuclear items (carried over from the regime table)"),
        ("", "1C902", "Samarium: MPS（由管制类别表转入）", "Samarium: MPS (carried over from the regime table)"),
        ("", "5D002", "5D002（由管制类别表转入）", "5D002 (carried over from the regime table)")]
    assert [sorted(a.code for a in rule.agencies.all()) for rule in created] == [["CAEA", "MFA"], ["MPS"], ["SCA"]]
    assert all(rule.active and routing.has_condition(rule) for rule in created)
    # The new rules route cases, and the control list shows them.
    assert set(proposals("2B201")) == {"CAEA", "MFA"} and set(proposals("1C902.a")) == {"MIIT", "MPS"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migrations_carry_the_regime_table_s_agencies_over_then_drop_them():
    """Run the real migrations: back to before the carry-over, give a regime rule an agency the
    routing table does not propose, and forward again."""
    before = [("controllist", "0006_client_tokens"), ("licensing", "0008_queue_indexes")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = MigrationExecutor(connection).loader.project_state(before).apps
        regime_rule = old.get_model("controllist", "RegimeRule").objects.get(
            regime_digit="2", sector="", item_type="", code_prefix="")
        agency = old.get_model("accounts", "Organisation").objects
        regime_rule.agencies.set([agency.get(code="CAEA"), agency.get(code="MFA")])
        count = RoutingRule.objects.count()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    carried = RoutingRule.objects.order_by("-pk").first()
    assert RoutingRule.objects.count() == count + 1
    assert carried.regime_digit == "2" and carried.name_en == (
        "Nuclear dual-use items (NSG type) (carried over from the regime table)")
    assert sorted(carried.agencies.values_list("code", flat=True)) == ["CAEA", "MFA"]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "controllist_regimerule_agencies" not in tables
