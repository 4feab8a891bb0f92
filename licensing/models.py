import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import AGENCY_ROLES, EXPORTER_ROLES, MINISTRY_ROLES, Role
from licensing.applications.models import (  # noqa: F401 (Django finds the area's models here)
    CustomsPort,
    CustomsUnit,
    ExchangeRate,
    PaymentTerms,
    Route,
    TradeMode,
    TransportMode,
)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("With the provincial department")
    RETURNED = "returned", _("Returned for correction")
    FORWARDED = "forwarded", _("Awaiting acceptance by the ministry")
    CORRECTING = "correcting", _("Corrections requested")
    ACCEPTED = "accepted", _("Accepted: referrals being prepared")
    WITH_AGENCIES = "with_agencies", _("With the consulted agencies")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    AWAITING_COUNTERSIGN = "awaiting_countersign", _("Awaiting countersignature")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    # The registration route (登记填报): the certificate was issued on filing, with no review.
    REGISTERED = "registered", _("Registered: export certificate issued")


OPEN_REVIEW_STATES = frozenset({Status.ACCEPTED, Status.WITH_AGENCIES, Status.AWAITING_DECISION,
                                Status.AWAITING_COUNTERSIGN})

# What an exporter is told of the state of its case: the review's inner steps (referral to the
# agencies, countersignature) are not its business, so all of them read "under review".
EXPORTER_STATUS_LABELS = {state: _("Under review") for state in OPEN_REVIEW_STATES}


class EndUseCategory(models.TextChoices):
    CIVIL = "civil", _("Civil / commercial")
    RESEARCH = "research", _("Research and education")
    GOVERNMENT = "government", _("Government (non-military)")
    MILITARY = "military", _("Military or police")
    NUCLEAR = "nuclear", _("Nuclear")
    SPACE = "space", _("Space and missiles")
    OTHER = "other", _("Other")


class ClockState(models.TextChoices):
    """The statutory decision clock (Reg. 17), denormalised onto the case so queues can sort and
    filter on it; licensing.clock recomputes it from ClockPause rows."""

    NOT_STARTED = "not_started", _("Not started")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    NO_LIMIT = "no_limit", _("No statutory limit")
    STOPPED = "stopped", _("Stopped (decided)")


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who sees which application: the one place that decides it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.EXPORTER_ADMIN:
            return self.filter(exporter_id=user.organisation_id)
        if user.role in EXPORTER_ROLES:
            # Staff see the cases they created and those their administrator shared with them.
            # (A subquery, not a join: a join needs DISTINCT, and PostgreSQL cannot lock rows of
            # a DISTINCT query, which every write does through lock_case.)
            shared = Application.shared_with.through.objects.filter(user_id=user.pk).values("application_id")
            return self.filter(Q(created_by=user) | Q(pk__in=shared), exporter_id=user.organisation_id)
        if user.role == Role.PROVINCIAL_OFFICER:
            return self.filter(province_id=user.organisation.province_id, submitted_at__isnull=False)
        if user.role in MINISTRY_ROLES:
            return self.filter(forwarded_at__isnull=False)
        if user.role in AGENCY_ROLES:
            # An agency sees the cases referred to it once the referral is sent, and nothing else.
            return self.filter(pk__in=Referral.objects.filter(
                agency_id=user.organisation_id, sent_at__isnull=False).values("application_id"))
        return self.none()


