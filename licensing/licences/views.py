"""Pages of a licence: the download for those who may see it, and the public check behind its QR code."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from licensing.applications import page
from licensing.licences.selectors import licence_token_ok, licence_visible_to
from licensing.models import Licence
from portal.pdf import pdf_response


@login_required
@require_GET
def licence_download(request, pk):
    app = page.visible_case(request, pk)
    licence = getattr(app, "licence", None)
    if licence is None or not licence_visible_to(request.user, app):
        raise Http404()
    return pdf_response(bytes(licence.pdf), f"{licence.number}.pdf")


@login_required
@require_GET
def licence_detail(request, number):
    licence = (Licence.objects.visible_to(request.user).defer("pdf").select_related("application", "exporter")
               .filter(number=number.upper()[:20]).first())
    if licence is None:
        raise Http404()
    return render(request, "licensing/licences/licence_detail.html", {"licence": licence})


@require_GET
def licence_verify(request, number):
    """Public: anyone holding the QR code checks a licence. No personal data is shown."""
    licence = (Licence.objects.select_related("application").defer("pdf")
               .filter(number=number.upper()[:20]).first())
    genuine = bool(licence) and licence_token_ok(licence, request.GET.get("t", ""))
    codes = [i.control_code or _("unlisted, catch-all (Art. 12(3))") for i in licence.application.items.all()] if genuine else []
    return render(request, "licensing/verify.html",
                  {"licence": licence if genuine else None, "number": number, "codes": codes},
                  status=200 if genuine else 404)
