"""REST API of screening: the hits on a party (ministry) and the officer's judgement."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from enduser.models import HitState, ScreeningHit
from enduser.screening import services
from enduser.screening.selectors import hits_visible_to
from portal.api import SafeJSONParser, StrictCharField
from portal.errors import NotFound


class HitSerializer(serializers.ModelSerializer):
    list_kind = serializers.CharField(source="listed.list_kind", read_only=True)
    announcement = serializers.CharField(source="listed.announcement", read_only=True)

    class Meta:
        model = ScreeningHit
        fields = ["id", "party", "party_name", "listed", "listed_name", "listed_version", "list_kind", "announcement",
                  "score", "why", "parts", "versions", "fuzzy", "identifier_conflict", "branch", "state", "note",
                  "decided_at", "screened_at", "version"]
        read_only_fields = fields


class DecideSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=[HitState.TRUE, HitState.FALSE])
    note = StrictCharField(required=False, allow_blank=True, max_length=services.NOTE_MAX_CHARS)
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


ERRORS = {400: OpenApiResponse(description="Bad input"), 403: OpenApiResponse(description="Not the ministry"),
          404: OpenApiResponse(description="No such hit"), 409: OpenApiResponse(description="Stale or closed")}


class HitDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One screening hit with its explanation (ministry)", responses={200: HitSerializer, **ERRORS})
    def get(self, request, pk):
        hit = hits_visible_to(request.user).select_related("listed").filter(pk=pk).first()
        if hit is None:
            raise NotFound()
        return Response(HitSerializer(hit).data)


class HitDecideView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Judge a screening hit: the same party (true) or not (false, with a reason)",
                   request=DecideSerializer, responses={200: HitSerializer, **ERRORS})
    def post(self, request, pk):
        if not hits_visible_to(request.user).filter(pk=pk).exists():
            raise NotFound()
        form = DecideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        hit = services.hit_decide(hit_id=pk, actor=request.user, verdict=form.validated_data["verdict"],
                                  note=form.validated_data.get("note", ""),
                                  expected_version=form.validated_data.get("version"))
        return Response(HitSerializer(hit).data)
