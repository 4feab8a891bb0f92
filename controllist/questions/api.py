"""REST API of classification questions (咨询, Reg. 14). Views only translate HTTP to service calls."""


from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES
from controllist.models import QuestionStatus
from controllist.questions import services
from portal.api import SafeJSONParser, StrictCharField, idempotency_key
from portal.errors import NotFound, ValidationFailed
from portal.pdf import pdf_response

ERRORS = {
    400: OpenApiResponse(description="Invalid input; nothing changed"),
    403: OpenApiResponse(description="Your role may not do this"),
    404: OpenApiResponse(description="No such question, or not visible to you"),
    409: OpenApiResponse(description="Wrong state for this action, or a stale version"),
}
VERSION_HELP = "The version you last read; a stale one is refused (409)."


class ExporterOrMinistry(BasePermission):
    """Questions are between an exporter and the ministry; nobody else sees them."""

    def has_permission(self, request, view):
        return request.user.role in EXPORTER_ROLES | MINISTRY_ROLES


# ---------------------------------------------------------------- serializers


def _text_field(name, **kwargs):
    return StrictCharField(max_length=services.QUESTION_FIELDS[name], trim_whitespace=False, **kwargs)


class ClassificationQuestionInputSerializer(serializers.Serializer):
    item_name = _text_field("item_name")
    item_model = _text_field("item_model", required=False, allow_blank=True)
    specifications = _text_field("specifications", help_text="Technical specifications and parameters")
    intended_uses = _text_field("intended_uses")
    reason_for_doubt = _text_field("reason_for_doubt", help_text="Why you are unsure the item is (not) listed")
    suggested_code = _text_field("suggested_code", required=False, allow_blank=True,
                                 help_text="The code you think applies, e.g. 1C902.a")


class ClassificationQuestionUploadSerializer(ClassificationQuestionInputSerializer):
    documents = serializers.ListField(child=serializers.FileField(), required=False,
                                      max_length=services.MAX_DOCUMENTS_PER_MESSAGE, help_text="PDF files")


class ClassificationMessageInputSerializer(serializers.Serializer):
    message = StrictCharField(max_length=services.MESSAGE_LIMIT, trim_whitespace=False)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class ClassificationReplyUploadSerializer(ClassificationMessageInputSerializer):
    documents = serializers.ListField(child=serializers.FileField(), required=False,
                                      max_length=services.MAX_DOCUMENTS_PER_MESSAGE, help_text="PDF files")


class ClassificationAnswerInputSerializer(serializers.Serializer):
    code = StrictCharField(max_length=32, required=False, allow_blank=True,
                                 help_text="An entry of the list in force, or a temporary control's code")
    not_controlled = serializers.BooleanField(required=False, default=False,
                                              help_text="True instead of a code: the item is not controlled")
    note = StrictCharField(max_length=services.MESSAGE_LIMIT, trim_whitespace=False)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class ClassificationWithdrawInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=services.MESSAGE_LIMIT, trim_whitespace=False)
    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)


class ClassificationQuestionExporterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class ClassificationQuestionListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    # Not a ChoiceField: its enum component would collide with the case's "status" enum.
    status = serializers.CharField(help_text=f"One of: {', '.join(QuestionStatus.values)}")
    status_label = serializers.CharField(source="get_status_display")
    waiting_for = serializers.SerializerMethodField(help_text="ministry, exporter, or empty once closed")
    version = serializers.IntegerField()
    exporter = ClassificationQuestionExporterSerializer()
    item_name = serializers.CharField()
    item_model = serializers.CharField()
    answer_code = serializers.CharField()
    answer_not_controlled = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)

    def get_waiting_for(self, obj) -> str:
        return services.waiting_for(obj)


class ClassificationMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    side = serializers.SerializerMethodField(help_text="exporter or ministry")
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_side(self, obj) -> str:
        return "ministry" if obj.author.role in MINISTRY_ROLES else "exporter"

    def get_author(self, obj) -> str:
        return services.author_label(obj.author, self.context["request"].user)


class ClassificationDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return reverse("api-controllist-question-document", args=[obj.question_id, obj.pk])


class ClassificationQuestionSerializer(ClassificationQuestionListSerializer):
    specifications = serializers.CharField()
    intended_uses = serializers.CharField()
    reason_for_doubt = serializers.CharField()
    suggested_code = serializers.CharField()
    answer_note = serializers.CharField()
    answer_list_version = serializers.CharField(source="answer_list_version.label", allow_null=True,
                                                default=None)
    messages = ClassificationMessageSerializer(many=True)
    documents = ClassificationDocumentSerializer(many=True)
    allowed_actions = serializers.SerializerMethodField()

    def get_allowed_actions(self, obj) -> list[str]:
        return services.allowed_actions(obj, self.context["request"].user)


