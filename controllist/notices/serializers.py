"""Serializers of the catch-all notices API (names prefixed so the OpenAPI schema has no collisions)."""

from rest_framework import serializers

from portal.api import StrictCharField


class NoticeExporterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class CatchAllNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    all_exporters = serializers.BooleanField()
    exporter = NoticeExporterSerializer(allow_null=True)
    item_description = serializers.CharField()
    item_codes = serializers.ListField(child=serializers.CharField())
    item_keywords = serializers.ListField(child=serializers.CharField())
    end_user_names = serializers.ListField(child=serializers.CharField())
    end_use = serializers.CharField()
    destinations = serializers.ListField(child=serializers.CharField())
    reason_zh = serializers.CharField()
    reason_en = serializers.CharField()
    legal_basis = serializers.CharField()
    issued_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    status = serializers.SerializerMethodField(help_text="in_force, scheduled, ended or withdrawn")
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdraw_reason = serializers.CharField()
    version = serializers.IntegerField()

    def get_status(self, obj) -> str:
        return obj.status()


class NoticeAcknowledgementRowSerializer(serializers.Serializer):
    exporter = NoticeExporterSerializer()
    acknowledged_by = serializers.CharField(source="acknowledged_by.username")
    acknowledged_at = serializers.DateTimeField()


class CatchAllNoticeDetailSerializer(CatchAllNoticeSerializer):
    acknowledged = serializers.BooleanField(required=False, help_text="Exporters: whether your company has")
    acknowledgements = NoticeAcknowledgementRowSerializer(many=True, required=False,
                                                          help_text="Ministry: who has acknowledged")
    not_acknowledged = NoticeExporterSerializer(many=True, required=False,
                                                help_text="Ministry: the companies addressed that have not")


class CatchAllNoticeIssueSerializer(serializers.Serializer):
    all_exporters = serializers.BooleanField(required=False, default=False)
    exporter = serializers.JSONField(required=False, allow_null=True,
                                     help_text="The exporter's id or unified social credit code")
    item_description = StrictCharField(required=False, allow_blank=True, max_length=1000)
    item_codes = serializers.ListField(child=StrictCharField(max_length=300), required=False, max_length=50)
    item_keywords = serializers.ListField(child=StrictCharField(max_length=300), required=False, max_length=50)
    end_user_names = serializers.ListField(child=StrictCharField(max_length=300), required=False, max_length=50)
    end_use = StrictCharField(required=False, allow_blank=True, max_length=1000)
    destinations = serializers.ListField(child=StrictCharField(max_length=2), required=False, max_length=50)
    reason_zh = StrictCharField(max_length=5000)
    reason_en = StrictCharField(max_length=5000)
    legal_basis = StrictCharField(required=False, allow_blank=True, max_length=300)
    issued_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


class CatchAllNoticeWithdrawSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=5000)
    version = serializers.IntegerField(required=False, min_value=1)


class NoticeAcknowledgementSerializer(serializers.Serializer):
    notice = serializers.CharField(source="notice.number")
    exporter = serializers.IntegerField(source="exporter_id")
    acknowledged_by = serializers.CharField(source="acknowledged_by.username")
    acknowledged_at = serializers.DateTimeField()
