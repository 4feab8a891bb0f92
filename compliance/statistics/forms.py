"""The dashboard's filters (shared with the API's query parameters): a period of whole months."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_MONTHS = 120
TABLES = ("months", "sector", "destination", "province", "agency", "overdue_cases", "overdue_referrals")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


class MonthField(forms.Field):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01", "pattern": r"\d{4}-\d{2}"})

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        match = _MONTH.match(text[:8])
        if not match or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-01."), code="invalid")
        return date(int(match[1]), int(match[2]), 1)


class PeriodForm(forms.Form):
    """From and to months (both included); by default the twelve months up to `today`'s."""

    def __init__(self, data=None, *, today: date, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        # "from" is a Python keyword, so the fields are declared here rather than as attributes.
        self.fields["from"] = MonthField(label=_("From (month)"))
        self.fields["to"] = MonthField(label=_("To (month)"))
        self.fields["table"] = forms.ChoiceField(required=False, choices=[("", "")] + [(t, t) for t in TABLES],
                                                 widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        last = data.get("to") or self.today.replace(day=1)
        first = data.get("from") or _add_months(last, -11)
        if first > last:
            raise forms.ValidationError(_("The first month must not be after the last."), code="order")
        if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
            raise forms.ValidationError(_("Choose at most %(n)d months.") % {"n": MAX_MONTHS}, code="too_long")
        data["first"], data["last"] = first, last
        return data
