from django.core.management.base import BaseCommand

from outbox.services import relay


class Command(BaseCommand):
    help = "Send outbox messages that were recorded but never reached the task queue."

    def add_arguments(self, parser):
        parser.add_argument("--grace", type=int, default=0, help="only messages older than this (s)")

    def handle(self, *args, grace, **options):
        sent = relay(grace_seconds=grace)
        self.stdout.write(f"Sent {sent} outbox message(s).")
