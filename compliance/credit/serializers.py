"""API shape of the credit record."""

from rest_framework import serializers


class CreditEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["penalty", "criminal_penalty", "warning_letter", "regulatory_talk"])
    label = serializers.CharField()
    on = serializers.DateField()
    summary = serializers.CharField()
    case_reference = serializers.CharField()
    url = serializers.CharField()
    number = serializers.CharField()
    amount = serializers.IntegerField(allow_null=True)
    serious = serializers.BooleanField()
    bars_applications_until = serializers.DateField(allow_null=True)


class CreditRecordSerializer(serializers.Serializer):
    exporter = serializers.IntegerField()
    exporter_name = serializers.CharField()
    entries = CreditEntrySerializer(many=True)
