"""Sign-ins that django-axes is holding back: what the system administrator sees before unlocking."""

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


@dataclass(frozen=True)
class Lock:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    last_attempt: datetime
    locked_until: datetime | None


def _recent():
    cool_off = get_cool_off()
    attempts = AccessAttempt.objects.all()
    if cool_off:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts, cool_off


def signin_locks() -> list[Lock]:
    """Accounts and addresses at or over the failure limit, counted as django-axes counts them
    (failures summed per user name and per address)."""
    attempts, cool_off = _recent()
    limit = settings.AXES_FAILURE_LIMIT
    locks = []
    for kind in ("username", "ip_address"):
        rows = (attempts.exclude(**{f"{kind}__isnull": True}).exclude(**{kind: ""})
                .values(kind).annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=limit).order_by("-last"))
        for row in rows:
            until = row["last"] + cool_off if cool_off else None
            locks.append(Lock(kind, row[kind], row["failures"], row["last"], until))
    return locks


def failed_signins(limit: int = 100):
    """The latest failed sign-ins that are still counted, for the administrator's page."""
    attempts, _cool_off = _recent()
    return attempts.order_by("-attempt_time").values(
        "username", "ip_address", "failures_since_start", "attempt_time")[:limit]
