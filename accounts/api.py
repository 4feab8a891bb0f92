from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.models import Role


class RegisterSerializer(serializers.Serializer):
    uscc = serializers.CharField(max_length=40, help_text="Unified social credit code, 18 characters")
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    province = serializers.CharField(max_length=2, help_text="GB/T 2260 code, e.g. 31")
    address = serializers.CharField(max_length=300)
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=40)
    email = serializers.EmailField()
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    province = serializers.CharField(source="province_id", allow_null=True)


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
        org, user = services.exporter_register(data=dict(request.data.items()))
        return Response(MeSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(summary="Who am I", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class InvitationView(APIView):
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


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema(summary="Exchange user name and password for an API token",
                   request=TokenRequestSerializer,
                   responses={200: OpenApiResponse(description='{"token": "..."}'), 400: OpenApiResponse()})
    def post(self, request):
        from django.contrib.auth import authenticate

        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(request, username=form.validated_data["username"],
                            password=form.validated_data["password"])
        if user is None or not user.is_active:
            from django.utils.translation import gettext_lazy as _

            from portal.errors import ValidationFailed

            raise ValidationFailed(_("Wrong user name or password."), code="bad_credentials")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "role": user.role or Role.SYSTEM_ADMIN})
