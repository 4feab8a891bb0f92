"""The statistics summary (issue 14 item 8): per month and province, the counts the ministry's
dashboard shows, written whole by `compliance.statistics.services.statistics_refresh` (nightly, by
Celery beat) so the dashboard reads tens of thousands of summary rows, not a million cases."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES, Role


class Dimension(models.TextChoices):
    TOTAL = "total", _("All cases")
    SECTOR = "sector", _("Sector")
    DESTINATION = "destination", _("Destination")
    AGENCY = "agency", _("Agency")
    # key: working days from acceptance to decision; `cases`: how many decisions took that long.
    DAYS = "days", _("Processing time")


class StatisticRowQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ministry sees every province; a provincial officer its own; nobody else anything."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in MINISTRY_ROLES:
            return self.all()
        if user.role == Role.PROVINCIAL_OFFICER and user.organisation_id and user.organisation.province_id:
            return self.filter(province_id=user.organisation.province_id)
        return self.none()


class StatisticRow(models.Model):
    """One count of one month (the month the event happened, Asia/Shanghai) and one province:
    applications submitted and original licences issued (dimension total), decisions approved and
    refused (every dimension but days), decisions that took `key` working days (days)."""

    month = models.DateField()  # the first day of the month
    province = models.ForeignKey("accounts.Province", on_delete=models.CASCADE, null=True, related_name="+")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    # sector: the control code's first digit ("catch_all" for an unlisted item);
    # destination: ISO 3166 alpha-2; agency: the organisation's id; days: the working days.
    key = models.CharField(max_length=16, blank=True)
    submitted = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)

    objects = StatisticRowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "month", "province", "key"], name="one_statistic_per_key"),
        ]
        indexes = [
            # The dashboard reads one period, of every province (ministry) or of one (province).
            models.Index(fields=["dimension", "month"], name="statistic_month_idx"),
            models.Index(fields=["province", "dimension", "month"], name="statistic_province_idx",
                         condition=Q(province__isnull=False)),
        ]


class StatisticsSnapshot(models.Model):
    """When the summary was last written and what it could not count (one row, pk 1)."""

    refreshed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)
    # Decided cases whose acceptance or decision falls on a day without a complete calendar year:
    # their working days cannot be counted (workdays refuses to guess), so no percentile includes them.
    unmeasured = models.PositiveIntegerField(default=0)
