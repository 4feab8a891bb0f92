"""REST API for list versions and imports. Views only translate HTTP to service calls."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from controllist.models import ImportJob, ListVersion, VersionState
from controllist.versions import services
from controllist.versions.diff import default_base, version_diff
from controllist.versions.views import version_id
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, ValidationFailed

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Only ministry officers may do this"),
    404: OpenApiResponse(description="No such version or import, or not visible to you"),
    409: OpenApiResponse(description="Wrong state for this action"),
}


class ListVersionSerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = ListVersion
        fields = ["id", "label", "title_zh", "title_en", "source", "effective_from", "state",
                  "entry_count", "source_sha256", "created_at", "published_at", "in_force"]

    def get_in_force(self, version) -> bool:
        current = self.context.get("in_force")
        return current is not None and current.pk == version.pk


class PublishSerializer(serializers.Serializer):
    effective_from = serializers.DateField(help_text="The date the version takes effect (today or later)")
    expected_state = serializers.ChoiceField(choices=VersionState.values, default=VersionState.DRAFT,
                                             help_text="The state you last read; anything else is refused (409)")


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField()
    new = serializers.JSONField()


class ChangedEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    changes = serializers.SerializerMethodField()

    def get_changes(self, changed) -> list[dict]:
        return [{"field": name, "old": old, "new": new} for name, old, new in changed.changes]


class DiffSerializer(serializers.Serializer):
    old = serializers.SerializerMethodField()
    new = serializers.SerializerMethodField()
    counts = serializers.DictField(child=serializers.IntegerField())
    added = serializers.ListField(child=serializers.DictField())
    removed = serializers.ListField(child=serializers.DictField())
    changed = ChangedEntrySerializer(many=True)

    def get_old(self, diff) -> str | None:
        return diff.old.label if diff.old else None

    def get_new(self, diff) -> str:
        return diff.new.label


class ImportJobSerializer(serializers.ModelSerializer):
    version = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "original_name", "file_format", "size", "sha256", "label", "title_zh", "title_en",
                  "effective_from", "state", "total_rows", "processed_rows", "progress", "error_count",
                  "errors", "version", "created_at", "finished_at"]

    def get_version(self, job) -> int | None:
        return job.version_id

    def get_progress(self, job) -> float:
        return round(job.processed_rows / job.total_rows, 3) if job.total_rows else 0.0


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, XLSX or JSON list file")
    label = serializers.CharField(max_length=40, required=False, allow_blank=True)
    title_zh = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    effective_from = serializers.DateField(required=False, allow_null=True)


def _versions(request):
    return ListVersion.objects.visible_to(request.user).order_by("-effective_from", "-pk")


@extend_schema(summary="List versions visible to you (drafts only for ministry officers)",
               responses={200: ListVersionSerializer(many=True),
                          403: ERRORS[403], 404: OpenApiResponse(description="No such page")})
class VersionListView(generics.ListAPIView):
    serializer_class = ListVersionSerializer

    def get_queryset(self):
        return _versions(self.request)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "in_force": ListVersion.objects.in_force()}


class VersionDetailView(APIView):
    @extend_schema(summary="One list version", responses={200: ListVersionSerializer, **ERRORS})
    def get(self, request, pk):
        version = get_object_or_404(_versions(request), pk=pk)
        return Response(ListVersionSerializer(version, context={"in_force": ListVersion.objects.in_force()}).data)


class VersionDiffView(APIView):
    @extend_schema(
        summary="Differences from another version (by default the version in force)",
        parameters=[OpenApiParameter("against", int, description="The version to compare with")],
        responses={200: DiffSerializer, **ERRORS},
    )
    def get(self, request, pk):
        version = get_object_or_404(_versions(request), pk=pk)
        against = request.query_params.get("against")
        if against not in (None, ""):
            if version_id(against) is None:
                raise ValidationFailed(fields={"against": [_("Give a version id.")]})
            base = get_object_or_404(_versions(request), pk=version_id(against))
        else:
            base = default_base(version)
        return Response(DiffSerializer(version_diff(base, version)).data)


class VersionPublishView(APIView):
    parser_classes = [SafeJSONParser, FormParser, MultiPartParser]

    @extend_schema(summary="Publish a draft (ministry)", request=PublishSerializer,
                   responses={200: ListVersionSerializer, **ERRORS})
    def post(self, request, pk):
        if not request.user.is_ministry:
            raise NotAllowed()
        form = PublishSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = services.version_publish(actor=request.user, version_id=pk, **form.validated_data)
        return Response(ListVersionSerializer(version, context={"in_force": ListVersion.objects.in_force()}).data)


class VersionDiscardView(APIView):
    @extend_schema(summary="Discard a draft (ministry)", request=None,
                   responses={200: ListVersionSerializer, **ERRORS})
    def post(self, request, pk):
        version = services.version_discard(actor=request.user, version_id=pk)
        return Response(ListVersionSerializer(version).data)


class ImportCreateView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Upload a list file to import as a draft version (ministry)",
                   request={"multipart/form-data": ImportUploadSerializer},
                   responses={202: ImportJobSerializer, **ERRORS})
    def post(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        form = ImportUploadSerializer(data=request.data)
        if not form.is_valid() and set(form.errors) - {"file"}:
            form.is_valid(raise_exception=True)  # the service gives the precise reason for the file
        data = form.validated_data if not form.errors else {}
        job = services.import_job_create(
            actor=request.user, upload=request.FILES.get("file"), label=data.get("label", ""),
            title_zh=data.get("title_zh", ""), title_en=data.get("title_en", ""),
            effective_from=data.get("effective_from"))
        job = ImportJob.objects.defer("content").get(pk=job.pk)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailView(APIView):
    @extend_schema(summary="An import: state, progress and errors (ministry)",
                   responses={200: ImportJobSerializer, **ERRORS})
    def get(self, request, pk):
        if not request.user.is_ministry:
            raise NotAllowed()
        job = get_object_or_404(ImportJob.objects.defer("content"), pk=pk)
        return Response(ImportJobSerializer(job).data)
