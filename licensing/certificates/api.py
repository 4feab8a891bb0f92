"""REST API of the end-user certificate: read and replace it, its mismatches, the pre-filled PDF.
Whoever sees the case reads; the exporter writes, on a draft. Views only translate HTTP."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from licensing.certificates import selectors, services
from licensing.certificates import serializers as s
from licensing.certificates.pdf import certificate_pdf_data, render_certificate_pdf
from portal.api import SafeJSONParser
from portal.errors import NotFound
from portal.pdf import pdf_response

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="No such case, not visible to you, or no certificate entered"),
    409: OpenApiResponse(description="Not a draft any more, or a stale version"),
}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}


def _body(app):
    certificate = selectors.certificate_of(app)
    if certificate is None:
        raise NotFound()
    certificate.found_mismatches = selectors.mismatches_of(app, certificate)
    return s.CertificateSerializer(certificate).data


class CertificateView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(summary="The structured end-user certificate of an application (Reg. 24), with its "
                           "mismatches against the application",
                   responses={200: s.CertificateSerializer, **READ_ERRORS})
    def get(self, request, id):
        return Response(_body(selectors.visible_case(request.user, id)))

    @extend_schema(summary="Exporter: enter or replace the certificate of a draft",
                   request=s.CertificateInputSerializer,
                   responses={200: s.CertificateSerializer, 201: s.CertificateSerializer, **ERRORS})
    def put(self, request, id):
        existed = selectors.certificate_of(selectors.visible_case(request.user, id)) is not None  # 404 first
        form = s.CertificateInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {key: value for key, value in form.validated_data.items() if key != "version"}
        services.certificate_save(application_id=id, actor=request.user, data=data,
                                  expected_version=form.validated_data.get("version"))
        app = selectors.visible_case(request.user, id)
        return Response(_body(app), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class MismatchesView(APIView):
    @extend_schema(summary="Every mismatch between the certificate and the application, at once",
                   responses={200: s.CertificateMismatchesSerializer, **READ_ERRORS})
    def get(self, request, id):
        app = selectors.visible_case(request.user, id)
        found = selectors.mismatches_of(app)
        return Response(s.CertificateMismatchesSerializer({
            "application": app.pk, "entered": found is not None, "checked_on": selectors.check_day(app),
            "mismatches": found or []}).data)


class CertificatePdfView(APIView):
    @extend_schema(summary="The bilingual certificate pre-filled from the application, for the end user to sign",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS})
    def get(self, request, id):
        app = selectors.visible_case(request.user, id)
        return pdf_response(render_certificate_pdf(certificate_pdf_data(app)),
                            f"end-user-certificate-{app.reference or app.pk}.pdf")