class Application(models.Model):
    """A licence application; once submitted it is the case (its reference is the case number)."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                 related_name="applications")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set on first submission, from the exporter's registered province; the province that handles it.
    province = models.ForeignKey("accounts.Province", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="applications")
    reference = models.CharField(_("case number"), max_length=20, unique=True, null=True, blank=True)
    # Lets a retried "create" (double click, network retry) return the draft it already made.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT)
    # Reg. 15, 19, 20: which licence (or the registration route) the exporter asks for; whether the
    # route is open to it is compliance.eligibility's answer, checked again at submission.
    route = models.CharField(_("route"), max_length=12, choices=Route.choices, default=Route.INDIVIDUAL)
    # Bumped on every change; forms and API clients send it back so a stale write is refused.
    version = models.PositiveIntegerField(default=1)

    destination = CountryField(_("destination country"), blank=True)
    importer = models.ForeignKey("enduser.Party", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("importer"))
    end_user = models.ForeignKey("enduser.Party", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("end user"))
    # The importer and the end user as filed (Party.snapshot), taken at each submission: the case
    # shows these, not the address-book record, which the exporter may edit later.
    importer_snapshot = models.JSONField(null=True, blank=True, editable=False)
    end_user_snapshot = models.JSONField(null=True, blank=True, editable=False)
    # A general licence names one or more end users: the main one above and these, from the
    # exporter's address book, screened like it and snapshotted at submission.
    additional_end_users = models.ManyToManyField("enduser.Party", blank=True, related_name="+",
                                                  verbose_name=_("further end users"))
    additional_end_users_snapshot = models.JSONField(null=True, blank=True, editable=False)
    # General licence: the last valid day the exporter asks (at most 3 years, Reg. 19) and the one
    # the ministry grants when it shortens it; the licence runs to the granted day, else the asked.
    requested_valid_until = models.DateField(_("valid until (requested)"), null=True, blank=True)
    granted_valid_until = models.DateField(_("valid until (granted)"), null=True, blank=True)
    # Registration route: the listed circumstance the shipment falls under.
    circumstance = models.ForeignKey("licensing.RegistrationCircumstance", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("circumstance"))
    end_use = models.TextField(_("end-use statement"), max_length=2000, blank=True)
    end_use_category = models.CharField(_("end-use category"), max_length=16, choices=EndUseCategory.choices,
                                        default=EndUseCategory.CIVIL)
    contract_number = models.CharField(_("contract number"), max_length=100, blank=True)
    # The shipment as the ministry's form and the licence carry it (licensing.applications.shipment).
    consignee = models.ForeignKey("enduser.Party", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("intermediate consignee"))
    consignee_snapshot = models.JSONField(null=True, blank=True, editable=False)
    trade_mode = models.CharField(_("trade mode"), max_length=4, choices=TradeMode.choices, blank=True)
    export_port = models.ForeignKey(CustomsPort, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("customs port of export"))
    transport_mode = models.CharField(_("transport mode"), max_length=8, choices=TransportMode.choices, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=8, choices=PaymentTerms.choices, blank=True)
    shipment_from = models.DateField(_("shipment from"), null=True, blank=True)
    shipment_until = models.DateField(_("shipment until"), null=True, blank=True)
    # Exporter staff other than the creator who may see and work on this case (the company's
    # administrators always may).
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="shared_cases")
    # The ministry case officer handling the case (queues: "assign" and "take").
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="assigned_cases")
    # Acceptance (受理) must come within 5 working days of receipt; one correction request (补正)
    # at most, after which the 5 days run again from the answer.
    acceptance_due = models.DateField(null=True, blank=True)
    corrections_requested_at = models.DateTimeField(null=True, blank=True)
    # The decision clock, kept current by licensing.clock (never written elsewhere).
    clock_state = models.CharField(max_length=16, choices=ClockState.choices, default=ClockState.NOT_STARTED)
    decision_due = models.DateField(null=True, blank=True)
    clock_paused_since = models.DateField(null=True, blank=True)
    total_value_rmb = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    # The control list version in force when the case was (last) submitted: the case is judged
    # against it even after the list changes.
    list_version = models.ForeignKey("controllist.ListVersion", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("control list version"))
    # A new application for a change of item, destination, end user or end use (Reg. 18): the
    # licence it replaces is cancelled when this case's licence is issued.
    replaces_licence = models.ForeignKey("licensing.Licence", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="replacement_applications", editable=False,
                                         verbose_name=_("replaces licence"))

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    # 初审意见: the provincial department's first-review opinion, given when it forwards the case
    # (optional: the Regulations ask the province only to check and forward), read by the ministry.
    province_opinion = models.TextField(_("first-review opinion"), blank=True)
    decision_reason = models.TextField(blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        constraints = [
            models.UniqueConstraint(fields=["exporter", "client_token"], name="one_draft_per_client_token"),
        ]
        indexes = [
            models.Index(fields=["province", "status"]),
            models.Index(fields=["status", "forwarded_at"]),
            models.Index(fields=["status", "decision_due"], name="case_status_due_idx"),
            models.Index(fields=["assigned_to", "status", "decision_due"], name="case_officer_due_idx"),
            models.Index(fields=["status", "acceptance_due"], name="case_status_acceptance_idx"),
            # Queues (benchmarks/review_queues.py): open cases by deadline, and the dashboard counts.
            models.Index(fields=["decision_due", "id"], name="case_review_due_idx", condition=Q(
                status__in=["accepted", "with_agencies", "awaiting_decision", "awaiting_countersign"])),
            models.Index(fields=["acceptance_due", "id"], name="case_acceptance_due_idx",
                         condition=Q(status__in=["forwarded", "correcting"])),
            models.Index(fields=["status", "clock_state", "assigned_to", "decision_due", "acceptance_due"],
                         name="case_open_counts_idx", condition=Q(forwarded_at__isnull=False, status__in=[
                             "forwarded", "correcting", "accepted", "with_agencies", "awaiting_decision",
                             "awaiting_countersign"])),
        ]

    def __str__(self):
        return self.reference or f"draft of {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        """How people see the case: its number, or a draft by its creation time (never by its
        database id, which looks like another case's number)."""
        if self.reference:
            return self.reference
        return f"{_('Draft')} · {date_format(timezone.localtime(self.created_at), 'Y-m-d H:i')}"

    @property
    def exporter_status_display(self) -> str:
        """The status as the exporter sees it (EXPORTER_STATUS_LABELS)."""
        label = EXPORTER_STATUS_LABELS.get(self.status)
        return str(label) if label is not None else self.get_status_display()


class ApplicationItem(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="items")
    # Blank only for an unlisted item applied for under the catch-all (Law 12(3), Reg. 14): the
    # exporter knows, should know or was told it may serve WMD, terrorism or endanger security.
    control_code = models.CharField(_("export control code"), max_length=16, blank=True)
    catch_all = models.BooleanField(_("unlisted item, catch-all applies"), default=False)
    description = models.CharField(_("description"), max_length=500)
    specification = models.CharField(_("model / specification"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)
    customs_unit = models.ForeignKey(CustomsUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    hs_code = models.CharField(_("HS code"), max_length=10, blank=True)
    # The price as contracted; value_rmb and value_usd follow from it (licensing.applications.items).
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    total = models.DecimalField(_("total"), max_digits=18, decimal_places=2, null=True, blank=True)
    value_rmb = models.DecimalField(_("value (RMB)"), max_digits=18, decimal_places=2)
    value_usd = models.DecimalField(_("value (USD)"), max_digits=18, decimal_places=2, null=True, blank=True)
    usd_rate_date = models.DateField(null=True, blank=True)
    # Set by an approval for a smaller quantity (0: item not approved); null: as applied for.
    approved_quantity = models.DecimalField(_("approved quantity"), max_digits=18, decimal_places=3,
                                            null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="item_quantity_positive"),
            models.CheckConstraint(condition=Q(value_rmb__gte=0), name="item_value_not_negative"),
            models.CheckConstraint(condition=Q(catch_all=True, control_code="")
                                   | (Q(catch_all=False) & ~Q(control_code="")),
                                   name="item_code_unless_catch_all"),
        ]

    def snapshot(self) -> dict:
        return {"control_code": self.control_code, "catch_all": self.catch_all, "description": self.description,
                "specification": self.specification, "quantity": str(self.quantity), "unit": self.unit,
                "value_rmb": str(self.value_rmb), "hs_code": self.hs_code, "customs_unit": self.customs_unit_id,
                "unit_price": None if self.unit_price is None else str(self.unit_price), "currency": self.currency,
                "total": None if self.total is None else str(self.total),
                "value_usd": None if self.value_usd is None else str(self.value_usd)}


class DocumentKind(models.TextChoices):
    END_USER_CERTIFICATE = "end_user_certificate", _("End-user and end-use certificate")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")
    CORRECTION = "correction", _("Answer to the corrections request")
    RFI_ANSWER = "rfi_answer", _("Answer to a request for information")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment report (Watch List party, Reg. 26)")
    COMPLIANCE_UNDERTAKING = "compliance_undertaking", _("Compliance undertaking (Watch List party, Reg. 26)")
    CERTIFIED_CERTIFICATE = "certified_certificate", _("End-user certificate certified by the government (Reg. 24)")


def _document_path(instance, filename):
    return f"documents/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    file = models.FileField(upload_to=_document_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set for documents given in answer to a correction request or an RFI.
    request = models.ForeignKey("licensing.CaseRequest", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="documents")

    class Meta:
        ordering = ["uploaded_at"]


class CounterManager(models.Manager):
    def next_value(self, name: str, year: int) -> int:
        """The next number of the yearly sequence; call inside a transaction. The lock is taken by
        the get (or by the insert of a new row); a racing insert of the same year waits on the
        unique index, then get_or_create re-reads the committed row."""
        counter, _created = self.select_for_update().get_or_create(name=name, year=year)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value


class Counter(models.Model):
    """Gap-free yearly sequences for case, licence and letter numbers (row-locked when incremented)."""

    name = models.CharField(max_length=32)
    year = models.PositiveIntegerField()
    value = models.PositiveIntegerField(default=0)

    objects = CounterManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="one_counter_per_year")]


