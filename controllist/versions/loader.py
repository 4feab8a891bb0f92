"""Writes a whole list version (its entries and their search terms) in a few bulk statements.

The model classes are arguments so the data migration can pass its historical models; services
pass the real ones. The data is assumed to be valid (controllist.versions.importer checks uploaded files).
"""

from datetime import date

from controllist.codes import parent_code, sort_key
from controllist.search.engine import index_entries

BATCH_SIZE = 2000


def load_version(data: dict, *, ListVersion, Entry, SearchTerm, state="published", created_by_id=None,
                 source_sha256=""):
    """Create the version described by `data` ({"version": {...}, "entries": [...]}, the
    dualuse-control-list/1 layout) with its entries and search terms; return the version."""
    meta = data["version"]
    effective_from = meta["effective_from"]
    if isinstance(effective_from, str):
        effective_from = date.fromisoformat(effective_from)
    rows = data["entries"]
    version = ListVersion.objects.create(
        label=meta["label"], title_zh=meta.get("title_zh") or "", title_en=meta.get("title_en") or "",
        source=meta.get("source") or "", effective_from=effective_from, state=state,
        entry_count=len(rows), source_sha256=source_sha256, created_by_id=created_by_id,
    )

    # Level by level, so every parent has its id before its children are inserted.
    levels: dict[int, list] = {}
    for row in rows:
        code = row["code"]
        entry = Entry(
            version=version, code=code, depth=code.count("."), sort_key=sort_key(code),
            description_zh=row.get("description_zh") or "", description_en=row.get("description_en") or "",
            parameters_zh=row.get("parameters_zh") or "", parameters_en=row.get("parameters_en") or "",
            hs_codes=[str(hs) for hs in row.get("hs_codes") or []], notes=row.get("notes") or "",
            uncertain=bool(row.get("uncertain")),
        )
        entry._parent_code = row.get("parent") or parent_code(code)
        levels.setdefault(entry.depth, []).append(entry)

    by_code = {}
    entries = []
    for depth in sorted(levels):
        level = levels[depth]
        for entry in level:
            parent = by_code.get(entry._parent_code)
            entry.parent_id = parent.pk if parent is not None else None
        Entry.objects.bulk_create(level, batch_size=BATCH_SIZE)
        if level[0].pk is None:  # a database that does not return ids from bulk inserts
            ids = dict(Entry.objects.filter(version=version, depth=depth).values_list("code", "pk"))
            for entry in level:
                entry.pk = ids[entry.code]
        by_code.update((entry.code, entry) for entry in level)
        entries.extend(level)

    index_entries(entries, batch_size=BATCH_SIZE, term_model=SearchTerm)
    return version
