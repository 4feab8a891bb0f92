"""`manage.py compliance <subcommand>`: the compliance tools run from a shell.

- `penalty HEAD TURNOVER`: one JSON line {"min", "max", "article"} in whole RMB (a contract the
  portal's evaluation uses: keep its name, arguments and output).
- `retention [--purge]`: the records past retention (Reg. 27), one line each; --purge deletes them
  with one audit event per record (compliance/retention/command.py).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from compliance.penalties.calculator import PenaltyInputError, penalty_range
from compliance.retention import command as retention


class Command(BaseCommand):
    help = "Compliance tools: statutory penalty ranges, record retention."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        penalty = sub.add_parser("penalty", help="Print the statutory fine range of a head as one JSON line.")
        penalty.add_argument("head")
        penalty.add_argument("turnover", nargs="?", default="0",
                             help="Illegal turnover in RMB (ignored for obstructing_inspection).")
        retention.add_arguments(sub.add_parser(
            "retention", help="List the records past retention (Reg. 27); --purge deletes them, audited."))

    def handle(self, *args, subcommand, **options):
        return getattr(self, f"handle_{subcommand}")(**options)

    def handle_penalty(self, *, head, turnover, **_):
        try:
            result = penalty_range(head, turnover)
        except PenaltyInputError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))

    def handle_retention(self, **options):
        retention.run(self, **options)
