"""REST API for the decision: recommend, countersign, send back, the recommendations of a case, the
refusal letter, and the countersignature rules. Views only translate HTTP to licensing.decisions."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from licensing.applications import selectors
from licensing.decisions import serializers as s
from licensing.decisions import services as decisions
from licensing.models import Application, CountersignRule, RefusalLetter
from licensing.workflow import require_ministry
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, NotFound
from portal.pdf import pdf_response

R400 = OpenApiResponse(description="Invalid input; nothing changed")
R403 = OpenApiResponse(description="Your role may not do this (or you are not signed in)")
R404 = OpenApiResponse(description="No such case, or not visible to you")
R409 = OpenApiResponse(description="Wrong state for this action (the message names the case's state), or a stale version")
RULE404 = OpenApiResponse(description="No such rule")
RULE409 = OpenApiResponse(description="Someone changed the rule since you read it (stale version)")

RULES_ARE_THE_MINISTRYS = _("Only the ministry sees the countersignature rules.")


def _state(app_id, rec) -> dict:
    app = Application.objects.only("status", "version").get(pk=app_id)
    return s.DecisionStateSerializer({"application": app.pk, "status": app.status, "version": app.version,
                                      "recommendation": rec}).data


def _visible(request, pk) -> Application:
    app = selectors.applications_for(request.user).filter(pk=pk).first()
    if app is None:
        raise NotFound()
    return app


class RecommendView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: recommend or decide (approve, possibly with conditions or smaller "
                           "quantities, or refuse on Art. 13 factors)",
                   description="Takes effect at once unless a countersignature rule applies; then the case "
                               "awaits a senior officer's countersignature.",
                   request=s.RecommendationInputSerializer,
                   responses={200: s.DecisionStateSerializer, 400: R400, 403: R403, 404: R404, 409: R409})
    def post(self, request, pk):
        form = s.RecommendationInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        rec = decisions.decision_recommend(
            application_id=pk, actor=request.user, outcome=data["outcome"], factors=data.get("factors", []),
            reasons=data["reasons"], conditions=data.get("conditions", ""),
            item_quantities=data.get("item_quantities", {}), expected_version=data.get("version"))
        return Response(_state(pk, rec))


class CountersignView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Senior officer: countersign the pending recommendation (not your own)",
                   request=s.DecisionVersionInputSerializer,
                   responses={200: s.DecisionStateSerializer, 400: R400, 403: R403, 404: R404, 409: R409})
    def post(self, request, pk):
        form = s.DecisionVersionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rec = decisions.decision_countersign(application_id=pk, actor=request.user,
                                             expected_version=form.validated_data.get("version"))
        return Response(_state(pk, rec))


class SendBackView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Senior officer: send the pending recommendation back with a comment",
                   request=s.SendBackInputSerializer,
                   responses={200: s.DecisionStateSerializer, 400: R400, 403: R403, 404: R404, 409: R409})
    def post(self, request, pk):
        form = s.SendBackInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rec = decisions.decision_send_back(application_id=pk, actor=request.user,
                                           comment=form.validated_data["comment"],
                                           expected_version=form.validated_data.get("version"))
        return Response(_state(pk, rec))


class RecommendationListView(APIView):
    @extend_schema(summary="Ministry: the recommendations made on a case, oldest first",
                   responses={200: s.RecommendationSerializer(many=True), 403: R403, 404: R404})
    def get(self, request, pk):
        app = _visible(request, pk)
        if not request.user.is_ministry:
            raise NotAllowed()
        recs = app.recommendations.select_related("recommended_by", "countersigned_by").order_by("pk")
        return Response(s.RecommendationSerializer(recs, many=True).data)


class RefusalLetterView(APIView):
    @extend_schema(summary="Download the refusal letter (PDF, signed); the exporter and the ministry",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: R403,
                              404: OpenApiResponse(description="No refusal letter, or not visible to you")})
    def get(self, request, pk):
        app = _visible(request, pk)
        letter = RefusalLetter.objects.filter(application=app).first()
        if letter is None or not decisions.refusal_letter_visible_to(request.user, app):
            raise NotFound()
        return pdf_response(bytes(letter.pdf), f"{letter.number}.pdf")


# ---------------------------------------------------------------- countersignature rules



def _rule(rule_pk) -> CountersignRule:
    rule = CountersignRule.objects.filter(pk=rule_pk).first()
    if rule is None:
        raise NotFound()
    return rule


class RuleListView(APIView):
    write_roles = frozenset({Role.MINISTRY_SENIOR})
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: the countersignature rules", responses={
        200: s.CountersignRuleSerializer(many=True), 403: R403})
    def get(self, request):
        require_ministry(request.user, RULES_ARE_THE_MINISTRYS)
        return Response(s.CountersignRuleSerializer(CountersignRule.objects.order_by("pk"), many=True).data)

    @extend_schema(summary="Senior officer: add a countersignature rule", request=s.CountersignRuleSerializer,
                   responses={201: s.CountersignRuleSerializer, 400: R400, 403: R403})
    def post(self, request):
        form = s.CountersignRuleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        data.pop("version", None)
        rule = decisions.countersign_rule_create(actor=request.user, data=data)
        return Response(s.CountersignRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class RuleDetailView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: one countersignature rule",
                   responses={200: s.CountersignRuleSerializer, 403: R403, 404: RULE404})
    def get(self, request, rule_pk):
        require_ministry(request.user, RULES_ARE_THE_MINISTRYS)
        return Response(s.CountersignRuleSerializer(_rule(rule_pk)).data)

    @extend_schema(summary="Senior officer: change a countersignature rule", request=s.CountersignRuleSerializer,
                   responses={200: s.CountersignRuleSerializer, 400: R400, 403: R403, 404: RULE404, 409: RULE409})
    def patch(self, request, rule_pk):
        form = s.CountersignRuleSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        version = data.pop("version", None)
        rule = decisions.countersign_rule_update(actor=request.user, rule_id=rule_pk, data=data,
                                                 expected_version=version)
        return Response(s.CountersignRuleSerializer(rule).data)


class RuleDeactivateView(APIView):
    parser_classes = [SafeJSONParser]
    active = False

    @extend_schema(summary="Senior officer: deactivate a countersignature rule (rules are never deleted)",
                   request=s.RuleVersionInputSerializer,
                   responses={200: s.CountersignRuleSerializer, 400: R400, 403: R403, 404: RULE404, 409: RULE409})
    def post(self, request, rule_pk):
        form = s.RuleVersionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rule = decisions.countersign_rule_set_active(actor=request.user, rule_id=rule_pk, active=self.active,
                                                     expected_version=form.validated_data.get("version"))
        return Response(s.CountersignRuleSerializer(rule).data)


class RuleActivateView(RuleDeactivateView):
    active = True

    @extend_schema(summary="Senior officer: activate a countersignature rule again",
                   request=s.RuleVersionInputSerializer,
                   responses={200: s.CountersignRuleSerializer, 400: R400, 403: R403, 404: RULE404, 409: RULE409})
    def post(self, request, rule_pk):
        return super().post(request, rule_pk)
