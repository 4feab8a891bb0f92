"""REST API of end-use checks: the ministry opens, records visits, closes and decides the Watch
List proposals; the exporter answers the checks addressed to it, with PDFs. Each sees the checks
`checks_visible_to` gives it; the ministry's findings and proposals are the ministry's."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from enduser.checks import selectors, services
from enduser.checks.serializers import (
    EndUseCheckAnswerSerializer,
    EndUseCheckAnswerUploadSerializer,
    EndUseCheckCloseSerializer,
    EndUseCheckMinistrySerializer,
    EndUseCheckOpenSerializer,
    EndUseCheckSerializer,
    EndUseCheckVisitSerializer,
    WatchListProposalAcceptSerializer,
    WatchListProposalDismissSerializer,
    WatchListProposalSerializer,
)
from enduser.models import CheckState, EndUseCheck, WatchListProposal
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotAllowed, NotFound

ERRORS = {400: OpenApiResponse(description="Bad input"),
          403: OpenApiResponse(description="Role not allowed"),
          404: OpenApiResponse(description="No such check, party or proposal, or not yours"),
          409: OpenApiResponse(description="Stale version, or not possible in the current state")}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the check already opened")


def _out(request, row, code=status.HTTP_200_OK) -> Response:
    serializer = EndUseCheckMinistrySerializer if request.user.is_ministry else EndUseCheckSerializer
    return Response(serializer(row).data, status=code)


def _visible_or_404(request, pk) -> None:
    if not selectors.checks_visible_to(request.user).filter(pk=pk).exists():
        raise NotFound()


def _fresh(pk):
    return EndUseCheck.objects.select_related("proposal").prefetch_related("documents").get(pk=pk)


class EndUseCheckListView(GenericAPIView):
    serializer_class = EndUseCheckSerializer
    queryset = EndUseCheck.objects.none()  # for the schema; the rows come from the selectors
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="End-use checks: the ministry sees all, an exporter those addressed to it",
                   parameters=[OpenApiParameter("state", str, enum=CheckState.values),
                               OpenApiParameter("overdue", bool, description="Open past the deadline only")],
                   responses={200: EndUseCheckSerializer(many=True), 404: OpenApiResponse(description="No such page")})
    def get(self, request):
        state = request.query_params.get("state", "")
        state = state if state in CheckState.values else ""
        overdue = request.query_params.get("overdue", "") in ("1", "true", "yes")
        rows = selectors.checks_list(request.user, state=state, overdue=overdue).prefetch_related("documents")
        page = self.paginate_queryset(rows)
        serializer = EndUseCheckMinistrySerializer if request.user.is_ministry else EndUseCheckSerializer
        return self.get_paginated_response(serializer(page, many=True).data)

    @extend_schema(summary="Ministry: open an end-use check on a party, through the exporter that named it",
                   request=EndUseCheckOpenSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: EndUseCheckMinistrySerializer, **ERRORS})
    def post(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        form = EndUseCheckOpenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        row = services.check_open(actor=request.user, party_id=data["party"], method=data["method"],
                                  questions=data["questions"], deadline=data["deadline"],
                                  application_id=data.get("application_id"), case_number=data.get("case_number", ""),
                                  client_token=idempotency_key(request))
        return _out(request, _fresh(row.pk), status.HTTP_201_CREATED)


class EndUseCheckDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One end-use check", responses={200: EndUseCheckSerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        _visible_or_404(request, pk)
        return _out(request, _fresh(pk))


class EndUseCheckAnswerView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]

    @extend_schema(summary="Exporter: answer a check addressed to you, with PDFs (multipart field `documents`)",
                   request={"application/json": EndUseCheckAnswerSerializer,
                            "multipart/form-data": EndUseCheckAnswerUploadSerializer},
                   responses={200: EndUseCheckSerializer, **ERRORS})
    def post(self, request, pk):
        _visible_or_404(request, pk)
        form = EndUseCheckAnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        files = request.FILES.getlist("documents") if hasattr(request.FILES, "getlist") else []
        row = services.check_answer(actor=request.user, check_id=pk, answer=form.validated_data["answer"],
                                    uploads=files, expected_version=form.validated_data.get("version"))
        return _out(request, _fresh(row.pk))


class EndUseCheckVisitView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: record the on-site visit of a check (date, place, findings)",
                   request=EndUseCheckVisitSerializer, responses={200: EndUseCheckMinistrySerializer, **ERRORS})
    def post(self, request, pk):
        _visible_or_404(request, pk)
        form = EndUseCheckVisitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        row = services.check_record_visit(actor=request.user, check_id=pk, visit_on=data["visit_on"],
                                          place=data["place"], findings=data["findings"],
                                          expected_version=data.get("version"))
        return _out(request, _fresh(row.pk))


class EndUseCheckCloseView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: close a check as cooperated or not; not cooperating proposes a Watch List "
                           "entry (Reg. 26)",
                   request=EndUseCheckCloseSerializer, responses={200: EndUseCheckMinistrySerializer, **ERRORS})
    def post(self, request, pk):
        _visible_or_404(request, pk)
        form = EndUseCheckCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        row = services.check_close(actor=request.user, check_id=pk, outcome=data["outcome"],
                                   findings=data["findings"], expected_version=data.get("version"))
        return _out(request, _fresh(row.pk))


class WatchListProposalListView(GenericAPIView):
    serializer_class = WatchListProposalSerializer
    queryset = WatchListProposal.objects.none()
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Ministry: Watch List entries proposed after end-use checks, awaiting ones first",
                   responses={200: WatchListProposalSerializer(many=True), 403: ERRORS[403]})
    def get(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        page = self.paginate_queryset(selectors.proposals_queue(request.user))
        return self.get_paginated_response(WatchListProposalSerializer(page, many=True).data)


def _proposal_or_404(request, pk) -> None:
    if not request.user.is_ministry:
        raise NotAllowed()
    if not selectors.proposals_visible_to(request.user).filter(pk=pk).exists():
        raise NotFound()


class WatchListProposalAcceptView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: publish the proposed entry on the Watch List, as the announcement names it",
                   request=WatchListProposalAcceptSerializer, responses={200: WatchListProposalSerializer, **ERRORS})
    def post(self, request, pk):
        _proposal_or_404(request, pk)
        form = WatchListProposalAcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        proposal = services.proposal_accept(actor=request.user, proposal_id=pk, announcement=data["announcement"],
                                            announced_on=data["announced_on"], effective_on=data.get("effective_on"),
                                            expected_version=data.get("version"))
        return Response(WatchListProposalSerializer(proposal).data)


class WatchListProposalDismissView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: dismiss a Watch List proposal, saying why",
                   request=WatchListProposalDismissSerializer, responses={200: WatchListProposalSerializer, **ERRORS})
    def post(self, request, pk):
        _proposal_or_404(request, pk)
        form = WatchListProposalDismissSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        proposal = services.proposal_dismiss(actor=request.user, proposal_id=pk, note=form.validated_data["note"],
                                             expected_version=form.validated_data.get("version"))
        return Response(WatchListProposalSerializer(proposal).data)
