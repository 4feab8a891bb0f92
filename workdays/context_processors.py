"""The banner that tells administrators and ministry officers, from 1 November, that next year's
working-day calendar is still to be entered: until it is, deadlines that reach into that year are
shown as provisional (weekdays only) and none is stored."""

from django.core.cache import cache
from django.utils import timezone

from workdays.services import next_year_cache_key, next_year_missing

CACHE_SECONDS = 300  # a banner may lag the calendar's entry by five minutes; a page read costs no query


def missing_calendar(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not (user.is_superuser or user.is_staff or user.role == "system_admin" or user.is_ministry):
        return {}
    today = timezone.localdate()
    if today.month < 11:
        return {}
    key = next_year_cache_key(today)
    year = cache.get(key)
    if year is None:
        year = next_year_missing(today) or 0
        cache.set(key, year, CACHE_SECONDS)
    return {"calendar_missing_year": year} if year else {}
