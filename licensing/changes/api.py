"""REST API of licence changes (Reg. 18): the exporter asks and withdraws, the ministry decides;
each sees the requests LicenceChange.objects.visible_to gives it. Views only translate HTTP to
licensing.changes calls; writes name a version (body or If-Match, portal.preconditions)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from licensing.applications import serializers as application_serializers
from licensing.changes import selectors, services
from licensing.changes import serializers as s
from licensing.models import LicenceChange, LicenceChangeState
from portal.api import idempotency_key
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.preconditions import PreconditionFailed, PreconditionRequired

ERRORS = {400: OpenApiResponse(description="Invalid input; `key_element_change` for a change of item, destination, "
                                           "end user or end use (make a new application instead)"),
          403: OpenApiResponse(description="Your role may not do this (or you are not signed in)"),
          404: OpenApiResponse(description="No such licence or request, or not visible to you"),
          409: OpenApiResponse(description="Wrong state (licence not valid, a request already pending, a request "
                                           "already decided) or a stale version"),
          412: OpenApiResponse(description="If-Match is stale"),
          428: OpenApiResponse(description="Neither `version` nor If-Match was sent")}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}
STATE = OpenApiParameter("state", str, enum=LicenceChangeState.values, description="Only requests in this state")


def change_version(user, id) -> int:
    """The version of a request the user may see (its API ETag); NotFound otherwise."""
    change = selectors.change_for(user, id)
    if change is None:
        raise NotFound()
    return change.version


def require_change_role(user, rest: str, method: str) -> None:
    roles = {"withdraw/": EXPORTER_ROLES, "decide/": MINISTRY_ROLES}.get(rest)
    if roles is not None and user.role not in roles:
        raise NotAllowed()


def _licence(request, number):
    licence = selectors.licence_for(request.user, number)
    if licence is None:
        raise NotFound()
    return licence


def _licence_version(request, licence, body_version):
    """The licence version a request names: its body's `version` or an If-Match ETag."""
    header = request.headers.get("If-Match")
    if header is None:
        if body_version is None:
            raise PreconditionRequired()
        return body_version
    value = header.strip()
    if value == "*":
        return body_version
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ValidationFailed(_("If-Match must be an ETag this API gave you."), fields={"If-Match": [_("Not an ETag.")]})
    if int(value) != licence.version:
        raise PreconditionFailed()
    return int(value)


class LicenceChangeListView(GenericAPIView):
    serializer_class = s.LicenceChangeSerializer
    queryset = LicenceChange.objects.none()  # for the schema; the rows come from the selectors

    @extend_schema(summary="Licence change requests you may see (the ministry all, an exporter those of its "
                           "licences), the earliest due first", parameters=[STATE],
                   responses={200: s.LicenceChangeSerializer(many=True), 400: OpenApiResponse(description="Bad state")})
    def get(self, request):
        state = request.query_params.get("state", "")
        if state and state not in LicenceChangeState.values:
            raise ValidationFailed(fields={"state": [_("Choose one of the listed values.")]})
        page = self.paginate_queryset(selectors.changes_queue(request.user, state=state))
        return self.get_paginated_response(s.LicenceChangeSerializer(page, many=True).data)


class LicenceChangesOfLicenceView(GenericAPIView):
    write_roles = EXPORTER_ROLES
    serializer_class = s.LicenceChangeSerializer
    queryset = LicenceChange.objects.none()

    @extend_schema(summary="The change requests of one licence", responses={200: s.LicenceChangeSerializer(many=True),
                                                                          **READ_ERRORS})
    def get(self, request, number):
        return Response(s.LicenceChangeSerializer(selectors.changes_of_licence(request.user, _licence(request, number)),
                                                  many=True).data)

    @extend_schema(summary="Exporter: ask to change an issued licence (Reg. 18): contract number, intermediate "
                           "consignee, smaller quantities, a later shipment date inside the validity cap, payment "
                           "terms, transport mode, remarks. Decided by the ministry within 20 working days.",
                   request=s.ChangeRequestSerializer,
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                                description="A UUID; repeating it returns the request already made"),
                               OpenApiParameter("If-Match", str, OpenApiParameter.HEADER,
                                                description="The licence's version, instead of `version`")],
                   responses={201: s.LicenceChangeSerializer, **ERRORS})
    def post(self, request, number):
        licence = _licence(request, number)
        form = s.ChangeRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = _licence_version(request, licence, data.pop("version", None))
        reason = data.pop("reason")
        change = services.change_request(actor=request.user, licence_id=licence.pk, data=data, reason=reason,
                                         expected_version=version, client_token=idempotency_key(request))
        return Response(s.LicenceChangeSerializer(selectors.change_for(request.user, change.pk)).data,
                        status=status.HTTP_201_CREATED)


class LicenceReplacementView(APIView):
    write_roles = EXPORTER_ROLES

    @extend_schema(summary="Exporter: for a change of item, destination, end user or end use, a new draft "
                           "application pre-filled from the licence's case; the licence is cancelled when the new "
                           "one is issued (Reg. 18)", request=s.NewApplicationSerializer,
                   responses={201: application_serializers.ApplicationSerializer,
                              200: application_serializers.ApplicationSerializer, **ERRORS})
    def post(self, request, number):
        licence = _licence(request, number)
        form = s.NewApplicationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        app, created = services.change_new_application(actor=request.user, licence_id=licence.pk,
                                                       client_token=form.validated_data.get("client_token"))
        return Response(application_serializers.ApplicationSerializer(app, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _change(request, id) -> LicenceChange:
    change = selectors.change_for(request.user, id)
    if change is None:
        raise NotFound()
    return change


class LicenceChangeDetailView(APIView):
    @extend_schema(summary="One licence change request, with its clock", responses={200: s.LicenceChangeSerializer,
                                                                                   **READ_ERRORS})
    def get(self, request, id):
        return Response(s.LicenceChangeSerializer(_change(request, id)).data)


class LicenceChangeWithdrawView(APIView):
    write_roles = EXPORTER_ROLES

    @extend_schema(summary="Exporter: withdraw a pending change request", request=s.WithdrawSerializer,
                   responses={200: s.LicenceChangeSerializer, **ERRORS})
    def post(self, request, id):
        form = s.WithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.change_withdraw(actor=request.user, change_id=id, expected_version=form.validated_data.get("version"))
        return Response(s.LicenceChangeSerializer(_change(request, id)).data)


class LicenceChangeDecideView(APIView):
    write_roles = MINISTRY_ROLES

    @extend_schema(summary="Ministry: approve (a new licence replaces the old one) or refuse (reason required) a "
                           "pending change request", request=s.ChangeDecideSerializer,
                   responses={200: s.LicenceChangeSerializer, **ERRORS})
    def post(self, request, id):
        form = s.ChangeDecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.change_decide(actor=request.user, change_id=id, outcome=form.validated_data["outcome"],
                               reason=form.validated_data.get("reason", ""),
                               expected_version=form.validated_data.get("version"))
        return Response(s.LicenceChangeSerializer(_change(request, id)).data)
