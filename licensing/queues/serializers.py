from rest_framework import serializers

from licensing.queues.selectors import AGENCY_TABS, MINISTRY_QUEUES, SORTS


class QueueCountSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The queue: " + ", ".join(MINISTRY_QUEUES))
    label = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="GET this for the queue's cases")


class QueueCountsSerializer(serializers.Serializer):
    today = serializers.DateField()
    queues = QueueCountSerializer(many=True)


class QueueAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["acceptance", "decision", "no_limit", ""],
                                   help_text="Which deadline runs: acceptance (5 working days), decision "
                                             "(45 working days, Reg. 17), no_limit, or none")
    due = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Working days; negative: overdue; "
                                                                    "null: no deadline or no calendar")
    days_used = serializers.IntegerField(allow_null=True)
    paused = serializers.BooleanField()
    overdue = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="Why the clock stands still, if it does")


class QueueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    version = serializers.IntegerField()
    exporter = serializers.CharField(source="exporter.name_zh")
    province = serializers.CharField(source="province_id", allow_null=True)
    destination = serializers.CharField(source="destination.code", allow_blank=True)
    first_code = serializers.CharField(allow_blank=True, help_text="The first item's code; * for a catch-all item")
    item_count = serializers.IntegerField()
    agencies = QueueAgencySerializer(many=True, help_text="Agencies the case was referred to")
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    assigned_to_name = serializers.SerializerMethodField()
    forwarded_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    acceptance_due = serializers.DateField(allow_null=True)
    decision_due = serializers.DateField(allow_null=True)
    clock_state = serializers.CharField()
    clock = ClockSerializer()

    def get_assigned_to_name(self, app) -> str | None:
        user = app.assigned_to
        return (user.get_full_name() or user.username) if user else None


class PageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)


class QueuePageSerializer(PageSerializer):
    queue = serializers.ChoiceField(choices=list(MINISTRY_QUEUES))
    sort = serializers.ChoiceField(choices=list(SORTS))
    results = QueueRowSerializer(many=True)


class AgencyRowSerializer(serializers.Serializer):
    referral = serializers.IntegerField(source="pk")
    application = serializers.IntegerField(source="application_id")
    reference = serializers.CharField(source="application.reference", allow_null=True)
    state = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Working days; negative: overdue")
    overdue = serializers.BooleanField()
    answered_at = serializers.DateTimeField(allow_null=True)
    reminded_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    destination = serializers.CharField(source="application.destination.code", allow_blank=True)
    first_code = serializers.CharField(allow_blank=True)
    item_count = serializers.IntegerField()


class AgencyCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()


class AgencyQueuePageSerializer(PageSerializer):
    tab = serializers.ChoiceField(choices=list(AGENCY_TABS))
    counts = AgencyCountsSerializer()
    results = AgencyRowSerializer(many=True)


class AssignInputSerializer(serializers.Serializer):
    officer_id = serializers.IntegerField(min_value=1, max_value=2**62)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you last read; a stale one is refused (409).")


class TakeInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you last read; a stale one is refused (409).")


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    version = serializers.IntegerField()
    assigned_to = serializers.IntegerField(source="assigned_to_id", allow_null=True)
    assigned_to_name = serializers.SerializerMethodField()

    def get_assigned_to_name(self, app) -> str | None:
        user = app.assigned_to
        return (user.get_full_name() or user.username) if user else None
