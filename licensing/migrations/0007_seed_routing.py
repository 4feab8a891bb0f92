"""Default referral routing: agency settings, country groups and routing rules.

Every value here is an ILLUSTRATIVE DEFAULT for the ministry administrator to review in the
browser (Routing rules, Agency settings, Country groups pages); none is a published table. The
code-based rules copy the regime table of controllist (migration 0002_regime_rules), the others
are the portal's reading of DOMAIN.md."""

from django.db import migrations

# Agency code: (opinion due within N working days, remind N working days before, silence = no objection).
# Silence is on for MIIT and MFA, which see the most cases and whose late answer should not hold a
# case past Reg. 17's 45 working days (the EO 12981 model: silence is consent). It is off for the
# nuclear, military, biological, cryptography and public-security agencies, whose objection the
# ministry should not presume absent. CMC-EDD gets 15 days: military end-use reviews take longer.
AGENCY_SETTINGS = {
    "MIIT": (10, 2, True),
    "CAEA": (10, 2, False),
    "SASTIND": (10, 2, False),
    "CMC-EDD": (15, 3, False),
    "MFA": (10, 2, True),
    "NHC": (10, 2, False),
    "MARA": (10, 2, False),
    "SCA": (10, 2, False),
    "MPS": (10, 2, False),
}
DEFAULT_SETTINGS = (10, 2, False)

# UN Security Council arms embargoes as understood in late 2025 (to be checked by the ministry):
# KP (Res. 1718, full); SS (Res. 2428); HT (Res. 2653, widened by Res. 2752 in 2024); LY (Res. 1970,
# with exemptions); SD (Darfur, Res. 1556); and embargoes on non-state actors only: IQ (Res. 1546),
# LB (Res. 1701), CD (Res. 1807), CF (Res. 2745 lifted it for the government in 2024), SO
# (Res. 2714 lifted it for the government in 2023), YE (Res. 2216, targeted). Partial embargoes are
# kept in: the rule only asks MFA for an opinion. IR is left out: the Res. 2231 restrictions ended
# in October 2020 and the 2025 "snapback" is disputed (China does not recognise it); the ministry
# decides whether to add it.
UN_ARMS_EMBARGO = ["CD", "CF", "HT", "IQ", "KP", "LB", "LY", "SD", "SO", "SS", "YE"]

COUNTRY_GROUPS = [
    ("un-arms-embargo", "联合国安理会武器禁运国家（示例，需核实）",
     "UN Security Council arms embargoes (illustrative, to be checked)", UN_ARMS_EMBARGO),
    # Left empty on purpose: which destinations are sensitive is a policy decision for the ministry.
    ("sensitive", "敏感目的地（由商务部填写）", "Sensitive destinations (filled in by the ministry)", []),
]

ILLUSTRATIVE_ZH = "（示例规则）"
ILLUSTRATIVE_EN = " (illustrative default)"

