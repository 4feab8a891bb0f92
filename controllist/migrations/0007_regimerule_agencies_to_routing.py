"""The regime table keeps regime and control reason; the agencies consulted on a code come from
licensing's routing rules. Licensing 0009 first carries the regime table's agencies over to
them. Reversing brings the field back empty (the routing rules stay the source)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("controllist", "0006_client_tokens"),
        ("licensing", "0009_carry_over_regime_agencies"),
    ]
    operations = [migrations.RemoveField(model_name="regimerule", name="agencies")]
