"""The difference between two list versions: entries added, removed, and changed field by field.
Two queries and a dictionary comparison, so a 20,000-entry list compares in well under a second."""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Q

from controllist.models import Entry, ListVersion, VersionState

SNAPSHOT_FIELDS = ("code", "description_zh", "description_en", "parameters_zh", "parameters_en",
                   "hs_codes", "notes", "uncertain")


@dataclass
class ChangedEntry:
    code: str
    changes: list  # [(field, old, new)]


@dataclass
class Diff:
    old: ListVersion | None
    new: ListVersion
    added: list = field(default_factory=list)  # snapshots of new entries, with "code"
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # ChangedEntry
    unchanged_count: int = 0

    @property
    def counts(self) -> dict:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                "unchanged": self.unchanged_count}


def _snapshots(version) -> dict[str, dict]:
    if version is None:
        return {}
    rows = Entry.objects.filter(version=version).order_by("sort_key").values(*SNAPSHOT_FIELDS)
    # Entry.snapshot on plain rows: the same fields as the entry history, without building models.
    return {row["code"]: {"code": row["code"], **Entry.snapshot(SimpleNamespace(**row))} for row in rows}


def version_diff(old: ListVersion | None, new: ListVersion) -> Diff:
    before, after = _snapshots(old), _snapshots(new)
    diff = Diff(old=old, new=new)
    for code, entry in after.items():
        previous = before.get(code)
        if previous is None:
            diff.added.append(entry)
            continue
        changes = [(name, previous[name], value) for name, value in entry.items() if previous[name] != value]
        if changes:
            diff.changed.append(ChangedEntry(code, changes))
        else:
            diff.unchanged_count += 1
    diff.removed = [entry for code, entry in before.items() if code not in after]
    return diff


def default_base(version: ListVersion) -> ListVersion | None:
    """What a version is compared with by default: for a draft, the version in force (or, before
    any is in force, the newest published one); for a published version, the one before it."""
    published = ListVersion.objects.published().exclude(pk=version.pk).order_by("-effective_from", "-pk")
    if version.state != VersionState.PUBLISHED:
        return ListVersion.objects.in_force() or published.first()
    return published.filter(Q(effective_from__lt=version.effective_from)
                            | Q(effective_from=version.effective_from, pk__lt=version.pk)).first()
