"""REST API of enforcement cases: the ministry opens cases, records steps, notes and closes them;
the exporter reads the steps addressed to it and answers them. Views only translate HTTP to
compliance.enforcement calls."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from compliance.enforcement import selectors, services
from compliance.enforcement import serializers as s
from compliance.enforcement.models import CaseStatus, EnforcementCase, EnforcementStep
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.pdf import pdf_response
from portal.preconditions import WriteRoles

ERRORS = {400: OpenApiResponse(description="Invalid input (a bad or too large PDF among them); nothing changed"),
          403: OpenApiResponse(description="Your role may not do this (or you are not signed in)"),
          404: OpenApiResponse(description="No such case or step, or not visible to you"),
          409: OpenApiResponse(description="Wrong state (a closed case, a step answered already) or a stale version")}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}
PARSERS = [SafeJSONParser, MultiPartParser, FormParser]
REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH, pattern=r"^ENF-[0-9]{4}-[0-9]{6}$",
                             description="The enforcement case's number, e.g. ENF-2026-000001")


def visible_case(request, reference) -> EnforcementCase:
    if not (request.user.is_ministry or request.user.is_exporter):
        raise NotAllowed()
    case = selectors.case_for(request.user, reference)
    if case is None:
        raise NotFound()
    return case


def case_body(request, case) -> dict:
    context = {"steps": selectors.steps_for(request.user, case)}
    if request.user.is_ministry:
        context.update(notes=case.notes.all(), penalties=case.penalties.order_by("pk"))
    return s.EnforcementCaseSerializer(case, context=context).data


def _uploads(request):
    return request.FILES.getlist("documents") if hasattr(request.FILES, "getlist") else []


class EnforcementCaseListView(GenericAPIView):
    write_roles = MINISTRY_ROLES
    serializer_class = s.EnforcementCaseListItemSerializer
    queryset = EnforcementCase.objects.none()  # for the schema; the rows come from the selectors
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Enforcement cases you may see (the ministry all; an exporter its own cases with a step "
                           "addressed to it), newest first",
                   parameters=[OpenApiParameter("status", str, enum=CaseStatus.values)],
                   responses={200: s.EnforcementCaseListItemSerializer(many=True), **READ_ERRORS,
                              400: OpenApiResponse(description="Unknown status")})
    def get(self, request):
        if not (request.user.is_ministry or request.user.is_exporter):
            raise NotAllowed()
        rows = selectors.cases_visible_to(request.user)
        state = request.query_params.get("status", "")
        if state:
            if state not in CaseStatus.values:
                raise ValidationFailed(fields={"status": [_("Choose one of the listed values.")]})
            rows = rows.filter(status=state)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.EnforcementCaseListItemSerializer(page, many=True).data)

    @extend_schema(summary="Ministry: open an enforcement case from a customs challenge (its number), an end-use "
                           "change report or a confirmed screening hit (their ids), or by hand (the exporter's id)",
                   request=s.EnforcementOpenSerializer, responses={201: s.EnforcementCaseSerializer, **ERRORS})
    def post(self, request):
        form = s.EnforcementOpenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        case = services.case_open(actor=request.user, origin=data["origin"], summary=data["summary"],
                                  source_reference=data.get("source_reference", ""), exporter_id=data.get("exporter"))
        return Response(case_body(request, case), status=status.HTTP_201_CREATED)


class EnforcementCaseDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[REFERENCE], summary="One enforcement case: its steps (the exporter: those addressed to it), and for the "
                           "ministry its notes and penalties",
                   responses={200: s.EnforcementCaseSerializer, **READ_ERRORS})
    def get(self, request, reference):
        return Response(case_body(request, visible_case(request, reference)))


class EnforcementStepCreateView(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = PARSERS

    @extend_schema(parameters=[REFERENCE], summary="Ministry: record a step (inspection, regulatory talk, warning letter: issued as a "
                           "signed bilingual PDF, request for information) with PDF documents",
                   request={"multipart/form-data": s.EnforcementStepCreateSerializer,
                            "application/json": s.EnforcementStepCreateSerializer},
                   responses={201: s.EnforcementStepSerializer, **ERRORS})
    def post(self, request, reference):
        case = visible_case(request, reference)
        form = s.EnforcementStepCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        step = services.step_add(actor=request.user, reference=case.reference, kind=data["kind"], text=data["text"],
                                 occurred_on=data.get("occurred_on"), place=data.get("place", ""),
                                 findings=data.get("findings", ""), answer_days=data.get("answer_days"),
                                 uploads=_uploads(request), version=data.get("version"))
        return Response(s.EnforcementStepSerializer(step).data, status=status.HTTP_201_CREATED)


def _step(request, case, step_id) -> EnforcementStep:
    step = selectors.step_for(request.user, case, step_id)
    if step is None:
        raise NotFound()
    return step


class EnforcementStepAnswerView(APIView):
    write_roles = EXPORTER_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = PARSERS

    @extend_schema(parameters=[REFERENCE], summary="Exporter: answer a step addressed to you (once), with PDF documents; an answer after "
                           "the date set is kept and marked late",
                   request={"multipart/form-data": s.EnforcementAnswerSerializer,
                            "application/json": s.EnforcementAnswerSerializer},
                   responses={200: s.EnforcementStepSerializer, **ERRORS})
    def post(self, request, reference, step_id):
        case = visible_case(request, reference)
        _step(request, case, step_id)
        form = s.EnforcementAnswerSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        step = services.step_answer(actor=request.user, reference=case.reference, step_id=step_id,
                                    answer=form.validated_data["answer"], uploads=_uploads(request))
        return Response(s.EnforcementStepSerializer(_step(request, case, step.pk)).data)


class EnforcementStepMinutesView(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = PARSERS

    @extend_schema(parameters=[REFERENCE], summary="Ministry: record the minutes of a regulatory talk, with PDF documents",
                   request={"multipart/form-data": s.EnforcementMinutesSerializer,
                            "application/json": s.EnforcementMinutesSerializer},
                   responses={200: s.EnforcementStepSerializer, **ERRORS})
    def post(self, request, reference, step_id):
        case = visible_case(request, reference)
        _step(request, case, step_id)
        form = s.EnforcementMinutesSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        step = services.step_record_minutes(actor=request.user, reference=case.reference, step_id=step_id,
                                            minutes=form.validated_data["minutes"], uploads=_uploads(request))
        return Response(s.EnforcementStepSerializer(_step(request, case, step.pk)).data)


class EnforcementStepPdfView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[REFERENCE], summary="The signed bilingual PDF of a warning letter or penalty decision",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS})
    def get(self, request, reference, step_id):
        step = _step(request, visible_case(request, reference), step_id)
        content = EnforcementStep.objects.values_list("pdf", flat=True).get(pk=step.pk)
        if not step.number or not content:
            raise NotFound()
        return pdf_response(bytes(content), f"{step.number}.pdf")


class EnforcementNoteView(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]

    @extend_schema(parameters=[REFERENCE], summary="Ministry: record the exporter's cooperation or remediation (mitigating factors)",
                   request=s.EnforcementNoteCreateSerializer, responses={201: s.EnforcementNoteSerializer, **ERRORS})
    def post(self, request, reference):
        case = visible_case(request, reference)
        form = s.EnforcementNoteCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        note = services.note_add(actor=request.user, reference=case.reference, **form.validated_data)
        return Response(s.EnforcementNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class EnforcementCloseView(APIView):
    write_roles = MINISTRY_ROLES
    permission_classes = [IsAuthenticated, WriteRoles]
    parser_classes = [SafeJSONParser]

    @extend_schema(parameters=[REFERENCE], summary="Ministry: close an enforcement case", request=s.EnforcementCloseSerializer,
                   responses={200: s.EnforcementCaseSerializer, **ERRORS})
    def post(self, request, reference):
        case = visible_case(request, reference)
        form = s.EnforcementCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case = services.case_close(actor=request.user, reference=case.reference, **form.validated_data)
        return Response(case_body(request, case))
