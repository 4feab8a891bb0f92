import re

from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from enduser.models import Party
from licensing.applications import items as draft_items
from licensing.applications.models import (
    CustomsPort,
    CustomsUnit,
    ExchangeRate,
    PaymentTerms,
    Route,
    TradeMode,
    TransportMode,
)
from licensing.applications.parties import as_filed
from licensing.applications.selectors import decision_deadline
from licensing.clock import selectors as clock
from licensing.licences.selectors import licence_visible_to
from licensing.models import (
    EXPORTER_STATUS_LABELS,
    Application,
    ApplicationItem,
    Document,
    EndUseCategory,
    Licence,
    Status,
)
from licensing.workflow import allowed_actions


class PartySerializer(serializers.Serializer):
    """A party typed into a draft; it is saved into the exporter's address book."""

    name = serializers.CharField(max_length=300, help_text="The legal name as written, in any script")
    name_zh = serializers.CharField(max_length=300, required=False, allow_blank=True)
    name_latin = serializers.CharField(max_length=300, required=False, allow_blank=True)
    aliases = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=20)
    kind = serializers.ChoiceField(choices=Party.Kind.choices, required=False)
    address = serializers.CharField(max_length=500)
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    identifiers = serializers.DictField(child=serializers.CharField(max_length=64), required=False,
                                        help_text="Registration numbers: uscc, registration, other")
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationItem
        fields = ["control_code", "catch_all", "description", "specification", "hs_code", "quantity", "unit",
                  "customs_unit", "unit_price", "currency", "total", "value_rmb", "value_usd", "usd_rate_date"]


class ItemInputSerializer(serializers.Serializer):
    control_code = serializers.CharField(max_length=16, required=False, allow_blank=True,
                                         help_text="e.g. 1C902.a; empty for a catch-all item")
    catch_all = serializers.BooleanField(
        required=False, default=False,
        help_text="An unlisted item applied for because the catch-all applies (Export Control Law "
                  "Art. 12(3)); it has no control code")
    description = serializers.CharField(max_length=500)
    specification = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                          help_text="Model or specification, as on the end-user certificate")
    hs_code = serializers.CharField(max_length=10, required=False, allow_blank=True,
                                    help_text="The 10-digit China customs commodity code")
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3)
    unit = serializers.CharField(max_length=20, help_text="A customs statistical unit: its code (035), name (千克) "
                                                          "or usual spelling (kg); GET /api/customs-units/")
    unit_price = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True,
                                          help_text="In `currency`; the total is quantity × unit price")
    currency = serializers.CharField(max_length=3, required=False, default="CNY",
                                     help_text="ISO 4217; other than CNY needs a unit price and a ministry rate")
    value_rmb = serializers.DecimalField(max_digits=18, decimal_places=2, required=False,
                                         help_text="The total in RMB, when no unit price is given")


class DraftInputSerializer(serializers.Serializer):
    destination = serializers.CharField(max_length=2, required=False, allow_blank=True)
    end_use = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    end_use_category = serializers.ChoiceField(choices=EndUseCategory.choices, required=False, allow_blank=True)
    importer = PartySerializer(required=False, allow_null=True)
    end_user = PartySerializer(required=False, allow_null=True)
    importer_party = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
        help_text="Instead of `importer`: the id of one of your parties (GET /api/parties/)")
    end_user_party = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
        help_text="Instead of `end_user`: the id of one of your parties (GET /api/parties/)")
    consignee = PartySerializer(required=False, allow_null=True, help_text="The intermediate consignee, if any")
    consignee_party = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
        help_text="Instead of `consignee`: the id of one of your parties")
    item = ItemInputSerializer(required=False, allow_null=True,
                               help_text="Older clients: one item (replaces all items). Prefer `items`.")
    items = ItemInputSerializer(many=True, required=False, help_text="All the items (replaces them)")
    contract_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    trade_mode = serializers.ChoiceField(choices=TradeMode.choices, required=False, allow_blank=True)
    export_port = serializers.CharField(max_length=4, required=False, allow_blank=True,
                                        help_text="Customs district code; GET /api/customs-ports/")
    transport_mode = serializers.ChoiceField(choices=TransportMode.choices, required=False, allow_blank=True)
    payment_terms = serializers.ChoiceField(choices=PaymentTerms.choices, required=False, allow_blank=True)
    shipment_from = serializers.DateField(required=False, allow_null=True)
    shipment_until = serializers.DateField(required=False, allow_null=True)
    route = serializers.ChoiceField(choices=Route.choices, required=False, allow_blank=True,
                                    help_text="individual (default), general or registration; whether it is open to "
                                              "you: GET /api/compliance/routes/")
    additional_end_users = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, max_length=20,
        help_text="General licence: ids of further end users from your parties (replaces them)")
    requested_valid_until = serializers.DateField(required=False, allow_null=True,
                                                  help_text="General licence: the last valid day asked (at most 3 "
                                                            "years ahead)")
    circumstance = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                         help_text="Registration route: the circumstance's code (repair-return, "
                                                   "exhibition, aircraft-spares)")
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you last read; a stale one is refused (409).")


class ItemWarningSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="Index of the item in `items`")
    message = serializers.CharField()


class CustomsUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomsUnit
        fields = ["code", "name_zh", "name_en", "aliases"]


class CustomsPortSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomsPort
        fields = ["code", "name_zh", "name_en"]


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_from", "usd_per_unit"]


CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class CopyInputSerializer(serializers.Serializer):
    client_token = serializers.UUIDField(required=False, allow_null=True,
                                         help_text="Repeating it returns the copy already made")

    def validate_client_token(self, value):
        # Python reads many spellings of a UUID (no dashes, braces, urn:uuid:); the schema says
        # the canonical one, and so does the API.
        raw = self.initial_data.get("client_token") if hasattr(self.initial_data, "get") else None
        if value is not None and not (isinstance(raw, str) and CANONICAL_UUID.fullmatch(raw.lower())):
            raise serializers.ValidationError("A UUID in its canonical form, e.g. 123e4567-e89b-12d3-a456-426614174000.")
        return value


class VersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you last read; a stale one is refused (409).")


class ShareInputSerializer(VersionInputSerializer):
    user_id = serializers.IntegerField(min_value=1, max_value=2**62)


class ReasonInputSerializer(VersionInputSerializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ForwardInputSerializer(VersionInputSerializer):
    opinion = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                    help_text="The province's first-review opinion (初审意见), for the ministry")


class TimelineStepSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="submitted, returned, forwarded, corrections, accepted, under_review, "
                                           "question, approved, refused, licence, ...")
    at = serializers.DateTimeField()
    label = serializers.CharField()
    by = serializers.CharField(help_text="Which party acted (never a person of the ministry)")
    note = serializers.CharField(allow_blank=True)


class TimelineSerializer(serializers.Serializer):
    steps = TimelineStepSerializer(many=True, help_text="Oldest first")


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "kind", "original_name", "size", "sha256", "uploaded_at"]


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["end_user_certificate", "contract", "other"])
    file = serializers.FileField(help_text="PDF only")
    version = serializers.IntegerField(required=False, min_value=1)


class PartyReadSerializer(serializers.Serializer):
    """A party of a case: as filed once submitted (the snapshot), the address-book record before."""

    id = serializers.IntegerField(allow_null=True, help_text="The address-book record it was filed from")
    version = serializers.IntegerField(allow_null=True, help_text="That record's version when filed")
    name = serializers.CharField()
    name_zh = serializers.CharField(default="")
    name_latin = serializers.CharField(default="")
    aliases = serializers.ListField(child=serializers.CharField(), default=list)
    kind = serializers.CharField(default="company")
    address = serializers.CharField()
    country = serializers.CharField()
    identifiers = serializers.DictField(child=serializers.CharField(), default=dict)
    contact = serializers.CharField(default="")


class LicenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Licence
        fields = ["number", "issued_at", "valid_from", "valid_until", "sha256"]


class ClassificationSuggestionSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    reference = serializers.CharField(help_text="The classification question, e.g. ZX2026-000003")
    item_name = serializers.CharField()
    item_model = serializers.CharField()
    answer_code = serializers.CharField(help_text="Empty when the answer was “not controlled”")
    not_controlled = serializers.BooleanField()
    note = serializers.CharField()
    answered_on = serializers.DateField()
    code_in_force = serializers.BooleanField(allow_null=True,
                                             help_text="Whether the list in force still has the code")
    list_changed = serializers.BooleanField(help_text="The list in force is not the one answered against")


class ItemSuggestionsSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="Index of the item in `items`")
    description = serializers.CharField()
    suggestions = ClassificationSuggestionSerializer(many=True)


class AssigneeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


CLOCK_FIELDS = ["clock_state", "decision_due", "days_used", "days_left", "decision_overdue", "paused_since",
                "pause_kinds", "pause_reason", "acceptance_due", "acceptance_days_left", "acceptance_overdue",
                "assigned_to"]


