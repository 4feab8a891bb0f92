"""REST API for catch-all notices (Law 12(3)), at /api/catch-all-notices/: the ministry issues and
withdraws; the exporters addressed read and acknowledge. Views only translate HTTP to services."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from controllist.models import CatchAllNotice
from controllist.notices import selectors, services
from controllist.notices.serializers import (
    CatchAllNoticeDetailSerializer,
    CatchAllNoticeIssueSerializer,
    CatchAllNoticeSerializer,
    CatchAllNoticeWithdrawSerializer,
    NoticeAcknowledgementSerializer,
)
from portal.api import idempotency_key
from portal.errors import NotAllowed, NotFound, ValidationFailed

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="No such notice, or not addressed to you"),
    409: OpenApiResponse(description="Wrong state for this action, or a stale version"),
}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the notice already issued")


def _require_reader(user):
    if not (user.is_ministry or user.is_exporter):
        raise NotAllowed()


def _visible(request, pk) -> CatchAllNotice:
    _require_reader(request.user)
    notice = selectors.notice_for(request.user, pk)
    if notice is None:
        raise NotFound()
    return notice


def _exporter(org) -> dict | None:
    if org is None:
        return None
    return {"id": org.pk, "code": org.code, "name_zh": org.name_zh, "name_en": org.name_en}


def _data(notice, user, detail=False) -> dict:
    data = dict(CatchAllNoticeSerializer(notice).data)
    data["exporter"] = _exporter(notice.exporter)
    if detail and user.is_ministry:
        table = selectors.acknowledgement_table(notice)
        data["acknowledgements"] = [{"exporter": _exporter(ack.exporter), "acknowledged_by": ack.acknowledged_by.username,
                                     "acknowledged_at": ack.acknowledged_at} for ack in table["acknowledged"]]
        data["not_acknowledged"] = [_exporter(org) for org in table["pending"]]
    elif detail:
        data["acknowledged"] = selectors.acknowledged_by(notice, user.organisation_id) is not None
    return data


class CatchAllNoticeListView(GenericAPIView):
    serializer_class = CatchAllNoticeSerializer

    def get_queryset(self):
        return selectors.notices_visible_to(self.request.user)

    @extend_schema(summary="Catch-all notices you may see (ministry: all; exporters: those to them)",
                   responses={200: CatchAllNoticeSerializer(many=True), 403: ERRORS[403],
                              404: OpenApiResponse(description="No such page")})
    def get(self, request):
        _require_reader(request.user)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_data(notice, request.user) for notice in page])

    @extend_schema(summary="Ministry: issue a catch-all notice", request=CatchAllNoticeIssueSerializer,
                   parameters=[IDEMPOTENCY_KEY], responses={201: CatchAllNoticeSerializer, **ERRORS})
    def post(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        if not isinstance(request.data, dict):
            raise ValidationFailed()
        CatchAllNoticeIssueSerializer(data=request.data).is_valid(raise_exception=True)
        data = request.data.dict() if hasattr(request.data, "dict") else request.data
        notice = services.notice_issue(actor=request.user, data=data, client_token=idempotency_key(request))
        return Response(_data(notice, request.user), status=status.HTTP_201_CREATED)


class CatchAllNoticeDetailView(APIView):
    @extend_schema(summary="One catch-all notice (ministry: with who has acknowledged)",
                   responses={200: CatchAllNoticeDetailSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(_data(_visible(request, pk), request.user, detail=True))


class CatchAllNoticeAcknowledgeView(APIView):
    @extend_schema(summary="Exporter: acknowledge a notice (repeating it changes nothing)", request=None,
                   responses={200: NoticeAcknowledgementSerializer, **ERRORS})
    def post(self, request, pk):
        notice = _visible(request, pk)
        ack = services.notice_acknowledge(actor=request.user, notice_id=notice.pk)
        return Response(NoticeAcknowledgementSerializer(ack).data)


class CatchAllNoticeWithdrawView(APIView):
    @extend_schema(summary="Ministry: withdraw a notice", request=CatchAllNoticeWithdrawSerializer,
                   responses={200: CatchAllNoticeSerializer, **ERRORS})
    def post(self, request, pk):
        notice = _visible(request, pk)
        if not request.user.is_ministry:
            raise NotAllowed()
        form = CatchAllNoticeWithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        notice = services.notice_withdraw(actor=request.user, notice_id=notice.pk, reason=form.validated_data["reason"],
                                          expected_version=form.validated_data.get("version"))
        return Response(_data(notice, request.user))
