"""REST API twin of the statistics dashboard: the same figures, filters and province scoping."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.statistics import selectors
from compliance.statistics.forms import PeriodForm
from compliance.statistics.serializers import StatisticsDashboardSerializer
from portal.errors import NotAllowed, ValidationFailed


class StatisticsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The statistics dashboard's figures: applications and licences by month, processing time "
                "(p50/p90 working days), approval and refusal rates by sector, destination, province and "
                "agency, overdue cases and referrals (ministry: all provinces; provincial officer: its own)",
        parameters=[OpenApiParameter("from", str, pattern=r"^\d{4}-\d{2}$",
                                     description="First month, YYYY-MM (default: 11 months before `to`)"),
                    OpenApiParameter("to", str, pattern=r"^\d{4}-\d{2}$",
                                     description="Last month, YYYY-MM (default: the current month)")],
        responses={200: StatisticsDashboardSerializer,
                   400: OpenApiResponse(description="A month is not YYYY-MM, the first is after the last, or the "
                                                    "period is longer than 120 months"),
                   403: OpenApiResponse(description="Only ministry and provincial officers see statistics "
                                                    "(or you are not signed in)")})
    def get(self, request):
        if not selectors.can_see_statistics(request.user):
            raise NotAllowed()
        today = timezone.localdate()
        form = PeriodForm({k: request.query_params.get(k, "") for k in ("from", "to")}, today=today)
        if not form.is_valid():
            raise ValidationFailed(fields={k: list(v) for k, v in form.errors.items()})
        board = selectors.dashboard(request.user, first=form.cleaned_data["first"], last=form.cleaned_data["last"],
                                    today=today)
        return Response(StatisticsDashboardSerializer(StatisticsDashboardSerializer.from_board(board)).data)
