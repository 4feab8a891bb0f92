from django import forms
from django.contrib import admin, messages
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from workdays import services
from workdays.models import CalendarDay, CalendarYear

WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"]


def _count_days(**filters):
    return Subquery(
        CalendarDay.objects.filter(date__year=OuterRef("year"), **filters)
        .order_by()
        .annotate(n=Func("date", function="COUNT", output_field=IntegerField()))
        .values("n")
    )


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year", "complete", "source", "published_on")

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year") or (self.instance.year if self.instance.pk else None)
        if cleaned.get("complete") and year:
            missing = services.missing_days(year)
            if missing:
                raise forms.ValidationError(
                    _(
                        "%(year)s still has %(missing)s days without an entry: use the action "
                        "“Enter missing days” first."
                    )
                    % {"year": year, "missing": missing}
                )
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    audit_name = "workdays.year"
    audit_fields = ("complete", "source", "published_on")
    form = CalendarYearForm
    list_display = (
        "year",
        "complete",
        "days",
        "working_days",
        "source",
        "published_on",
        "updated_at",
    )
    list_filter = ("complete",)
    readonly_fields = ("version", "updated_at")
    actions = ("fill_weekdays",)

    def get_readonly_fields(self, request, obj=None):
        # The year is the primary key: "changing" it would add a second year.
        return (*self.readonly_fields, "year") if obj else self.readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(day_count=_count_days(), working_day_count=_count_days(is_working_day=True))
        )

    @admin.display(description=_("days entered"), ordering="day_count")
    def days(self, obj):
        return obj.day_count

    @admin.display(description=_("working days"), ordering="working_day_count")
    def working_days(self, obj):
        return obj.working_day_count

    @admin.action(description=_("Enter missing days (Mon–Fri working, weekends rest)"))
    def fill_weekdays(self, request, queryset):
        for year in queryset:
            created = services.calendar_year_fill_weekdays(year=year.year, actor=request.user)
            self.message_user(
                request,
                _("%(year)s: %(created)s days entered.") % {"year": year.year, "created": created},
                messages.SUCCESS,
            )


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(d.year), str(d.year)) for d in CalendarDay.objects.dates("date", "year")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    audit_name = "workdays.day"
    audit_fields = ("is_working_day", "name_zh", "name_en", "note")
    list_display = ("date", "weekday", "is_working_day", "name_zh", "name_en", "note")
    list_filter = (YearFilter, "is_working_day")
    search_fields = ("name_zh", "name_en", "note")
    date_hierarchy = "date"
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        # The date is the primary key: "changing" it would add a second day.
        return ("date",) if obj else ()

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return f"周{WEEKDAYS[obj.date.weekday()]} {obj.date:%a}"
