"""REST API for referrals, agency opinions and the routing tables. Views only translate HTTP to
calls of licensing.referrals."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.models import AgencySettings, Application, CountryGroup, RoutingRule
from licensing.referrals import serializers as s
from licensing.referrals import services, tables
from licensing.workflow import require_ministry
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, NotFound

E400 = OpenApiResponse(description="Invalid input; nothing changed")
E403 = OpenApiResponse(description="Your role may not do this")
E404 = OpenApiResponse(description="No such object, or not visible to you")
E409 = OpenApiResponse(description="Wrong state for this action (e.g. the opinion was already given or "
                                   "recorded by silence), or a stale version")
WRITE = {400: E400, 403: E403, 404: E404, 409: E409}


def _case(user, pk) -> Application:
    app = Application.objects.visible_to(user).filter(pk=pk).first()
    if app is None:
        raise NotFound()
    return app


def _case_referrals(request, pk):
    app = _case(request.user, pk)
    if not (request.user.is_ministry or request.user.is_agency):
        raise NotAllowed()
    body = {"application": app.pk, "status": app.status, "version": app.version,
            "referrals": services.referrals_visible_to(request.user, app)}
    return Response(s.CaseReferralsSerializer(body).data)


def _valid(serializer_class, request, **kwargs) -> dict:
    form = serializer_class(data=request.data, **kwargs)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)



class ReviewAPIView(APIView):
    parser_classes = [SafeJSONParser]


# ---------------------------------------------------------------- referrals of a case


class CaseReferralsView(ReviewAPIView):
    @extend_schema(summary="Referrals of a case (ministry: all; an agency: its own)",
                   responses={200: s.CaseReferralsSerializer, 403: E403, 404: E404})
    def get(self, request, pk):
        return _case_referrals(request, pk)

    @extend_schema(summary="Ministry: propose one more agency (with the reason)", request=s.ReferralAddInputSerializer,
                   responses={200: s.CaseReferralsSerializer, **WRITE})
    def post(self, request, pk):
        data = _valid(s.ReferralAddInputSerializer, request)
        services.referral_add(application_id=pk, actor=request.user, agency_id=data["agency"],
                              reason=data["reason"], expected_version=data.get("version"))
        return _case_referrals(request, pk)


class ReferralsSendView(ReviewAPIView):
    @extend_schema(summary="Ministry: send the proposed referrals (the agencies' deadlines start)",
                   request=s.ReferralVersionInputSerializer, responses={200: s.CaseReferralsSerializer, **WRITE})
    def post(self, request, pk):
        data = _valid(s.ReferralVersionInputSerializer, request)
        services.referrals_send(application_id=pk, actor=request.user, expected_version=data.get("version"))
        return _case_referrals(request, pk)


class ReferralsSkipView(ReviewAPIView):
    @extend_schema(summary="Ministry: decide without referral (with the reason)", request=s.ReferralReasonInputSerializer,
                   responses={200: s.CaseReferralsSerializer, **WRITE})
    def post(self, request, pk):
        data = _valid(s.ReferralReasonInputSerializer, request)
        services.referrals_skip(application_id=pk, actor=request.user, reason=data["reason"],
                                expected_version=data.get("version"))
        return _case_referrals(request, pk)


class ReferralDropView(ReviewAPIView):
    service = staticmethod(services.referral_drop)

    @extend_schema(summary="Ministry: drop a proposed referral (with the reason)", request=s.ReferralReasonInputSerializer,
                   responses={200: s.CaseReferralsSerializer, **WRITE})
    def post(self, request, pk, referral_id):
        data = _valid(s.ReferralReasonInputSerializer, request)
        self.service(application_id=pk, referral_id=referral_id, actor=request.user, reason=data["reason"],
                     expected_version=data.get("version"))
        return _case_referrals(request, pk)


class ReferralWithdrawView(ReferralDropView):
    service = staticmethod(services.referral_withdraw)

    @extend_schema(summary="Ministry: withdraw a sent referral (with the reason)", request=s.ReferralReasonInputSerializer,
                   responses={200: s.CaseReferralsSerializer, **WRITE})
    def post(self, request, pk, referral_id):
        return super().post(request, pk, referral_id)


class OpinionView(ReviewAPIView):
    @extend_schema(summary="Agency: give the opinion on a referral to your agency",
                   request=s.OpinionInputSerializer, responses={200: s.ReferralSerializer, **WRITE})
    def post(self, request, pk):
        data = _valid(s.OpinionInputSerializer, request)
        ref = services.opinion_give(referral_id=pk, actor=request.user, opinion=data["opinion"],
                                    reasons=data["reasons"], conditions=data.get("conditions", ""),
                                    expected_version=data.get("version"))
        return Response(s.ReferralSerializer(ref).data)


# ---------------------------------------------------------------- routing tables


def _rules():
    return RoutingRule.objects.select_related("country_group").prefetch_related("agencies").order_by("pk")


def _get(queryset, pk):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _changes(data: dict) -> tuple[dict, int | None]:
    version = data.pop("version", None)
    return data, version


class RoutingRuleListView(ReviewAPIView):
    @extend_schema(summary="Routing rules (ministry)", responses={200: s.RoutingRuleSerializer(many=True), 403: E403})
    def get(self, request):
        require_ministry(request.user)
        return Response(s.RoutingRuleSerializer(_rules(), many=True).data)

    @extend_schema(summary="Ministry senior: add a routing rule", request=s.RoutingRuleInputSerializer,
                   responses={201: s.RoutingRuleSerializer, 400: E400, 403: E403})
    def post(self, request):
        require_ministry(request.user)
        data, _version = _changes(_valid(s.RoutingRuleInputSerializer, request))
        rule = tables.routing_rule_create(actor=request.user, data=data)
        return Response(s.RoutingRuleSerializer(_get(_rules(), rule.pk)).data, status=status.HTTP_201_CREATED)


class RoutingRuleDetailView(ReviewAPIView):
    @extend_schema(summary="One routing rule", responses={200: s.RoutingRuleSerializer, 403: E403, 404: E404})
    def get(self, request, pk):
        require_ministry(request.user)
        return Response(s.RoutingRuleSerializer(_get(_rules(), pk)).data)

    @extend_schema(summary="Ministry senior: change a routing rule (the next routing uses it; referrals already "
                           "made keep their snapshot)", request=s.RoutingRuleInputSerializer,
                   responses={200: s.RoutingRuleSerializer, **WRITE})
    def patch(self, request, pk):
        require_ministry(request.user)
        data, version = _changes(_valid(s.RoutingRuleInputSerializer, request, partial=True))
        tables.routing_rule_update(actor=request.user, rule_id=pk, data=data, expected_version=version)
        return Response(s.RoutingRuleSerializer(_get(_rules(), pk)).data)


class RoutingRuleDeactivateView(ReviewAPIView):
    @extend_schema(summary="Ministry senior: deactivate a routing rule", request=s.ReferralVersionInputSerializer,
                   responses={200: s.RoutingRuleSerializer, **WRITE})
    def post(self, request, pk):
        require_ministry(request.user)
        data = _valid(s.ReferralVersionInputSerializer, request)
        tables.routing_rule_deactivate(actor=request.user, rule_id=pk, expected_version=data.get("version"))
        return Response(s.RoutingRuleSerializer(_get(_rules(), pk)).data)


def _settings():
    return AgencySettings.objects.select_related("agency").order_by("agency__code")


class AgencySettingsListView(ReviewAPIView):
    @extend_schema(summary="Agency settings: opinion deadlines, reminders, silence rule (ministry)",
                   responses={200: s.AgencySettingsSerializer(many=True), 403: E403})
    def get(self, request):
        require_ministry(request.user)
        return Response(s.AgencySettingsSerializer(_settings(), many=True).data)


class AgencySettingsDetailView(ReviewAPIView):
    @extend_schema(summary="One agency's settings", responses={200: s.AgencySettingsSerializer, 403: E403, 404: E404})
    def get(self, request, pk):
        require_ministry(request.user)
        return Response(s.AgencySettingsSerializer(_get(_settings(), pk)).data)

    @extend_schema(summary="Ministry senior: change an agency's deadline, reminder or silence rule",
                   request=s.AgencySettingsInputSerializer, responses={200: s.AgencySettingsSerializer, **WRITE})
    def patch(self, request, pk):
        require_ministry(request.user)
        data, version = _changes(_valid(s.AgencySettingsInputSerializer, request, partial=True))
        tables.agency_settings_update(actor=request.user, settings_id=pk, data=data, expected_version=version)
        return Response(s.AgencySettingsSerializer(_get(_settings(), pk)).data)


class CountryGroupListView(ReviewAPIView):
    @extend_schema(summary="Country groups used by routing rules (ministry)",
                   responses={200: s.CountryGroupSerializer(many=True), 403: E403})
    def get(self, request):
        require_ministry(request.user)
        return Response(s.CountryGroupSerializer(CountryGroup.objects.all(), many=True).data)

    @extend_schema(summary="Ministry senior: add a country group", request=s.CountryGroupInputSerializer,
                   responses={201: s.CountryGroupSerializer, 400: E400, 403: E403})
    def post(self, request):
        require_ministry(request.user)
        data, _version = _changes(_valid(s.CountryGroupInputSerializer, request))
        group = tables.country_group_create(actor=request.user, data=data)
        return Response(s.CountryGroupSerializer(group).data, status=status.HTTP_201_CREATED)


class CountryGroupDetailView(ReviewAPIView):
    @extend_schema(summary="One country group", responses={200: s.CountryGroupSerializer, 403: E403, 404: E404})
    def get(self, request, pk):
        require_ministry(request.user)
        return Response(s.CountryGroupSerializer(_get(CountryGroup.objects.all(), pk)).data)

    @extend_schema(summary="Ministry senior: change a country group (the next routing uses it)",
                   request=s.CountryGroupInputSerializer, responses={200: s.CountryGroupSerializer, **WRITE})
    def patch(self, request, pk):
        require_ministry(request.user)
        data, version = _changes(_valid(s.CountryGroupInputSerializer, request, partial=True))
        group = tables.country_group_update(actor=request.user, group_id=pk, data=data, expected_version=version)
        return Response(s.CountryGroupSerializer(group).data)
