"""API shapes of referrals, opinions and the routing tables. Input serializers check types only;
the services in licensing.referrals check content."""

from rest_framework import serializers

from accounts.models import Organisation
from licensing.models import (
    AgencySettings,
    CountryGroup,
    EndUseCategory,
    OpinionKind,
    Referral,
    RoutingRule,
)
from licensing.referrals.tables import country_group_version
from portal.api import StrictCharField

MAX_ID = 2**62
VERSION_HELP = "The version you last read; a stale one is refused (409)."


def _version(help_text=VERSION_HELP):
    return serializers.IntegerField(required=False, min_value=1, max_value=2**62, help_text=help_text)


class ReferralAgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name_zh", "name_en"]


class ReferralSerializer(serializers.ModelSerializer):
    agency = ReferralAgencySerializer(read_only=True)
    opinion = serializers.ChoiceField(choices=OpinionKind.choices, allow_blank=True, read_only=True,
                                      help_text="Empty until the agency answers")
    rules = serializers.ListField(child=serializers.DictField(), read_only=True,
                                  help_text="Snapshots of the routing rules that proposed it (empty: added by hand)")

    class Meta:
        model = Referral
        fields = ["id", "agency", "state", "rules", "reason", "sent_at", "due_on", "reminded_at", "escalated_at",
                  "opinion", "opinion_reasons", "opinion_conditions", "answered_at", "version"]
        read_only_fields = fields


class CaseReferralsSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField(help_text="The case's version, for the next write")
    referrals = ReferralSerializer(many=True)


class ReferralVersionInputSerializer(serializers.Serializer):
    version = _version("The case's version you last read; a stale one is refused (409).")


class ReferralReasonInputSerializer(ReferralVersionInputSerializer):
    reason = StrictCharField(max_length=2000, allow_blank=True, help_text="Required: why")


class ReferralAddInputSerializer(ReferralReasonInputSerializer):
    agency = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The agency's organisation id")


class OpinionInputSerializer(serializers.Serializer):
    opinion = serializers.ChoiceField(choices=OpinionKind.choices)
    reasons = StrictCharField(max_length=10000, allow_blank=True, help_text="Required for every opinion")
    conditions = StrictCharField(max_length=5000, required=False, allow_blank=True,
                                 help_text="Required when the opinion is `conditions`")
    version = _version("The referral's version you last read; a stale one is refused (409).")


class RoutingRuleSerializer(serializers.ModelSerializer):
    agencies = ReferralAgencySerializer(many=True, read_only=True)
    min_value_rmb = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, read_only=True)

    class Meta:
        model = RoutingRule
        fields = ["id", "name_zh", "name_en", "sector", "item_type", "regime_digit", "code_exact", "code_prefix",
                  "catch_all", "destination", "country_group", "end_use_category", "min_value_rmb", "agencies",
                  "active", "version", "updated_at"]
        read_only_fields = fields


class RoutingRuleInputSerializer(serializers.Serializer):
    name_zh = StrictCharField(max_length=200)
    name_en = StrictCharField(max_length=200)
    sector = StrictCharField(max_length=1, required=False, allow_blank=True, help_text="0-9")
    item_type = StrictCharField(max_length=1, required=False, allow_blank=True, help_text="A-E")
    regime_digit = StrictCharField(max_length=1, required=False, allow_blank=True, help_text="0-9")
    code_exact = StrictCharField(max_length=16, required=False, allow_blank=True)
    code_prefix = StrictCharField(max_length=16, required=False, allow_blank=True, help_text="e.g. 1C35")
    catch_all = serializers.BooleanField(required=False, help_text="Matches items applied for under the catch-all")
    destination = StrictCharField(max_length=2, required=False, allow_blank=True, help_text="ISO 3166 code")
    country_group = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    end_use_category = serializers.ChoiceField(choices=EndUseCategory.choices, required=False, allow_blank=True)
    min_value_rmb = serializers.DecimalField(max_digits=20, decimal_places=2, min_value=0, required=False,
                                             allow_null=True)
    agencies = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1,
                                     max_length=50)
    active = serializers.BooleanField(required=False)
    version = _version("The rule's version you last read; a stale one is refused (409).")


class AgencySettingsSerializer(serializers.ModelSerializer):
    agency = ReferralAgencySerializer(read_only=True)

    class Meta:
        model = AgencySettings
        fields = ["id", "agency", "deadline_working_days", "remind_working_days_before", "silence_is_no_objection",
                  "version"]
        read_only_fields = fields


class AgencySettingsInputSerializer(serializers.Serializer):
    deadline_working_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    remind_working_days_before = serializers.IntegerField(min_value=0, max_value=89, required=False)
    silence_is_no_objection = serializers.BooleanField(required=False)
    version = _version("The settings' version you last read; a stale one is refused (409).")


class CountryGroupSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(child=serializers.CharField(), read_only=True)
    version = serializers.SerializerMethodField(help_text="Send it back with a change; a stale one is refused (409)")

    class Meta:
        model = CountryGroup
        fields = ["id", "code", "name_zh", "name_en", "countries", "version"]
        read_only_fields = fields

    def get_version(self, obj) -> int:
        return country_group_version(obj)


class CountryGroupInputSerializer(serializers.Serializer):
    code = StrictCharField(max_length=32)
    name_zh = StrictCharField(max_length=100)
    name_en = StrictCharField(max_length=100)
    countries = serializers.ListField(child=StrictCharField(max_length=2), max_length=300,
                                      help_text="ISO 3166 two-letter codes")
    version = _version("The group's version you last read; a stale one is refused (409).")
