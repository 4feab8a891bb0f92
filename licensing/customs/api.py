"""The customs API: customs systems verify licences, write shipments off and reverse them, follow
licence changes and raise challenges, each with a scoped token (licensing.customs.auth); a system
administrator keeps the systems and their tokens. Views only translate HTTP to the services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.customs import challenges, selectors, services, tokens
from licensing.customs import serializers as s
from licensing.customs.auth import (
    CustomsSystemThrottle,
    CustomsTokenAuthentication,
    HasCustomsScope,
)
from licensing.models import CustomsScope, CustomsSystem
from portal.api import SafeJSONParser
from portal.api import exception_handler as portal_exception_handler
from portal.errors import NotAllowed, NotFound

AUTH = {401: OpenApiResponse(description="No customs token, or it is not valid or revoked "
                                         "(`token_invalid`, `token_revoked`)"),
        403: OpenApiResponse(description="The token lacks the scope this call needs (`scope_missing`), or the "
                                         "caller is a signed-in person, not a customs system "
                                         "(`customs_token_required`)"),
        429: OpenApiResponse(description="Too many requests from this customs system")}
NUMBER_404 = OpenApiResponse(description="`licence_unknown` (no such licence) or `licence_number_malformed` "
                                         "(the check character does not match)")
WRITE_ERRORS = {
    400: OpenApiResponse(description="Invalid input with field errors (`validation_failed`), an unknown item "
                                     "(`item_unknown`) or a unit that is not the licence item's (`unit_mismatch`)"),
    404: NUMBER_404,
    409: OpenApiResponse(description="`write_off_conflict` (the declaration line was written off with other "
                                     "content), `licence_not_valid` (+ licence_status, reason), `wrong_port` "
                                     "(+ licence_port), `shipment_used` (+ shipment_declaration), `over_draw` "
                                     "(+ remaining_quantity)"),
}


def _with_extra(exc, context):
    """The API's error shape, plus the facts a refusal carries (remaining quantity, port...)."""
    response = portal_exception_handler(exc, context)
    if response is not None and isinstance(getattr(exc, "extra", None), dict):
        response.data.update(exc.extra)
    return response


class CustomsView(APIView):
    # A signed-in person is recognised too, to be told (403 customs_token_required) that this API
    # takes a customs system's token; without any credentials the answer is 401.
    authentication_classes = [CustomsTokenAuthentication, SessionAuthentication, TokenAuthentication]
    permission_classes = [HasCustomsScope]
    throttle_classes = [CustomsSystemThrottle]
    parser_classes = [SafeJSONParser]

    def get_exception_handler(self):
        return _with_extra


class LicenceVerifyView(CustomsView):
    customs_scope = CustomsScope.VERIFY

    @extend_schema(summary="Verify a licence by number: status, whether it may be used today (and why not), "
                           "validity, exporter, destination, end user, port rules, and per item the licensed, "
                           "used and remaining quantity",
                   parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH, pattern=r"^[0-9A-Za-z]{1,20}$",
                                                description="The licence number, e.g. 2026MC000001J")],
                   responses={200: s.LicenceVerifySerializer, 404: NUMBER_404, **AUTH})
    def get(self, request, number):
        rows = selectors.verify_rows(services.check_number(number))
        if not rows:
            raise NotFound(_("No licence has this number."), code="licence_unknown")
        return Response(s.verify_body(rows))


class WriteOffView(CustomsView):
    customs_scope = CustomsScope.WRITE_OFF

    @extend_schema(summary="Write a shipment off against a licence item (核销). Idempotent on (declaration_number, "
                           "line): the same message again is answered 200 with `replayed: true` and counts once",
                   request=s.WriteOffInputSerializer,
                   responses={201: s.CustomsWriteOffSerializer, 200: s.CustomsWriteOffSerializer, **WRITE_ERRORS, **AUTH})
    def post(self, request):
        form = s.WriteOffInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        outcome = services.write_off_record(shipment=services.shipment(**form.validated_data),
                                            system=request.user.system)
        return Response(s.write_off_body(outcome.write_off, outcome.replayed),
                        status=status.HTTP_200_OK if outcome.replayed else status.HTTP_201_CREATED)


class WriteOffReverseView(CustomsView):
    customs_scope = CustomsScope.WRITE_OFF

    @extend_schema(summary="Reverse a write-off (the declaration was withdrawn): its quantity comes back. Only the "
                           "customs system that sent it may; twice is once (`replayed: true`)",
                   request=s.ReverseInputSerializer,
                   responses={200: s.CustomsWriteOffSerializer,
                              400: OpenApiResponse(description="A body that is not a JSON object with a text reason"),
                              404: OpenApiResponse(description="`write_off_unknown`"),
                              **AUTH, 403: OpenApiResponse(description="`not_your_write_off` (another system's), "
                                                                       "`scope_missing` or `customs_token_required`")})
    def post(self, request, declaration, line):
        form = s.ReverseInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        outcome = services.write_off_reverse(declaration_number=declaration, line=line, system=request.user.system,
                                             reason=form.validated_data.get("reason", ""))
        return Response(s.write_off_body(outcome.write_off, outcome.replayed))


