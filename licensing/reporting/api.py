"""REST API of licence reports (Reg. 18): the exporter files shipment, arrival, installation and
use reports on its licence; the ministry sets which reports a licence needs and by when, and
follows the overdue ones. Customs, provinces and agencies get 403 (reports are between the
exporter and the ministry); a licence the caller does not see is 404. Views only translate HTTP
to licensing.reporting calls."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, Role
from licensing.models import LicenceReport, ReportDefault, ReportKind, ReportRequirement
from licensing.reporting import selectors, services
from licensing.reporting import serializers as s
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.pdf import pdf_response
from portal.preconditions import WriteRoles

ERRORS = {400: OpenApiResponse(description="Invalid input (a bad or too large PDF among them); nothing changed"),
          403: OpenApiResponse(description="Your role may not do this (or you are not signed in)"),
          404: OpenApiResponse(description="No such licence or report, or not visible to you")}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the report already filed")
KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=ReportKind.values)
NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, pattern=r"^[0-9]{4}[A-Z]{2}[0-9]{6}[0-9A-Z*]$",
                          description="The licence number, e.g. 2026MC000001K")


def _licence(request, number):
    user = request.user
    if not (user.is_exporter or user.is_ministry):
        raise NotAllowed()
    licence = selectors.licence_for(user, number)
    if licence is None:
        raise NotFound()
    return licence


def _report(request, number, id) -> LicenceReport:
    licence = _licence(request, number)
    report = selectors.report_for(request.user, licence, id)
    if report is None:
        raise NotFound()
    return report


class LicenceReportListView(APIView):
    write_roles = EXPORTER_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="The reports filed on a licence, newest first (its exporter and the ministry)",
                   parameters=[NUMBER], responses={200: s.LicenceReportListItemSerializer(many=True), **READ_ERRORS})
    def get(self, request, number):
        licence = _licence(request, number)
        return Response(s.LicenceReportListItemSerializer(selectors.reports_of(licence), many=True).data)

    @extend_schema(summary="Exporter: file a shipment, arrival, installation or use report on a licence "
                           "(Reg. 18); a filed report is never changed, a correction names the report it corrects",
                   request={"application/json": s.LicenceReportCreateSerializer,
                            "multipart/form-data": s.LicenceReportUploadSerializer},
                   parameters=[NUMBER, IDEMPOTENCY_KEY], responses={201: s.LicenceReportSerializer, **ERRORS})
    def post(self, request, number):
        licence = _licence(request, number)
        form = s.LicenceReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        uploads = request.FILES.getlist("documents") if hasattr(request.FILES, "getlist") else []
        report = services.licence_report_file(
            actor=request.user, licence_id=licence.pk, kind=form.validated_data["kind"],
            text=form.validated_data["text"], event_on=form.validated_data["event_on"], uploads=uploads,
            corrects_id=form.validated_data.get("corrects"), client_token=idempotency_key(request))
        return Response(s.LicenceReportSerializer(_report(request, number, report.pk),
                                                  context={"number": licence.number}).data,
                        status=status.HTTP_201_CREATED)


class LicenceReportDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One report on a licence, with its documents",
                   parameters=[NUMBER], responses={200: s.LicenceReportSerializer, **READ_ERRORS})
    def get(self, request, number, id):
        report = _report(request, number, id)
        return Response(s.LicenceReportSerializer(report, context={"number": number.upper()}).data)


class LicenceReportDocumentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Download a document of a licence report",
                   parameters=[NUMBER], responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS})
    def get(self, request, number, id, document_id):
        doc = next((d for d in _report(request, number, id).documents.all() if d.pk == document_id), None)
        if doc is None:
            raise NotFound()
        return pdf_response(doc.file.read(), doc.original_name)


class RequirementListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="The reports a licence must file and by when: filed, due or overdue",
                   parameters=[NUMBER], responses={200: s.RequirementSerializer(many=True), **READ_ERRORS})
    def get(self, request, number):
        licence = _licence(request, number)
        rows = licence.report_requirements.order_by("due_on", "kind")
        return Response(s.RequirementSerializer(rows, many=True).data)


class RequirementDetailView(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]

    def _kind(self, kind):
        if kind not in ReportKind.values:
            raise NotFound(_("No such report kind."))
        return kind

    @extend_schema(summary="Ministry: require this report of a licence by a date, or move its due date "
                           "(the exporter is told)", parameters=[NUMBER, KIND], request=s.RequirementSetSerializer,
                   responses={200: s.RequirementSerializer, **ERRORS})
    def put(self, request, number, kind):
        licence = _licence(request, number)
        form = s.RequirementSetSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        req = services.report_requirement_set(actor=request.user, licence_id=licence.pk, kind=self._kind(kind),
                                              due_on=form.validated_data["due_on"],
                                              reason=form.validated_data["reason"])
        return Response(s.RequirementSerializer(req).data)

    @extend_schema(summary="Ministry: no longer require this report of a licence (the exporter is told); the "
                           "reason in the query (?reason=) or a JSON body",
                   parameters=[NUMBER, KIND, OpenApiParameter("reason", str, required=True,
                                                      description="Why (the exporter sees it)")],
                   request=None, responses={204: OpenApiResponse(description="Removed"), **ERRORS})
    def delete(self, request, number, kind):
        licence = _licence(request, number)
        data = request.data if "reason" in request.data else {"reason": request.query_params.get("reason", "")}
        form = s.RequirementRemoveSerializer(data=data)
        form.is_valid(raise_exception=True)
        services.report_requirement_remove(actor=request.user, licence_id=licence.pk, kind=self._kind(kind),
                                           reason=form.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class OverdueView(GenericAPIView):
    serializer_class = s.OverdueSerializer
    queryset = ReportRequirement.objects.none()  # for the schema; the rows come from the selectors
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Ministry: reports not filed by their due date, oldest due first",
                   parameters=[OpenApiParameter("exporter", int, description="The exporter (organisation id)"),
                               OpenApiParameter("kind", str, enum=ReportKind.values)],
                   responses={200: s.OverdueSerializer(many=True),
                              400: OpenApiResponse(description="Unknown kind or a bad exporter id"),
                              403: ERRORS[403], 404: OpenApiResponse(description="No such page")})
    def get(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        kind, exporter = request.query_params.get("kind", ""), request.query_params.get("exporter", "")
        if not selectors.kind_ok(kind):
            raise ValidationFailed(fields={"kind": [_("Choose one of the listed values.")]})
        if exporter and not (exporter.isascii() and exporter.isdigit() and 0 < int(exporter) < 2**63):
            raise ValidationFailed(fields={"exporter": [_("An organisation id.")]})
        page = self.paginate_queryset(selectors.overdue_queue(request.user, exporter=int(exporter or 0) or None,
                                                              kind=kind))
        return self.get_paginated_response(s.OverdueSerializer(page, many=True).data)


class DefaultListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Ministry: the reports a new licence of each type must file and when they fall due",
                   responses={200: s.DefaultSerializer(many=True), 403: ERRORS[403]})
    def get(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        return Response(s.DefaultSerializer(ReportDefault.objects.order_by("licence_type", "kind"), many=True).data)


class DefaultDetailView(APIView):
    write_roles = frozenset({Role.MINISTRY_SENIOR})
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Senior officer: change a default (licences issued from then on get it; issued "
                           "licences keep theirs)", request=s.DefaultUpdateSerializer,
                   responses={200: s.DefaultSerializer, **ERRORS})
    def put(self, request, id):
        form = s.DefaultUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.report_default_update(actor=request.user, default_id=id, **form.validated_data)
        return Response(s.DefaultSerializer(row).data)