# name zh, name en, conditions, agency codes
RULES = [
    ("导弹及其相关物项（导弹技术控制制度类，编码第三位为1）",
     "Missile and related items (MTCR type, regime digit 1)",
     {"regime_digit": "1"}, ["SASTIND", "CMC-EDD"]),
    ("核两用品（核供应国集团类，编码第三位为2）", "Nuclear dual-use items (NSG type, regime digit 2)",
     {"regime_digit": "2"}, ["CAEA"]),
    ("生物、化学两用物项（澳大利亚集团类，编码第三位为3）",
     "Biological and chemical items (Australia Group type, regime digit 3)",
     {"regime_digit": "3"}, ["MIIT"]),
    ("化学武器相关物项（禁止化学武器公约类，编码第三位为4）",
     "Chemical-weapons related items (CWC type, regime digit 4)",
     {"regime_digit": "4"}, ["MIIT"]),
    ("瓦森纳安排类常规两用物项（编码第三位为0）", "Wassenaar-type conventional items (regime digit 0)",
     {"regime_digit": "0"}, ["MIIT"]),
    ("中国自主管控物项（编码第三位为9）", "China's own controls (regime digit 9)",
     {"regime_digit": "9"}, ["MIIT"]),
    ("稀土、石墨等战略材料（1C9xx）", "Rare earths, graphite and other strategic materials (1C9xx)",
     {"sector": "1", "item_type": "C", "regime_digit": "9"}, ["MIIT"]),
    ("人类病原体（1C351）", "Human pathogens (1C351)", {"code_prefix": "1C351"}, ["NHC"]),
    ("遗传物质（1C353）", "Genetic elements (1C353)", {"code_prefix": "1C353"}, ["NHC"]),
    ("动物病原体（1C352）", "Animal pathogens (1C352)", {"code_prefix": "1C352"}, ["MARA"]),
    ("植物病原体（1C354）", "Plant pathogens (1C354)", {"code_prefix": "1C354"}, ["MARA"]),
    ("密码设备（5A002）", "Cryptography equipment (5A002)", {"code_prefix": "5A002"}, ["SCA"]),
    ("密码软件（5D002）", "Cryptography software (5D002)", {"code_prefix": "5D002"}, ["SCA"]),
    ("密码技术（5E002）", "Cryptography technology (5E002)", {"code_prefix": "5E002"}, ["SCA"]),
    ("目的国或最终用户所在国受联合国武器禁运", "Destination or end user under a UN arms embargo",
     {"country_group": "un-arms-embargo"}, ["MFA"]),
    ("敏感目的地", "Sensitive destination", {"country_group": "sensitive"}, ["MFA"]),
    ("军事或警察最终用途", "Military or police end use", {"end_use_category": "military"},
     ["CMC-EDD", "MPS"]),
    ("核最终用途", "Nuclear end use", {"end_use_category": "nuclear"}, ["CAEA"]),
    ("航天和导弹最终用途", "Space and missile end use", {"end_use_category": "space"},
     ["SASTIND", "CMC-EDD"]),
    ("案件金额不低于5000万元", "Case value of 50,000,000 RMB or more",
     {"min_value_rmb": "50000000"}, ["MFA"]),
    ("未列入清单物项适用全面控制（出口管制法第十二条第三款）",
     "Unlisted item under the catch-all (Export Control Law Art. 12(3))", {"catch_all": True}, ["MFA"]),
]


def seed(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    AgencySettings = apps.get_model("licensing", "AgencySettings")
    CountryGroup = apps.get_model("licensing", "CountryGroup")
    RoutingRule = apps.get_model("licensing", "RoutingRule")

    for agency in Organisation.objects.filter(kind="agency"):
        days, remind, silence = AGENCY_SETTINGS.get(agency.code, DEFAULT_SETTINGS)
        AgencySettings.objects.get_or_create(agency=agency, defaults={
            "deadline_working_days": days, "remind_working_days_before": remind,
            "silence_is_no_objection": silence})

    groups = {}
    for code, name_zh, name_en, countries in COUNTRY_GROUPS:
        groups[code], _ = CountryGroup.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "countries": countries})

    if RoutingRule.objects.exists():
        return
    agencies = {org.code: org for org in Organisation.objects.filter(kind="agency")}
    for name_zh, name_en, conditions, codes in RULES:
        conditions = dict(conditions)
        if "country_group" in conditions:
            conditions["country_group"] = groups[conditions["country_group"]]
        rule = RoutingRule.objects.create(name_zh=name_zh + ILLUSTRATIVE_ZH, name_en=name_en + ILLUSTRATIVE_EN,
                                          **conditions)
        rule.agencies.set([agencies[code] for code in codes if code in agencies])


def unseed(apps, schema_editor):
    apps.get_model("licensing", "RoutingRule").objects.all().delete()
    apps.get_model("licensing", "CountryGroup").objects.filter(code__in=[g[0] for g in COUNTRY_GROUPS]).delete()
    apps.get_model("licensing", "AgencySettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("licensing", "0006_seed_countersign_rules")]
    operations = [migrations.RunPython(seed, unseed)]
