from rest_framework import serializers

from compliance.eligibility.models import ProposalStatus, SuspensionProposal
from portal.api import StrictCharField


class RouteEligibilitySerializer(serializers.Serializer):
    route = serializers.CharField()
    open = serializers.BooleanField()
    codes = serializers.ListField(child=serializers.CharField(),
                                  help_text="Stable names of the conditions not met (icp, export_record, "
                                            "stable_end_users, criminal_penalty, serious_penalty, "
                                            "control_list_subsidiary, watch_listed, applications_barred)")
    reasons_zh = serializers.ListField(child=serializers.CharField())
    reasons_en = serializers.ListField(child=serializers.CharField())


def eligibility_body(answer: dict) -> list[dict]:
    return [{"route": route, "open": e.open, "codes": e.codes, "reasons_zh": e.reasons_in("zh-hans"),
             "reasons_en": e.reasons_in("en")} for route, e in answer.items()]


class SuspensionProposalSerializer(serializers.ModelSerializer):
    licence_number = serializers.CharField(source="licence.number", read_only=True)
    exporter_uscc = serializers.CharField(source="exporter.code", read_only=True)
    status = serializers.ChoiceField(choices=ProposalStatus.choices, read_only=True)

    class Meta:
        model = SuspensionProposal
        ref_name = "SuspensionProposal"
        fields = ["id", "licence_number", "exporter_uscc", "reason_zh", "reason_en", "trigger", "status",
                  "created_at", "decided_at", "decision_reason", "version"]
        read_only_fields = fields


class ProposalDecisionSerializer(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=4000,
                                   help_text="Required to dismiss; optional words added to a suspension")
    version = serializers.IntegerField(required=False, min_value=1)
