"""API shapes of requests (corrections, RFIs), clock pauses and the statutory clocks. Input
serializers check types only; licensing.requests checks content."""

from django.http import QueryDict
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from licensing.requests import services
from portal.api import StrictCharField

VERSION_HELP = "The case's version you last read; a stale one is refused (409)."


class CaseVersionField(serializers.IntegerField):
    """The case's version. A JSON body must send a number (a string is a client bug); a form
    sends text, as forms do."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**62)
        kwargs.setdefault("help_text", VERSION_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        from_form = isinstance(getattr(self.root, "initial_data", None), QueryDict)
        if isinstance(data, bool) or isinstance(data, float) or (isinstance(data, str) and not from_form):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "enum": [str(kind) for kind in services.OFFICER_PAUSE_KINDS]})
class PauseKindField(StrictCharField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in services.OFFICER_PAUSE_KINDS:
            raise serializers.ValidationError(f"Choose one of: {', '.join(services.OFFICER_PAUSE_KINDS)}.")
        return value


def _files(**kwargs):
    return serializers.ListField(child=serializers.FileField(), required=False,
                                 max_length=services.MAX_ANSWER_DOCUMENTS, help_text="PDF files, at most 5",
                                 **kwargs)


# ---------------------------------------------------------------- input


class CorrectionsInputSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=StrictCharField(max_length=services.ITEM_MAX_CHARS), min_length=1,
        max_length=services.MAX_CORRECTION_ITEMS,
        help_text="Everything missing, one entry each: corrections are asked for once only")
    respond_by = serializers.DateField(help_text="The date the exporter must answer by (in the future)")
    note = StrictCharField(max_length=services.NOTE_MAX_CHARS, required=False, allow_blank=True)
    version = CaseVersionField()


class RequestAnswerInputSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=services.ANSWER_MAX_CHARS, trim_whitespace=False)
    version = CaseVersionField()


class RequestAnswerUploadSerializer(RequestAnswerInputSerializer):
    documents = _files()


class RfiInputSerializer(serializers.Serializer):
    question = StrictCharField(max_length=services.REQUEST_TEXT_MAX_CHARS, trim_whitespace=False)
    respond_by = serializers.DateField(required=False, allow_null=True,
                                       help_text="Optional date to answer by (in the future)")
    version = CaseVersionField()


class RfiWithdrawInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=services.NOTE_MAX_CHARS, required=False, allow_blank=True)
    version = CaseVersionField()


class CertificationInputSerializer(serializers.Serializer):
    text = StrictCharField(max_length=services.REQUEST_TEXT_MAX_CHARS, required=False, allow_blank=True,
                           trim_whitespace=False, help_text="What to certify; a standard request when empty")
    respond_by = serializers.DateField(required=False, allow_null=True,
                                       help_text="Optional date to answer by (in the future)")
    version = CaseVersionField()


class CertifiedAnswerInputSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=services.ANSWER_MAX_CHARS, required=False, allow_blank=True,
                             trim_whitespace=False, help_text="An optional note")
    version = CaseVersionField()


class CertifiedAnswerUploadSerializer(CertifiedAnswerInputSerializer):
    documents = serializers.ListField(
        child=serializers.FileField(), min_length=1, max_length=services.MAX_ANSWER_DOCUMENTS,
        help_text="The certified certificate: 1 to 5 PDF files")


class ClockPauseInputSerializer(serializers.Serializer):
    kind = PauseKindField(help_text="identification, expert, onsite (not counted); watch_list, "
                                    "state_council (no time limit)")
    note = StrictCharField(max_length=services.NOTE_MAX_CHARS, required=False, allow_blank=True)
    version = CaseVersionField()


class CaseVersionInputSerializer(serializers.Serializer):
    version = CaseVersionField()


# ---------------------------------------------------------------- output


class CaseRequestDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return reverse("application-download-document", args=[obj.application_id, obj.pk])


class CaseRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="correction, rfi or certification")
    kind_label = serializers.CharField(source="get_kind_display")
    text = serializers.CharField(help_text="The question, or the items missing one per line")
    items = serializers.ListField(child=serializers.CharField(), help_text="Corrections: what is missing")
    respond_by = serializers.DateField(allow_null=True)
    asked_at = serializers.DateTimeField()
    is_open = serializers.BooleanField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    documents = CaseRequestDocumentSerializer(many=True, help_text="The PDFs given with the answer")


class ClockPauseRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    is_open = serializers.BooleanField()
    no_limit = serializers.BooleanField(help_text="No time limit while it is open")
    before_acceptance = serializers.BooleanField()
    working_days = serializers.IntegerField(allow_null=True, help_text="Working days not counted because of it")
    note = serializers.SerializerMethodField(help_text="The officer's note (ministry only)")
    request = serializers.IntegerField(source="request_id", allow_null=True)

    def get_note(self, obj) -> str:
        user = self.context["request"].user
        return obj.note if user.is_ministry else ""


class AcceptanceClockSummarySerializer(serializers.Serializer):
    received_on = serializers.DateField()
    restarted_on = serializers.DateField(allow_null=True, help_text="The day the corrections were answered")
    due = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Working days; negative once overdue")
    is_overdue = serializers.BooleanField()
    waiting_since = serializers.DateField(allow_null=True, help_text="Corrections asked; awaiting the exporter")
    respond_by = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    problem = serializers.CharField(help_text="Why a date cannot be computed (a missing calendar)")


class ClockSummarySerializer(serializers.Serializer):
    state = serializers.CharField(help_text="not_started, running, paused, no_limit or stopped")
    state_label = serializers.CharField()
    as_of = serializers.DateField()
    limit = serializers.IntegerField(help_text="Working days (Reg. 17)")
    accepted_on = serializers.DateField(allow_null=True)
    due = serializers.DateField(allow_null=True, help_text="Paused: the due date if the clock restarted today")
    days_used = serializers.IntegerField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True, help_text="Negative once overdue")
    is_overdue = serializers.BooleanField()
    paused_since = serializers.DateField(allow_null=True)
    pause_kinds = serializers.ListField(child=serializers.CharField())
    pause_label = serializers.CharField(help_text="Why the clock is stopped")
    no_limit_reason = serializers.CharField()
    problem = serializers.CharField(help_text="Why a date cannot be computed (a missing calendar)")
    acceptance = AcceptanceClockSummarySerializer(allow_null=True)
    history = ClockPauseRowSerializer(many=True, help_text="Every stop and restart of the clock")


class CaseRequestListSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField(help_text="The case's version, for the next write")
    requests = CaseRequestSerializer(many=True)


class CaseRequestResultSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField(help_text="The case's version, for the next write")
    request = CaseRequestSerializer()
    clock = ClockSummarySerializer()


class ClockPauseResultSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    status = serializers.CharField()
    version = serializers.IntegerField(help_text="The case's version, for the next write")
    pause = ClockPauseRowSerializer()
    clock = ClockSummarySerializer()
