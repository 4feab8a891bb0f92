from django.db import migrations


def forwards(apps, schema_editor):
    pass  # PLACEHOLDER: filled in by the helper owning this seed


class Migration(migrations.Migration):
    dependencies = [("licensing", "0005_ministry_review")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