def _verify_token() -> str:  # kept here for migration 0001, which names it
    return secrets.token_urlsafe(16)


# ---------------------------------------------------------------- the ministry's review


class RequestKind(models.TextChoices):
    CORRECTION = "correction", _("Request for corrections")
    RFI = "rfi", _("Request for information")
    CERTIFICATION = "certification", _("Government certification of the end-user certificate")


class CaseRequest(models.Model):
    """The ministry asks the exporter something: once, before acceptance, for everything missing
    (补正); or at any time after it, a question (RFI). The statutory clock stops while it is open."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    # Corrections: the list of what is missing, one line each. RFI: the question.
    text = models.TextField(max_length=5000)
    items = models.JSONField(default=list, blank=True)
    respond_by = models.DateField(null=True, blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(max_length=10000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["application", "answered_at"])]

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.withdrawn_at is None


class PauseKind(models.TextChoices):
    # Not counted in the 45 working days (Reg. 17):
    CORRECTION = "correction", _("Waiting for the exporter's corrections")
    RFI = "rfi", _("Waiting for the exporter's answer")
    CERTIFICATION = "certification", _("Waiting for the government-certified end-user certificate")
    IDENTIFICATION = "identification", _("Item identification")
    EXPERT = "expert", _("Expert consultation")
    ONSITE = "onsite", _("On-site check")
    # No limit at all while in effect (Reg. 17):
    WATCH_LIST = "watch_list", _("A party is on the watch list: no time limit")
    STATE_COUNCIL = "state_council", _("Referred to the State Council: no time limit")


NO_LIMIT_KINDS = frozenset({PauseKind.WATCH_LIST, PauseKind.STATE_COUNCIL})


class ClockPause(models.Model):
    """One stop of the decision clock. Working days after `started_on` up to and including
    `ended_on` are not counted (the day a pause starts counts, the day it ends does not)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=16, choices=PauseKind.choices)
    note = models.TextField(max_length=2000, blank=True)
    request = models.OneToOneField(CaseRequest, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="pause")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            # At most one open pause of each kind per case: a double click cannot open two.
            models.UniqueConstraint(fields=["application", "kind"], condition=Q(ended_on__isnull=True),
                                    name="one_open_pause_per_kind"),
        ]


