"""The inbox: a signed-in user's notifications, unread first, in the reader's language."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.models import Notification
from notifications.services import mark_read

PAGE_SIZE = 50


def inbox_for(user, *, unread_only: bool = False):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return (qs.annotate(is_read=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1),
                                     output_field=IntegerField()))
            .order_by("is_read", "-created_at", "-pk"))


def in_reader_language(notes) -> list:
    """Set `title` and `body` on each notification in the active language."""
    chinese = (get_language() or "").lower().startswith("zh")
    notes = list(notes)
    for note in notes:
        note.title = note.title_zh if chinese else note.title_en
        note.body = note.body_zh if chinese else note.body_en
    return notes


def safe_link(url: str) -> str:
    """Links in notifications point inside the portal; anything else is not shown as a link."""
    return url if url.startswith("/") and not url.startswith("//") and url_has_allowed_host_and_scheme(
        url, allowed_hosts=None) else ""


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox_for(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    notes = in_reader_language(page.object_list)
    for note in notes:
        note.link = safe_link(note.url)
    return render(request, "notifications/inbox.html", {"page": page, "notes": notes,
                                                        "unread_only": unread_only})


class ReadForm(forms.Form):
    next = forms.CharField(required=False, max_length=2000)


def _back(request) -> str:
    form = ReadForm(request.POST)
    target = form.cleaned_data.get("next") if form.is_valid() else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


@login_required
@require_POST
def read_one(request, pk):
    note = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if note is None:
        raise Http404()
    mark_read(user=request.user, notification_ids=[note.pk])
    return redirect(_back(request) or "notifications-inbox")


@login_required
@require_POST
def read_all(request):
    count = mark_read(user=request.user)
    messages.success(request, ngettext("%(n)d notification marked as read.",
                                       "%(n)d notifications marked as read.", count) % {"n": count}
                     if count else _("Nothing was unread."))
    return redirect(_back(request) or "notifications-inbox")