UNDER_REVIEW = "under_review"
CASE_STATUS_CHOICES = [*Status.choices, (UNDER_REVIEW, "Under review (what an exporter is told)")]


class ClockFieldsMixin(serializers.Serializer):
    """The statutory clocks (licensing.clock) as flat fields: a case page reads them from the
    full summary, a list from the denormalised fields with one calendar read for the page."""

    status = serializers.ChoiceField(choices=CASE_STATUS_CHOICES, read_only=True, help_text=(
        "The case's state; an exporter is told under_review for the review's inner steps (accepted, "
        "with the agencies, awaiting decision or countersignature)"))
    clock_state = serializers.CharField(read_only=True, help_text=(
        "Decision clock (Reg. 17): not_started, running, paused, no_limit or stopped"))
    decision_due = serializers.SerializerMethodField(help_text=(
        "45 working days from acceptance, not counting stops; while paused, the due date if the clock "
        "restarted today; null when there is no limit or the calendar is missing"))
    days_used = serializers.SerializerMethodField(help_text="Working days counted so far")
    days_left = serializers.SerializerMethodField(help_text="Working days left; negative once overdue")
    decision_overdue = serializers.SerializerMethodField()
    paused_since = serializers.SerializerMethodField()
    pause_kinds = serializers.SerializerMethodField(help_text="Why the clock is stopped (PauseKind values)")
    pause_reason = serializers.SerializerMethodField(help_text="Why the clock is stopped, in words")
    acceptance_due = serializers.SerializerMethodField(help_text="Acceptance within 5 working days of receipt")
    acceptance_days_left = serializers.SerializerMethodField()
    acceptance_overdue = serializers.SerializerMethodField()
    assigned_to = AssigneeSerializer(read_only=True, allow_null=True, help_text="The case officer")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_exporter", False):
            if "assigned_to" in data:
                data["assigned_to"] = None  # ministry staff are not named to the exporter
            if data.get("status") in EXPORTER_STATUS_LABELS:
                data["status"] = UNDER_REVIEW  # referrals and countersignature are not the exporter's business
        return data

    def _clock(self, obj) -> dict:
        found = self.context.get("clock_rows", {}).get(obj.pk)
        if found is None:
            found = clock.clock_fields(obj)
        return found

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_decision_due(self, obj):
        return self._clock(obj)["decision_due"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_used(self, obj):
        return self._clock(obj)["days_used"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, obj):
        return self._clock(obj)["days_left"]

    @extend_schema_field(serializers.BooleanField())
    def get_decision_overdue(self, obj):
        return self._clock(obj)["decision_overdue"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_paused_since(self, obj):
        return self._clock(obj)["paused_since"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_pause_kinds(self, obj):
        return self._clock(obj)["pause_kinds"]

    @extend_schema_field(serializers.CharField())
    def get_pause_reason(self, obj):
        return self._clock(obj)["pause_reason"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_acceptance_due(self, obj):
        return self._clock(obj)["acceptance_due"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_acceptance_days_left(self, obj):
        return self._clock(obj)["acceptance_days_left"]

    @extend_schema_field(serializers.BooleanField())
    def get_acceptance_overdue(self, obj):
        return self._clock(obj)["acceptance_overdue"]


class ClockListSerializer(serializers.ListSerializer):
    """Computes the clock fields of a whole page at once (no query per row)."""

    def to_representation(self, data):
        from django.db import models

        rows = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        self.context["clock_rows"] = clock.list_clock_fields(rows)
        return super().to_representation(rows)


class ApplicationSerializer(ClockFieldsMixin, serializers.ModelSerializer):
    destination = CountryField(allow_blank=True)
    importer = serializers.SerializerMethodField()
    end_user = serializers.SerializerMethodField()
    consignee = serializers.SerializerMethodField()
    items = ItemSerializer(many=True)
    item_warnings = serializers.SerializerMethodField(
        help_text="Not blocking: e.g. an HS code the control-list entry does not name")
    exporter = serializers.SerializerMethodField()
    documents = DocumentSerializer(many=True)
    licence = serializers.SerializerMethodField()
    decision_deadline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    list_version = serializers.SlugRelatedField(
        slug_field="label", read_only=True, allow_null=True,
        help_text="The control list version in force when the application was submitted")
    classification_suggestions = serializers.SerializerMethodField(
        help_text="Exporters only: the ministry's answers to this exporter's classification questions "
                  "on similar items, per item")
    decision_due_provisional = serializers.SerializerMethodField(
        help_text="While next year's working-day calendar is missing: the decision due date counted on "
                  "weekdays only (provisional, never stored); null otherwise")
    province_opinion = serializers.SerializerMethodField(
        help_text="The province's first-review opinion (ministry and province only; null for others)")
    additional_end_users = serializers.SerializerMethodField(
        help_text="General licence: the further end users (as filed once submitted)")
    circumstance = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = ["id", "reference", "status", "version", "exporter", "province", "destination",
                  "importer", "end_user", "consignee", "end_use", "end_use_category", "contract_number",
                  "trade_mode", "export_port", "transport_mode", "payment_terms", "shipment_from", "shipment_until",
                  "items", "item_warnings", "documents", "created_at",
                  "submitted_at", "forwarded_at", "accepted_at", "decided_at", "return_reason",
                  "decision_reason", "decision_deadline", "licence", "allowed_actions",
                  "list_version", "classification_suggestions", "decision_due_provisional", "province_opinion",
                  "route", "additional_end_users", "requested_valid_until", "granted_valid_until", "circumstance",
                  *CLOCK_FIELDS]

    @extend_schema_field(PartyReadSerializer(many=True))
    def get_additional_end_users(self, obj):
        if obj.additional_end_users_snapshot is not None and obj.status not in ("draft", "returned"):
            return [PartyReadSerializer(p).data for p in obj.additional_end_users_snapshot]
        return [PartyReadSerializer(p.snapshot()).data for p in obj.additional_end_users.order_by("pk")]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_decision_due_provisional(self, obj):
        summary = clock.page_summary(obj)
        return summary.provisional_due if summary.due is None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_province_opinion(self, obj):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not (getattr(user, "is_ministry", False) or user.role == "provincial_officer"):
            return None
        return obj.province_opinion if obj.forwarded_at else None

    @extend_schema_field(PartyReadSerializer(allow_null=True))
    def get_importer(self, obj):
        party = as_filed(obj)["importer"]
        return PartyReadSerializer(party).data if party else None

    @extend_schema_field(PartyReadSerializer(allow_null=True))
    def get_end_user(self, obj):
        party = as_filed(obj)["end_user"]
        return PartyReadSerializer(party).data if party else None

    @extend_schema_field(PartyReadSerializer(allow_null=True))
    def get_consignee(self, obj):
        party = as_filed(obj)["consignee"]
        return PartyReadSerializer(party).data if party else None

    @extend_schema_field(ItemWarningSerializer(many=True))
    def get_item_warnings(self, obj):
        return [{"item": index, "message": str(message)} for index, message in draft_items.warnings(obj.items.all())]

    def get_exporter(self, obj) -> dict:
        return {"id": obj.exporter_id, "name_zh": obj.exporter.name_zh, "name_en": obj.exporter.name_en,
                "uscc": obj.exporter.code}

    def get_licence(self, obj) -> dict | None:
        licence = getattr(obj, "licence", None) if obj.status == "approved" else None
        if licence is None or not licence_visible_to(self.context["request"].user, obj):
            return None
        return LicenceSerializer(licence).data

    def get_decision_deadline(self, obj) -> dict | None:
        deadline = decision_deadline(obj)
        if deadline is None:
            return None
        return {"due": deadline.due, "working_days_left": deadline.days_left, "problem": deadline.problem}

    def get_allowed_actions(self, obj) -> list[str]:
        return allowed_actions(obj, self.context["request"].user)

    @extend_schema_field(ItemSuggestionsSerializer(many=True))
    def get_classification_suggestions(self, obj) -> list[dict]:
        from controllist.questions.services import classification_suggestions

        user = self.context["request"].user
        if not user.is_exporter or obj.exporter_id != user.organisation_id:
            return []
        return [{"item": index, "description": item.description,
                 "suggestions": ClassificationSuggestionSerializer(
                     classification_suggestions(exporter=obj.exporter_id, description=item.description),
                     many=True).data}
                for index, item in enumerate(obj.items.all())]


class ApplicationListSerializer(ClockFieldsMixin, serializers.ModelSerializer):
    destination = CountryField(allow_blank=True)
    exporter_name = serializers.CharField(source="exporter.name_zh")

    class Meta:
        model = Application
        fields = ["id", "reference", "status", "version", "exporter_name", "province", "destination",
                  "created_at", "submitted_at", *CLOCK_FIELDS]
        list_serializer_class = ClockListSerializer