# ---------------------------------------------------------------- views


def _detail_response(request, pk, code=status.HTTP_200_OK):
    question = services.visible_question(request.user, pk)
    return Response(ClassificationQuestionSerializer(question, context={"request": request}).data, status=code)


def _files(request):
    return request.FILES.getlist("documents") if hasattr(request.FILES, "getlist") else []


class QuestionBase(APIView):
    permission_classes = [IsAuthenticated, ExporterOrMinistry]
    parser_classes = [SafeJSONParser, MultiPartParser, FormParser]


class QuestionListView(QuestionBase):
    pagination_class = PageNumberPagination

    @extend_schema(summary="Classification questions visible to you", parameters=[
        OpenApiParameter("status", str, enum=QuestionStatus.values, description="Filter by status")],
        responses={200: ClassificationQuestionListSerializer(many=True),
                   400: OpenApiResponse(description="Unknown status"), 403: ERRORS[403],
                   404: OpenApiResponse(description="No such page")})
    def get(self, request):
        qs = services.visible_questions(request.user)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in QuestionStatus.values:
                raise ValidationFailed(fields={"status": [_("Unknown status.")]})
            qs = qs.filter(status=wanted)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs.order_by("-created_at", "-pk"), request, view=self)
        return paginator.get_paginated_response(ClassificationQuestionListSerializer(page, many=True).data)

    @extend_schema(
        summary="Exporter: ask the ministry whether an item is controlled (Reg. 14)",
        request={"application/json": ClassificationQuestionInputSerializer,
                 "multipart/form-data": ClassificationQuestionUploadSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                                     description="A UUID; repeating it returns the same question")],
        responses={201: ClassificationQuestionSerializer, 200: ClassificationQuestionSerializer, **ERRORS},
    )
    def post(self, request):
        form = ClassificationQuestionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token = idempotency_key(request)
        question, created = services.question_ask(actor=request.user, data=dict(form.validated_data),
                                                  documents=_files(request), client_token=token)
        return _detail_response(request, question.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class QuestionDetailView(QuestionBase):
    @extend_schema(summary="One question with its messages and documents",
                   responses={200: ClassificationQuestionSerializer, **ERRORS})
    def get(self, request, pk):
        return _detail_response(request, pk)


class RequestInfoView(QuestionBase):
    @extend_schema(summary="Ministry: ask the exporter for more information",
                   request=ClassificationMessageInputSerializer,
                   responses={200: ClassificationQuestionSerializer, **ERRORS})
    def post(self, request, pk):
        form = ClassificationMessageInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.question_request_info(actor=request.user, question_id=pk, message=form.validated_data["message"],
                                       expected_version=form.validated_data.get("version"))
        return _detail_response(request, pk)


class ReplyView(QuestionBase):
    @extend_schema(summary="Exporter: reply, or add detail, with optional PDF documents",
                   request={"application/json": ClassificationMessageInputSerializer,
                            "multipart/form-data": ClassificationReplyUploadSerializer},
                   responses={200: ClassificationQuestionSerializer, **ERRORS})
    def post(self, request, pk):
        form = ClassificationMessageInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.question_reply(actor=request.user, question_id=pk, message=form.validated_data["message"],
                                documents=_files(request), expected_version=form.validated_data.get("version"))
        return _detail_response(request, pk)


class AnswerView(QuestionBase):
    @extend_schema(summary="Ministry: answer with a code of the list in force, or not controlled",
                   request=ClassificationAnswerInputSerializer,
                   responses={200: ClassificationQuestionSerializer, **ERRORS})
    def post(self, request, pk):
        form = ClassificationAnswerInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.question_answer(actor=request.user, question_id=pk, code=data.get("code", ""),
                                 not_controlled=data.get("not_controlled", False), note=data["note"],
                                 expected_version=data.get("version"))
        return _detail_response(request, pk)


class WithdrawView(QuestionBase):
    @extend_schema(summary="Exporter: withdraw an unanswered question",
                   request=ClassificationWithdrawInputSerializer,
                   responses={200: ClassificationQuestionSerializer, **ERRORS})
    def post(self, request, pk):
        form = ClassificationWithdrawInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.question_withdraw(actor=request.user, question_id=pk, reason=form.validated_data["reason"],
                                   expected_version=form.validated_data.get("version"))
        return _detail_response(request, pk)


class DocumentDownloadView(QuestionBase):
    @extend_schema(summary="Download a document of a question",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS})
    def get(self, request, pk, doc_pk):
        question = services.visible_question(request.user, pk)
        doc = question.documents.filter(pk=doc_pk).first()
        if doc is None:
            raise NotFound()
        with doc.file.open("rb") as handle:
            return pdf_response(handle.read(), doc.original_name)
