"""Default regime table (DOMAIN.md): the first of the three digits follows the international regime
pattern and routes cases to the agencies concerned. Rows an administrator edits in /admin/; rules
marked unverified in `note` are the portal's reading, not a published routing table."""

from django.db import migrations

# sector, item type, regime digit, code prefix, regime zh, regime en, reason zh, reason en, agencies, note
RULES = [
    ("", "", "0", "", "瓦森纳安排类", "Wassenaar Arrangement type",
     "维护国家安全和利益，履行防扩散等国际义务（常规武器相关两用物项）",
     "National security and interests; international obligations (conventional dual-use items)",
     [], ""),
    ("", "", "1", "", "导弹及其相关物项（导弹技术控制制度类）", "Missile and related items (MTCR type)",
     "防止可用于运载大规模杀伤性武器的导弹及其他运载系统扩散",
     "Non-proliferation of missiles and other systems able to deliver weapons of mass destruction",
     ["SASTIND", "CMC-EDD"], ""),
    ("", "", "2", "", "核两用品（核供应国集团类）", "Nuclear dual-use items (NSG type)",
     "防止核武器扩散，履行核不扩散国际义务",
     "Nuclear non-proliferation; international obligations",
     ["CAEA"], ""),
    ("", "", "3", "", "生物、化学两用物项（澳大利亚集团类）", "Biological and chemical items (Australia Group type)",
     "防止生物武器和化学武器扩散",
     "Non-proliferation of biological and chemical weapons",
     ["MIIT"], ""),
    ("", "", "4", "", "化学武器相关物项（禁止化学武器公约类）", "Chemical-weapons related items (CWC type)",
     "履行《禁止化学武器公约》义务",
     "Obligations under the Chemical Weapons Convention",
     ["MIIT"], ""),
    ("", "", "9", "", "中国自主管控物项", "China's own controls",
     "维护国家安全和利益（出口管制法第二条、第四条）",
     "National security and interests (Export Control Law, Art. 2 and 4)",
     [], ""),
    ("1", "C", "9", "", "", "", "", "", ["MIIT"],
     "Rare earths, graphite and other strategic materials: MIIT consulted (unverified)"),
    ("", "", "", "1C351", "", "", "", "", ["NHC"], "Human pathogens: National Health Commission (unverified)"),
    ("", "", "", "1C353", "", "", "", "", ["NHC"], "Genetic elements: National Health Commission (unverified)"),
    ("", "", "", "1C352", "", "", "", "", ["MARA"], "Animal pathogens: MARA (unverified)"),
    ("", "", "", "1C354", "", "", "", "", ["MARA"], "Plant pathogens: MARA (unverified)"),
    ("5", "A", "0", "5A002", "", "", "", "", ["SCA"], "Cryptography: State Cryptography Administration"),
    ("5", "D", "0", "5D002", "", "", "", "", ["SCA"], "Cryptography software: State Cryptography Administration"),
    ("5", "E", "0", "5E002", "", "", "", "", ["SCA"], "Cryptography technology: State Cryptography Administration"),
]


def seed(apps, schema_editor):
    RegimeRule = apps.get_model("controllist", "RegimeRule")
    Organisation = apps.get_model("accounts", "Organisation")
    for sector, item_type, digit, prefix, rzh, ren, szh, sen, agencies, note in RULES:
        rule = RegimeRule.objects.create(
            sector=sector, item_type=item_type, regime_digit=digit, code_prefix=prefix,
            regime_zh=rzh, regime_en=ren, reason_zh=szh, reason_en=sen, note=note)
        rule.agencies.set(Organisation.objects.filter(code__in=agencies))


def unseed(apps, schema_editor):
    apps.get_model("controllist", "RegimeRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("controllist", "0001_initial"),
        ("accounts", "0002_seed_organisations"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
