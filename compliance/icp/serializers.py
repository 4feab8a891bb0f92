"""API shapes of internal compliance programmes. Input serializers check types only; the services
check content. Component names start with ICP so they do not collide with other areas'."""

from django.http import QueryDict
from django.urls import reverse
from rest_framework import serializers

from compliance.icp.evaluations import MAX_FINDINGS, TEXT_MAX_CHARS
from compliance.icp.models import (
    Assessment,
    Element,
    EvaluationMethod,
    EvidencePeriod,
    ICPEvaluation,
    ICPEvidence,
    ICPFinding,
    Rating,
    Severity,
)
from compliance.icp.services import MAX_DOCUMENTS, MAX_MONTHS, MIN_MONTHS, OWNER_NAME_MAX_CHARS
from portal.api import StrictCharField


class ICPVersionField(serializers.IntegerField):
    """A JSON body sends a number (a string is a client bug); a form sends text, as forms do."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("help_text", "The version you last read; a stale one is refused (409).")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        from_form = isinstance(getattr(self.root, "initial_data", None), QueryDict)
        if isinstance(data, bool | float) or (isinstance(data, str) and not from_form):
            self.fail("invalid")
        return super().to_internal_value(data)


class ICPEvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = ICPEvidence
        fields = ["id", "original_name", "size", "sha256", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return reverse("api-icp-evidence", args=[self.context["org_id"], obj.pk])


class ICPElementSerializer(serializers.Serializer):
    """One of the nine elements as the exporter keeps it, with its staleness today."""

    element = serializers.ChoiceField(choices=Element.choices)
    label = serializers.CharField()
    owner_user = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField()
    last_reviewed_on = serializers.DateField(allow_null=True)
    assessment = serializers.CharField(help_text="in_place, partly, missing, or empty when not assessed")
    assessment_text = serializers.CharField()
    months = serializers.IntegerField(allow_null=True, help_text="The evidence period of the element")
    stale_on = serializers.DateField(allow_null=True)
    staleness = serializers.ChoiceField(choices=["fresh", "due_soon", "stale", "not_reviewed"])
    version = serializers.IntegerField(help_text="0 for an element never filled in")
    evidence = ICPEvidenceSerializer(many=True)

    def to_representation(self, row):
        element = row.row
        return {
            "element": row.element, "label": str(row.label),
            "owner_user": element.owner_user_id if element else None,
            "owner_name": element.owner_name if element else "",
            "last_reviewed_on": element.last_reviewed_on.isoformat() if element and element.last_reviewed_on else None,
            "assessment": element.assessment if element else "",
            "assessment_text": element.assessment_text if element else "",
            "months": row.months, "stale_on": row.stale_on.isoformat() if row.stale_on else None,
            "staleness": row.state, "version": element.version if element else 0,
            "evidence": ICPEvidenceSerializer(row.evidence, many=True, context=self.context).data,
        }


class ICPFindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ICPFinding
        fields = ["element", "severity", "text"]


class ICPEvaluationSerializer(serializers.ModelSerializer):
    findings = ICPFindingSerializer(many=True, read_only=True)
    superseded = serializers.SerializerMethodField()

    class Meta:
        model = ICPEvaluation
        fields = ["id", "exporter", "status", "method", "evaluated_on", "rating", "valid_until", "summary",
                  "findings", "evaluated_by", "created_at", "issued_by", "issued_at", "superseded",
                  "withdrawn_at", "withdraw_reason", "version"]
        read_only_fields = fields

    def get_superseded(self, obj) -> bool:
        return obj.superseded_by_id is not None


class ICPDetailSerializer(serializers.Serializer):
    exporter = serializers.IntegerField()
    exporter_name = serializers.CharField()
    elements = ICPElementSerializer(many=True)
    current_evaluation = ICPEvaluationSerializer(allow_null=True)
    findings_to_fix = ICPFindingSerializer(many=True)


class ICPListItemSerializer(serializers.Serializer):
    exporter = serializers.IntegerField(source="pk")
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    code = serializers.CharField()
    province = serializers.CharField(source="province_id", allow_null=True)
    has_icp = serializers.SerializerMethodField()
    rating = serializers.CharField(source="current_rating", allow_null=True,
                                   help_text="good, adequate, poor; null without a valid issued evaluation")
    valid_until = serializers.DateField(source="current_valid_until", allow_null=True)

    def get_has_icp(self, obj) -> bool:
        return obj.icp_id is not None


class ICPElementUpdateSerializer(serializers.Serializer):
    owner_user = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    owner_name = StrictCharField(required=False, allow_blank=True, max_length=OWNER_NAME_MAX_CHARS)
    last_reviewed_on = serializers.DateField(required=False, allow_null=True)
    assessment = serializers.ChoiceField(choices=[("", "not assessed"), *Assessment.choices], required=False,
                                         allow_blank=True)
    assessment_text = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX_CHARS)
    version = ICPVersionField()


class ICPEvidenceUploadSerializer(serializers.Serializer):
    documents = serializers.ListField(child=serializers.FileField(), max_length=MAX_DOCUMENTS,
                                      help_text=f"PDF files, at most {MAX_DOCUMENTS}")


class ICPEvaluationCreateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=EvaluationMethod.choices, required=False, default=EvaluationMethod.PAPER)
    evaluated_on = serializers.DateField(required=False, allow_null=True)


class ICPFindingInputSerializer(serializers.Serializer):
    element = serializers.ChoiceField(choices=Element.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    text = StrictCharField(max_length=TEXT_MAX_CHARS)


class ICPEvaluationUpdateSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=EvaluationMethod.choices, required=False)
    evaluated_on = serializers.DateField(required=False, allow_null=True)
    rating = serializers.ChoiceField(choices=[("", "not rated"), *Rating.choices], required=False, allow_blank=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    summary = StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX_CHARS)
    findings = ICPFindingInputSerializer(many=True, required=False, max_length=MAX_FINDINGS,
                                         help_text="Replaces the draft's findings; omit to keep them")
    version = ICPVersionField()


class ICPVersionSerializer(serializers.Serializer):
    version = ICPVersionField()


class ICPWithdrawSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=TEXT_MAX_CHARS)
    version = ICPVersionField()


class ICPPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidencePeriod
        fields = ["element", "months", "updated_at"]
        read_only_fields = fields


class ICPPeriodUpdateSerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=MIN_MONTHS, max_value=MAX_MONTHS)
