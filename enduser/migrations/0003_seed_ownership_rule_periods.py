"""The periods of the 50% ownership rule (DOMAIN.md, "Ownership"): MOFCOM Announcement 2025 No. 61
§II extends exports to listed parties to the subsidiaries and branches they own 50% or more;
Announcement 2025 No. 70 suspends it until 2026-11-10. The dates are the portal's reading, not yet
checked against the published announcements, so every row is marked uncertain; the administrator
corrects them in /admin/ (audited), which is why they are data."""

from datetime import date
from decimal import Decimal

from django.db import migrations

NO_61 = ("商务部公告2025年第61号", "MOFCOM Announcement 2025 No. 61")
NO_70 = ("商务部 海关总署公告2025年第70号", "MOFCOM and GACC Announcement 2025 No. 70")
CHECK = "To be checked against the announcements."

# state, valid from, valid until (inclusive), announcement, note
PERIODS = [
    ("in_force", date(2025, 10, 9), date(2025, 11, 9), NO_61,
     "No. 61 §II: exports to importers and end users on the control list (and watch list) extend to "
     "subsidiaries and branches they own 50% or more; published and in force 2025-10-09. "
     "Secondary reports say No. 70 suspended it from its own date, 2025-11-07 (自即日起), which "
     "would end this period on 2025-11-06. " + CHECK),
    ("suspended", date(2025, 11, 10), date(2026, 11, 10), NO_70,
     "No. 70 suspends No. 61 (with Nos. 55-58 and 62) until 2026-11-10. " + CHECK),
    ("in_force", date(2026, 11, 11), None, NO_61,
     "No. 61 §II applies again once the suspension of No. 70 ends. " + CHECK),
]


def seed(apps, schema_editor):
    Period = apps.get_model("enduser", "OwnershipRulePeriod")
    for state, valid_from, valid_until, (announcement_zh, announcement_en), note in PERIODS:
        Period.objects.create(
            rule="affiliates-50", threshold_percent=Decimal("50"), state=state,
            valid_from=valid_from, valid_until=valid_until, announcement_zh=announcement_zh,
            announcement_en=announcement_en, note=note, uncertain=True)


def unseed(apps, schema_editor):
    apps.get_model("enduser", "OwnershipRulePeriod").objects.filter(rule="affiliates-50").delete()


class Migration(migrations.Migration):
    dependencies = [("enduser", "0002_ownership_rule_period")]

    operations = [migrations.RunPython(seed, unseed)]
