#!/usr/bin/env python
"""Compile every locale/*/LC_MESSAGES/*.po into its .mo with polib (no GNU gettext needed).

Usage: python scripts/compile_messages.py [--check]

--check only verifies that each committed .mo is present and up to date with its .po
(exit status 1 otherwise), without writing anything. Fuzzy entries are left out of the
.mo, as msgfmt does, and are reported.
"""

import sys
from pathlib import Path

import polib

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"


def catalogue(entries):
    """What a .mo holds: (msgctxt, msgid, plural) -> translation(s), fuzzy ones excluded."""
    result = {}
    for e in entries:
        if e.obsolete or "fuzzy" in e.flags:
            continue
        key = (e.msgctxt, e.msgid, e.msgid_plural)
        result[key] = tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
    return result


def main(argv):
    check_only = "--check" in argv
    po_files = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
    if not po_files:
        print(f"no .po files under {LOCALE_DIR}", file=sys.stderr)
        return 1
    failed = False
    for po_path in po_files:
        mo_path = po_path.with_suffix(".mo")
        po = polib.pofile(str(po_path))
        rel = po_path.relative_to(BASE_DIR)
        fuzzy = [e for e in po if "fuzzy" in e.flags and not e.obsolete]
        untranslated = po.untranslated_entries()
        if fuzzy:
            print(f"{rel}: {len(fuzzy)} fuzzy entries (left out of the .mo)", file=sys.stderr)
        if untranslated:
            print(f"{rel}: {len(untranslated)} untranslated entries", file=sys.stderr)
        if check_only:
            if not mo_path.exists():
                print(f"{mo_path.relative_to(BASE_DIR)}: missing", file=sys.stderr)
                failed = True
            elif catalogue(polib.mofile(str(mo_path))) != catalogue(po):
                print(f"{mo_path.relative_to(BASE_DIR)}: out of date with {rel}", file=sys.stderr)
                failed = True
            continue
        # polib writes fuzzy entries too; drop them from a copy so the .mo matches msgfmt.
        if fuzzy:
            po = polib.pofile(str(po_path))
            for e in [e for e in po if "fuzzy" in e.flags and not e.obsolete]:
                po.remove(e)
        po.save_as_mofile(str(mo_path))
        print(f"compiled {rel} -> {mo_path.name} ({po.percent_translated()}% translated)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