class EventFeedView(CustomsView):
    customs_scope = CustomsScope.FEED

    @extend_schema(summary="Licence events after a cursor (issued, suspended, restored, revoked, surrendered, "
                           "expired, exhausted, cancelled, reopened), oldest first. Call again with "
                           "`after=<next>`: nothing is lost or repeated. `wait` (seconds, up to 25) holds the "
                           "call open until an event arrives",
                   parameters=[OpenApiParameter("after", int, description="The last seq you have read (0: all)"),
                               OpenApiParameter("limit", int, description=f"At most {selectors.FEED_MAX}"),
                               OpenApiParameter("wait", int, description="Long poll: seconds to wait for an event")],
                   responses={200: s.FeedSerializer, 400: OpenApiResponse(description="A bad cursor, limit or wait"),
                              **AUTH})
    def get(self, request):
        query = s.FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        events = selectors.wait_for_events(after, limit + 1, query.validated_data["wait"])
        page = events[:limit]
        return Response({"events": s.CustomsLicenceEventSerializer(page, many=True).data,
                         "next": page[-1].seq if page else after, "has_more": len(events) > limit})


class ChallengeListView(CustomsView):
    customs_scope = CustomsScope.CHALLENGE

    @extend_schema(summary="Raise a challenge (质疑) of goods suspected to be controlled but declared without a "
                           "licence; the exporter must answer within 7 working days. The same external_id again "
                           "returns the challenge already made (200)",
                   request=s.ChallengeInputSerializer,
                   responses={201: s.ChallengeSerializer, 200: s.ChallengeSerializer,
                              400: OpenApiResponse(description="Invalid input, an unknown exporter or port"),
                              409: OpenApiResponse(description="`no_calendar`: the answer date reaches into a year "
                                                               "whose official calendar is not entered yet"),
                              **AUTH})
    def post(self, request):
        form = s.ChallengeInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        challenge, created = challenges.challenge_raise(system=request.user.system, **form.validated_data)
        challenge = selectors.challenge_for_system(request.user.system, challenge.reference)
        return Response(s.ChallengeSerializer(challenge).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ChallengeDetailView(CustomsView):
    customs_scope = CustomsScope.CHALLENGE

    @extend_schema(summary="A challenge this system raised, with the exporter's answer and its documents",
                   parameters=[OpenApiParameter("reference", str, OpenApiParameter.PATH, pattern=r"^ZY[0-9]{10}$",
                                                description="The challenge's reference, e.g. ZY2026000001")],
                   responses={200: s.ChallengeSerializer, 404: OpenApiResponse(description="No such challenge of "
                                                                                           "this system"), **AUTH})
    def get(self, request, reference):
        challenge = selectors.challenge_for_system(request.user.system, reference)
        if challenge is None:
            raise NotFound()
        return Response(s.ChallengeSerializer(challenge).data)


# ---------------------------------------------------------------- system administrator


class AdminView(APIView):
    authentication_classes = [SessionAuthentication, TokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not tokens.may_administer(request.user):
            raise NotAllowed(_("Only a system administrator manages customs systems and their tokens."))


class SystemListView(AdminView):
    @extend_schema(summary="System administrator: the customs systems and their tokens (never the secrets)",
                   responses={200: s.SystemSerializer(many=True)})
    def get(self, request):
        systems = CustomsSystem.objects.prefetch_related("tokens__system").order_by("code")
        return Response(s.SystemSerializer(systems, many=True).data)

    @extend_schema(summary="System administrator: register a customs system", request=s.SystemInputSerializer,
                   responses={201: s.SystemSerializer, 400: OpenApiResponse(description="A bad or taken code")})
    def post(self, request):
        form = s.SystemInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        system = tokens.system_create(actor=request.user, **form.validated_data)
        return Response(s.SystemSerializer(system).data, status=status.HTTP_201_CREATED)


class TokenCreateView(AdminView):
    @extend_schema(summary="System administrator: make a token for a customs system, with its scopes. The token "
                           "is in this answer only; the portal keeps its hash",
                   request=s.TokenInputSerializer,
                   responses={201: s.NewTokenSerializer, 400: OpenApiResponse(description="No or unknown scopes"),
                              404: OpenApiResponse(description="No such (active) customs system")})
    def post(self, request, id):
        form = s.TokenInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token, plain = tokens.token_create(actor=request.user, system_id=id, **form.validated_data)
        return Response({**s.TokenSerializer(token).data, "token": plain}, status=status.HTTP_201_CREATED)


class TokenScopesView(AdminView):
    @extend_schema(summary="System administrator: change a token's scopes", request=s.ScopesInputSerializer,
                   responses={200: s.TokenSerializer, 400: OpenApiResponse(description="No or unknown scopes, or "
                                                                                       "the token is revoked"),
                              404: OpenApiResponse(description="No such token")})
    def post(self, request, id):
        form = s.ScopesInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(s.TokenSerializer(tokens.token_set_scopes(actor=request.user, token_id=id,
                                                                  scopes=form.validated_data["scopes"])).data)


class TokenRevokeView(AdminView):
    @extend_schema(summary="System administrator: revoke a token at once (twice is once)", request=None,
                   responses={200: s.TokenSerializer, 404: OpenApiResponse(description="No such token")})
    def post(self, request, id):
        return Response(s.TokenSerializer(tokens.token_revoke(actor=request.user, token_id=id)).data)

