"""Pages of screening: the officer's judgement of a hit, posted from the case page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enduser.screening import services
from portal.errors import ValidationFailed
from portal.pages import domain_errors_as_pages


class DecideForm(forms.Form):
    verdict = forms.CharField(max_length=8)
    note = forms.CharField(required=False, max_length=services.NOTE_MAX_CHARS)
    version = forms.IntegerField(required=False, min_value=1)


@login_required
@require_POST
@domain_errors_as_pages
def hit_decide(request, pk, hit_id):
    form = DecideForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(fields=form.errors)
    hit = services.hit_decide(hit_id=hit_id, actor=request.user, verdict=form.cleaned_data["verdict"],
                              note=form.cleaned_data["note"], expected_version=form.cleaned_data["version"])
    messages.success(request, _("The hit is marked: %(state)s.") % {"state": hit.get_state_display()})
    return redirect("case-detail", pk=pk)
