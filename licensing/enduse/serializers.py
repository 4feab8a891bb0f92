"""API shapes of end-use change reports. Input serializers check types only; the services check content."""

from django.http import QueryDict
from django.urls import reverse
from rest_framework import serializers

from licensing.enduse import selectors
from licensing.enduse.services import DESCRIPTION_MAX_CHARS, MAX_DOCUMENTS, NOTE_MAX_CHARS
from licensing.models import EndUseReport, EndUseReportDocument, EndUseReportKind
from portal.api import StrictCharField

VERSION_HELP = "The report's version you last read; a stale one is refused (409)."


class EndUseReportVersionField(serializers.IntegerField):
    """A JSON body sends a number (a string is a client bug); a form sends text, as forms do."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("help_text", VERSION_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        from_form = isinstance(getattr(self.root, "initial_data", None), QueryDict)
        if isinstance(data, bool | float) or (isinstance(data, str) and not from_form):
            self.fail("invalid")
        return super().to_internal_value(data)


class EndUseReportDocumentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = EndUseReportDocument
        fields = ["id", "original_name", "size", "sha256", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return reverse("api-enduse-report-document", args=[obj.report_id, obj.pk])


class EndUseReportSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="application.reference", read_only=True)
    exporter = serializers.IntegerField(source="application.exporter_id", read_only=True)
    licence_number = serializers.SerializerMethodField()
    documents = EndUseReportDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = EndUseReport
        fields = ["id", "application", "case_reference", "licence_number", "exporter", "kind", "description", "state",
                  "created_by", "created_at", "reviewed_by", "reviewed_at", "review_note", "closed_by",
                  "closed_at", "close_note", "version", "documents"]
        read_only_fields = fields


    def get_licence_number(self, obj) -> str | None:
        licence = selectors.licence_of(obj)
        return licence.number if licence else None


class EndUseReportListItemSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="application.reference", read_only=True)
    document_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = EndUseReport
        fields = ["id", "application", "case_reference", "kind", "state", "created_at", "document_count",
                  "version"]
        read_only_fields = fields


class EndUseReportCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The case (its id)")
    kind = serializers.ChoiceField(choices=EndUseReportKind.choices)
    description = StrictCharField(max_length=DESCRIPTION_MAX_CHARS)


class EndUseReportUploadSerializer(EndUseReportCreateSerializer):
    documents = serializers.ListField(child=serializers.FileField(), required=False, max_length=MAX_DOCUMENTS,
                                      help_text=f"PDF files, at most {MAX_DOCUMENTS}")


class EndUseReportReviewSerializer(serializers.Serializer):
    note = StrictCharField(max_length=NOTE_MAX_CHARS, required=False, allow_blank=True)
    version = EndUseReportVersionField()


class EndUseReportCloseSerializer(serializers.Serializer):
    note = StrictCharField(max_length=NOTE_MAX_CHARS, help_text="What was found or done (required)")
    version = EndUseReportVersionField()
