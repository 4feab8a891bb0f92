"""API shapes of enforcement cases and penalties. Input serializers check types only; the
services check content. Component names start with Enforcement/Penalty (unique in the schema)."""

from django.urls import reverse
from rest_framework import serializers

from compliance.enforcement.models import (
    CaseNote,
    EnforcementCase,
    EnforcementStep,
    NoteKind,
    Origin,
    Penalty,
    PenaltyHead,
    StepDocument,
)
from compliance.enforcement.services import MANUAL_STEP_KINDS, MAX_ANSWER_DAYS
from portal.api import StrictCharField

INT = {"min_value": 1, "max_value": 2**31 - 1}


class EnforcementDocumentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = StepDocument
        fields = ["id", "original_name", "size", "sha256", "from_exporter", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return reverse("enforcement-step-document", args=[obj.step.case.reference, obj.step_id, obj.pk])


class EnforcementStepSerializer(serializers.ModelSerializer):
    documents = EnforcementDocumentSerializer(many=True, read_only=True)
    late = serializers.BooleanField(read_only=True)
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementStep
        fields = ["id", "kind", "number", "occurred_on", "place", "text", "findings", "minutes", "respond_by",
                  "response", "responded_at", "late", "penalty", "pdf_sha256", "pdf", "documents", "created_at"]
        read_only_fields = fields

    def get_pdf(self, obj) -> str | None:
        return reverse("api-enforcement-step-pdf", args=[obj.case.reference, obj.pk]) if obj.number else None


class EnforcementPenaltySerializer(serializers.ModelSerializer):
    class Meta:
        model = Penalty
        fields = ["id", "kind", "head", "turnover", "range_min", "range_max", "amount", "justification", "serious",
                  "bar_applications", "status", "decided_on", "bars_applications_until", "reasons", "court",
                  "judgment_reference", "countersign_note", "created_by", "countersigned_by", "version"]
        read_only_fields = fields


class EnforcementNoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "kind", "text", "noted_on", "created_at"]
        read_only_fields = fields


class EnforcementCaseListItemSerializer(serializers.ModelSerializer):
    exporter_name = serializers.CharField(source="exporter.name_zh", read_only=True)

    class Meta:
        model = EnforcementCase
        fields = ["reference", "exporter", "exporter_name", "origin", "source_reference", "summary", "status",
                  "opened_at", "closed_at", "version"]
        read_only_fields = fields


class EnforcementCaseSerializer(EnforcementCaseListItemSerializer):
    steps = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()
    penalties = serializers.SerializerMethodField()

    class Meta(EnforcementCaseListItemSerializer.Meta):
        fields = EnforcementCaseListItemSerializer.Meta.fields + ["close_note", "steps", "notes", "penalties"]
        read_only_fields = fields

    def get_steps(self, obj) -> list[dict]:
        return EnforcementStepSerializer(self.context["steps"], many=True).data

    def get_notes(self, obj) -> list[dict] | None:
        """The ministry only; null for the exporter."""
        notes = self.context.get("notes")
        return None if notes is None else EnforcementNoteSerializer(notes, many=True).data

    def get_penalties(self, obj) -> list[dict] | None:
        """The ministry only; null for the exporter (it sees decisions as steps)."""
        penalties = self.context.get("penalties")
        return None if penalties is None else EnforcementPenaltySerializer(penalties, many=True).data


class EnforcementOpenSerializer(serializers.Serializer):
    origin = serializers.ChoiceField(choices=Origin.choices)
    source_reference = StrictCharField(required=False, allow_blank=True, max_length=40)
    exporter = serializers.IntegerField(required=False, allow_null=True, **INT)
    summary = StrictCharField(max_length=4000)


class EnforcementStepCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in MANUAL_STEP_KINDS])
    text = StrictCharField(max_length=8000)
    occurred_on = serializers.DateField(required=False, allow_null=True)
    place = StrictCharField(required=False, allow_blank=True, max_length=300)
    findings = StrictCharField(required=False, allow_blank=True, max_length=8000)
    answer_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ANSWER_DAYS)
    version = serializers.IntegerField(required=False, allow_null=True, **INT)
    documents = serializers.ListField(child=serializers.FileField(), required=False, write_only=True,
                                      help_text="PDF files (multipart only)")


class EnforcementAnswerSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=8000)
    documents = serializers.ListField(child=serializers.FileField(), required=False, write_only=True)


class EnforcementMinutesSerializer(serializers.Serializer):
    minutes = StrictCharField(max_length=8000)
    documents = serializers.ListField(child=serializers.FileField(), required=False, write_only=True)


class EnforcementNoteCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    text = StrictCharField(max_length=4000)
    noted_on = serializers.DateField(required=False, allow_null=True)


class EnforcementCloseSerializer(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=4000)
    version = serializers.IntegerField(required=False, allow_null=True, **INT)


class PenaltySubmitSerializer(serializers.Serializer):
    penalty = serializers.IntegerField(required=False, allow_null=True, help_text="A draft sent back, to resubmit",
                                       **INT)
    head = serializers.ChoiceField(choices=PenaltyHead.choices)
    turnover = serializers.DecimalField(max_digits=16, decimal_places=0, min_value=0)
    amount = serializers.DecimalField(max_digits=16, decimal_places=0, min_value=0)
    reasons = StrictCharField(max_length=8000)
    justification = StrictCharField(required=False, allow_blank=True, max_length=4000)
    serious = serializers.BooleanField(required=False, default=False)
    bar_applications = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, allow_null=True, **INT)


class PenaltyCriminalSerializer(serializers.Serializer):
    head = serializers.ChoiceField(choices=PenaltyHead.choices)
    court = StrictCharField(max_length=200)
    judgment_reference = StrictCharField(max_length=100)
    decided_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=0, min_value=0, required=False, default=0)
    reasons = StrictCharField(max_length=8000)


class PenaltyActionSerializer(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=4000)
    version = serializers.IntegerField(required=False, allow_null=True, **INT)


class PenaltyRangeSerializer(serializers.Serializer):
    head = serializers.CharField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    article = serializers.CharField()
    article_zh = serializers.CharField()
    band = serializers.CharField()
    threshold = serializers.IntegerField(allow_null=True)
