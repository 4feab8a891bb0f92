"""REST API of internal compliance programmes: the exporter administrator keeps its ICP's elements
and evidence; the ministry evaluates (draft, issue, withdraw) and a senior officer sets the evidence
periods. Reads start from the models' visible_to; views only translate HTTP to compliance.icp calls
(a PATCH keeps what it does not name)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import MINISTRY_ROLES, Organisation, Role
from compliance.icp import evaluations, selectors, services
from compliance.icp import serializers as s
from compliance.icp.models import Element, EvidencePeriod, ICPEvaluation
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotAllowed, NotFound, ValidationFailed
from portal.pdf import pdf_response
from portal.preconditions import WriteRoles

ERRORS = {400: OpenApiResponse(description="Invalid input (a bad or too large PDF among them); nothing changed"),
          403: OpenApiResponse(description="Your role may not do this (or you are not signed in)"),
          404: OpenApiResponse(description="No such exporter, element, evaluation or document, or not visible to you"),
          409: OpenApiResponse(description="Wrong state for this step (an evaluation already issued), or a stale "
                                           "version")}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the draft already made")
ELEMENT = OpenApiParameter("element", str, OpenApiParameter.PATH, enum=Element.values)


def _readers(user):
    if not selectors.may_read_icps(user):
        raise NotAllowed()


def _exporter(request, org_id):
    org = selectors.visible_exporter(request.user, org_id)
    if org is None:
        raise NotFound()
    return org


def _detail(org) -> dict:
    icp = selectors.icp_for(org)
    current = selectors.current_evaluation(org)
    context = {"org_id": org.pk}
    return {"exporter": org.pk, "exporter_name": org.name_zh,
            "elements": s.ICPElementSerializer(selectors.element_rows(icp), many=True, context=context).data,
            "current_evaluation": s.ICPEvaluationSerializer(current).data if current else None,
            "findings_to_fix": s.ICPFindingSerializer(selectors.findings_to_fix(current), many=True).data}


class ICPListView(GenericAPIView):
    serializer_class = s.ICPListItemSerializer
    permission_classes = [IsAuthenticated]
    queryset = Organisation.objects.none()  # for the schema; the rows come from the selectors

    @extend_schema(summary="Exporters whose ICP you may see, with the current rating and its validity (the ministry "
                           "all, a province its own, an exporter itself)",
                   parameters=[OpenApiParameter("rating", str, enum=list(selectors.RATING_FILTERS)),
                               OpenApiParameter("q", str, description="Company name or credit code")],
                   responses={200: s.ICPListItemSerializer(many=True), **READ_ERRORS})
    def get(self, request):
        _readers(request.user)
        rating, q = request.query_params.get("rating", ""), request.query_params.get("q", "")
        if rating and rating not in selectors.RATING_FILTERS:
            raise ValidationFailed(fields={"rating": [_("Choose one of the listed values.")]})
        if len(q) > 100:
            raise ValidationFailed(fields={"q": [_("At most 100 characters.")]})
        page = self.paginate_queryset(selectors.exporters_list(request.user, rating=rating, q=q))
        return self.get_paginated_response(s.ICPListItemSerializer(page, many=True).data)


class ICPDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="An exporter's ICP: the nine elements with owners, evidence and staleness, the current "
                           "evaluation and the findings to fix", responses={200: s.ICPDetailSerializer, **READ_ERRORS})
    def get(self, request, org_id):
        return Response(_detail(_exporter(request, org_id)))


def _element_or_404(element):
    if element not in Element.values:
        raise NotFound()
    return element


class ElementView(APIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = frozenset({Role.EXPORTER_ADMIN})
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Exporter administrator: record an element's owner, last review and self-assessment "
                           "(what is not named is kept)", parameters=[ELEMENT],
                   request=s.ICPElementUpdateSerializer, responses={200: s.ICPDetailSerializer, **ERRORS})
    def patch(self, request, org_id, element):
        org = _exporter(request, org_id)
        _element_or_404(element)
        form = s.ICPElementUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        icp = selectors.icp_for(org)
        row = next((r for r in icp.elements.all() if r.element == element), None) if icp else None
        values = {"owner_user_id": row.owner_user_id if row else None, "owner_name": row.owner_name if row else "",
                  "last_reviewed_on": row.last_reviewed_on if row else None,
                  "assessment": row.assessment if row else "", "assessment_text": row.assessment_text if row else ""}
        data = dict(form.validated_data)
        if "owner_user" in data:
            data["owner_user_id"] = data.pop("owner_user")
        values.update({k: v for k, v in data.items() if k != "version"})
        services.icp_element_update(actor=request.user, organisation_id=org.pk, element=element,
                                    expected_version=data.get("version"), **values)
        return Response(_detail(org))


class EvidenceUploadView(APIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = frozenset({Role.EXPORTER_ADMIN})
    parser_classes = [MultiPartParser]

    @extend_schema(summary="Exporter administrator: attach evidence PDFs to an element", parameters=[ELEMENT],
                   request={"multipart/form-data": s.ICPEvidenceUploadSerializer},
                   responses={201: s.ICPDetailSerializer, **ERRORS})
    def post(self, request, org_id, element):
        org = _exporter(request, org_id)
        _element_or_404(element)
        uploads = request.FILES.getlist("documents") if hasattr(request.FILES, "getlist") else []
        services.icp_evidence_add(actor=request.user, organisation_id=org.pk, element=element, uploads=uploads)
        return Response(_detail(org), status=status.HTTP_201_CREATED)


class EvidenceView(APIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = frozenset({Role.EXPORTER_ADMIN})

    @extend_schema(summary="Download an evidence document",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS})
    def get(self, request, org_id, doc_id):
        doc = selectors.evidence_for(request.user, _exporter(request, org_id), doc_id)
        if doc is None:
            raise NotFound()
        return pdf_response(doc.file.read(), doc.original_name)

    @extend_schema(summary="Exporter administrator: remove an evidence document",
                   responses={204: None, **READ_ERRORS})
    def delete(self, request, org_id, doc_id):
        org = _exporter(request, org_id)
        services.icp_evidence_remove(actor=request.user, organisation_id=org.pk, evidence_id=doc_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- evaluations


def _evaluation(request, org_id, pk):
    ev = selectors.evaluation_for(request.user, _exporter(request, org_id), pk)
    if ev is None:
        raise NotFound()
    return ev


class EvaluationListView(GenericAPIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = MINISTRY_ROLES
    parser_classes = [SafeJSONParser]
    serializer_class = s.ICPEvaluationSerializer
    queryset = ICPEvaluation.objects.none()  # for the schema; the rows come from the selectors

    @extend_schema(summary="An exporter's evaluations you may see (the exporter and its province: issued ones; "
                           "the ministry: drafts too), newest first",
                   responses={200: s.ICPEvaluationSerializer(many=True), **READ_ERRORS})
    def get(self, request, org_id):
        org = _exporter(request, org_id)
        page = self.paginate_queryset(selectors.evaluations_of(request.user, org))
        return self.get_paginated_response(s.ICPEvaluationSerializer(page, many=True).data)

    @extend_schema(summary="Ministry: start a draft evaluation of the exporter's ICP", parameters=[IDEMPOTENCY_KEY],
                   request=s.ICPEvaluationCreateSerializer, responses={201: s.ICPEvaluationSerializer, **ERRORS})
    def post(self, request, org_id):
        org = _exporter(request, org_id)
        form = s.ICPEvaluationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ev = evaluations.icp_evaluation_create(actor=request.user, organisation_id=org.pk,
                                               client_token=idempotency_key(request), **form.validated_data)
        return Response(s.ICPEvaluationSerializer(_evaluation(request, org.pk, ev.pk)).data,
                        status=status.HTTP_201_CREATED)


class EvaluationView(APIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = MINISTRY_ROLES
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="One evaluation with its findings", responses={200: s.ICPEvaluationSerializer, **READ_ERRORS})
    def get(self, request, org_id, pk):
        return Response(s.ICPEvaluationSerializer(_evaluation(request, org_id, pk)).data)

    @extend_schema(summary="Ministry: write a draft (rating, valid until, summary, findings per element; what is not "
                           "named is kept)", request=s.ICPEvaluationUpdateSerializer,
                   responses={200: s.ICPEvaluationSerializer, **ERRORS})
    def patch(self, request, org_id, pk):
        ev = _evaluation(request, org_id, pk)
        form = s.ICPEvaluationUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        values = {"rating": ev.rating, "valid_until": ev.valid_until, "method": ev.method,
                  "evaluated_on": ev.evaluated_on, "summary": ev.summary, "findings": None}
        data = dict(form.validated_data)
        values.update({k: v for k, v in data.items() if k != "version"})
        evaluations.icp_evaluation_update(actor=request.user, organisation_id=ev.exporter_id, evaluation_id=ev.pk,
                                          expected_version=data.get("version"), **values)
        return Response(s.ICPEvaluationSerializer(_evaluation(request, org_id, pk)).data)


class EvaluationIssueView(APIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = MINISTRY_ROLES
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: issue a complete draft (the exporter is told; earlier evaluations are "
                           "superseded)", request=s.ICPVersionSerializer,
                   responses={200: s.ICPEvaluationSerializer, **ERRORS})
    def post(self, request, org_id, pk):
        ev = _evaluation(request, org_id, pk)
        form = s.ICPVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        evaluations.icp_evaluation_issue(actor=request.user, organisation_id=ev.exporter_id, evaluation_id=ev.pk,
                                         expected_version=form.validated_data.get("version"))
        return Response(s.ICPEvaluationSerializer(_evaluation(request, org_id, pk)).data)


class EvaluationWithdrawView(APIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = MINISTRY_ROLES
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: withdraw a draft or an issued evaluation, saying why",
                   request=s.ICPWithdrawSerializer, responses={200: s.ICPEvaluationSerializer, **ERRORS})
    def post(self, request, org_id, pk):
        ev = _evaluation(request, org_id, pk)
        form = s.ICPWithdrawSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        evaluations.icp_evaluation_withdraw(actor=request.user, organisation_id=ev.exporter_id, evaluation_id=ev.pk,
                                            reason=form.validated_data["reason"],
                                            expected_version=form.validated_data.get("version"))
        return Response(s.ICPEvaluationSerializer(_evaluation(request, org_id, pk)).data)


# ---------------------------------------------------------------- periods


class PeriodListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Ministry: how many months each element's evidence stays fresh",
                   responses={200: s.ICPPeriodSerializer(many=True), **READ_ERRORS})
    def get(self, request):
        if request.user.role not in MINISTRY_ROLES:
            raise NotAllowed()
        return Response(s.ICPPeriodSerializer(EvidencePeriod.objects.all(), many=True).data)


class PeriodView(APIView):
    permission_classes = [IsAuthenticated, WriteRoles]
    write_roles = frozenset({Role.MINISTRY_SENIOR})
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry senior officer: set an element's evidence period in months",
                   parameters=[ELEMENT], request=s.ICPPeriodUpdateSerializer,
                   responses={200: s.ICPPeriodSerializer, **ERRORS})
    def patch(self, request, element):
        _element_or_404(element)
        form = s.ICPPeriodUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        period = services.evidence_period_update(actor=request.user, element=element,
                                                 months=form.validated_data["months"])
        return Response(s.ICPPeriodSerializer(period).data)
