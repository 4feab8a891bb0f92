"""REST API for temporary controls, prohibitions and determinations ("do I need a licence?").
Views only translate HTTP to service calls; every signed-in user reads, ministry officers write."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import MINISTRY_ROLES
from controllist.controls import determination, services
from controllist.models import Prohibition, TemporaryControl
from portal.api import idempotency_key
from portal.errors import ValidationFailed

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="No such object"),
    409: OpenApiResponse(description="Wrong state for this action, or a stale version"),
}
NO_SUCH_PAGE = OpenApiResponse(description="No such page")
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the object already made")



def _payload(request) -> dict:
    """The request body as a plain dict; the service checks types strictly."""
    if hasattr(request.data, "dict"):  # a form-encoded body
        return request.data.dict()
    if not isinstance(request.data, dict):
        raise ValidationFailed(_("Expected a JSON object."))
    return request.data


# ---------------------------------------------------------------- serializers


class TemporaryControlSerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = TemporaryControl
        fields = ["id", "number", "title_zh", "title_en", "description_zh", "description_en",
                  "control_code", "hs_codes", "destinations", "announcement", "starts_on", "ends_on",
                  "extensions", "state", "in_force", "review_reminded_for", "end_reason", "ended_at",
                  "created_at", "version"]

    def get_in_force(self, obj) -> bool:
        return obj.in_force()


class TemporaryControlInputSerializer(serializers.Serializer):
    title_zh = serializers.CharField(max_length=300)
    title_en = serializers.CharField(max_length=300)
    description_zh = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    description_en = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    control_code = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                         help_text="Optional; the item is outside the list")
    hs_codes = serializers.ListField(child=serializers.CharField(max_length=10), required=False,
                                     help_text="4 to 10 digits each")
    destinations = serializers.ListField(child=serializers.CharField(max_length=2), required=False,
                                         help_text="ISO 3166 codes; empty: every destination")
    announcement = serializers.CharField(required=False, allow_blank=True, max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="Before starts_on plus two years (Reg. 12)")


class ExtendInputSerializer(serializers.Serializer):
    new_ends_on = serializers.DateField(help_text="At most two years after the current end date")
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you last read; a stale one is refused (409).")


class ControlReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    version = serializers.IntegerField(required=False, min_value=1)


class ProhibitionSerializer(serializers.ModelSerializer):
    destination = serializers.CharField(source="destination.code", allow_blank=True)
    party_country = serializers.CharField(source="party_country.code", allow_blank=True)
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Prohibition
        fields = ["id", "number", "item_code", "temporary_control", "item_description", "destination",
                  "party_name", "party_country", "reason_zh", "reason_en", "announcement",
                  "effective_from", "effective_until", "in_force", "revoked_at", "revoke_reason",
                  "created_at"]

    def get_in_force(self, obj) -> bool:
        return obj.in_force()


class ProhibitionInputSerializer(serializers.Serializer):
    item_code = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                      help_text="A code or a code prefix, e.g. 1C9")
    temporary_control = serializers.IntegerField(required=False, allow_null=True)
    item_description = serializers.CharField(required=False, allow_blank=True, max_length=300)
    destination = serializers.CharField(required=False, allow_blank=True, max_length=2)
    party_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    party_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    reason_zh = serializers.CharField(max_length=5000)
    reason_en = serializers.CharField(max_length=5000)
    announcement = serializers.CharField(required=False, allow_blank=True, max_length=200)
    effective_from = serializers.DateField()
    effective_until = serializers.DateField(required=False, allow_null=True)


class DeterminationItemSerializer(serializers.Serializer):
    control_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    hs_code = serializers.CharField(required=False, allow_blank=True, max_length=10)


class CatchAllSerializer(serializers.Serializer):
    national_security = serializers.BooleanField(required=False, allow_null=True)
    wmd = serializers.BooleanField(required=False, allow_null=True)
    terrorism = serializers.BooleanField(required=False, allow_null=True)


class DeterminationInputSerializer(serializers.Serializer):
    items = DeterminationItemSerializer(many=True, max_length=determination.MAX_ITEMS, min_length=1)
    destination = serializers.CharField(max_length=2, help_text="ISO 3166 code")
    end_user_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    end_user_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    importer_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    importer_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    end_use = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    catch_all = CatchAllSerializer(required=False, allow_null=True,
                                   help_text="The three catch-all answers (Law 12(3)); null: unanswered")


class LegalCitationSerializer(serializers.Serializer):
    law = serializers.CharField()
    article = serializers.CharField()
    text = serializers.CharField()


class LicenceRouteSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["individual", "general", "registration"])
    name = serializers.CharField()
    status = serializers.CharField(help_text="open, conditional or closed")
    reason = serializers.CharField()


class CatchAllQuestionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(determination.QUESTION_KEYS))
    text = serializers.CharField()
    explanation = serializers.CharField()
    answer = serializers.BooleanField(allow_null=True)


class DeterminationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=determination.Outcome.values)
    outcome_label = serializers.CharField()
    on = serializers.DateField()
    list_version = serializers.DictField(allow_null=True)
    citations = LegalCitationSerializer(many=True)
    routes = LicenceRouteSerializer(many=True)
    prohibitions = serializers.ListField(child=serializers.DictField())
    items = serializers.ListField(child=serializers.DictField())
    questions = CatchAllQuestionSerializer(many=True)
    cautions = serializers.ListField(child=serializers.CharField())
    notices = serializers.ListField(child=serializers.DictField(), required=False,
                                    help_text="Catch-all notices (Law 12(3)) in force for you that cover this export")


# ---------------------------------------------------------------- temporary controls


class TemporaryControlListView(GenericAPIView):
    write_roles = MINISTRY_ROLES
    serializer_class = TemporaryControlSerializer
    queryset = TemporaryControl.objects.all()

    @extend_schema(summary="Temporary controls (临时管制)",
                   responses={200: TemporaryControlSerializer(many=True), 404: NO_SUCH_PAGE})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TemporaryControlSerializer(page, many=True).data)

    @extend_schema(summary="Ministry: add a temporary control (Law 9, Reg. 12)",
                   request=TemporaryControlInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: TemporaryControlSerializer, **ERRORS})
    def post(self, request):
        TemporaryControlInputSerializer(data=request.data).is_valid(raise_exception=True)
        control = services.temporary_control_create(actor=request.user, data=_payload(request),
                                                    client_token=idempotency_key(request))
        return Response(TemporaryControlSerializer(control).data, status=status.HTTP_201_CREATED)


class TemporaryControlDetailView(APIView):
    @extend_schema(summary="One temporary control", responses={200: TemporaryControlSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(TemporaryControlSerializer(get_object_or_404(TemporaryControl, pk=pk)).data)


class TemporaryControlExtendView(APIView):
    write_roles = MINISTRY_ROLES
    @extend_schema(summary="Ministry: extend (at most twice, two years each)", request=ExtendInputSerializer,
                   responses={200: TemporaryControlSerializer, **ERRORS})
    def post(self, request, pk):
        form = ExtendInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        control = services.temporary_control_extend(
            actor=request.user, control_id=pk, new_ends_on=form.validated_data["new_ends_on"],
            expected_version=form.validated_data.get("version"))
        return Response(TemporaryControlSerializer(control).data)


class TemporaryControlCancelView(APIView):
    write_roles = MINISTRY_ROLES
    service = staticmethod(services.temporary_control_cancel)

    @extend_schema(summary="Ministry: cancel", request=ControlReasonInputSerializer,
                   responses={200: TemporaryControlSerializer, **ERRORS})
    def post(self, request, pk):
        form = ControlReasonInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        control = self.service(actor=request.user, control_id=pk, reason=form.validated_data["reason"],
                               expected_version=form.validated_data.get("version"))
        return Response(TemporaryControlSerializer(control).data)


class TemporaryControlMoveToListView(TemporaryControlCancelView):
    service = staticmethod(services.temporary_control_list_move)

    @extend_schema(summary="Ministry: end it because the item moves onto the list", request=ControlReasonInputSerializer,
                   responses={200: TemporaryControlSerializer, **ERRORS})
    def post(self, request, pk):
        return super().post(request, pk)


# ---------------------------------------------------------------- prohibitions


class ProhibitionListView(GenericAPIView):
    write_roles = MINISTRY_ROLES
    serializer_class = ProhibitionSerializer
    queryset = Prohibition.objects.all()

    @extend_schema(summary="Prohibitions (Law 10, Reg. 13)",
                   responses={200: ProhibitionSerializer(many=True), 404: NO_SUCH_PAGE})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProhibitionSerializer(page, many=True).data)

    @extend_schema(summary="Ministry: add a prohibition", request=ProhibitionInputSerializer,
                   parameters=[IDEMPOTENCY_KEY], responses={201: ProhibitionSerializer, **ERRORS})
    def post(self, request):
        ProhibitionInputSerializer(data=request.data).is_valid(raise_exception=True)
        ban = services.prohibition_create(actor=request.user, data=_payload(request),
                                          client_token=idempotency_key(request))
        return Response(ProhibitionSerializer(ban).data, status=status.HTTP_201_CREATED)


class ProhibitionDetailView(APIView):
    @extend_schema(summary="One prohibition", responses={200: ProhibitionSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(ProhibitionSerializer(get_object_or_404(Prohibition, pk=pk)).data)


class ProhibitionRevokeView(APIView):
    write_roles = MINISTRY_ROLES
    @extend_schema(summary="Ministry: revoke a prohibition", request=ControlReasonInputSerializer,
                   responses={200: ProhibitionSerializer, **ERRORS})
    def post(self, request, pk):
        form = ControlReasonInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ban = services.prohibition_revoke(actor=request.user, prohibition_id=pk,
                                          reason=form.validated_data["reason"])
        return Response(ProhibitionSerializer(ban).data)


# ---------------------------------------------------------------- determinations


class DeterminationView(APIView):
    @extend_schema(summary="Do I need a licence? (prohibited / licence required / catch-all / not controlled)",
                   request=DeterminationInputSerializer,
                   responses={200: DeterminationSerializer,
                              400: OpenApiResponse(description="Invalid input")})
    def post(self, request):
        DeterminationInputSerializer(data=request.data).is_valid(raise_exception=True)
        kwargs = determination.clean_request(_payload(request))
        exporter = request.user.organisation if request.user.is_exporter else None
        answer = determination.determine(exporter=exporter, **kwargs)
        return Response(answer.as_dict())
