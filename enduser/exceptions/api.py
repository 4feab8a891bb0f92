"""REST API of exceptions to the Control List: the exporter applies and withdraws, the ministry
decides; each sees the exceptions `exceptions_visible_to` gives it."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from enduser.exceptions import selectors, services
from enduser.exceptions.serializers import (
    ExceptionDecideSerializer,
    ExceptionRequestSerializer,
    ExceptionSerializer,
    ExceptionWithdrawSerializer,
)
from enduser.models import ListException
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotAllowed, NotFound

ERRORS = {400: OpenApiResponse(description="Bad input, or the party does not match that Control List entry"),
          403: OpenApiResponse(description="Role not allowed"),
          404: OpenApiResponse(description="No such exception or party, or not yours"),
          409: OpenApiResponse(description="Stale version, or already decided")}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the application already made")


class ExceptionListView(GenericAPIView):
    serializer_class = ExceptionSerializer
    queryset = ListException.objects.none()  # for the schema; the rows come from the selectors
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Exceptions to the Control List: the ministry sees all, an exporter its own; "
                           "awaiting a decision first",
                   responses={200: ExceptionSerializer(many=True), 404: OpenApiResponse(description="No such page")})
    def get(self, request):
        page = self.paginate_queryset(selectors.exceptions_queue(request.user))
        return self.get_paginated_response(ExceptionSerializer(page, many=True).data)

    @extend_schema(summary="Exporter: apply for an exception to the Control List for a party of yours that "
                           "matches an entry in force (Law 18)",
                   request=ExceptionRequestSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: ExceptionSerializer, **ERRORS})
    def post(self, request):
        if not request.user.is_exporter:
            raise NotAllowed()
        form = ExceptionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.exception_request(actor=request.user, application_party=form.validated_data["party"],
                                         listed_id=form.validated_data["listed"],
                                         reasons=form.validated_data["reasons"],
                                         client_token=idempotency_key(request))
        return Response(ExceptionSerializer(row).data, status=status.HTTP_201_CREATED)


def _visible_or_404(request, pk) -> None:
    if not selectors.exceptions_visible_to(request.user).filter(pk=pk).exists():
        raise NotFound()


class ExceptionDecideView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: grant or refuse an exception to the Control List, with reasons",
                   request=ExceptionDecideSerializer, responses={200: ExceptionSerializer, **ERRORS})
    def post(self, request, pk):
        _visible_or_404(request, pk)
        form = ExceptionDecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.exception_decide(actor=request.user, exception_id=pk, grant=form.validated_data["grant"],
                                        reasons=form.validated_data["reasons"],
                                        expected_version=form.validated_data.get("version"))
        return Response(ExceptionSerializer(row).data)


class ExceptionWithdrawView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Exporter: withdraw an application for an exception while it awaits the decision",
                   request=ExceptionWithdrawSerializer, responses={200: ExceptionSerializer, **ERRORS})
    def post(self, request, pk):
        _visible_or_404(request, pk)
        form = ExceptionWithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = services.exception_withdraw(actor=request.user, exception_id=pk,
                                          expected_version=form.validated_data.get("version"))
        return Response(ExceptionSerializer(row).data)
