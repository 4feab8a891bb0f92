from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import Organisation, OrgKind, Role, Verification
from accounts.signin.services import is_system_administrator
from portal.errors import NotAllowed, ValidationFailed
from portal.pdf import pdf_response


class RegisterSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=40, help_text="Unified social credit code, 18 characters")
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    province = serializers.CharField(
        max_length=2, required=False, allow_blank=True,
        help_text="GB/T 2260 code, e.g. 31. Optional: the province is the one characters 3-4 of the credit "
                  "code name; a different one is refused (province_mismatch).")
    address = serializers.CharField(max_length=300)
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=40)
    email = serializers.EmailField()
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    password_again = serializers.CharField(write_only=True, required=False,
                                           help_text="When sent, must equal password.")
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    licence_scan = serializers.FileField(
        required=False, help_text="Required: the business licence scan, a PDF (send the request as "
                                  "multipart/form-data). Checked after the other fields.")


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    province = serializers.CharField(source="province_id", allow_null=True)
    verification = serializers.CharField()


class CompanySerializer(OrganisationSerializer):
    address = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    created_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    licence_scan = serializers.SerializerMethodField(help_text="Where the business licence scan is (PDF)")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_licence_scan(self, org):
        try:
            has_scan = org.licence_scan is not None
        except ObjectDoesNotExist:
            has_scan = False
        return reverse("api-licence-scan", args=[org.pk]) if has_scan else None


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    organisation = OrganisationSerializer()


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()


class InvitationAcceptSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True)
    password_again = serializers.CharField(write_only=True, required=False,
                                           help_text="When sent, must equal password.")
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True)


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(summary="Register an exporting company and its administrator",
                   request=RegisterSerializer, responses={201: MeSerializer, 400: OpenApiResponse()})
    def post(self, request):
        RegisterSerializer(data=request.data).is_valid(raise_exception=True)
        data = {key: value for key, value in request.data.items() if key != "licence_scan"}
        org, user = services.exporter_register(data=data, licence_scan=request.FILES.get("licence_scan"))
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(summary="Who am I", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class InvitationView(APIView):
    write_roles = frozenset({Role.EXPORTER_ADMIN})
    @extend_schema(summary="Exporter admin: invite a colleague by email",
                   request=InvitationCreateSerializer,
                   responses={201: InvitationSerializer, 400: OpenApiResponse(description="Bad email"),
                              403: OpenApiResponse(description="Only the company's administrator")})
    def post(self, request):
        form = InvitationCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        invitation = services.invitation_create(actor=request.user, email=form.validated_data["email"])
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationAcceptView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(summary="Accept an invitation (the token comes by email)",
                   request=InvitationAcceptSerializer,
                   responses={201: MeSerializer, 400: OpenApiResponse(description="Bad user name or password"),
                              404: OpenApiResponse(description="Unknown, used or expired invitation")})
    def post(self, request, token):
        InvitationAcceptSerializer(data=request.data).is_valid(raise_exception=True)
        user = services.invitation_accept(token=token, data=dict(request.data.items()))
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`")
    role = serializers.ChoiceField(choices=Role.choices)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(summary="Exchange user name and password for an API token",
                   request=TokenRequestSerializer,
                   responses={200: TokenResponseSerializer,
                              400: OpenApiResponse(description="Wrong user name or password"),
                              429: OpenApiResponse(description="Too many failed sign-ins for this user name "
                                                               "or from this address (signin_locked)")})
    def post(self, request):
        from django.contrib.auth import authenticate

        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # Django's own request, so django-axes counts the failure and its middleware answers a
        # locked-out caller with 429 signin_locked.
        user = authenticate(request._request, username=form.validated_data["username"],
                            password=form.validated_data["password"])
        if user is None or not user.is_active:
            from django.utils.translation import gettext_lazy as _

            from portal.errors import ValidationFailed

            raise ValidationFailed(_("Wrong user name or password."), code="bad_credentials")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "role": user.role or Role.SYSTEM_ADMIN})


class CompanyListView(APIView):
    @extend_schema(summary="Province: exporter registrations in your province (pending first)",
                   parameters=[OpenApiParameter("verification", str, enum=[v.value for v in Verification])],
                   responses={200: CompanySerializer(many=True),
                              400: OpenApiResponse(description="Unknown verification value")})
    def get(self, request):
        qs = (Organisation.objects.visible_to(request.user).filter(kind=OrgKind.EXPORTER)
              .select_related("licence_scan"))
        wanted = request.query_params.get("verification")
        if wanted:
            if wanted not in Verification.values:
                raise ValidationFailed(fields={"verification": [_("Unknown value.")]})
            qs = qs.filter(verification=wanted)
        qs = qs.order_by(Case(When(verification=Verification.PENDING, then=0), default=1), "-created_at")
        return Response(CompanySerializer(qs[:500], many=True).data)


class CompanyVerifyView(APIView):
    @extend_schema(summary="Province: confirm an exporter's registration", request=None,
                   responses={200: CompanySerializer, 403: OpenApiResponse(), 404: OpenApiResponse(),
                              409: OpenApiResponse()})
    def post(self, request, pk):
        return Response(CompanySerializer(services.organisation_verify(organisation_id=pk, actor=request.user)).data)


class CompanyRejectView(APIView):
    write_roles = frozenset({Role.PROVINCIAL_OFFICER})
    @extend_schema(summary="Province: reject a registration (its accounts are switched off)",
                   request=RejectSerializer,
                   responses={200: CompanySerializer, 400: OpenApiResponse(), 403: OpenApiResponse(),
                              404: OpenApiResponse(), 409: OpenApiResponse()})
    def post(self, request, pk):
        form = RejectSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        org = services.organisation_reject(organisation_id=pk, actor=request.user,
                                           reason=form.validated_data["reason"])
        return Response(CompanySerializer(org).data)


class LicenceScanView(APIView):
    @extend_schema(summary="The company's business licence scan (its province, the ministry, the company)",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              404: OpenApiResponse(description="No scan, or not yours to see")})
    def get(self, request, pk):
        scan = selectors.licence_scan_for(request.user, pk)
        return pdf_response(scan.file.read(), scan.original_name)


class ProvinceMismatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    province = serializers.CharField(source="province_id", allow_null=True)
    code_province = serializers.CharField(help_text="The province characters 3-4 of the code name")
    verification = serializers.CharField()


class ProvinceMismatchListView(APIView):
    @extend_schema(summary="System administrator: exporters registered in a province their credit code does not name",
                   responses={200: ProvinceMismatchSerializer(many=True), 403: OpenApiResponse()})
    def get(self, request):
        if not is_system_administrator(request.user):
            raise NotAllowed(_("Only a system administrator can see the registration checks."))
        return Response(ProvinceMismatchSerializer(selectors.province_mismatches()[:500], many=True).data)
