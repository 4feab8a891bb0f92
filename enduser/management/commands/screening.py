"""Party screening from the command line.

    manage.py screening eval LIST.jsonl QUERIES.jsonl

screens every query against the list file alone (not the database's lists) and prints one JSON line
per query: {"id": ..., "hits": [{"entry": ..., "score": ..., "why": ...}]}, the hits being those at
or above the threshold in force. LIST lines: {"id", "kind": "company"|"person", "names": [...],
"country", "identifiers": {"uscc"|"registration": ...}} (optional "aliases": [...]); QUERIES lines:
{"id", "kind", "name", "country", "identifiers"}."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from enduser.screening import index


class Command(BaseCommand):
    help = "Screen parties: `screening eval LIST.jsonl QUERIES.jsonl` prints one JSON line of hits per query."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("eval", help="screen every query against a list file")
        evaluate.add_argument("list_file")
        evaluate.add_argument("queries_file")
        evaluate.add_argument("--explain", action="store_true", help="add the part table and versions to each hit")

    def handle(self, *args, **options):
        if options["action"] == "eval":
            self.evaluate(options["list_file"], options["queries_file"], options["explain"])

    def evaluate(self, list_file, queries_file, explain):
        try:
            screener = index.Screener(index.list_entries(index.read_jsonl(list_file)), list_version=list_file)
            queries = index.parties(index.read_jsonl(queries_file))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CommandError(f"cannot read the files: {exc}") from None
        out = sys.stdout
        for party in queries:
            hits = []
            for hit in screener.screen(party):
                row = {"entry": hit.entry, "score": hit.score, "why": hit.why}
                if explain:
                    row.update(parts=hit.parts, fuzzy=hit.fuzzy, identifier_conflict=hit.identifier_conflict,
                               branch_of=hit.branch_of, versions=hit.versions)
                hits.append(row)
            out.write(json.dumps({"id": party.id, "hits": hits}, ensure_ascii=False) + "\n")
