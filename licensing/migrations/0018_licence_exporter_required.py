import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration (own transaction): PostgreSQL refuses to alter a table with the pending
    # trigger events 0017's data step leaves.
    dependencies = [("licensing", "0017_licence_lifecycle_and_customs")]

    operations = [
        migrations.AlterField(
            model_name="licence",
            name="exporter",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="licences",
                                    to="accounts.organisation"),
        ),
        ]
