"""REST API of the credit record: the ministry only."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.credit import serializers as s
from compliance.credit.selectors import credit_record
from compliance.credit.views import visible_exporter


class CreditRecordView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Ministry: an exporter's credit record (Law 13): decided penalties, warning letters and "
                           "regulatory talks, newest first",
                   responses={200: s.CreditRecordSerializer,
                              403: OpenApiResponse(description="Not the ministry"),
                              404: OpenApiResponse(description="No such exporter, or you are an exporter")})
    def get(self, request, org_id):
        exporter = visible_exporter(request.user, org_id)
        return Response(s.CreditRecordSerializer({
            "exporter": exporter.pk, "exporter_name": exporter.name_zh,
            "entries": credit_record(exporter)}).data)