class AgencySettings(models.Model):
    """How a consulted agency works with the portal, edited by a ministry administrator."""

    agency = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="review_settings",
                                  limit_choices_to={"kind": "agency"})
    deadline_working_days = models.PositiveSmallIntegerField(_("opinion due within (working days)"), default=10)
    remind_working_days_before = models.PositiveSmallIntegerField(_("remind this many working days before"),
                                                                  default=2)
    # EO 12981-style: an agency that does not answer by the deadline is taken to have no objection.
    silence_is_no_objection = models.BooleanField(_("silence means no objection"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("agency settings")


class CountryGroup(models.Model):
    """A named group of destinations used by routing rules (e.g. arms-embargoed countries)."""

    code = models.SlugField(max_length=32, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    countries = models.JSONField(default=list)  # ISO 3166 alpha-2 codes

    class Meta:
        ordering = ["code"]


class RoutingRule(models.Model):
    """Which agencies a case is referred to. Every non-blank condition must match; a case goes to
    the agencies of every matching rule, each agency once. Edited in the browser by a ministry
    administrator; a referral keeps a snapshot of the rule that proposed it."""

    name_zh = models.CharField(_("reason (Chinese)"), max_length=200)
    name_en = models.CharField(_("reason (English)"), max_length=200)
    sector = models.CharField(_("sector digit"), max_length=1, blank=True)
    item_type = models.CharField(_("item type letter"), max_length=1, blank=True)
    regime_digit = models.CharField(_("regime digit"), max_length=1, blank=True)
    code_exact = models.CharField(_("exact code"), max_length=16, blank=True)
    code_prefix = models.CharField(_("code prefix"), max_length=16, blank=True)
    destination = models.CharField(_("destination country"), max_length=2, blank=True)
    country_group = models.ForeignKey(CountryGroup, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("destination group"))
    end_use_category = models.CharField(_("end-use category"), max_length=16, choices=EndUseCategory.choices,
                                        blank=True)
    min_value_rmb = models.DecimalField(_("case value at least (RMB)"), max_digits=20, decimal_places=2,
                                        null=True, blank=True)
    catch_all = models.BooleanField(_("catch-all items only"), default=False)
    agencies = models.ManyToManyField("accounts.Organisation", related_name="+", limit_choices_to={"kind": "agency"})
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("routing rule")


class ReferralState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DROPPED = "dropped", _("Dropped by the officer")
    SENT = "sent", _("Awaiting the agency's opinion")
    ANSWERED = "answered", _("Opinion given")
    SILENT = "silent", _("No objection by silence")
    WITHDRAWN = "withdrawn", _("Withdrawn by the officer")


class OpinionKind(models.TextChoices):
    NO_OBJECTION = "no_objection", _("No objection")
    CONDITIONS = "conditions", _("No objection, with conditions")
    OBJECTION = "objection", _("Objection")


class Referral(models.Model):
    """A case referred to one agency for its opinion (跨部门许可会商); its opinion lives here."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="referrals")
    state = models.CharField(max_length=16, choices=ReferralState.choices, default=ReferralState.PROPOSED)
    # What proposed it: the rules (snapshots, so a later edit does not rewrite history) or the officer.
    rules = models.JSONField(default=list, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    reason = models.TextField(max_length=2000, blank=True)  # why added by hand, dropped or withdrawn
    sent_at = models.DateTimeField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    opinion = models.CharField(max_length=16, choices=OpinionKind.choices, blank=True)
    opinion_reasons = models.TextField(max_length=10000, blank=True)
    opinion_conditions = models.TextField(max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "agency"], name="one_referral_per_agency"),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_on"], name="referral_agency_queue_idx"),
            models.Index(fields=["state", "due_on"], name="referral_due_idx"),
            models.Index(fields=["agency", "state", "due_on"], name="referral_sent_queue_idx",
                         condition=Q(sent_at__isnull=False)),
        ]


# Areas with models of their own keep them in their folder; Django finds them through this module.
from licensing.certificates.models import CertificateLine, EndUseCertificate  # noqa: E402, F401
from licensing.changes.models import (  # noqa: E402, F401
    LicenceChange,
    LicenceChangeState,
)
from licensing.customs.models import (  # noqa: E402, F401
    Challenge,
    ChallengeDocument,
    ChallengeState,
    CustomsRule,
    CustomsScope,
    CustomsSystem,
    CustomsToken,
    ToleranceRule,
    WriteOff,
)
from licensing.decisions.models import (  # noqa: E402, F401
    CountersignRule,
    CountersignRuleKind,
    DecisionOutcome,
    LawFactor,
    Recommendation,
    RecommendationState,
    RefusalLetter,
)
from licensing.enduse.models import (  # noqa: E402, F401
    EndUseReport,
    EndUseReportDocument,
    EndUseReportKind,
    EndUseReportState,
)
from licensing.licences.models import (  # noqa: E402, F401
    Licence,
    LicenceEvent,
    LicenceEventKind,
    LicenceItem,
    LicenceNotice,
    LicenceNoticeKind,
    LicenceStatus,
    LicenceType,
)
from licensing.registration.models import (  # noqa: E402, F401
    RegistrationCertificate,
    RegistrationCircumstance,
)
from licensing.reporting.models import (  # noqa: E402, F401
    LicenceReport,
    LicenceReportDocument,
    ReportAnchor,
    ReportDefault,
    ReportKind,
    ReportRequirement,
)
