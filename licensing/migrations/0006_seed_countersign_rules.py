from django.db import migrations

# The recommendations a senior officer must countersign (issue 5, item 6). Administrators edit
# them in the browser (/review/countersign-rules/); these are the starting set.
RULES = [
    ("agency_objection", "", "任一会商部门提出反对意见", "A consulted agency objected"),
    ("regime_digit", "9", "含我国自主管控物项（编码第三位为 9，如 1C902）",
     "An item is one of China's own entries (regime digit 9, e.g. 1C902)"),
    ("watch_listed", "", "进口商或最终用户列入关注名单（条例第二十六条）",
     "The importer or end user is on the watch list (Reg. 26)"),
    ("value_above", "10000000", "案件金额超过 1000 万元人民币（示例阈值，请按需调整）",
     "Case value above RMB 10,000,000 (illustrative threshold: adjust as needed)"),
]


def forwards(apps, schema_editor):
    CountersignRule = apps.get_model("licensing", "CountersignRule")
    for kind, parameter, description_zh, description_en in RULES:
        CountersignRule.objects.get_or_create(
            kind=kind, parameter=parameter,
            defaults={"description_zh": description_zh, "description_en": description_en})


def backwards(apps, schema_editor):
    CountersignRule = apps.get_model("licensing", "CountersignRule")
    for kind, parameter, _zh, _en in RULES:
        CountersignRule.objects.filter(kind=kind, parameter=parameter, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("licensing", "0005_ministry_review")]
    operations = [migrations.RunPython(forwards, backwards)]
