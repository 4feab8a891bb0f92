"""REST API for the review queues and for assigning cases. Views only translate HTTP."""

from django.core.paginator import InvalidPage, Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.queues import selectors as queues
from licensing.queues import serializers as s
from licensing.queues import services as assignment
from licensing.queues.selectors import (
    AGENCY_TABS,
    MAX_DAYS_LEFT_FILTER,
    MINISTRY_QUEUES,
    PAGE_SIZE,
    SORTS,
)
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, NotFound, ValidationFailed

FORBIDDEN = OpenApiResponse(description="Not signed in, or your role has no such queue")
NO_SUCH_PAGE = OpenApiResponse(description="No such queue or page")
BAD_FILTER = OpenApiResponse(description="A filter value is not valid (see `fields`)")
ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="No such application, or not visible to you"),
    409: OpenApiResponse(description="The case is closed or assigned to someone else, or a stale version"),
}

PAGE = OpenApiParameter("page", int, description="Page number (50 rows a page)")
QUEUE_PARAMETERS = [
    OpenApiParameter("province", str, description="Province code (GB/T 2260), e.g. 31"),
    OpenApiParameter("code", str, description="Control code prefix, any case, e.g. 1C9"),
    OpenApiParameter("destination", str, description="Destination: ISO 3166 alpha-2 code or its name in Chinese or English"),
    OpenApiParameter("agency", str, description="Code of an agency the case was referred to, e.g. MIIT"),
    OpenApiParameter("officer", str, description="Id of the assigned officer, or `null` for unassigned"),
    OpenApiParameter("days_left", int, description="At most this many working days left on the "
                                                   f"queue's deadline (0-{MAX_DAYS_LEFT_FILTER})"),
    OpenApiParameter("q", str, description="Part of the case number"),
    OpenApiParameter("sort", str, enum=list(SORTS), description="deadline (default), oldest, newest"),
    PAGE,
]


def _page(request, queryset, count=None):
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # counted already
    try:
        page = paginator.page(request.query_params.get("page") or 1)
    except InvalidPage:
        raise NotFound() from None

    def link(number):
        params = request.query_params.copy()
        params["page"] = number
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return page, {
        "count": paginator.count, "page": page.number, "pages": paginator.num_pages,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
    }


class QueueCountsView(APIView):
    @extend_schema(operation_id="queues_counts", summary="Ministry: cases per review queue", responses={200: s.QueueCountsSerializer,
                                                                          403: FORBIDDEN})
    def get(self, request):
        today = timezone.localdate()
        counts = queues.ministry_counts(request.user, today)
        return Response(s.QueueCountsSerializer({"today": today, "queues": [
            {"name": name, "label": str(label), "count": counts[name],
             "url": reverse("queues-api-queue", args=[name])}
            for name, (label, _field) in MINISTRY_QUEUES.items()]}).data)


class QueueView(APIView):
    @extend_schema(
        operation_id="queues_queue",
        summary="Ministry: one review queue, filtered and sorted",
        description="Queues: " + ", ".join(MINISTRY_QUEUES) + ". Sorted by the queue's deadline "
                    "(acceptance for new and acceptance, else the decision deadline), soonest first.",
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(MINISTRY_QUEUES)),
                    *QUEUE_PARAMETERS],
        responses={200: s.QueuePageSerializer, 400: BAD_FILTER, 403: FORBIDDEN, 404: NO_SUCH_PAGE})
    def get(self, request, name):
        if not request.user.is_ministry:
            raise NotAllowed()
        if name not in MINISTRY_QUEUES:
            raise NotFound()
        today = timezone.localdate()
        filterset = queues.ministry_queue(request.user, name, request.query_params, today=today)
        if not filterset.is_valid():
            raise ValidationFailed(fields=queues.filter_errors(filterset))
        page, meta = _page(request, filterset.qs)
        rows = queues.attach_clocks(page.object_list, today)
        return Response(s.QueuePageSerializer({
            **meta, "queue": name, "sort": filterset.form.cleaned_data.get("sort") or "deadline",
            "results": rows}).data)


class AgencyQueueView(APIView):
    @extend_schema(
        operation_id="queues_agency",
        summary="Agency: the cases referred to your agency",
        parameters=[OpenApiParameter("tab", str, enum=list(AGENCY_TABS),
                                     description="open (awaiting your opinion, soonest due first; the "
                                                 "default) or done"), PAGE],
        responses={200: s.AgencyQueuePageSerializer, 400: BAD_FILTER, 403: FORBIDDEN, 404: NO_SUCH_PAGE})
    def get(self, request):
        if not request.user.is_agency:
            raise NotAllowed()
        tab = request.query_params.get("tab") or "open"
        if tab not in AGENCY_TABS:
            raise ValidationFailed(fields={"tab": [_("Choose open or done.")]})
        today = timezone.localdate()
        counts = queues.agency_counts(request.user, today)
        page, meta = _page(request, queues.agency_referrals(request.user, tab),
                           count=counts["open"] if tab == "open" else None)
        rows = queues.attach_referral_clocks(page.object_list, today)
        return Response(s.AgencyQueuePageSerializer({
            **meta, "tab": tab, "counts": counts, "results": rows}).data)


class AssignView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(operation_id="applications_assign", summary="Senior officer: assign a case to an officer (an officer: only to themselves)",
                   request=s.AssignInputSerializer, responses={200: s.AssignmentSerializer, **ERRORS})
    def post(self, request, pk):
        form = s.AssignInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        app = assignment.case_assign(application_id=pk, actor=request.user,
                                     officer_id=form.validated_data["officer_id"],
                                     expected_version=form.validated_data.get("version"))
        return Response(s.AssignmentSerializer(app).data)


class TakeView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(operation_id="applications_take", summary="Ministry officer: take an unassigned case", request=s.TakeInputSerializer,
                   responses={200: s.AssignmentSerializer, **ERRORS})
    def post(self, request, pk):
        form = s.TakeInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        app = assignment.case_take(application_id=pk, actor=request.user,
                                   expected_version=form.validated_data.get("version"))
        return Response(s.AssignmentSerializer(app).data)
