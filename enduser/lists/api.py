"""REST API of the Control List and the Watch List. Anyone reads the entries (no sign-in);
ministry officers publish, remove, import and read the changes. Views only translate HTTP to
service calls."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from enduser.lists import ownership, selectors, services
from enduser.lists.serializers import (
    ListChangeSerializer,
    ListedPartyInputSerializer,
    ListedPartySerializer,
    ListImportResultSerializer,
    ListImportUploadSerializer,
    OwnershipLinkDetailSerializer,
    OwnershipLinkEndInputSerializer,
    OwnershipLinkImportResultSerializer,
    OwnershipLinkImportUploadSerializer,
    OwnershipLinkInputSerializer,
    OwnershipLinkSerializer,
    OwnershipLinkVersionSerializer,
    RemoveInputSerializer,
)
from enduser.models import ListChange, ListedParty, ListKind, OwnershipLink
from portal.api import error_body, idempotency_key
from portal.errors import NotAllowed, ValidationFailed

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Only ministry officers may do this"),
    404: OpenApiResponse(description="No such entry"),
    409: OpenApiResponse(description="Already removed, or a stale version"),
}
NO_SUCH_PAGE = OpenApiResponse(description="No such page")
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the entry already made")


def _require_ministry(request) -> None:
    if not selectors.is_ministry(request.user):
        raise NotAllowed()


def _context() -> dict:
    return {"today": timezone.localdate()}


class ListedPartyListView(GenericAPIView):
    serializer_class = ListedPartySerializer
    queryset = ListedParty.objects.none()  # for the schema; the entries come from the selectors
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        summary="Entries in force on the Control List (管控名单) and the Watch List (关注名单); no sign-in needed",
        parameters=[
            OpenApiParameter("list_kind", str, enum=ListKind.values, description="Only this list"),
            OpenApiParameter("q", str, description=f"Words in the names, aliases, announcement or country, "
                                                   f"in either script (at most {selectors.MAX_QUERY} characters)"),
        ],
        responses={200: ListedPartySerializer(many=True), 400: ERRORS[400], 404: NO_SUCH_PAGE},
    )
    def get(self, request):
        list_kind = request.query_params.get("list_kind") or None
        q = request.query_params.get("q", "")
        if list_kind is not None and list_kind not in ListKind.values:
            raise ValidationFailed(fields={"list_kind": [_("Choose control or watch.")]})
        if len(q) > selectors.MAX_QUERY or "\x00" in q:
            raise ValidationFailed(fields={"q": [_("At most 200 characters of text.")]})
        page = self.paginate_queryset(selectors.entries_search(q=q, list_kind=list_kind))
        return self.get_paginated_response(ListedPartySerializer(page, many=True, context=_context()).data)

    @extend_schema(summary="Ministry: publish an entry (Law 18, Reg. 26, 28)", request=ListedPartyInputSerializer,
                   parameters=[IDEMPOTENCY_KEY], responses={201: ListedPartySerializer, 400: ERRORS[400],
                                                            403: ERRORS[403]})
    def post(self, request):
        _require_ministry(request)
        form = ListedPartyInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        party = services.listed_party_publish(actor=request.user, data=dict(form.validated_data),
                                              client_token=idempotency_key(request))
        return Response(ListedPartySerializer(party, context=_context()).data, status=status.HTTP_201_CREATED)


class ListedPartyDetailView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(summary="One entry (in force, future or removed); no sign-in needed",
                   responses={200: ListedPartySerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        party = get_object_or_404(selectors.entries_visible_to(request.user), pk=pk)
        return Response(ListedPartySerializer(party, context=_context()).data)


class ListedPartyRemoveView(APIView):
    @extend_schema(summary="Ministry: remove an entry from its list (Reg. 26, 30)", request=RemoveInputSerializer,
                   responses={200: ListedPartySerializer, **ERRORS})
    def post(self, request, pk):
        _require_ministry(request)
        form = RemoveInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        party = services.listed_party_remove(actor=request.user, listed_id=pk, removed_on=data["removed_on"],
                                             announcement=data["announcement"], expected_version=data["version"])
        return Response(ListedPartySerializer(party, context=_context()).data)


class ListImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Ministry: publish every entry of a CSV or JSON file, or none (400 lists every bad row)",
        request={"multipart/form-data": ListImportUploadSerializer},
        responses={201: ListImportResultSerializer, 200: OpenApiResponse(ListImportResultSerializer, description=(
            "The same file was imported before: its entries, nothing new")),
            400: OpenApiResponse(description="The file or rows of it are wrong (`rows`: row, field, messages); "
                                             "nothing changed"),
            403: ERRORS[403]},
    )
    def post(self, request):
        _require_ministry(request)
        try:
            result = services.list_import(actor=request.user, upload=request.FILES.get("file"))
        except services.ImportRefused as exc:
            body = error_body(exc.code, exc.message, {key: [str(m) for m in value] for key, value in exc.fields.items()})
            return Response({**body, "rows": [error.as_dict() for error in exc.rows]}, status=400)
        data = {"published": 0 if result.replayed else len(result.entries), "replayed": result.replayed,
                "entries": ListedPartySerializer(result.entries, many=True, context=_context()).data}
        return Response(data, status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)


class ListChangeListView(GenericAPIView):
    serializer_class = ListChangeSerializer
    queryset = ListChange.objects.none()  # for the schema; the rows come from the selectors

    @extend_schema(
        summary="Ministry: every change to the lists, in order (additions and removals, with snapshots)",
        parameters=[OpenApiParameter("after", int, description="Only changes with a greater id")],
        responses={200: ListChangeSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403], 404: NO_SUCH_PAGE},
    )
    def get(self, request):
        _require_ministry(request)
        after = request.query_params.get("after")
        if after not in (None, "") and not (after.isascii() and after.isdigit() and len(after) < 19):
            raise ValidationFailed(fields={"after": [_("Give a change id.")]})
        rows = selectors.changes(after=int(after) if after else None)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ListChangeSerializer(page, many=True).data)


# ---------------------------------------------------------------- ownership links


LINK_ERRORS = {**ERRORS, 404: OpenApiResponse(description="No such link"),
               409: OpenApiResponse(description="Already ended, or a stale version")}


def _link_data(validated: dict) -> dict:
    data = dict(validated)
    data.pop("version", None)
    if "owned_identifiers" in data:
        data["owned_identifiers"] = dict(data["owned_identifiers"])
    return data


class OwnershipLinkListView(GenericAPIView):
    serializer_class = OwnershipLinkSerializer
    queryset = OwnershipLink.objects.none()  # for the schema; the links come from the selectors
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(summary="Ownership links: for the public those in force below entries in force; every link for "
                           "the ministry", responses={200: OwnershipLinkSerializer(many=True), 404: NO_SUCH_PAGE})
    def get(self, request):
        page = self.paginate_queryset(selectors.links_visible_to(request.user).order_by("pk"))
        return self.get_paginated_response(OwnershipLinkSerializer(page, many=True).data)

    @extend_schema(summary="Ministry: publish an ownership link (MOFCOM Announcement 2025 No. 61 §II)",
                   request=OwnershipLinkInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: OwnershipLinkSerializer, 400: ERRORS[400], 403: ERRORS[403]})
    def post(self, request):
        _require_ministry(request)
        form = OwnershipLinkInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        link = ownership.ownership_link_publish(actor=request.user, data=_link_data(form.validated_data),
                                                client_token=idempotency_key(request))
        return Response(OwnershipLinkSerializer(link).data, status=status.HTTP_201_CREATED)


class OwnershipLinkDetailView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(summary="One ownership link (with its history for the ministry)",
                   responses={200: OwnershipLinkDetailSerializer, 404: LINK_ERRORS[404]})
    def get(self, request, pk):
        link = get_object_or_404(selectors.links_visible_to(request.user), pk=pk)
        context = {"ministry": selectors.is_ministry(request.user)}
        return Response(OwnershipLinkDetailSerializer(link, context=context).data)


class OwnershipLinkChangeView(APIView):
    @extend_schema(summary="Ministry: correct an ownership link (the owner stays; every version is kept)",
                   request=OwnershipLinkVersionSerializer, responses={200: OwnershipLinkSerializer, **LINK_ERRORS})
    def post(self, request, pk):
        _require_ministry(request)
        form = OwnershipLinkVersionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        link = ownership.ownership_link_change(actor=request.user, link_id=pk, data=_link_data(form.validated_data),
                                               expected_version=form.validated_data["version"])
        return Response(OwnershipLinkSerializer(link).data)


class OwnershipLinkEndView(APIView):
    @extend_schema(summary="Ministry: end an ownership link on a day", request=OwnershipLinkEndInputSerializer,
                   responses={200: OwnershipLinkSerializer, **LINK_ERRORS})
    def post(self, request, pk):
        _require_ministry(request)
        form = OwnershipLinkEndInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        link = ownership.ownership_link_end(actor=request.user, link_id=pk, end_on=data["end_on"],
                                            evidence=data["evidence"], expected_version=data["version"])
        return Response(OwnershipLinkSerializer(link).data)


class OwnershipLinkImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Ministry: publish every ownership link of a CSV or JSON file, or none (400 lists every bad row)",
        request={"multipart/form-data": OwnershipLinkImportUploadSerializer},
        responses={201: OwnershipLinkImportResultSerializer,
                   200: OpenApiResponse(OwnershipLinkImportResultSerializer,
                                        description="The same file was imported before: its links, nothing new"),
                   400: OpenApiResponse(description="The file or rows of it are wrong (`rows`: row, field, "
                                                    "messages); nothing changed"),
                   403: ERRORS[403]},
    )
    def post(self, request):
        _require_ministry(request)
        try:
            result = ownership.ownership_links_import(actor=request.user, upload=request.FILES.get("file"))
        except services.ImportRefused as exc:
            body = error_body(exc.code, exc.message, {key: [str(m) for m in value] for key, value in exc.fields.items()})
            return Response({**body, "rows": [error.as_dict() for error in exc.rows]}, status=400)
        data = {"published": 0 if result.replayed else len(result.links), "replayed": result.replayed,
                "links": OwnershipLinkSerializer(result.links, many=True).data}
        return Response(data, status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)
