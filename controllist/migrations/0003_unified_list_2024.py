"""Loads the shipped sample of the unified list (两用物项出口管制清单, in force 2024-12-01) as the
published version "2024-12-01". The file is data/unified-list-2024-12-01.json beside this package."""

import hashlib
import json
from datetime import date
from pathlib import Path

from django.db import migrations

from controllist.versions.loader import load_version

LABEL = "2024-12-01"
EFFECTIVE_FROM = date(2024, 12, 1)
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "unified-list-2024-12-01.json"
FORMAT = "dualuse-control-list/1"


def load(apps, schema_editor):
    ListVersion = apps.get_model("controllist", "ListVersion")
    if ListVersion.objects.filter(label=LABEL).exists():
        return
    raw = DATA_FILE.read_bytes()
    data = json.loads(raw.decode("utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{DATA_FILE.name}: expected format {FORMAT!r}, found {data.get('format')!r}")
    data["version"] = {**data["version"], "label": LABEL, "effective_from": EFFECTIVE_FROM}
    load_version(data, ListVersion=ListVersion, Entry=apps.get_model("controllist", "Entry"),
                 SearchTerm=apps.get_model("controllist", "SearchTerm"), state="published",
                 source_sha256=hashlib.sha256(raw).hexdigest())


def unload(apps, schema_editor):
    ListVersion = apps.get_model("controllist", "ListVersion")
    SearchTerm = apps.get_model("controllist", "SearchTerm")
    Entry = apps.get_model("controllist", "Entry")
    versions = ListVersion.objects.filter(label=LABEL)
    SearchTerm.objects.filter(version__in=versions).delete()
    # Children before parents: the parent link cascades, but one statement per level is cheaper.
    for depth in sorted(set(Entry.objects.filter(version__in=versions).values_list("depth", flat=True)),
                        reverse=True):
        Entry.objects.filter(version__in=versions, depth=depth).delete()
    versions.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("controllist", "0002_regime_rules"),
    ]
    operations = [migrations.RunPython(load, unload)]
