"""Serializers of end-use checks and their Watch List proposals (names unique across the API)."""

from rest_framework import serializers

from enduser.checks import services
from enduser.models import (
    CheckMethod,
    CheckOutcome,
    CheckState,
    EndUseCheck,
    EndUseCheckDocument,
    ProposalState,
    WatchListProposal,
)
from portal.api import StrictCharField

VERSION = dict(required=False, min_value=1, max_value=2**31 - 1)


class EndUseCheckDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = EndUseCheckDocument
        fields = ["id", "original_name", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class EndUseCheckSerializer(serializers.ModelSerializer):
    """What the exporter sees of a check: the ministry's findings and proposal are left out."""

    party_country = serializers.SerializerMethodField()
    documents = EndUseCheckDocumentSerializer(many=True, read_only=True)
    # Plain text, not enums: "state" and "outcome" name other choice sets elsewhere in the API.
    state = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(CheckState.values)}")
    outcome = serializers.CharField(read_only=True, help_text=f"Empty until closed, then one of: "
                                                              f"{', '.join(CheckOutcome.values)}")

    class Meta:
        model = EndUseCheck
        fields = ["id", "party", "party_names", "party_country", "exporter", "application_id", "case_number",
                  "method", "questions", "deadline", "state", "answer", "answered_at", "visit_on", "visit_place",
                  "outcome", "opened_at", "closed_at", "documents", "version"]
        read_only_fields = fields

    def get_party_country(self, row) -> str:
        return row.party_country.code or ""


class EndUseCheckMinistrySerializer(EndUseCheckSerializer):
    """The ministry's view: with the visit's and the closing findings, and the proposal's id."""

    proposal = serializers.SerializerMethodField()

    class Meta(EndUseCheckSerializer.Meta):
        fields = [*EndUseCheckSerializer.Meta.fields, "visit_findings", "findings", "proposal"]
        read_only_fields = fields

    def get_proposal(self, row) -> int | None:
        proposal = getattr(row, "proposal", None)
        return proposal.pk if proposal is not None else None


class EndUseCheckOpenSerializer(serializers.Serializer):
    party = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    method = serializers.ChoiceField(choices=CheckMethod.choices)
    questions = StrictCharField(max_length=services.QUESTIONS_MAX_CHARS)
    deadline = serializers.DateField()
    application_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    case_number = StrictCharField(required=False, allow_blank=True, max_length=services.CASE_NUMBER_MAX_CHARS)


class EndUseCheckAnswerSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=services.ANSWER_MAX_CHARS)
    version = serializers.IntegerField(**VERSION)


class EndUseCheckAnswerUploadSerializer(EndUseCheckAnswerSerializer):
    documents = serializers.ListField(child=serializers.FileField(), required=False,
                                      max_length=services.MAX_ANSWER_DOCUMENTS, help_text="PDF files")


class EndUseCheckVisitSerializer(serializers.Serializer):
    visit_on = serializers.DateField()
    place = StrictCharField(max_length=services.PLACE_MAX_CHARS)
    findings = StrictCharField(max_length=services.FINDINGS_MAX_CHARS)
    version = serializers.IntegerField(**VERSION)


class EndUseCheckCloseSerializer(serializers.Serializer):
    outcome = StrictCharField(max_length=20, help_text=f"One of: {', '.join(CheckOutcome.values)}")
    findings = StrictCharField(max_length=services.FINDINGS_MAX_CHARS)
    version = serializers.IntegerField(**VERSION)


class WatchListProposalSerializer(serializers.ModelSerializer):
    country = serializers.SerializerMethodField()
    check_id = serializers.IntegerField(source="enduse_check_id", read_only=True)
    state = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(ProposalState.values)}")

    class Meta:
        model = WatchListProposal
        fields = ["id", "check_id", "kind", "names", "addresses", "country", "identifiers", "reason", "state",
                  "listed", "decided_at", "decision_note", "created_at", "version"]
        read_only_fields = fields

    def get_country(self, proposal) -> str:
        return proposal.country.code or ""


class WatchListProposalAcceptSerializer(serializers.Serializer):
    announcement = StrictCharField(max_length=120)
    announced_on = serializers.DateField()
    effective_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(**VERSION)


class WatchListProposalDismissSerializer(serializers.Serializer):
    note = StrictCharField(max_length=services.NOTE_MAX_CHARS)
    version = serializers.IntegerField(**VERSION)
