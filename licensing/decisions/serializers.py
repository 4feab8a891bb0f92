"""API shapes of the decision: recommendations, countersignature rules."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.models import (
    CountersignRule,
    CountersignRuleKind,
    DecisionOutcome,
    LawFactor,
    Recommendation,
)
from portal.api import StrictCharField

VERSION_HELP = "The case's version you last read; a stale one is refused (409)."


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _person(user) -> dict | None:
    return {"id": user.pk, "name": user.get_full_name() or user.username} if user else None


class RuleSnapshotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="The rule's kind (see CountersignRule.kind)")
    parameter = serializers.CharField()
    version = serializers.IntegerField()
    description_zh = serializers.CharField()
    description_en = serializers.CharField()
    matched = serializers.CharField(help_text="What in the case made the rule apply")


class RecommendationSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(help_text="approve or refuse")
    factors = serializers.ListField(child=serializers.ChoiceField(choices=LawFactor.choices),
                                    help_text="Review factors of Export Control Law Art. 13")
    item_quantities = serializers.DictField(
        child=serializers.CharField(),
        help_text="{item id: approved quantity} for items approved below the quantity applied for")
    countersign_rules = RuleSnapshotSerializer(many=True, help_text="The rules that asked for a countersignature")
    recommended_by = serializers.SerializerMethodField()
    countersigned_by = serializers.SerializerMethodField()

    class Meta:
        model = Recommendation
        fields = ["id", "outcome", "factors", "reasons", "conditions", "item_quantities", "state",
                  "countersign_rules", "recommended_by", "recommended_at", "countersigned_by",
                  "countersigned_at", "send_back_comment"]

    @extend_schema_field(PersonSerializer)
    def get_recommended_by(self, obj) -> dict:
        return _person(obj.recommended_by)

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_countersigned_by(self, obj) -> dict | None:
        return _person(obj.countersigned_by)


class DecisionStateSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    status = serializers.CharField(help_text="The case's status after the action")
    version = serializers.IntegerField(help_text="The case's version after the action")
    recommendation = RecommendationSerializer()


class RecommendationInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    factors = serializers.ListField(child=serializers.ChoiceField(choices=LawFactor.choices), required=False,
                                    max_length=len(LawFactor.values),
                                    help_text="Art. 13 review factors; at least one for a refusal")
    reasons = StrictCharField(max_length=10000)
    conditions = StrictCharField(max_length=5000, required=False, allow_blank=True,
                                 help_text="Conditions of an approval (ignored for a refusal)")
    item_quantities = serializers.DictField(
        child=serializers.DecimalField(max_digits=18, decimal_places=3, min_value=0), required=False,
        help_text="Approval for smaller quantities: {item id: quantity}, each at most the quantity applied "
                  "for; 0 leaves the item out; items not named are approved as applied for")
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class DecisionVersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class SendBackInputSerializer(DecisionVersionInputSerializer):
    comment = StrictCharField(max_length=5000, help_text="Why the recommendation goes back")


class CountersignRuleSerializer(serializers.ModelSerializer):
    """One shape to read a rule, create one (POST) and change one (PATCH, partial)."""

    kind = serializers.ChoiceField(choices=CountersignRuleKind.choices)
    parameter = StrictCharField(max_length=40, required=False, allow_blank=True,
                                help_text="Code prefix (1C9), regime digit (9), amount in RMB, approve/refuse, "
                                          "or empty")
    description_zh = StrictCharField(max_length=200)
    description_en = StrictCharField(max_length=200)
    active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The rule's version; on PATCH the version you last read (a stale "
                                                 "one is refused, 409). Ignored on POST.")

    class Meta:
        model = CountersignRule
        fields = ["id", "kind", "parameter", "description_zh", "description_en", "active", "version"]
        read_only_fields = ["id"]


class RuleVersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The rule's version you last read; a stale one is refused (409).")
