from axes.helpers import get_cool_off
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.signin import services
from portal.errors import DomainError, lazy_format
from portal.pages import domain_errors_as_pages

LOCKED_STATUS = 429


def lockout_message():
    cool_off = get_cool_off()
    if cool_off is None:
        return _("Too many failed sign-ins: signing in to this account or from this address is locked. "
                 "Ask the system administrator to unlock it.")
    return lazy_format(_("Too many failed sign-ins: signing in to this account or from this address is "
                         "locked for %(minutes)s minutes. Try again later, or ask the system administrator "
                         "to unlock it."), minutes=int(cool_off.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the API keeps its JSON error shape; a page shows the
    sign-in page's place with the reason, in the user's language."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        from portal.api import (
            json_error_for_api,  # DRF's settings import portal.api: not at load time
        )

        return json_error_for_api(request, LOCKED_STATUS, "signin_locked", message)
    return render(request, "accounts/signin_locked.html", {"message": message}, status=LOCKED_STATUS)


@login_required
@require_POST
@domain_errors_as_pages
def signin_unlock(request):
    try:
        removed = services.signin_unlock(actor=request.user, kind=request.POST.get("kind", ""),
                                         value=request.POST.get("value", ""))
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, exc.message)
    else:
        if removed:
            messages.success(request, _("Unlocked: %(value)s.") % {"value": request.POST.get("value", "")})
        else:
            messages.info(request, _("Nothing was locked for %(value)s.") % {"value": request.POST.get("value", "")})
    return redirect("registration-checks")
