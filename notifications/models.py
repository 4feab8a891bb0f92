from django.conf import settings
from django.db import models


class Notification(models.Model):
    """Something a person must know or do, shown in the portal; the same event is emailed through
    the outbox. `key` is unique per recipient, so an event told twice (a beat firing twice, a
    retried task) is stored and emailed once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    title_zh = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    body_zh = models.TextField(blank=True)
    body_en = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # The case it concerns, if any (not a foreign key: notifications outlive nothing but are not owned by a case).
    application_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")]
