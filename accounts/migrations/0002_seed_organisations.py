from django.db import migrations


def seed(apps, schema_editor):
    from accounts.seed import AUTHORITIES, PROVINCES

    Province = apps.get_model("accounts", "Province")
    Organisation = apps.get_model("accounts", "Organisation")
    for code, name_zh, name_en, dept_zh, dept_en in PROVINCES:
        province, _ = Province.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en})
        Organisation.objects.update_or_create(
            code=f"PROV-{code}",
            defaults={"kind": "province", "name_zh": dept_zh, "name_en": dept_en, "province": province})
    for code, kind, name_zh, name_en in AUTHORITIES:
        Organisation.objects.update_or_create(
            code=code, defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
