"""API shapes of licence changes. Input serializers check types only; the services check content."""

from django.urls import reverse
from rest_framework import serializers

from licensing.changes import selectors
from licensing.changes.services import REASON_MAX_CHARS
from licensing.changes.terms import TEXT_FIELDS
from licensing.models import LicenceChange
from portal.api import StrictCharField

VERSION_HELP = "The version you last read (the licence's on a request, the request's on a step); a stale one is 409."


def _version(**kwargs):
    return serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP,
                                    **kwargs)


class ChangeClockSerializer(serializers.Serializer):
    limit = serializers.IntegerField(help_text="Working days the ministry has (Reg. 18)")
    due = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField(help_text="The due date leans on a year whose calendar is missing")
    days_left = serializers.IntegerField(allow_null=True, help_text="Negative when overdue; null once decided")
    is_overdue = serializers.BooleanField()


class ChangeRowSerializer(serializers.Serializer):
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class LicenceChangeSerializer(serializers.ModelSerializer):
    licence_number = serializers.CharField(source="licence.number", read_only=True)
    new_licence_number = serializers.CharField(source="new_licence.number", read_only=True, allow_null=True,
                                               default=None)
    changes = serializers.DictField(child=ChangeRowSerializer(), read_only=True,
                                    help_text='{field: {"old", "new"}}; quantities as "quantity:<line>"')
    clock = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = LicenceChange
        fields = ["id", "licence", "licence_number", "state", "changes", "reason", "requested_by", "requested_at",
                  "due_date", "clock", "decided_by", "decided_at", "decision_reason", "new_licence",
                  "new_licence_number", "version", "url"]
        read_only_fields = fields

    def get_clock(self, obj) -> ChangeClockSerializer:
        return ChangeClockSerializer(selectors.change_clock(obj)).data

    def get_url(self, obj) -> str:
        return reverse("api-licence-change", args=[obj.pk])


class ChangeRequestSerializer(serializers.Serializer):
    version = _version()
    reason = StrictCharField(max_length=REASON_MAX_CHARS, help_text="Why the change is needed (required)")
    contract_number = StrictCharField(required=False, allow_blank=True, max_length=TEXT_FIELDS["contract_number"])
    consignee_name = StrictCharField(required=False, allow_blank=True, max_length=TEXT_FIELDS["consignee_name"])
    consignee_address = StrictCharField(required=False, allow_blank=True,
                                        max_length=TEXT_FIELDS["consignee_address"])
    remarks = StrictCharField(required=False, allow_blank=True, max_length=TEXT_FIELDS["remarks"])
    shipment_until = serializers.DateField(required=False, help_text="Later than now, inside the validity cap")
    payment_terms = StrictCharField(required=False, allow_blank=True, max_length=8)
    transport_mode = StrictCharField(required=False, allow_blank=True, max_length=8)
    quantities = serializers.DictField(child=StrictCharField(max_length=30), required=False,
                                       help_text='New, smaller quantities by licence line: {"1": "20"}')
    # A change of these is refused with `key_element_change` (Reg. 18: a new application instead).
    items = serializers.JSONField(required=False, help_text="Refused: an item change needs a new application")
    destination = serializers.JSONField(required=False, help_text="Refused: needs a new application")
    end_user = serializers.JSONField(required=False, help_text="Refused: needs a new application")
    end_use = serializers.JSONField(required=False, help_text="Refused: needs a new application")


class WithdrawSerializer(serializers.Serializer):
    version = _version()


class ChangeDecideSerializer(serializers.Serializer):
    version = _version()
    outcome = serializers.ChoiceField(choices=["approve", "refuse"])
    reason = StrictCharField(required=False, allow_blank=True, max_length=REASON_MAX_CHARS,
                             help_text="Required to refuse")


class NewApplicationSerializer(serializers.Serializer):
    client_token = serializers.UUIDField(required=False, help_text="Repeating it returns the draft already made")
