"""Serializers of the statistics API (component names start with Statistics: unique in the schema)."""

from rest_framework import serializers


class StatisticsMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    submitted = serializers.IntegerField(help_text="Applications submitted in the month")
    issued = serializers.IntegerField(help_text="Original licences issued in the month")
    approved = serializers.IntegerField(help_text="Cases approved in the month")
    refused = serializers.IntegerField(help_text="Cases refused in the month")
    measured = serializers.IntegerField(help_text="Decisions of the month whose working days could be counted")
    p50 = serializers.IntegerField(allow_null=True, help_text="Median working days, acceptance to decision")
    p90 = serializers.IntegerField(allow_null=True, help_text="90th percentile of the same")


class StatisticsProcessingSerializer(serializers.Serializer):
    measured = serializers.IntegerField()
    p50 = serializers.IntegerField(allow_null=True)
    p90 = serializers.IntegerField(allow_null=True)
    unmeasured = serializers.IntegerField(help_text="Decided cases (all time) whose dates fall outside the "
                                                    "complete calendar (ministry only; 0 for a province)")


class StatisticsBreakdownSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Sector digit (or catch_all), ISO country, province code or agency code")
    label = serializers.CharField()
    approved = serializers.IntegerField()
    refused = serializers.IntegerField()
    decided = serializers.IntegerField()
    approval_rate = serializers.FloatField(allow_null=True, help_text="Percent of decided, one decimal")
    refusal_rate = serializers.FloatField(allow_null=True)


class StatisticsCountSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    count = serializers.IntegerField()


class StatisticsOverdueSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    rows = StatisticsCountSerializer(many=True)


class StatisticsPeriodSerializer(serializers.Serializer):
    from_month = serializers.CharField(help_text="YYYY-MM")
    to_month = serializers.CharField(help_text="YYYY-MM")


class StatisticsDashboardSerializer(serializers.Serializer):
    period = StatisticsPeriodSerializer()
    province = serializers.CharField(allow_null=True, help_text="The province the figures are limited to, if any")
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="When the monthly summary was computed")
    months = StatisticsMonthSerializer(many=True)
    processing = StatisticsProcessingSerializer()
    sector = StatisticsBreakdownSerializer(many=True)
    destination = StatisticsBreakdownSerializer(many=True)
    province_rows = StatisticsBreakdownSerializer(many=True)
    agency = StatisticsBreakdownSerializer(many=True)
    overdue_cases = StatisticsOverdueSerializer()
    overdue_referrals = StatisticsOverdueSerializer()

    @staticmethod
    def from_board(board) -> dict:
        return {
            "period": {"from_month": f"{board.first:%Y-%m}", "to_month": f"{board.last:%Y-%m}"},
            "province": board.province.pk if board.province else None,
            "refreshed_at": board.refreshed_at, "months": board.months,
            "processing": {**board.processing, "unmeasured": board.unmeasured},
            "sector": board.sector, "destination": board.destination, "province_rows": board.province_rows,
            "agency": board.agency,
            "overdue_cases": {"total": board.overdue_cases_total, "rows": board.overdue_cases},
            "overdue_referrals": {"total": board.overdue_referrals_total, "rows": board.overdue_referrals},
        }
