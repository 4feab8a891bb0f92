"""Tell people, in the portal and by email, exactly once per event."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Notification
from outbox.services import enqueue


def notify(*, recipients, key: str, kind: str, title_zh: str, title_en: str, body_zh: str = "",
           body_en: str = "", url: str = "", application_id=None, email: bool = True) -> list[Notification]:
    """Store one notification per recipient and email it through the outbox, in the caller's
    transaction. A key already used for a recipient is skipped: the event was told already."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify must run inside the transaction of the change")
    made = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        try:
            with transaction.atomic():  # a savepoint: a duplicate key must not spoil the caller
                note = Notification.objects.create(
                    recipient=user, key=key[:200], kind=kind, title_zh=title_zh[:300], title_en=title_en[:300],
                    body_zh=body_zh, body_en=body_en, url=url, application_id=application_id)
        except IntegrityError:
            continue
        made.append(note)
        if email and user.email:
            link = f"{settings.PORTAL_BASE_URL.rstrip('/')}{url}" if url else ""
            body = "\n\n".join(part for part in (title_zh, body_zh, title_en, body_en, link) if part)
            enqueue("outbox.send_email", to=[user.email], subject=f"{title_zh} / {title_en}"[:250], body=body)
    return made


def mark_read(*, user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
