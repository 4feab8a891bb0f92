"""Serializers of exceptions to the Control List."""

from rest_framework import serializers

from enduser.exceptions.services import REASONS_MAX_CHARS
from enduser.models import ListException
from portal.api import StrictCharField


class ExceptionSerializer(serializers.ModelSerializer):
    list_kind = serializers.CharField(source="listed.list_kind", read_only=True)
    listed_name = serializers.CharField(source="listed.primary_name", read_only=True)
    announcement = serializers.CharField(source="listed.announcement", read_only=True)

    class Meta:
        model = ListException
        fields = ["id", "exporter", "party", "party_name", "listed", "listed_name", "listed_version", "list_kind",
                  "announcement", "reasons", "state", "decided_at", "decision_reasons", "created_at", "version"]
        read_only_fields = fields


class ExceptionRequestSerializer(serializers.Serializer):
    party = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    listed = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    reasons = StrictCharField(max_length=REASONS_MAX_CHARS)


class ExceptionDecideSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    reasons = StrictCharField(max_length=REASONS_MAX_CHARS)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class ExceptionWithdrawSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
