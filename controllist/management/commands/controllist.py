"""Control list versions from the command line, through the same services as the pages.

manage.py controllist import FILE [--label L] [--title-zh T] [--title-en T] [--effective DATE] [--publish]
manage.py controllist diff OLD_LABEL NEW_LABEL
manage.py controllist publish LABEL --effective DATE
manage.py controllist reindex [LABEL]
manage.py controllist synth N OUTPUT.json
"""

import argparse
import hashlib
import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from controllist.models import ListVersion
from controllist.versions import importer, services
from controllist.versions.diff import version_diff
from portal.errors import DomainError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD") from None


def _count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {value!r}: use a whole number >= 1")
    return int(value)


def _fields(exc: DomainError) -> str:
    parts = [str(exc.message)]
    parts += [f"{name}: {'; '.join(str(m) for m in messages)}" for name, messages in exc.fields.items()]
    return "\n".join(parts)


class Command(BaseCommand):
    help = "Import, compare, publish and reindex control list versions."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser("import", help="check a CSV, XLSX or JSON file and import it as a draft")
        imp.add_argument("file")
        imp.add_argument("--label", default="")
        imp.add_argument("--title-zh", default="")
        imp.add_argument("--title-en", default="")
        imp.add_argument("--effective", type=_date, default=None)
        imp.add_argument("--publish", action="store_true",
                         help="publish the draft at once (a past effective date is allowed here)")
        diff = actions.add_parser("diff", help="entries added, removed and changed between two versions")
        diff.add_argument("old")
        diff.add_argument("new")
        publish = actions.add_parser("publish", help="publish a draft on its effective date")
        publish.add_argument("label")
        publish.add_argument("--effective", type=_date, required=True)
        reindex = actions.add_parser("reindex", help="rebuild the search index of one or all versions")
        reindex.add_argument("label", nargs="?")
        synth = actions.add_parser("synth", help="write a synthetic list of N entries (benchmarks)")
        synth.add_argument("n", type=_count)
        synth.add_argument("output")

    def handle(self, *args, action, **options):
        # Messages in the operator's terminal: English, like the rest of manage.py.
        with translation.override("en"):
            try:
                getattr(self, f"_{action}")(**options)
            except DomainError as exc:
                raise CommandError(_fields(exc)) from None

    def _version(self, label) -> ListVersion:
        version = ListVersion.objects.filter(label=label).first()
        if version is None:
            raise CommandError(f"no list version labelled {label!r}")
        return version

    def _import(self, *, file, label, title_zh, title_en, effective, publish, **_):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        try:
            file_format = importer.detect_format(path.name, content)
            checked = importer.check_file(content, file_format)
        except importer.FileRefused as exc:
            raise CommandError(f"{file}: {exc.message}") from None
        if not checked.ok:
            for error in checked.errors:
                code = f" {error.code}" if error.code else ""
                self.stderr.write(f"row {error.row}:{code} {error.message}")
            raise CommandError(f"{file}: refused with {checked.error_count} error(s); nothing was imported")
        meta = services.version_meta(label=label, title_zh=title_zh, title_en=title_en,
                                     effective_from=effective, defaults=checked.meta)
        version = services.version_import(actor=None, checked=checked, meta=meta,
                                          sha256=hashlib.sha256(content).hexdigest())
        self.stdout.write(f"imported {version.entry_count} entries as draft {version.label}")
        if publish:
            services.version_publish(actor=None, version_id=version.pk, effective_from=version.effective_from,
                                     allow_past=True)
            self.stdout.write(f"published {version.label}, effective {version.effective_from.isoformat()}")

    def _diff(self, *, old, new, **_):
        result = version_diff(self._version(old), self._version(new))
        for entry in result.added:
            self.stdout.write(f"+ {entry['code']}  {entry['description_en']}")
        for entry in result.removed:
            self.stdout.write(f"- {entry['code']}  {entry['description_en']}")
        for changed in result.changed:
            for field, before, after in changed.changes:
                self.stdout.write(f"~ {changed.code} {field}: {before!r} -> {after!r}")
        counts = result.counts
        self.stdout.write(f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed, "
                          f"{counts['unchanged']} unchanged")

    def _publish(self, *, label, effective, **_):
        version = self._version(label)
        services.version_publish(actor=None, version_id=version.pk, effective_from=effective)
        self.stdout.write(f"published {label}, effective {effective.isoformat()}")

    def _reindex(self, *, label, **_):
        from controllist.search.engine import reindex_version

        versions = [self._version(label)] if label else ListVersion.objects.order_by("pk")
        for version in versions:
            count = reindex_version(version)
            self.stdout.write(f"{version.label}: {count} search terms")

    def _synth(self, *, n, output, **_):
        try:
            from controllist.versions.synthetic import generate
        except ImportError:
            raise CommandError("controllist.versions.synthetic is not available") from None
        data = generate(n)
        Path(output).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"wrote {len(data.get('entries', []))} entries to {output}")
