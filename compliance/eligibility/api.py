"""API twins of the eligibility pages: the exporter's routes, the ministry's suspension proposals."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.eligibility import selectors, services
from compliance.eligibility.models import ProposalStatus, SuspensionProposal
from compliance.eligibility.serializers import (
    ProposalDecisionSerializer,
    RouteEligibilitySerializer,
    SuspensionProposalSerializer,
    eligibility_body,
)
from licensing.models import Application
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, NotFound

FORBIDDEN = OpenApiResponse(description="Your role may not do this")


class RouteEligibilityView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Which licence routes are open to your company (Reg. 15, 19, 20), with the reasons in "
                           "both languages for every route that is not; `application` adds its parties",
                   parameters=[OpenApiParameter("application", int, description="One of your applications")],
                   responses={200: RouteEligibilitySerializer(many=True), 403: FORBIDDEN,
                              404: OpenApiResponse(description="No such application, or not yours")})
    def get(self, request):
        if not request.user.is_exporter:
            raise NotAllowed()
        app = None
        raw = request.query_params.get("application")
        if raw not in (None, ""):
            if not raw.isdigit() or not 0 < int(raw) < 2**63:
                raise NotFound()
            app = Application.objects.visible_to(request.user).filter(pk=int(raw)).first()
            if app is None:
                raise NotFound()
        return Response(eligibility_body(selectors.route_eligibility(request.user.organisation, application=app)))


class ProposalListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Suspension proposals (ministry), newest first, at most 200",
                   parameters=[OpenApiParameter("status", str, enum=ProposalStatus.values)],
                   responses={200: SuspensionProposalSerializer(many=True), 403: FORBIDDEN})
    def get(self, request):
        if not request.user.is_ministry:
            raise NotAllowed()
        qs = SuspensionProposal.objects.visible_to(request.user).select_related("licence", "exporter")
        status = request.query_params.get("status", "")
        if status in ProposalStatus.values:
            qs = qs.filter(status=status)
        return Response(SuspensionProposalSerializer(qs[:200], many=True).data)


class ProposalDecideView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]
    action = ""

    @extend_schema(request=ProposalDecisionSerializer,
                   responses={200: SuspensionProposalSerializer, 400: OpenApiResponse(description="No reason to dismiss"),
                              403: FORBIDDEN, 404: OpenApiResponse(description="No such proposal"),
                              409: OpenApiResponse(description="Already decided, stale version, or the licence is "
                                                               "no longer in force")})
    def post(self, request, pk):
        if not request.user.is_ministry:
            raise NotAllowed()
        form = ProposalDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        service = (services.suspension_proposal_accept if self.action == "accept"
                   else services.suspension_proposal_dismiss)
        proposal = service(actor=request.user, proposal_id=pk, reason=form.validated_data.get("reason", ""),
                           expected_version=form.validated_data.get("version"))
        return Response(SuspensionProposalSerializer(proposal).data)


class ProposalAcceptView(ProposalDecideView):
    action = "accept"


class ProposalDismissView(ProposalDecideView):
    action = "dismiss"
