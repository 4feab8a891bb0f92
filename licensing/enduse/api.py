"""REST API of end-use change reports (Reg. 25): the exporter files, the ministry reviews and
closes; each sees the reports EndUseReport.objects.visible_to gives it. Views only translate HTTP
to licensing.enduse calls."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import EXPORTER_ROLES
from licensing.enduse import selectors, services
from licensing.enduse import serializers as s
from licensing.models import EndUseReport, EndUseReportKind, EndUseReportState
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotFound, ValidationFailed
from portal.pdf import pdf_response
from portal.preconditions import WriteRoles

ERRORS = {400: OpenApiResponse(description="Invalid input (a bad or too large PDF among them); nothing changed"),
          403: OpenApiResponse(description="Your role may not do this (or you are not signed in)"),
          404: OpenApiResponse(description="No such report or case, or not visible to you"),
          409: OpenApiResponse(description="Wrong state for this step (a draft case, a report already closed), "
                                           "or a stale version")}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the report already filed")


def _report(request, id) -> EndUseReport:
    report = selectors.report_for(request.user, id)
    if report is None:
        raise NotFound()
    return report


class EndUseReportListView(GenericAPIView):
    write_roles = EXPORTER_ROLES
    serializer_class = s.EndUseReportListItemSerializer
    queryset = EndUseReport.objects.none()  # for the schema; the rows come from the selectors
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="End-use change reports you may see (the ministry all, an exporter those of its "
                           "cases, an agency those of cases referred to it), newest first",
                   parameters=[OpenApiParameter("state", str, enum=EndUseReportState.values),
                               OpenApiParameter("kind", str, enum=EndUseReportKind.values)],
                   responses={200: s.EndUseReportListItemSerializer(many=True),
                              400: OpenApiResponse(description="Unknown state or kind"),
                              404: OpenApiResponse(description="No such page")})
    def get(self, request):
        state, kind = request.query_params.get("state", ""), request.query_params.get("kind", "")
        if not selectors.queue_filters_ok(state, kind):
            field = "kind" if not state or state in EndUseReportState.values else "state"
            raise ValidationFailed(fields={field: [_("Choose one of the listed values.")]})
        page = self.paginate_queryset(selectors.reports_queue(request.user, state=state, kind=kind))
        return self.get_paginated_response(s.EndUseReportListItemSerializer(page, many=True).data)

    @extend_schema(summary="Exporter: report that the end user or end use of a submitted case has changed or "
                           "may change, or that its end-user certificate is forged, altered or expired (Reg. 25)",
                   request={"application/json": s.EndUseReportCreateSerializer,
                            "multipart/form-data": s.EndUseReportUploadSerializer},
                   parameters=[IDEMPOTENCY_KEY], responses={201: s.EndUseReportSerializer, **ERRORS})
    def post(self, request):
        form = s.EndUseReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        uploads = request.FILES.getlist("documents") if hasattr(request.FILES, "getlist") else []
        report = services.enduse_report_file(
            actor=request.user, application_id=form.validated_data["application"], kind=form.validated_data["kind"],
            description=form.validated_data["description"], uploads=uploads, client_token=idempotency_key(request))
        return Response(s.EndUseReportSerializer(_report(request, report.pk)).data, status=status.HTTP_201_CREATED)


class EndUseReportDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One end-use change report, with its documents and the ministry's notes",
                   responses={200: s.EndUseReportSerializer, **READ_ERRORS})
    def get(self, request, id):
        return Response(s.EndUseReportSerializer(_report(request, id)).data)


class EndUseReportReviewView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: take a received report under review, with an optional note to the exporter",
                   request=s.EndUseReportReviewSerializer, responses={200: s.EndUseReportSerializer, **ERRORS})
    def post(self, request, id):
        _report(request, id)
        form = s.EndUseReportReviewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.enduse_report_review(actor=request.user, report_id=id, note=form.validated_data.get("note", ""),
                                      expected_version=form.validated_data.get("version"))
        return Response(s.EndUseReportSerializer(_report(request, id)).data)


class EndUseReportCloseView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: close a report under review, saying what was found or done",
                   request=s.EndUseReportCloseSerializer, responses={200: s.EndUseReportSerializer, **ERRORS})
    def post(self, request, id):
        _report(request, id)
        form = s.EndUseReportCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.enduse_report_close(actor=request.user, report_id=id, note=form.validated_data["note"],
                                     expected_version=form.validated_data.get("version"))
        return Response(s.EndUseReportSerializer(_report(request, id)).data)


class EndUseReportDocumentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Download a document of an end-use change report",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS})
    def get(self, request, id, document_id):
        doc = next((d for d in _report(request, id).documents.all() if d.pk == document_id), None)
        if doc is None:
            raise NotFound()
        return pdf_response(doc.file.read(), doc.original_name)
