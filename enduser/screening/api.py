"""REST API of screening: the hits on a party (ministry), the officer's judgement, and the
rescreening jobs after list changes (ministry)."""

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import MINISTRY_ROLES
from enduser.models import HitState, RescreenJob, ScreeningHit
from enduser.screening import services
from enduser.screening.selectors import hits_visible_to, rescreen_jobs_visible_to
from portal.api import SafeJSONParser, StrictCharField
from portal.errors import NotAllowed, NotFound


class HitSerializer(serializers.ModelSerializer):
    list_kind = serializers.CharField(source="listed.list_kind", read_only=True)
    announcement = serializers.CharField(source="listed.announcement", read_only=True)
    ownership_message = serializers.SerializerMethodField(
        help_text="The ownership finding in the request's language (empty for a hit on the name alone)")

    class Meta:
        model = ScreeningHit
        fields = ["id", "party", "party_name", "listed", "listed_name", "listed_version", "list_kind", "announcement",
                  "score", "why", "parts", "versions", "fuzzy", "identifier_conflict", "branch", "ownership",
                  "ownership_message", "state", "note",
                  "decided_at", "screened_at", "version"]
        read_only_fields = fields


    def get_ownership_message(self, hit) -> str:
        found = hit.ownership or {}
        if not found:
            return ""
        if found.get("in_force"):
            return gettext("Owned %(percent)s%% by listed parties (threshold %(threshold)s%%): %(paths)s") % {
                "percent": found.get("percent"), "threshold": found.get("threshold"), "paths": _paths(found)}
        return gettext("Owned %(percent)s%% by listed parties; ownership rule not in force: %(paths)s") % {
            "percent": found.get("percent"), "paths": _paths(found)}


def _paths(found: dict) -> str:
    return "; ".join(" → ".join([path["hops"][0]["owner"], *(f'{hop["owned"]} ({hop["percent"]}%)'
                                                             for hop in path["hops"])])
                     for path in found.get("paths", []))


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


class RescreenSerializer(serializers.ModelSerializer):
    class Meta:
        model = RescreenJob
        fields = ["id", "state", "change_ids", "parties_total", "parties_done", "percent", "new_hits", "closed_hits",
                  "created_at", "started_at", "heartbeat", "finished_at", "error"]
        read_only_fields = fields

    percent = serializers.IntegerField(read_only=True)


RESCREEN_ERRORS = {403: OpenApiResponse(description="Not the ministry"),
                   404: OpenApiResponse(description="No such job")}
RESCREENS_SHOWN = 100


def _ministry_jobs(request):
    if getattr(request.user, "role", None) not in MINISTRY_ROLES:
        raise NotAllowed()
    return rescreen_jobs_visible_to(request.user)


class RescreenListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Rescreening jobs after list changes, newest first (the last 100; ministry)",
                   responses={200: RescreenSerializer(many=True), 403: RESCREEN_ERRORS[403]})
    def get(self, request):
        return Response(RescreenSerializer(_ministry_jobs(request)[:RESCREENS_SHOWN], many=True).data)


class RescreenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One rescreening job: its state, progress and counts (ministry)",
                   responses={200: RescreenSerializer, **RESCREEN_ERRORS})
    def get(self, request, pk):
        job = _ministry_jobs(request).filter(pk=pk).first()
        if job is None:
            raise NotFound()
        return Response(RescreenSerializer(job).data)
