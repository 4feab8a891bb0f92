"""REST API for applications. Views only translate HTTP to service calls."""


from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from licensing.applications import selectors, services, sharing, timeline
from licensing.applications import serializers as s
from licensing.applications.models import CustomsPort, CustomsUnit, ExchangeRate
from licensing.licences.selectors import licence_visible_to
from licensing.models import Application, Status
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotFound
from portal.pdf import pdf_response

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="No such application, or not visible to you"),
    409: OpenApiResponse(description="Wrong state for this action, or a stale version"),
}


@extend_schema_view(
    list=extend_schema(summary="Applications visible to you", parameters=[
        OpenApiParameter("status", str, enum=Status.values, description="Filter by status")],
        responses={200: s.ApplicationListSerializer(many=True),
                   400: OpenApiResponse(description="Unknown status"),
                   404: OpenApiResponse(description="No such page")}),
    retrieve=extend_schema(summary="One application", responses={200: s.ApplicationSerializer, **ERRORS}),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"
    filterset_fields = ["status"]

    def get_queryset(self):
        return (selectors.applications_for(self.request.user)
                .select_related("licence").defer("licence__pdf").prefetch_related("documents"))

    def get_serializer_class(self):
        return s.ApplicationListSerializer if self.action == "list" else s.ApplicationSerializer

    def _detail(self, app_id, code=status.HTTP_200_OK):
        app = self.get_queryset().get(pk=app_id)
        return Response(s.ApplicationSerializer(app, context={"request": self.request}).data, status=code)

    @extend_schema(
        summary="Create a draft",
        request=s.DraftInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="A UUID; repeating it returns the same draft")],
        responses={201: s.ApplicationSerializer, 200: s.ApplicationSerializer, **ERRORS},
    )
    def create(self, request):
        data = s.DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = idempotency_key(request)
        payload = {k: v for k, v in request.data.items() if k != "version"}
        app, created = services.application_create(actor=request.user, data=payload, client_token=token)
        return self._detail(app.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Edit a draft or returned application", request=s.DraftInputSerializer,
                   responses={200: s.ApplicationSerializer, **ERRORS})
    def partial_update(self, request, pk=None):
        data = s.DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = {k: v for k, v in request.data.items() if k != "version"}
        services.application_update_draft(application_id=pk, actor=request.user, data=payload,
                                          expected_version=data.validated_data.get("version"))
        return self._detail(pk)

    @extend_schema(summary="Upload a document (PDF)", request={"multipart/form-data": s.DocumentUploadSerializer},
                   responses={201: s.DocumentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="documents")
    def upload_document(self, request, pk=None):
        form = s.DocumentUploadSerializer(data=request.data)
        if not form.is_valid() and set(form.errors) - {"file"}:
            # Only the file may be wrong past this point; the service gives the precise reason.
            form.is_valid(raise_exception=True)
        doc = services.document_add(application_id=pk, actor=request.user, kind=request.data.get("kind"),
                                    upload=request.FILES.get("file"),
                                    expected_version=_version(request.data))
        return Response(s.DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Download a document", responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)")
    def download_document(self, request, pk=None, document_id=None):
        app = self.get_queryset().filter(pk=pk).first()
        doc = app.documents.filter(pk=document_id).first() if app else None
        if doc is None:
            raise NotFound()
        return pdf_response(doc.file.read(), doc.original_name)

    @extend_schema(summary="Download the licence PDF", responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS})
    @action(detail=True, methods=["get"], url_path="licence")
    def licence(self, request, pk=None):
        app = self.get_queryset().filter(pk=pk).first()
        licence = getattr(app, "licence", None) if app else None
        if licence is None or not licence_visible_to(request.user, app):
            raise NotFound()
        return pdf_response(bytes(licence.pdf), f"{licence.number}.pdf")

    @extend_schema(summary="Delete a draft that was never submitted",
                   parameters=[OpenApiParameter("version", int, description="The version you last read")],
                   responses={204: None, **ERRORS})
    def destroy(self, request, pk=None):
        services.application_delete(application_id=pk, actor=request.user,
                                    expected_version=_version(request.query_params))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Copy an application into a new draft", request=s.CopyInputSerializer,
                   responses={201: s.ApplicationSerializer, 200: s.ApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        form = s.CopyInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        app, created = services.application_copy(application_id=pk, actor=request.user,
                                                 client_token=form.validated_data.get("client_token"))
        return self._detail(app.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _act(self, request, pk, func, *, with_reason=False):
        form = (s.ReasonInputSerializer if with_reason else s.VersionInputSerializer)(data=request.data)
        form.is_valid(raise_exception=True)
        kwargs = {"application_id": pk, "actor": request.user,
                  "expected_version": form.validated_data.get("version")}
        if with_reason:
            kwargs["reason"] = form.validated_data.get("reason", "")
        func(**kwargs)
        return self._detail(pk)

    @extend_schema(summary="Submit to the provincial department", request=s.VersionInputSerializer,
                   responses={200: s.ApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, pk, services.application_submit)

    @extend_schema(summary="Province: return for correction", request=s.ReasonInputSerializer,
                   responses={200: s.ApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(request, pk, services.application_return, with_reason=True)

    @extend_schema(summary="Province: forward to the ministry", request=s.ForwardInputSerializer,
                   responses={200: s.ApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        form = s.ForwardInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.application_forward(application_id=pk, actor=request.user, opinion=form.validated_data.get(
            "opinion", ""), expected_version=form.validated_data.get("version"))
        return self._detail(pk)

    @extend_schema(summary="The case's public timeline (what the exporter sees)",
                   responses={200: s.TimelineSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        app = self.get_queryset().filter(pk=pk).first()
        if app is None:
            raise NotFound()
        return Response(s.TimelineSerializer({"steps": timeline.exporter_timeline(app)}).data)

    @extend_schema(summary="Ministry: accept the case (受理)", request=s.VersionInputSerializer,
                   responses={200: s.ApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, pk, services.application_accept)

    @extend_schema(summary="Exporter administrator: give a staff member access to the case",
                   request=s.ShareInputSerializer, responses={200: s.ApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        return self._share(request, pk, sharing.application_share)

    @extend_schema(summary="Exporter administrator: remove a staff member's access to the case",
                   request=s.ShareInputSerializer, responses={200: s.ApplicationSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def unshare(self, request, pk=None):
        return self._share(request, pk, sharing.application_unshare)

    def _share(self, request, pk, func):
        form = s.ShareInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        func(application_id=pk, actor=request.user, user_id=form.validated_data["user_id"],
             expected_version=form.validated_data.get("version"))
        return self._detail(pk)


@extend_schema(summary="The customs statistical units an item's unit is chosen from")
class CustomsUnitListView(generics.ListAPIView):
    serializer_class = s.CustomsUnitSerializer
    queryset = CustomsUnit.objects.all()
    pagination_class = None


@extend_schema(summary="The customs ports of export (报关口岸)")
class CustomsPortListView(generics.ListAPIView):
    serializer_class = s.CustomsPortSerializer
    queryset = CustomsPort.objects.filter(active=True)
    pagination_class = None


@extend_schema(summary="The ministry's exchange rates (US dollars per unit, from a date)")
class ExchangeRateListView(generics.ListAPIView):
    serializer_class = s.ExchangeRateSerializer
    queryset = ExchangeRate.objects.all()
    pagination_class = None


def _version(data):
    form = s.VersionInputSerializer(data=data)
    form.is_valid(raise_exception=True)
    return form.validated_data.get("version")


__all__ = ["ApplicationViewSet", "Application"]
