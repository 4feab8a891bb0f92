"""REST API for finding control-list entries: search, and one entry with its sub-items, regime,
agencies (from the routing rules) and history. Any signed-in user; drafts only for the ministry (ListVersion.visible_to).
The synonym table: ministry officers only."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from controllist.regime import CASE_CONDITION_LABELS
from controllist.search import services
from controllist.search.engine import MAX_QUERY_LENGTH, search
from controllist.search.selectors import synonyms_visible_to
from controllist.search.serializers import (
    SearchSynonymDeleteSerializer,
    SearchSynonymInputSerializer,
    SearchSynonymSerializer,
)
from controllist.search.views import chosen_version, entry_detail, entry_url
from portal.api import idempotency_key
from portal.errors import NotAllowed, NotFound, ValidationFailed

ERRORS = {
    400: OpenApiResponse(description="Missing, blank or too long query; bad limit or offset; unknown version"),
    403: OpenApiResponse(description="Not signed in"),
}


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH,
                              help_text="Code or prefix, words (Chinese or English), pinyin or HS code")
    version = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                    help_text="List version label; default: the version in force")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=10_000, default=0)


class VersionRefSerializer(serializers.Serializer):
    label = serializers.CharField()
    effective_from = serializers.DateField()
    state = serializers.CharField()


class SearchHitSerializer(serializers.Serializer):
    code = serializers.CharField()
    description_zh = serializers.CharField()
    description_en = serializers.CharField()
    highlight_zh = serializers.CharField(help_text="HTML: escaped text, matches in <mark>")
    highlight_en = serializers.CharField(help_text="HTML: escaped text, matches in <mark>")
    score = serializers.IntegerField()
    uncertain = serializers.BooleanField()
    url = serializers.CharField(help_text="The entry's page")


class SearchResponseSerializer(serializers.Serializer):
    version = VersionRefSerializer(allow_null=True)
    total = serializers.IntegerField()
    results = SearchHitSerializer(many=True)


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class RoutingReasonSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The routing rule")
    name_zh = serializers.CharField(help_text="The rule's reason (Chinese)")
    name_en = serializers.CharField(help_text="The rule's reason (English)")


class AgencySerializer(AgencyRefSerializer):
    reasons = RoutingReasonSerializer(many=True, help_text="The routing rules that propose the agency for "
                                                             "this code, whatever the case")


class ConditionalRuleSerializer(RoutingReasonSerializer):
    depends_on = serializers.ListField(
        child=serializers.ChoiceField(choices=list(CASE_CONDITION_LABELS)),
        help_text="The case conditions the rule also needs")
    agencies = AgencyRefSerializer(many=True, help_text="The agencies the rule adds when the case meets them")


class RegimeSerializer(serializers.Serializer):
    regime_zh = serializers.CharField(allow_blank=True)
    regime_en = serializers.CharField(allow_blank=True)
    reason_zh = serializers.CharField(allow_blank=True)
    reason_en = serializers.CharField(allow_blank=True)
    agencies = AgencySerializer(many=True, help_text="Agencies the routing rules consult on this code alone")
    conditional_rules = ConditionalRuleSerializer(many=True, help_text="Routing rules that match the code "
                                                                        "but also depend on the case")


class EntryNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    description_zh = serializers.CharField()
    description_en = serializers.CharField()
    uncertain = serializers.BooleanField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Nodes of the same shape")


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryStepSerializer(serializers.Serializer):
    version = VersionRefSerializer()
    change = serializers.ChoiceField(choices=["added", "changed", "unchanged", "removed"])
    changes = ChangeSerializer(many=True)


class EntryDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    parent = serializers.CharField(allow_blank=True)
    description_zh = serializers.CharField()
    description_en = serializers.CharField()
    parameters_zh = serializers.CharField(allow_blank=True)
    parameters_en = serializers.CharField(allow_blank=True)
    hs_codes = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField(allow_blank=True)
    uncertain = serializers.BooleanField()
    sector = serializers.DictField()
    item_type = serializers.DictField()
    version = VersionRefSerializer()
    regime = RegimeSerializer()
    children = EntryNodeSerializer(many=True)
    history = HistoryStepSerializer(many=True)


def _version_ref(version) -> dict | None:
    if version is None:
        return None
    return {"label": version.label, "effective_from": version.effective_from.isoformat(),
            "state": version.state}


class SearchView(APIView):
    @extend_schema(
        summary="Search the control list",
        parameters=[SearchParamsSerializer],
        responses={200: SearchResponseSerializer, **ERRORS},
    )
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        if not params.is_valid():
            raise ValidationFailed(fields=params.errors)
        data = params.validated_data
        try:
            version = chosen_version(request.user, data.get("version"))
        except NotFound as exc:  # an unknown label, or a draft the user may not see
            raise ValidationFailed(exc.message, fields={"version": [exc.message]})
        if version is None:
            return Response({"version": None, "total": 0, "results": []})
        result = search(data["q"], version=version, limit=data["limit"], offset=data["offset"])
        return Response({
            "version": _version_ref(version),
            "total": result.total,
            "results": [{
                "code": hit.entry.code,
                "description_zh": hit.entry.description_zh,
                "description_en": hit.entry.description_en,
                "highlight_zh": str(hit.description_zh_html),
                "highlight_en": str(hit.description_en_html),
                "score": hit.score,
                "uncertain": hit.entry.uncertain,
                "url": entry_url(version, hit.entry),
            } for hit in result.hits],
        })


def _agency(agency) -> dict:
    return {"code": agency.code, "name_zh": agency.name_zh, "name_en": agency.name_en}


def _reason(rule) -> dict:
    return {"id": rule.id, "name_zh": rule.name_zh, "name_en": rule.name_en}


def _node(node) -> dict:
    entry = node.entry
    return {"code": entry.code, "description_zh": entry.description_zh,
            "description_en": entry.description_en, "uncertain": entry.uncertain,
            "children": [_node(child) for child in node.children]}


class EntryView(APIView):
    @extend_schema(
        summary="One control-list entry with sub-items, regime, agencies and history",
        parameters=[OpenApiParameter("label", str, OpenApiParameter.PATH, description="List version label"),
                    OpenApiParameter("code", str, OpenApiParameter.PATH, description="e.g. 1C902.a",
                                     pattern=r"^[0-9][A-Ea-e][0-9]{3}(\.[a-z0-9]{1,2})*$")],
        responses={200: EntryDetailSerializer,
                   403: OpenApiResponse(description="Not signed in"),
                   404: OpenApiResponse(description="No such version or code, or a draft you may not see")},
    )
    def get(self, request, label, code):
        detail = entry_detail(request.user, label, code)
        entry, regime = detail.entry, detail.regime
        snapshot = entry.snapshot()
        return Response({
            "code": entry.code,
            "parent": snapshot["parent"],
            "description_zh": entry.description_zh,
            "description_en": entry.description_en,
            "parameters_zh": entry.parameters_zh,
            "parameters_en": entry.parameters_en,
            "hs_codes": snapshot["hs_codes"],
            "notes": entry.notes,
            "uncertain": entry.uncertain,
            "sector": {"digit": entry.code[0], "name": str(detail.sector_name)},
            "item_type": {"letter": entry.code[1], "name": str(detail.item_type_name)},
            "version": _version_ref(detail.version),
            "regime": {
                "regime_zh": regime.regime_zh, "regime_en": regime.regime_en,
                "reason_zh": regime.reason_zh, "reason_en": regime.reason_en,
                "agencies": [{**_agency(consulted.agency), "reasons": [_reason(rule) for rule in consulted.reasons]}
                             for consulted in regime.consulted],
                "conditional_rules": [{**_reason(rule), "depends_on": list(rule.case_conditions),
                                       "agencies": [_agency(agency) for agency in rule.agencies]}
                                      for rule in regime.conditional],
            },
            "children": [_node(node) for node in detail.children],
            "history": [{
                "version": _version_ref(step.version),
                "change": step.kind,
                "changes": [{"field": name, "old": old, "new": new} for name, _label, old, new in step.changes],
            } for step in detail.history],
        })


# ---------------------------------------------------------------- the synonym table (ministry)


SYNONYM_ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Only ministry officers"),
    404: OpenApiResponse(description="No such synonym"),
    409: OpenApiResponse(description="A stale version"),
}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the pair already made")


def _ministry_only(request) -> None:
    # Before the body is read: a caller who may not act hears 403, not a validation error.
    if not request.user.is_authenticated or not request.user.is_ministry:
        raise NotAllowed(_("Only ministry officers maintain the search synonyms."))


def _synonym_input(request) -> dict:
    if not isinstance(request.data, dict) and not hasattr(request.data, "dict"):
        raise ValidationFailed(_("Expected a JSON object."))
    form = SearchSynonymInputSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    return form.validated_data


class SynonymListView(GenericAPIView):
    serializer_class = SearchSynonymSerializer

    def get_queryset(self):
        return synonyms_visible_to(self.request.user)

    @extend_schema(summary="Ministry: the search synonym table",
                   responses={200: SearchSynonymSerializer(many=True), **SYNONYM_ERRORS})
    def get(self, request):
        _ministry_only(request)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SearchSynonymSerializer(page, many=True).data)

    @extend_schema(summary="Ministry: add a synonym pair (re-indexes every list version)",
                   request=SearchSynonymInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: SearchSynonymSerializer, **SYNONYM_ERRORS})
    def post(self, request):
        _ministry_only(request)
        data = _synonym_input(request)
        synonym = services.synonym_create(actor=request.user, data=data, client_token=idempotency_key(request))
        return Response(SearchSynonymSerializer(synonym).data, status=status.HTTP_201_CREATED)


class SynonymDetailView(APIView):
    def _get(self, request, pk):
        synonym = synonyms_visible_to(request.user).filter(pk=pk).first()
        if synonym is None:
            raise NotFound()
        return synonym

    @extend_schema(summary="Ministry: one synonym pair", responses={200: SearchSynonymSerializer, **SYNONYM_ERRORS})
    def get(self, request, pk):
        _ministry_only(request)
        return Response(SearchSynonymSerializer(self._get(request, pk)).data)

    @extend_schema(summary="Ministry: change a synonym pair", request=SearchSynonymInputSerializer,
                   responses={200: SearchSynonymSerializer, **SYNONYM_ERRORS})
    def put(self, request, pk):
        _ministry_only(request)
        data = _synonym_input(request)
        synonym = services.synonym_update(actor=request.user, synonym_id=pk, data=data,
                                          expected_version=data.get("version"))
        return Response(SearchSynonymSerializer(synonym).data)

    @extend_schema(summary="Ministry: delete a synonym pair", request=SearchSynonymDeleteSerializer,
                   parameters=[OpenApiParameter("version", int, description="The version you last read")],
                   responses={204: None, **SYNONYM_ERRORS})
    def delete(self, request, pk):
        _ministry_only(request)
        raw = request.query_params.get("version")
        form = SearchSynonymDeleteSerializer(data={"version": raw} if raw not in (None, "") else {})
        form.is_valid(raise_exception=True)
        services.synonym_delete(actor=request.user, synonym_id=pk, expected_version=form.validated_data.get("version"))
        return Response(status=status.HTTP_204_NO_CONTENT)
