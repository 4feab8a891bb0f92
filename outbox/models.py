import uuid

from django.db import models


class OutboxMessage(models.Model):
    """A side effect (a Celery task) recorded in the same transaction as the change that needs it.

    It is sent to the broker after commit; the relay resends any message still unsent, so a broker
    outage or a crash between commit and enqueue loses nothing. Tasks must be idempotent because a
    message can be delivered more than once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True),
                         name="outbox_unsent_idx"),
        ]

    def __str__(self):
        return f"{self.task} {self.kwargs}"
