from django import forms
from django.contrib import admin, messages
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from audit import services as audit
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


# Admin edits of the calendar move statutory deadlines, so each one is audited (in the admin's
# own transaction). Bulk deletes from the change list are switched off for the same reason.
YEAR_FIELDS = ("complete", "source", "published_on")
DAY_FIELDS = ("is_working_day", "name_zh", "name_en", "note")


def _state(obj, fields) -> dict | None:
    return None if obj is None else {name: str(getattr(obj, name)) for name in fields}


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        before = _state(CalendarYear.objects.filter(pk=obj.pk).first(), YEAR_FIELDS)
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="workdays.year_change" if change else "workdays.year_add",
                     obj=obj, before=before, after=_state(obj, YEAR_FIELDS))

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action="workdays.year_delete", obj=obj, before=_state(obj, YEAR_FIELDS))
        super().delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

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
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "is_working_day", "name_zh", "name_en", "note")
    list_filter = (YearFilter, "is_working_day")
    search_fields = ("name_zh", "name_en", "note")
    date_hierarchy = "date"
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        before = _state(CalendarDay.objects.filter(pk=obj.pk).first(), DAY_FIELDS)
        super().save_model(request, obj, form, change)
        audit.record(actor=request.user, action="workdays.day_change" if change else "workdays.day_add",
                     obj=obj, before=before, after=_state(obj, DAY_FIELDS))

    def delete_model(self, request, obj):
        audit.record(actor=request.user, action="workdays.day_delete", obj=obj, before=_state(obj, DAY_FIELDS))
        super().delete_model(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        # The date is the primary key: "changing" it would add a second day.
        return ("date",) if obj else ()

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return f"周{WEEKDAYS[obj.date.weekday()]} {obj.date:%a}"
