"""REST API of licences: the register and one licence for those who see it (the exporter its own,
the ministry and customs officers all), and the status changes of lifecycle.TRANSITIONS. Views only
translate HTTP to licensing.licences calls."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.licences import lifecycle, register, services
from licensing.licences import serializers as s
from licensing.licences.forms import RegisterFilterForm
from licensing.models import Licence, LicenceStatus
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from portal.preconditions import PreconditionRequired, WriteRoles

ERRORS = {400: OpenApiResponse(description="Invalid input (no reason, no Art. 13 factor); nothing changed"),
          403: OpenApiResponse(description="Your role may not make this change (or you are not signed in)"),
          404: OpenApiResponse(description="No such licence, or not visible to you"),
          409: OpenApiResponse(description="The licence is in a state that does not allow this change, or the "
                                           "version (body or If-Match) is stale"),
          428: OpenApiResponse(description="Neither `version` nor If-Match was sent")}
NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, pattern=r"^[0-9A-Za-z]{1,20}$",
                          description="The licence number, e.g. 2026MC000001J")
FILTERS = [
    OpenApiParameter("number", str, description="Licence number (starts with; customs officers: the exact number)"),
    OpenApiParameter("status", str, enum=LicenceStatus.values),
    OpenApiParameter("exporter", str, description="Exporter name (contains) or credit code (exact)"),
    OpenApiParameter("province", str, description="Exporter's province, GB/T 2260 two-digit code"),
    OpenApiParameter("control_code", str, description="An item's control code starts with"),
    OpenApiParameter("destination", str, description="Destination, ISO 3166 alpha-2"),
    OpenApiParameter("expiring_within", int, description="Valid or suspended and ending within N days"),
]


def _licence(request, number) -> Licence:
    licence = register.licence_for(request.user, number)
    if licence is None:
        raise NotFound()
    return licence


class LicenceListView(GenericAPIView):
    serializer_class = s.LicenceListItemSerializer
    queryset = Licence.objects.none()  # for the schema; the rows come from licensing.licences.register
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The licence register: the licences you may see (the ministry all, an exporter its "
                           "own, a customs officer one by exact number), newest first, filtered",
                   parameters=FILTERS,
                   responses={200: s.LicenceListItemSerializer(many=True),
                              400: OpenApiResponse(description="A filter value is not valid"),
                              403: ERRORS[403], 404: OpenApiResponse(description="No such page")})
    def get(self, request):
        user = request.user
        if not (user.is_exporter or user.is_ministry or user.role == "customs_officer"):
            raise NotAllowed()
        filters = RegisterFilterForm(request.query_params, user=user)
        if not filters.is_valid():
            raise ValidationFailed(fields={k: [str(m) for m in v] for k, v in filters.errors.items()})
        page = self.paginate_queryset(register.register_rows(user, filters.cleaned_data))
        return self.get_paginated_response(s.LicenceListItemSerializer(page, many=True).data)


class LicenceDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One licence: its items with quantities licensed, used and remaining, the shipments "
                           "drawn against it, its status changes and notices",
                   parameters=[NUMBER], responses={200: s.LicenceSerializer, 403: ERRORS[403], 404: ERRORS[404]})
    def get(self, request, number):
        licence = _licence(request, number)
        response = Response(s.LicenceSerializer(licence, context={"request": request}).data)
        response["ETag"] = f'"{licence.version}"'
        return response


def _if_match(request):
    """The version an If-Match header names; "*" is None (any version)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None, False
    value = header.strip()
    if value == "*":
        return None, True
    value = value.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ValidationFailed(_("If-Match must be an ETag this API gave you."),
                               fields={"If-Match": [_("Not an ETag.")]})
    return int(value), True


class _LicenceStepView(APIView):
    """POST a status change; `action` names the row of lifecycle.TRANSITIONS."""

    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]
    action = ""
    body = s.LicenceStepSerializer

    def step(self, request, number):
        licence = _licence(request, number)
        form = self.body(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        header_version, has_header = _if_match(request)
        version = data.get("version")
        if version is not None and header_version is not None and version != header_version:
            raise StaleVersion(_("The body's version and If-Match disagree."))
        if version is None and not has_header:
            raise PreconditionRequired()
        if version is None:
            version = header_version
        kwargs = {"actor": request.user, "licence_id": licence.pk, "reason": data.get("reason", ""),
                  "expected_version": version}
        if self.action == "revoke":
            kwargs["factor"] = data["factor"]
        getattr(services, f"licence_{self.action}")(**kwargs)
        fresh = _licence(request, number)
        response = Response(s.LicenceSerializer(fresh, context={"request": request}).data)
        response["ETag"] = f'"{fresh.version}"'
        return response


def _step_view(action: str, summary: str, body=s.LicenceStepSerializer):
    @extend_schema(summary=summary, request=body, responses={200: s.LicenceSerializer, **ERRORS},
                   parameters=[NUMBER, OpenApiParameter("If-Match", str, OpenApiParameter.HEADER,
                                                description="The licence's ETag, or * for any")])
    def post(self, request, number):
        return self.step(request, number)

    return type(f"Licence{action.title()}View", (_LicenceStepView,), {
        "action": action, "body": body, "write_roles": frozenset(lifecycle.TRANSITIONS[action].roles),
        "__doc__": summary, "post": post})


STEP_VIEWS = {
    "suspend": _step_view("suspend", "Ministry: suspend a valid licence, with a reason; customs sees it at once"),
    "restore": _step_view("restore", "Ministry: make a suspended licence valid again, with a reason"),
    "revoke": _step_view("revoke", "Ministry senior officer: revoke a valid or suspended licence on an Art. 13 "
                                   "factor, with a reason; the revocation notice PDF goes to the exporter",
                         s.LicenceRevokeSerializer),
    "surrender": _step_view("surrender", "Exporter administrator: give back a valid licence, before any use or "
                                         "after partial use"),
}
