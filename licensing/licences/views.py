"""Pages of a licence: its record (items, quantities used, shipments, history) with the status
changes the viewer may make, the register, the notices, the download, and the public check
behind its QR code. Views only translate HTTP to licensing.licences calls."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role
from accounts.signin.backends import client_address
from licensing.applications import page
from licensing.licences import lifecycle, register, services
from licensing.licences.forms import STEP_FORMS, RegisterFilterForm
from licensing.licences.selectors import licence_token_ok, licence_visible_to
from licensing.models import LawFactor, Licence, LicenceStatus
from portal.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response

# The public check says the status in both languages, whatever the reader's language.
PUBLIC_STATUS = {
    LicenceStatus.ISSUED: ("有效", "Valid"),
    LicenceStatus.SUSPENDED: ("暂停使用", "Suspended"),
    LicenceStatus.REVOKED: ("已撤销", "Revoked"),
    LicenceStatus.EXPIRED: ("已过期", "Expired"),
    LicenceStatus.EXHAUSTED: ("已用完", "Used up (exhausted)"),
    LicenceStatus.SURRENDERED: ("已交回", "Surrendered"),
    LicenceStatus.CANCELLED: ("已被变更后的许可证取代", "Replaced by a changed licence"),
}

STEP_SERVICES = {
    "suspend": lambda actor, pk, data: services.licence_suspend(
        actor=actor, licence_id=pk, reason=data["reason"], expected_version=data["version"]),
    "restore": lambda actor, pk, data: services.licence_restore(
        actor=actor, licence_id=pk, reason=data["reason"], expected_version=data["version"]),
    "revoke": lambda actor, pk, data: services.licence_revoke(
        actor=actor, licence_id=pk, reason=data["reason"], factor=data["factor"], expected_version=data["version"]),
    "surrender": lambda actor, pk, data: services.licence_surrender(
        actor=actor, licence_id=pk, reason=data.get("reason", ""), expected_version=data["version"]),
}


def _licence(request, number) -> Licence:
    licence = register.licence_for(request.user, number)
    if licence is None:
        raise Http404()
    return licence


def _with_factor_labels(events) -> list:
    """Each event with its Art. 13 factor's label in the reader's language (the row keeps the code)."""
    events = list(events)
    for event in events:
        event.factor_label = LawFactor(event.factor).label if event.factor in LawFactor.values else event.factor
    return events


def _detail(request, licence, *, bound=None, status=200):
    user = request.user
    actions = lifecycle.allowed_actions(licence, user)
    forms = {name: (bound[1] if bound and bound[0] == name
                    else STEP_FORMS[name](initial={"version": licence.version}, auto_id=f"{name}-%s"))
             for name in actions if name in STEP_FORMS}
    return render(request, "licensing/licences/licence_detail.html", {
        "licence": licence, "app": licence.application, "items": list(licence.items.all()),
        "write_offs": list(licence.write_offs.all()), "events": _with_factor_labels(licence.events.all()),
        "notices": list(licence.notices.all()) if (user.is_exporter or user.is_ministry) else [],
        "can_download": licence_visible_to(user, licence.application),
        "case_visible": user.is_exporter or user.is_ministry,
        "forms": forms, "read_only": not forms,
        "is_customs": user.role == Role.CUSTOMS_OFFICER,
    }, status=status)


@login_required
@require_GET
def licence_detail(request, number):
    return _detail(request, _licence(request, number))


@login_required
@require_POST
@domain_errors_as_pages
def licence_step(request, number, action):
    licence = _licence(request, number)
    if action not in STEP_FORMS:
        raise Http404()
    if request.user.role not in lifecycle.TRANSITIONS[action].roles:
        raise NotAllowed()
    form = STEP_FORMS[action](request.POST, auto_id=f"{action}-%s")  # ids unique among the page's forms
    if not form.is_valid():
        return _detail(request, licence, bound=(action, form), status=400)
    try:
        STEP_SERVICES[action](request.user, licence.pk, form.cleaned_data)
    except NotFound:
        raise Http404() from None
    except ValidationFailed as exc:
        for field, errors in (exc.fields or {}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, str(error))
        messages.error(request, exc.message)
        return _detail(request, _licence(request, number), bound=(action, form), status=exc.status_code)
    except DomainError as exc:
        # A stale page or a changed state: the page as it is now, with fresh forms.
        messages.error(request, exc.message)
        return _detail(request, _licence(request, number), status=exc.status_code)
    messages.success(request, _("The licence is now “%(status)s”.") % {
        "status": LicenceStatus(Licence.objects.only("status").get(pk=licence.pk).status).label})
    return redirect("licence-detail", number=licence.number)


@login_required
@require_GET
def licence_notice_download(request, number, notice_id):
    notice = register.notice_for(request.user, number, notice_id)
    if notice is None:
        raise Http404()
    return pdf_response(bytes(notice.pdf), f"{notice.number}.pdf")


@login_required
@require_GET
@domain_errors_as_pages
def licence_register(request):
    user = request.user
    if not (user.is_exporter or user.is_ministry or user.role == Role.CUSTOMS_OFFICER):
        raise NotAllowed()
    filters = RegisterFilterForm(request.GET, user=user)
    if not filters.is_valid():
        return render(request, "licensing/licences/licence_register.html", {"filters": filters, "page": None},
                      status=400)
    rows = register.register_rows(user, filters.cleaned_data)
    if request.GET.get("format") == "csv":
        if not (user.is_exporter or user.is_ministry):
            raise NotAllowed()
        response = StreamingHttpResponse(register.register_csv_lines(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="licences-{stamp}.csv"'
        return response
    params = request.GET.copy()
    params.pop("page", None)
    csv_params = params.copy()
    csv_params["format"] = "csv"
    return render(request, "licensing/licences/licence_register.html", {
        "filters": filters, "params": params.urlencode(), "csv_params": csv_params.urlencode(),
        "can_export": user.is_exporter or user.is_ministry, "is_customs": user.role == Role.CUSTOMS_OFFICER,
        "page": Paginator(rows, register.PAGE_SIZE).get_page(request.GET.get("page"))})


@login_required
@require_GET
def licence_download(request, pk):
    app = page.visible_case(request, pk)
    licence = getattr(app, "licence", None)
    if licence is None or not licence_visible_to(request.user, app):
        raise Http404()
    return pdf_response(bytes(licence.pdf), f"{licence.number}.pdf")


def _over_rate(request) -> bool:
    """Fixed one-minute windows per client address, counted in Django's cache."""
    address = client_address(request) or "unknown"
    window = int(timezone.now().timestamp() // 60)
    key = f"licence-verify:{address}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > settings.PORTAL_VERIFY_RATE_PER_MINUTE


@require_GET
def licence_verify(request, number):
    """Public: anyone holding the QR code checks a licence. Nothing personal is shown, and a wrong
    number or token gets the same "no such licence" as a number that does not exist."""
    if _over_rate(request):
        response = render(request, "licensing/licences/verify_429.html", status=429)
        response["Retry-After"] = "60"
        return response
    licence = (Licence.objects.defer("pdf").prefetch_related("items")
               .filter(number=(number or "").upper()[:20]).first())
    if licence is None or not licence_token_ok(licence, request.GET.get("t", "")):
        return render(request, "licensing/verify.html", {"licence": None}, status=404)
    status = licence.status
    if status in register.LIVE and licence.valid_until < timezone.localdate():
        status = LicenceStatus.EXPIRED  # the last valid day has ended; beat records it within the hour
    zh, en = PUBLIC_STATUS[LicenceStatus(status)]
    codes = [i.control_code or _("unlisted, catch-all (Art. 12(3))") for i in licence.items.all()]
    return render(request, "licensing/verify.html", {
        "licence": licence, "status": status, "status_zh": zh, "status_en": en, "codes": codes})
