"""`manage.py compliance retention [--purge]`: what the compliance command delegates to."""

from django.core.management.base import CommandError

from compliance.retention import selectors, services


def add_arguments(parser) -> None:
    parser.add_argument("--purge", action="store_true",
                        help="Delete the records listed, with one audit event per record.")
    parser.add_argument("--batch-size", type=int, default=services.BATCH_SIZE,
                        help="Cases read per batch (default %(default)s).")


def _line(record: selectors.RetainedRecord) -> str:
    return f"{record.kind}\t{record.pk}\t{record.label}\t{record.retained_until.isoformat()}"


def run(command, *, purge: bool, batch_size: int, **_) -> None:
    """List, one tab-separated line per record (type, id, reference, retained until), the records
    past retention; with purge, delete them and print the same lines as they go."""
    if batch_size < 1:
        raise CommandError("--batch-size must be at least 1.")
    if not purge:
        count = 0
        for application, until in selectors.purgeable():
            for record in selectors.records_of(application, until):
                command.stdout.write(_line(record))
                count += 1
        command.stderr.write(f"{count} record(s) may be purged; run with --purge to delete them.")
        return
    failed = []
    count = services.retention_purge(
        batch_size=batch_size, on_purged=lambda record: command.stdout.write(_line(record)),
        on_failed=lambda application_id, error: failed.append(application_id))
    command.stderr.write(f"{count} record(s) purged.")
    for application_id in failed:
        command.stderr.write(f"case {application_id} not purged: other records still point to it.")
