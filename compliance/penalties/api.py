"""REST API of penalties: the statutory range, the ministry's penalty on a case, the court's
judgment, and the senior officers' countersignature."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import MINISTRY_ROLES, Role
from compliance.enforcement import selectors
from compliance.enforcement import serializers as s
from compliance.enforcement.api import ERRORS, READ_ERRORS, REFERENCE, visible_case
from compliance.enforcement.models import Penalty, PenaltyHead
from compliance.penalties import services
from compliance.penalties.calculator import PenaltyInputError, penalty_range
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.preconditions import WriteRoles


class PenaltyRangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Ministry: the statutory fine range (whole RMB) and article for a head and an illegal "
                           "turnover (ignored for obstructing_inspection)",
                   parameters=[OpenApiParameter("head", str, enum=PenaltyHead.values, required=True),
                               OpenApiParameter("turnover", str, description="RMB, a non-negative amount")],
                   responses={200: s.PenaltyRangeSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def get(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        try:
            rng = penalty_range(request.query_params.get("head", ""), request.query_params.get("turnover", "0"))
        except PenaltyInputError as exc:
            raise ValidationFailed(str(exc)) from None
        return Response(s.PenaltyRangeSerializer(rng).data)


class PenaltySubmitView(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: decide a penalty on the case (inside the statutory range), or send one outside "
                           "it with a justification to a senior officer's countersignature; `penalty` resubmits a "
                           "draft sent back. A repeated Idempotency-Key is refused (409)",
                   parameters=[REFERENCE, OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   request=s.PenaltySubmitSerializer, responses={201: s.EnforcementPenaltySerializer, **ERRORS})
    def post(self, request, reference):
        case = visible_case(request, reference)
        form = s.PenaltySubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        penalty = services.penalty_submit(
            actor=request.user, reference=case.reference, head=data["head"], turnover=data["turnover"],
            amount=data["amount"], reasons=data["reasons"], justification=data.get("justification", ""),
            serious=data["serious"], bar_applications=data["bar_applications"], penalty_id=data.get("penalty"),
            client_token=idempotency_key(request), version=data.get("version"))
        return Response(s.EnforcementPenaltySerializer(penalty).data, status=status.HTTP_201_CREATED)


class PenaltyCriminalView(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: record a court's criminal penalty for an export-control offence on the case",
                   parameters=[REFERENCE, OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
                   request=s.PenaltyCriminalSerializer, responses={201: s.EnforcementPenaltySerializer, **ERRORS})
    def post(self, request, reference):
        case = visible_case(request, reference)
        form = s.PenaltyCriminalSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        penalty = services.penalty_record_criminal(actor=request.user, reference=case.reference,
                                                   client_token=idempotency_key(request), **form.validated_data)
        return Response(s.EnforcementPenaltySerializer(penalty).data, status=status.HTTP_201_CREATED)


class PenaltyQueueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Senior officer: penalties awaiting your countersignature (not your own)",
                   responses={200: s.EnforcementPenaltySerializer(many=True), **READ_ERRORS})
    def get(self, request):
        if request.user.role != Role.MINISTRY_SENIOR:
            raise NotAllowed()
        return Response(s.EnforcementPenaltySerializer(selectors.countersign_queue(request.user), many=True).data)


class _PenaltyAction(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]
    action = ""

    def post(self, request, penalty_id):
        if not Penalty.objects.filter(pk=penalty_id).exists():
            raise NotFound()
        form = s.PenaltyActionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if self.action == "countersign":
            penalty = services.penalty_countersign(actor=request.user, penalty_id=penalty_id,
                                                   note=data.get("note", ""), version=data.get("version"))
        elif self.action == "send_back":
            penalty = services.penalty_send_back(actor=request.user, penalty_id=penalty_id,
                                                 note=data.get("note", ""), version=data.get("version"))
        else:
            penalty = services.penalty_withdraw(actor=request.user, penalty_id=penalty_id, version=data.get("version"))
        return Response(s.EnforcementPenaltySerializer(penalty).data)


class PenaltyCountersignView(_PenaltyAction):
    action = "countersign"

    @extend_schema(summary="Senior officer (not the proposer): countersign a penalty outside the range: decided",
                   request=s.PenaltyActionSerializer, responses={200: s.EnforcementPenaltySerializer, **ERRORS})
    def post(self, request, penalty_id):
        return super().post(request, penalty_id)


class PenaltySendBackView(_PenaltyAction):
    action = "send_back"

    @extend_schema(summary="Senior officer (not the proposer): send a penalty back to its officer with a comment",
                   request=s.PenaltyActionSerializer, responses={200: s.EnforcementPenaltySerializer, **ERRORS})
    def post(self, request, penalty_id):
        return super().post(request, penalty_id)


class PenaltyWithdrawView(_PenaltyAction):
    action = "withdraw"

    @extend_schema(summary="Ministry: withdraw a penalty not yet decided",
                   request=s.PenaltyActionSerializer, responses={200: s.EnforcementPenaltySerializer, **ERRORS})
    def post(self, request, penalty_id):
        return super().post(request, penalty_id)
