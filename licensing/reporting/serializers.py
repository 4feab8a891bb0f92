"""API shapes of licence reports. Input serializers check types only; the services check content."""

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from licensing.models import (
    LicenceReport,
    LicenceReportDocument,
    ReportAnchor,
    ReportDefault,
    ReportKind,
    ReportRequirement,
)
from licensing.reporting.services import (
    MAX_DEFAULT_DAYS,
    MAX_DOCUMENTS,
    REASON_MAX_CHARS,
    TEXT_MAX_CHARS,
)
from portal.api import StrictCharField


class LicenceReportDocumentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = LicenceReportDocument
        fields = ["id", "original_name", "size", "sha256", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return reverse("api-licence-report-document", args=[self.context["number"], obj.report_id, obj.pk])


class LicenceReportSerializer(serializers.ModelSerializer):
    licence_number = serializers.CharField(source="licence.number", read_only=True)
    documents = LicenceReportDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = LicenceReport
        fields = ["id", "licence_number", "kind", "event_on", "text", "corrects", "filed_by", "filed_at",
                  "documents"]
        read_only_fields = fields


class LicenceReportListItemSerializer(serializers.ModelSerializer):
    document_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = LicenceReport
        fields = ["id", "kind", "event_on", "corrects", "filed_by", "filed_at", "document_count"]
        read_only_fields = fields


class LicenceReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    event_on = serializers.DateField(help_text="The day it happened: shipped on, arrived on, installed on, in use from")
    text = StrictCharField(max_length=TEXT_MAX_CHARS)
    corrects = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
                                        help_text="An earlier report of the same kind that this one corrects")


class LicenceReportUploadSerializer(LicenceReportCreateSerializer):
    documents = serializers.ListField(child=serializers.FileField(), required=False, max_length=MAX_DOCUMENTS,
                                      help_text=f"PDF files, at most {MAX_DOCUMENTS}")


class RequirementSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="filed, overdue or due")

    class Meta:
        model = ReportRequirement
        fields = ["kind", "due_on", "state", "set_by", "reason", "fulfilled_report", "reminded_at",
                  "overdue_flagged_at"]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        if obj.fulfilled_report_id:
            return "filed"
        return "overdue" if obj.due_on < timezone.localdate() else "due"


class RequirementSetSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    reason = StrictCharField(max_length=REASON_MAX_CHARS, help_text="Why (the exporter sees it)")


class RequirementRemoveSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=REASON_MAX_CHARS, help_text="Why (the exporter sees it)")


class OverdueSerializer(serializers.ModelSerializer):
    licence_number = serializers.CharField(source="licence.number", read_only=True)
    licence_status = serializers.CharField(source="licence.status", read_only=True)
    exporter = serializers.IntegerField(source="licence.exporter_id", read_only=True)
    exporter_name = serializers.CharField(source="licence.exporter.name_zh", read_only=True)

    class Meta:
        model = ReportRequirement
        fields = ["id", "licence_number", "licence_status", "exporter", "exporter_name", "kind", "due_on",
                  "overdue_flagged_at"]
        read_only_fields = fields


class DefaultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportDefault
        fields = ["id", "licence_type", "kind", "required", "anchor", "days"]
        read_only_fields = fields


class DefaultUpdateSerializer(serializers.Serializer):
    required = serializers.BooleanField()
    anchor = serializers.ChoiceField(choices=ReportAnchor.choices)
    days = serializers.IntegerField(min_value=0, max_value=MAX_DEFAULT_DAYS)
    reason = StrictCharField(max_length=REASON_MAX_CHARS, help_text="Why (kept in the audit log)")
