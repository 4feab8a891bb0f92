"""REST API of the address book: the exporter lists, searches, adds, edits and archives its own
parties; the ministry reads every exporter's. Views only translate HTTP to service calls."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from enduser.models import Party
from enduser.parties import selectors, services
from enduser.parties.serializers import (
    AddressBookArchiveSerializer,
    AddressBookPartyInputSerializer,
    AddressBookPartySerializer,
    AddressBookPartyUpdateSerializer,
)
from portal.api import SafeJSONParser, idempotency_key
from portal.errors import NotAllowed, NotFound

ERRORS = {400: OpenApiResponse(description="Bad input; nothing changed"),
          403: OpenApiResponse(description="Role not allowed"),
          404: OpenApiResponse(description="No such party, or not yours"),
          409: OpenApiResponse(description="Stale version")}
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                   description="A UUID; repeating it returns the party already made")


def _browse(request) -> None:
    if not selectors.can_browse(request.user):
        raise NotAllowed()


def _visible(request, pk) -> Party:
    _browse(request)
    party = selectors.parties_visible_to(request.user).select_related("exporter").filter(pk=pk).first()
    if party is None:
        raise NotFound()
    return party


class PartyListView(GenericAPIView):
    serializer_class = AddressBookPartySerializer
    queryset = Party.objects.none()  # for the schema; the rows come from the selectors
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Parties: an exporter its own address book, the ministry every exporter's",
                   parameters=[OpenApiParameter("q", str, description="Search names, aliases, numbers, address"),
                               OpenApiParameter("archived", bool, description="The archived parties instead")],
                   responses={200: AddressBookPartySerializer(many=True), 403: ERRORS[403],
                              404: OpenApiResponse(description="No such page")})
    def get(self, request):
        _browse(request)
        archived = request.query_params.get("archived", "").lower() in ("1", "true")
        rows = selectors.party_search(request.user, q=request.query_params.get("q", ""), archived=archived)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AddressBookPartySerializer(page, many=True).data)

    @extend_schema(summary="Exporter: add a party to your address book (screened at once)",
                   request=AddressBookPartyInputSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: AddressBookPartySerializer, 200: AddressBookPartySerializer, **ERRORS})
    def post(self, request):
        if not request.user.is_exporter:
            raise NotAllowed()
        form = AddressBookPartyInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        party, created = services.party_create(actor=request.user, data=dict(form.validated_data),
                                               client_token=idempotency_key(request))
        return Response(AddressBookPartySerializer(party).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PartyDetailView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="One party", responses={200: AddressBookPartySerializer, **ERRORS})
    def get(self, request, pk):
        return Response(AddressBookPartySerializer(_visible(request, pk)).data)

    @extend_schema(summary="Exporter: edit a party (only the fields given; cases already filed keep theirs)",
                   request=AddressBookPartyUpdateSerializer, responses={200: AddressBookPartySerializer, **ERRORS})
    def patch(self, request, pk):
        _visible(request, pk)
        form = AddressBookPartyUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {key: value for key, value in form.validated_data.items() if key != "version"}
        party = services.party_update(actor=request.user, party_id=pk, data=data,
                                      expected_version=form.validated_data.get("version"))
        return Response(AddressBookPartySerializer(party).data)


class PartyArchiveView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Exporter: archive a party (or bring it back with archived=false)",
                   request=AddressBookArchiveSerializer, responses={200: AddressBookPartySerializer, **ERRORS})
    def post(self, request, pk):
        _visible(request, pk)
        form = AddressBookArchiveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        party = services.party_archive(actor=request.user, party_id=pk, archived=form.validated_data["archived"],
                                       expected_version=form.validated_data.get("version"))
        return Response(AddressBookPartySerializer(party).data)
