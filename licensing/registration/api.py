"""The registration route's API: the exporter files a registration-route draft, the people who see
certificates read them, and customs systems verify one by number with their token."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.applications import routes
from licensing.customs.api import AUTH, CustomsView
from licensing.models import CustomsScope, RegistrationCertificate
from licensing.registration import selectors, services
from licensing.registration.serializers import (
    GeneralValidityResultSerializer,
    GeneralValiditySerializer,
    RegistrationCertificateSerializer,
    RegistrationFileSerializer,
)
from portal.api import SafeJSONParser
from portal.errors import NotAllowed, NotFound

NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, pattern=r"^[0-9A-Za-z]{1,20}$",
                          description="The certificate number, e.g. 2026DJ000001X")


class RegistrationFileView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="File a registration-route draft (登记填报): the export certificate is issued at once "
                           "when every condition holds (the same call again returns it, 200)",
                   request=RegistrationFileSerializer,
                   responses={201: RegistrationCertificateSerializer, 200: RegistrationCertificateSerializer,
                              400: OpenApiResponse(description="`registration_refused` with every reason in "
                                                               "`fields.conditions`, or invalid input"),
                              403: OpenApiResponse(description="Not an exporter"),
                              404: OpenApiResponse(description="No such case, or not yours"),
                              409: OpenApiResponse(description="Not a registration-route draft, or a stale version")})
    def post(self, request, pk):
        if not request.user.is_exporter:
            raise NotAllowed()
        form = RegistrationFileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        existed = RegistrationCertificate.objects.filter(application_id=pk).exists()
        certificate = services.registration_file(actor=request.user, application_id=pk,
                                                 expected_version=form.validated_data.get("version"))
        return Response(RegistrationCertificateSerializer(certificate).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class CertificateListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Registration-route export certificates you may see (the exporter its own; the "
                           "ministry and customs all), newest first (at most 100)",
                   responses={200: RegistrationCertificateSerializer(many=True),
                              403: OpenApiResponse(description="Your role sees no certificates")})
    def get(self, request):
        user = request.user
        if not (user.is_exporter or user.is_ministry or user.role == "customs_officer"):
            raise NotAllowed()
        return Response(RegistrationCertificateSerializer(selectors.certificates_for(user)[:100], many=True).data)


class CertificateDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="One registration-route export certificate by its number", parameters=[NUMBER],
                   responses={200: RegistrationCertificateSerializer,
                              404: OpenApiResponse(description="No such certificate, or not yours")})
    def get(self, request, number):
        certificate = selectors.certificate_for(request.user, number)
        if certificate is None:
            raise NotFound()
        return Response(RegistrationCertificateSerializer(certificate).data)


class CustomsCertificateVerifyView(CustomsView):
    customs_scope = CustomsScope.VERIFY

    @extend_schema(summary="Verify a registration-route export certificate by number (customs systems, scope "
                           "`verify`)", parameters=[NUMBER],
                   responses={200: RegistrationCertificateSerializer,
                              404: OpenApiResponse(description="`certificate_unknown` or `certificate_number_malformed`"),
                              **AUTH})
    def get(self, request, number):
        number = str(number or "").strip().upper()
        if not services.certificate_number_is_valid(number):
            raise NotFound(code="certificate_number_malformed")
        certificate = RegistrationCertificate.objects.select_related("application", "circumstance", "exporter") \
            .filter(number=number).first()
        if certificate is None:
            raise NotFound(code="certificate_unknown")
        return Response(RegistrationCertificateSerializer(certificate).data)


class GeneralValidityView(APIView):
    # The default permissions: under /api/applications/<id>/ the case's version is required (428
    # without it, 412 on a stale If-Match) and the role is checked first (workflow.API_WRITE_ROLES).
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="Ministry: shorten the validity of a general licence under review (never past what the "
                           "exporter asked, at most 3 years)",
                   request=GeneralValiditySerializer,
                   responses={200: GeneralValidityResultSerializer,
                              400: OpenApiResponse(description="A bad date, or one later than asked"),
                              403: OpenApiResponse(description="Not a ministry officer"),
                              404: OpenApiResponse(description="No such case"),
                              409: OpenApiResponse(description="Not a general licence under review, or stale")})
    def post(self, request, pk):
        if not request.user.is_ministry:
            raise NotAllowed()
        form = GeneralValiditySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        app = routes.general_validity_set(actor=request.user, application_id=pk,
                                          valid_until=form.validated_data["valid_until"],
                                          expected_version=form.validated_data.get("version"))
        return Response({"id": app.pk, "granted_valid_until": app.granted_valid_until, "version": app.version})
