"""Keep cached calendar years fresh when a day is edited through the ORM (admin included).

Bulk operations (`QuerySet.update`, `bulk_create`) send no signals: code that uses them calls
`services.calendar_changed` itself, as `services.calendar_load` does.
"""

from django.db.models.signals import post_delete, post_save

from workdays.models import CalendarDay


def _day_changed(sender, instance: CalendarDay, **kwargs) -> None:
    from workdays import services

    day = CalendarDay._meta.get_field("date").to_python(instance.date)
    services.calendar_changed(years=[day.year])


def connect() -> None:
    post_save.connect(_day_changed, sender=CalendarDay, dispatch_uid="workdays.day_saved")
    post_delete.connect(_day_changed, sender=CalendarDay, dispatch_uid="workdays.day_deleted")
