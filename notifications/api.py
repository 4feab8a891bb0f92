"""REST API for the inbox: a user reads and marks only their own notifications."""

from django.core.paginator import InvalidPage, Paginator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.models import Notification
from notifications.services import mark_read, unread_count
from notifications.views import PAGE_SIZE, in_reader_language, inbox_for
from portal.api import SafeJSONParser
from portal.errors import NotFound, ValidationFailed


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.CharField(help_text="In the request's language (Accept-Language)")
    body = serializers.CharField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "title_zh", "title_en", "body_zh", "body_en", "url",
                  "application_id", "created_at", "read_at"]


class NotificationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    unread = serializers.IntegerField(help_text="Unread notifications in all")
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = NotificationSerializer(many=True)


class ReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62), required=False,
                                max_length=500, help_text="Your notifications to mark as read")
    all = serializers.BooleanField(required=False, default=False, help_text="Mark every notification read")

    def validate(self, data):
        if not data.get("all") and not data.get("ids"):
            raise serializers.ValidationError(_("Give the ids to mark as read, or all: true."))
        return data


class ReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationListView(APIView):
    @extend_schema(
        operation_id="notifications_list",
        summary="Your notifications, unread first, newest first",
        parameters=[OpenApiParameter("unread", str, enum=["0", "1"], description="1: only unread ones"),
                    OpenApiParameter("page", int, description="Page number (50 a page)")],
        responses={200: NotificationPageSerializer, 400: OpenApiResponse(description="Bad parameter"),
                   403: OpenApiResponse(description="Not signed in"),
                   404: OpenApiResponse(description="No such page")})
    def get(self, request):
        unread = request.query_params.get("unread", "0")
        if unread not in ("0", "1"):
            raise ValidationFailed(fields={"unread": [_("Use 1 for unread only, or 0.")]})
        paginator = Paginator(inbox_for(request.user, unread_only=unread == "1"), PAGE_SIZE)
        try:
            page = paginator.page(request.query_params.get("page") or 1)
        except InvalidPage:
            raise NotFound() from None

        def link(number):
            params = request.query_params.copy()
            params["page"] = number
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(NotificationPageSerializer({
            "count": paginator.count, "unread": unread_count(request.user),
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": in_reader_language(page.object_list)}).data)


class NotificationReadView(APIView):
    parser_classes = [SafeJSONParser]

    @extend_schema(operation_id="notifications_read", summary="Mark your notifications as read", request=ReadInputSerializer,
                   responses={200: ReadResultSerializer,
                              400: OpenApiResponse(description="Neither ids nor all given, or bad ids"),
                              403: OpenApiResponse(description="Not signed in"),
                              404: OpenApiResponse(description="An id is not one of your notifications")})
    def post(self, request):
        form = ReadInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if form.validated_data.get("all"):
            marked = mark_read(user=request.user)
        else:
            ids = set(form.validated_data["ids"])
            # Someone else's notification is answered like one that does not exist.
            if Notification.objects.filter(recipient=request.user, pk__in=ids).count() != len(ids):
                raise NotFound()
            marked = mark_read(user=request.user, notification_ids=ids)
        return Response({"marked": marked, "unread": unread_count(request.user)})
