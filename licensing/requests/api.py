"""REST API of corrections (补正), requests for information, clock pauses and the statutory clock.
Views only translate HTTP to licensing.requests calls."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.clock import selectors as clock
from licensing.requests import certification, services
from licensing.requests import serializers as s
from portal.api import SafeJSONParser

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Your role may not do this (or you are not signed in)"),
    404: OpenApiResponse(description="No such case or request, or not visible to you"),
    409: OpenApiResponse(description="Wrong state for this action (e.g. corrections already asked once, "
                                     "a request already answered), or a stale version"),
}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}


def _files(request) -> list:
    return request.FILES.getlist("documents") if hasattr(request.FILES, "getlist") else []


def _clock_data(request, app) -> dict:
    return s.ClockSummarySerializer(clock.summary(app), context={"request": request}).data


def _result(request, id, *, req=None, pause=None, code=status.HTTP_200_OK) -> Response:
    app = services.visible_case(request.user, id)
    body = {"application": app.pk, "status": app.status, "version": app.version,
            "clock": clock.summary(app)}
    if req is not None:
        body["request"] = app.requests.prefetch_related("documents").get(pk=req.pk)
        serializer = s.CaseRequestResultSerializer
    else:
        pause_row = next(row for row in body["clock"].history if row.id == pause.pk)
        body["pause"] = pause_row
        serializer = s.ClockPauseResultSerializer
    return Response(serializer(body, context={"request": request}).data, status=code)


class RequestsBase(APIView):
    parser_classes = [SafeJSONParser]


class UploadBase(APIView):
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]


class ClockView(RequestsBase):
    @extend_schema(summary="The statutory clocks of a case: acceptance (5 working days) and decision "
                           "(45 working days, Reg. 17), with every stop and restart",
                   responses={200: s.ClockSummarySerializer, **READ_ERRORS})
    def get(self, request, id):
        app = services.visible_case(request.user, id)
        return Response(_clock_data(request, app))


class CorrectionsView(RequestsBase):
    @extend_schema(summary="Ministry: ask once for everything missing before acceptance (补正)",
                   request=s.CorrectionsInputSerializer,
                   responses={201: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id):
        form = s.CorrectionsInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        req = services.corrections_request(application_id=id, actor=request.user, items=data["items"],
                                           respond_by=data["respond_by"], note=data.get("note", ""),
                                           expected_version=data.get("version"))
        return _result(request, id, req=req, code=status.HTTP_201_CREATED)


class CorrectionsAnswerView(UploadBase):
    @extend_schema(summary="Exporter: answer the request for corrections, with up to 5 PDFs",
                   request={"application/json": s.RequestAnswerInputSerializer,
                            "multipart/form-data": s.RequestAnswerUploadSerializer},
                   responses={200: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id):
        form = s.RequestAnswerInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        req = services.corrections_answer(application_id=id, actor=request.user,
                                          answer=form.validated_data["answer"], uploads=_files(request),
                                          expected_version=form.validated_data.get("version"))
        return _result(request, id, req=req)


class RequestListView(RequestsBase):
    @extend_schema(summary="The case's requests for corrections and for information, with the answers",
                   responses={200: s.CaseRequestListSerializer, **READ_ERRORS})
    def get(self, request, id):
        app = services.visible_case(request.user, id)
        body = {"application": app.pk, "status": app.status, "version": app.version,
                "requests": services.case_requests(app)}
        return Response(s.CaseRequestListSerializer(body, context={"request": request}).data)

    @extend_schema(summary="Ministry: ask the exporter a question; the decision clock stops until the answer",
                   request=s.RfiInputSerializer,
                   responses={201: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id):
        form = s.RfiInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        req = services.rfi_ask(application_id=id, actor=request.user, question=data["question"],
                               respond_by=data.get("respond_by"), expected_version=data.get("version"))
        return _result(request, id, req=req, code=status.HTTP_201_CREATED)


class RequestAnswerView(UploadBase):
    @extend_schema(summary="Exporter: answer a request for information, with up to 5 PDFs",
                   request={"application/json": s.RequestAnswerInputSerializer,
                            "multipart/form-data": s.RequestAnswerUploadSerializer},
                   responses={200: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id, request_id):
        form = s.RequestAnswerInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        req = services.rfi_answer(application_id=id, request_id=request_id, actor=request.user,
                                  answer=form.validated_data["answer"], uploads=_files(request),
                                  expected_version=form.validated_data.get("version"))
        return _result(request, id, req=req)


class RequestWithdrawView(RequestsBase):
    @extend_schema(summary="Ministry: withdraw an unanswered request for information",
                   request=s.RfiWithdrawInputSerializer,
                   responses={200: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id, request_id):
        form = s.RfiWithdrawInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        req = services.rfi_withdraw(application_id=id, request_id=request_id, actor=request.user,
                                    reason=form.validated_data.get("reason", ""),
                                    expected_version=form.validated_data.get("version"))
        return _result(request, id, req=req)


class PauseStartView(RequestsBase):
    @extend_schema(summary="Ministry: stop the decision clock (identification, expert consultation, on-site "
                           "check) or lift the limit (watch list, State Council)",
                   request=s.ClockPauseInputSerializer,
                   responses={201: s.ClockPauseResultSerializer, **ERRORS})
    def post(self, request, id):
        form = s.ClockPauseInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        pause = services.pause_start(application_id=id, actor=request.user, kind=data["kind"],
                                     note=data.get("note", ""), expected_version=data.get("version"))
        return _result(request, id, pause=pause, code=status.HTTP_201_CREATED)


class PauseEndView(RequestsBase):
    @extend_schema(summary="Ministry: restart the decision clock",
                   request=s.CaseVersionInputSerializer,
                   responses={200: s.ClockPauseResultSerializer, **ERRORS})
    def post(self, request, id, pause_id):
        form = s.CaseVersionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        pause = services.pause_end(application_id=id, pause_id=pause_id, actor=request.user,
                                   expected_version=form.validated_data.get("version"))
        return _result(request, id, pause=pause)


class CertificationView(RequestsBase):
    @extend_schema(summary="Ministry: require government certification of the end-user certificate (Reg. 24); "
                           "the decision clock stops until the exporter gives it",
                   request=s.CertificationInputSerializer,
                   responses={201: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id):
        form = s.CertificationInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        req = certification.certification_require(application_id=id, actor=request.user, text=data.get("text", ""),
                                                  respond_by=data.get("respond_by"),
                                                  expected_version=data.get("version"))
        return _result(request, id, req=req, code=status.HTTP_201_CREATED)


class CertificationAnswerView(UploadBase):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(summary="Exporter: give the government-certified certificate (1 to 5 PDFs); the clock runs again",
                   request={"multipart/form-data": s.CertifiedAnswerUploadSerializer},
                   responses={200: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id, request_id):
        services.visible_case(request.user, id)
        form = s.CertifiedAnswerInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        req = certification.certification_answer(application_id=id, request_id=request_id, actor=request.user,
                                                 answer=form.validated_data.get("answer", ""), uploads=_files(request),
                                                 expected_version=form.validated_data.get("version"))
        return _result(request, id, req=req)


class CertificationWithdrawView(RequestsBase):
    @extend_schema(summary="Ministry: withdraw an unanswered request for government certification",
                   request=s.RfiWithdrawInputSerializer,
                   responses={200: s.CaseRequestResultSerializer, **ERRORS})
    def post(self, request, id, request_id):
        form = s.RfiWithdrawInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        req = certification.certification_withdraw(application_id=id, request_id=request_id, actor=request.user,
                                                   reason=form.validated_data.get("reason", ""),
                                                   expected_version=form.validated_data.get("version"))
        return _result(request, id, req=req)
