"""API shapes of licences: the register's rows, one licence with what was drawn against it and its
history, and the body of a status change. Input serializers check types only; the services check
content."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.licences import lifecycle
from licensing.models import LawFactor, Licence, LicenceEvent, LicenceItem, LicenceNotice, WriteOff
from portal.api import StrictCharField

VERSION_HELP = "The licence's version you last read; a stale one is refused (409). Or send If-Match."


class ExporterBriefSerializer(serializers.Serializer):
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    credit_code = serializers.CharField(source="code")


class LicenceItemSerializer(serializers.ModelSerializer):
    remaining_quantity = serializers.DecimalField(max_digits=20, decimal_places=3, read_only=True, allow_null=True)

    class Meta:
        model = LicenceItem
        fields = ["line", "control_code", "catch_all", "description", "specification", "hs_code", "unit",
                  "quantity", "value_rmb", "tolerance_percent", "used_quantity", "used_value", "remaining_quantity", "capped"]
        read_only_fields = fields


class LicenceItemBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = LicenceItem
        fields = ["line", "control_code", "catch_all", "unit", "quantity", "used_quantity"]
        read_only_fields = fields


class WriteOffSerializer(serializers.ModelSerializer):
    item_line = serializers.IntegerField(source="item.line", read_only=True)
    port = serializers.CharField(source="port_id", read_only=True)
    reversed = serializers.SerializerMethodField()

    class Meta:
        model = WriteOff
        fields = ["declaration_number", "line", "item_line", "quantity", "value_rmb", "shipped_on", "port",
                  "recorded_at", "reversed", "reversed_at", "reversal_reason"]
        read_only_fields = fields

    def get_reversed(self, obj) -> bool:
        return obj.reversed_at is not None


class LicenceEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = LicenceEvent
        fields = ["seq", "kind", "from_status", "to_status", "at", "actor", "reason", "factor"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, obj) -> str:
        """Who made the change; empty for the portal itself (expiry, use, a changed licence)."""
        if obj.actor is None:
            return ""
        return obj.actor.get_full_name() or obj.actor.username


class LicenceNoticeSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = LicenceNotice
        fields = ["id", "kind", "number", "issued_at", "sha256", "download"]
        read_only_fields = fields

    def get_download(self, obj) -> str:
        return reverse("licence-notice", args=[obj.licence.number, obj.pk])


class LicenceListItemSerializer(serializers.ModelSerializer):
    exporter = ExporterBriefSerializer(read_only=True)
    province = serializers.CharField(source="exporter.province_id", read_only=True, allow_null=True)
    destination = serializers.CharField(source="application.destination.code", read_only=True)
    export_port = serializers.CharField(source="export_port_id", read_only=True, allow_null=True)
    items = LicenceItemBriefSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = ["number", "licence_type", "status", "version", "exporter", "province", "destination",
                  "export_port", "valid_from", "valid_until", "issued_at", "items", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("api-licence", args=[obj.number])


class LicenceSerializer(LicenceListItemSerializer):
    case_reference = serializers.CharField(source="application.reference", read_only=True)
    replaces = serializers.CharField(source="replaces.number", read_only=True, allow_null=True, default=None)
    items = LicenceItemSerializer(many=True, read_only=True)
    write_offs = WriteOffSerializer(many=True, read_only=True)
    events = LicenceEventSerializer(many=True, read_only=True)
    notices = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(LicenceListItemSerializer.Meta):
        fields = [*LicenceListItemSerializer.Meta.fields, "case_reference", "replaces", "one_port", "one_shipment",
                  "shipment_declaration", "write_offs", "events", "notices", "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(LicenceNoticeSerializer(many=True))
    def get_notices(self, obj):
        user = self.context["request"].user
        if not (user.is_exporter or user.is_ministry):
            return []
        return LicenceNoticeSerializer(obj.notices.all(), many=True).data

    def get_allowed_actions(self, obj) -> list[str]:
        """The status changes the caller may make now."""
        return lifecycle.allowed_actions(obj, self.context["request"].user)


class LicenceStepSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1, help_text=VERSION_HELP)
    reason = StrictCharField(required=False, allow_blank=True, max_length=2000,
                             help_text="Required for suspend, restore and revoke; the exporter and customs see it.")

    def validate_version(self, value):
        if isinstance(self.initial_data.get("version"), bool | str | float):
            raise serializers.ValidationError("A number.")
        return value


class LicenceRevokeSerializer(LicenceStepSerializer):
    factor = serializers.ChoiceField(choices=LawFactor.choices,
                                     help_text="The Export Control Law Art. 13 factor the revocation rests on.")
