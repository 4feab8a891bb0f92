"""Customs pages: a customs officer looks a licence up, records and reverses write-offs by hand and
raises challenges; the exporter answers a challenge; the ministry sees escalated challenges and
closes them; a system administrator keeps customs systems and their tokens. Thin: the services
decide."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from licensing.customs import challenges, selectors, services, tokens
from licensing.customs.forms import (
    AnswerForm,
    ChallengeForm,
    CloseForm,
    LookupForm,
    ReverseForm,
    ScopesForm,
    SystemForm,
    TokenForm,
    WriteOffForm,
)
from licensing.customs.serializers import verify_body
from licensing.models import ChallengeState, CustomsSystem, CustomsToken
from portal.errors import DomainError, NotAllowed, NotFound
from portal.pages import domain_errors_as_pages
from portal.pdf import pdf_response

PAGE_SIZE = 50


def _customs_only(user):
    if user.role != Role.CUSTOMS_OFFICER:
        raise NotAllowed(_("This page is for customs officers."))


def _admin_only(user):
    if not tokens.may_administer(user):
        raise NotAllowed(_("Only a system administrator manages customs systems and their tokens."))


def _form_errors(form, exc: DomainError):
    for field, errors in (exc.fields or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
    if not exc.fields:
        form.add_error(None, str(exc.message))


# ---------------------------------------------------------------- customs officer


@login_required
@require_GET
@domain_errors_as_pages
def home(request):
    _customs_only(request.user)
    form = LookupForm(request.GET or None)
    if form.is_valid():
        number = services.normalise_number(form.cleaned_data["number"])
        try:
            services.check_number(number)
        except NotFound as exc:
            form.add_error("number", str(exc.message))
        else:
            return redirect("customs-licence", number=number)
    return render(request, "licensing/customs/home.html", {"form": form}, status=400 if form.errors else 200)


def _licence_page(request, number, *, form=None, status=200):
    number = services.check_number(number)
    licence = selectors.licence_for_customs(number)
    if licence is None:
        raise NotFound(_("No licence has this number."), code="licence_unknown")
    port = licence.export_port_id or ""
    form = form or WriteOffForm(licence=licence, initial={"port": port})
    return render(request, "licensing/customs/licence.html", {
        "licence": licence, "facts": verify_body(selectors.verify_rows(licence.number)), "form": form,
        "write_offs": selectors.write_offs_of(licence), "reverse_form": ReverseForm()}, status=status)


@login_required
@require_GET
@domain_errors_as_pages
def licence_page(request, number):
    _customs_only(request.user)
    try:
        return _licence_page(request, number)
    except NotFound as exc:
        return render(request, "licensing/customs/home.html",
                      {"form": LookupForm(initial={"number": number}), "not_found": exc.message}, status=404)


@login_required
@require_POST
@domain_errors_as_pages
def write_off_new(request, number):
    _customs_only(request.user)
    licence = selectors.licence_for_customs(services.check_number(number))
    if licence is None:
        raise Http404()
    form = WriteOffForm(request.POST, licence=licence)
    if not form.is_valid():
        return _licence_page(request, number, form=form, status=400)
    try:
        outcome = services.write_off_record(shipment=services.shipment(licence_number=licence.number,
                                                                       **form.cleaned_data),
                                            officer=request.user)
    except DomainError as exc:
        _form_errors(form, exc)
        messages.error(request, exc.message)
        return _licence_page(request, number, form=form, status=exc.status_code)
    if outcome.replayed:
        messages.info(request, _("This declaration line was recorded already; nothing was counted twice."))
    else:
        messages.success(request, _("The write-off is recorded."))
    return redirect("customs-licence", number=licence.number)


@login_required
@require_POST
@domain_errors_as_pages
def write_off_reverse(request, declaration, line):
    _customs_only(request.user)
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    outcome = services.write_off_reverse(declaration_number=declaration, line=line, officer=request.user,
                                         reason=reason)
    messages.success(request, _("The write-off is reversed; its quantity is back on the licence."))
    return redirect("customs-licence", number=outcome.write_off.licence.number)


# ---------------------------------------------------------------- challenges


@login_required
@require_GET
@domain_errors_as_pages
def challenge_list(request):
    role = request.user.role
    if role not in MINISTRY_ROLES and role not in EXPORTER_ROLES and role != Role.CUSTOMS_OFFICER:
        raise NotAllowed()
    rows = selectors.ministry_queue() if role in MINISTRY_ROLES and not request.GET.get("all") \
        else selectors.challenges_for(request.user)
    return render(request, "licensing/customs/challenges.html", {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "is_ministry": role in MINISTRY_ROLES, "is_customs": role == Role.CUSTOMS_OFFICER})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def challenge_new(request):
    _customs_only(request.user)
    if request.method == "GET":
        form = ChallengeForm(initial={"token": uuid.uuid4()})
        return render(request, "licensing/customs/challenge_new.html", {"form": form})
    form = ChallengeForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        token = data.pop("token")
        try:
            challenge, _created = challenges.challenge_raise(officer=request.user, external_id=str(token or ""),
                                                             **data)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The challenge is raised; the exporter is told."))
            return redirect("customs-challenge", reference=challenge.reference)
    return render(request, "licensing/customs/challenge_new.html", {"form": form}, status=400)


def _visible_challenge(request, reference):
    challenge = selectors.challenge_for(request.user, reference)
    if challenge is None:
        raise Http404()
    return challenge


def _challenge_page(request, challenge, *, answer_form=None, status=200):
    user = request.user
    may_answer = (user.role in EXPORTER_ROLES and user.organisation_id == challenge.exporter_id
                  and challenge.state in (ChallengeState.OPEN, ChallengeState.ESCALATED))
    return render(request, "licensing/customs/challenge.html", {
        "challenge": challenge, "may_answer": may_answer, "answer_form": answer_form or AnswerForm(),
        "may_close": user.role in MINISTRY_ROLES and challenge.state != ChallengeState.CLOSED,
        "close_form": CloseForm()}, status=status)


@login_required
@require_GET
def challenge_page(request, reference):
    return _challenge_page(request, _visible_challenge(request, reference))


@login_required
@require_POST
@domain_errors_as_pages
def challenge_answer(request, reference):
    challenge = _visible_challenge(request, reference)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _challenge_page(request, challenge, answer_form=form, status=400)
    try:
        challenges.challenge_answer(actor=request.user, reference=challenge.reference,
                                    answer=form.cleaned_data["answer"], uploads=request.FILES.getlist("documents"))
    except NotFound:
        raise
    except DomainError as exc:
        _form_errors(form, exc)
        return _challenge_page(request, _visible_challenge(request, reference), answer_form=form,
                               status=exc.status_code)
    messages.success(request, _("Your answer is sent to customs."))
    return redirect("customs-challenge", reference=challenge.reference)


@login_required
@require_POST
@domain_errors_as_pages
def challenge_close(request, reference):
    challenge = _visible_challenge(request, reference)
    form = CloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    challenges.challenge_close(actor=request.user, reference=challenge.reference, note=note)
    messages.success(request, _("The challenge is closed."))
    return redirect("customs-challenge", reference=challenge.reference)


@login_required
@require_GET
def challenge_document(request, reference, doc_pk):
    challenge = _visible_challenge(request, reference)
    doc = next((d for d in challenge.documents.all() if d.pk == doc_pk), None)
    if doc is None:
        raise Http404()
    return pdf_response(doc.file.read(), doc.original_name)


# ---------------------------------------------------------------- system administrator


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def system_list(request):
    _admin_only(request.user)
    form = SystemForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                system = tokens.system_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The customs system is registered; make it a token."))
                return redirect("customs-system", pk=system.pk)
        status = 400
    systems = CustomsSystem.objects.prefetch_related("tokens").order_by("code")
    return render(request, "licensing/customs/systems.html", {"systems": systems, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
def system_page(request, pk):
    _admin_only(request.user)
    system = CustomsSystem.objects.filter(pk=pk).first()
    if system is None:
        raise Http404()
    form = TokenForm(request.POST or None)
    new_token, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _row, new_token = tokens.token_create(actor=request.user, system_id=system.pk,
                                                      scopes=form.cleaned_data["scopes"],
                                                      label=form.cleaned_data["label"])
                form = TokenForm()
            except DomainError as exc:
                _form_errors(form, exc)
                status = exc.status_code
        else:
            status = 400
    response = render(request, "licensing/customs/system.html", {
        "system": system, "tokens": system.tokens.order_by("-created_at"), "form": form, "new_token": new_token,
        "scopes_form": ScopesForm}, status=status)
    response["Cache-Control"] = "no-store"  # the new token is on this page once
    return response


def _token_step(request, pk, do):
    _admin_only(request.user)
    token = CustomsToken.objects.filter(pk=pk).first()
    if token is None:
        raise Http404()
    do(token)
    return redirect("customs-system", pk=token.system_id)


@login_required
@require_POST
@domain_errors_as_pages
def token_scopes(request, pk):
    def do(token):
        form = ScopesForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose at least one scope."))
            return
        tokens.token_set_scopes(actor=request.user, token_id=token.pk, scopes=form.cleaned_data["scopes"])
        messages.success(request, _("The token's scopes are changed."))

    return _token_step(request, pk, do)


@login_required
@require_POST
@domain_errors_as_pages
def token_revoke(request, pk):
    def do(token):
        tokens.token_revoke(actor=request.user, token_id=token.pk)
        messages.success(request, _("The token is revoked."))

    return _token_step(request, pk, do)
