import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year of the official calendar (国务院办公厅关于 X 年部分节假日安排的通知).

    Working-day arithmetic refuses any year that has no row here marked complete, so a
    deadline is never computed by quietly treating an unpublished year as plain weekends.
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    complete = models.BooleanField(
        _("complete"),
        default=False,
        help_text=_(
            "Tick once every day of the year is entered and checked against the "
            "State Council notice; deadlines can then be computed in this year."
        ),
    )
    source = models.CharField(_("source"), max_length=255, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    # Changed whenever a day of this year changes, so every process can tell that its cached
    # copy of the year is stale. A random token rather than a counter: a counter bumped in a
    # rolled-back transaction could later be reused for different data.
    version = models.UUIDField(_("version"), default=uuid.uuid4, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ("year",)
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    date = models.DateField(_("date"), primary_key=True)
    is_working_day = models.BooleanField(_("working day"))
    name_zh = models.CharField(_("holiday name (Chinese)"), max_length=64, blank=True)
    name_en = models.CharField(_("holiday name (English)"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ("date",)
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return self.date.isoformat() if hasattr(self.date, "isoformat") else str(self.date)
