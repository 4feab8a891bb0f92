from celery import shared_task
from django.core.mail import send_mail

from outbox import services


@shared_task(name="outbox.relay")
def relay() -> int:
    return services.relay()


@shared_task(name="outbox.send_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_email(*, to: list[str], subject: str, body: str) -> None:
    send_mail(subject, body, None, to)
