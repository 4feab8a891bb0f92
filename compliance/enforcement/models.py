from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    CHALLENGE = "challenge", _("Customs challenge")
    ENDUSE_REPORT = "enduse_report", _("End-use change report")
    SCREENING_HIT = "screening_hit", _("Confirmed screening hit")
    MANUAL = "manual", _("Opened by hand")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class EnforcementCase(models.Model):
    """An enforcement matter against one exporter (Law ch. 4): its steps (inspection, talk,
    warning letter, penalty) hang off it."""

    reference = models.CharField(_("enforcement case number"), max_length=20, unique=True)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="enforcement_cases")
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    summary = models.TextField(_("summary"))
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # What the case was opened from (a customs challenge, an end-use change report, a confirmed
    # screening hit): its model, its id and the reference people quote. Empty when opened by hand.
    source_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    source_id = models.CharField(max_length=32, blank=True)
    source_reference = models.CharField(_("source reference"), max_length=40, blank=True)
    close_note = models.TextField(_("closing note"), max_length=4000, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("enforcement case")
        indexes = [models.Index(fields=["exporter", "status"], name="enf_case_by_exporter")]

    def __str__(self):
        return self.reference


class PenaltyHead(models.TextChoices):
    """Law 33-39: the heads a penalty is decided under (compliance.penalties.calculator)."""

    UNLICENSED_EXPORT = "unlicensed_export", _("Exporting without or beyond a licence")
    LICENCE_FRAUD = "licence_fraud", _("Licence obtained by fraud or bribery")
    LICENCE_FORGERY = "licence_forgery", _("Forging, altering or trading licences")
    SERVICES_TO_VIOLATORS = "services_to_violators", _("Services to violators")
    CONTROL_LIST_TRADING = "control_list_trading", _("Trading with a Control List party")
    OBSTRUCTING_INSPECTION = "obstructing_inspection", _("Obstructing inspection")


class PenaltyKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative penalty")
    # A court's criminal judgment for an export-control offence, recorded by the ministry: a
    # permanent bar from the general-licence and registration routes (Reg. 20).
    CRIMINAL = "criminal", _("Criminal penalty (court judgment)")


class PenaltyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_COUNTERSIGN = "awaiting_countersign", _("Awaiting countersignature")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Penalty(models.Model):
    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="penalties")
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField(max_length=16, choices=PenaltyKind.choices, default=PenaltyKind.ADMINISTRATIVE)
    head = models.CharField(_("head"), max_length=32, choices=PenaltyHead.choices)
    turnover = models.DecimalField(_("illegal turnover (RMB)"), max_digits=16, decimal_places=0, default=0)
    range_min = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    range_max = models.DecimalField(max_digits=16, decimal_places=0, null=True, blank=True)
    amount = models.DecimalField(_("fine (RMB)"), max_digits=16, decimal_places=0, default=0)
    justification = models.TextField(_("justification for an amount outside the range"), blank=True)
    # Reg. 20: a serious administrative penalty bars the general-licence and registration routes
    # for 5 years after its decision.
    serious = models.BooleanField(_("serious administrative penalty"), default=False)
    status = models.CharField(max_length=24, choices=PenaltyStatus.choices, default=PenaltyStatus.DRAFT)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    # Law 33-39 "may refuse applications for 5 years": set on decision when the ministry so orders;
    # submission refuses new applications of the exporter until this day (exclusive).
    bars_applications_until = models.DateField(_("new applications refused until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The officer's tick "refuse new applications for 5 years" (Law 39), applied on decision.
    bar_applications = models.BooleanField(_("refuse new applications for 5 years"), default=False)
    reasons = models.TextField(_("facts and reasons"), max_length=8000, blank=True)
    # A senior officer's comment when sending the penalty back, or on countersigning.
    countersign_note = models.TextField(max_length=4000, blank=True)
    # A court's judgment recorded by the ministry (kind CRIMINAL).
    court = models.CharField(_("court"), max_length=200, blank=True)
    judgment_reference = models.CharField(_("judgment number"), max_length=100, blank=True)
    client_token = models.UUIDField(null=True, blank=True, editable=False)  # a double submit is refused
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["exporter", "status", "decided_on"], name="penalty_by_exporter")]
        verbose_name = _("penalty")
        constraints = [models.UniqueConstraint(fields=["case", "client_token"], name="one_penalty_per_submit")]

    def __str__(self):
        return f"Penalty {self.pk} {self.head} {self.amount}"


class StepKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    TALK = "talk", _("Regulatory talk")
    WARNING_LETTER = "warning_letter", _("Warning letter")
    RFI = "rfi", _("Request for information")
    PENALTY_DECISION = "penalty_decision", _("Penalty decision")


# The steps the exporter sees on its enforcement pages and may answer.
ADDRESSED_KINDS = frozenset({StepKind.TALK, StepKind.WARNING_LETTER, StepKind.RFI, StepKind.PENALTY_DECISION})


class EnforcementStep(models.Model):
    """One step of an enforcement case, with its date, text and documents. An inspection is the
    ministry's own record; the other kinds are addressed to the exporter, who may answer by
    `respond_by` (working days from the step)."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    number = models.CharField(_("document number"), max_length=24, blank=True)
    occurred_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    # Inspection: the on-site record; talk: the invitation; warning letter: what was found and
    # what the exporter must do; RFI: the question; penalty decision: the decision's summary.
    text = models.TextField(_("text"), max_length=8000)
    findings = models.TextField(_("findings"), max_length=8000, blank=True)
    minutes = models.TextField(_("minutes"), max_length=8000, blank=True)
    respond_by = models.DateField(_("answer by"), null=True, blank=True)
    response = models.TextField(_("answer"), max_length=8000, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    penalty = models.OneToOneField(Penalty, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="decision_step")
    pdf = models.BinaryField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "pk"]
        verbose_name = _("enforcement step")

    @property
    def addressed(self) -> bool:
        return self.kind in ADDRESSED_KINDS

    @property
    def late(self) -> bool:
        return bool(self.responded_at and self.respond_by and self.responded_at.date() > self.respond_by)


def _step_path(instance, filename):
    return f"enforcement/{instance.step.case_id}/{filename}"


class StepDocument(models.Model):
    step = models.ForeignKey(EnforcementStep, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_step_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # False: evidence or minutes the ministry attached; True: part of the exporter's answer.
    from_exporter = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class NoteKind(models.TextChoices):
    COOPERATION = "cooperation", _("Cooperation")
    REMEDIATION = "remediation", _("Remediation")


class CaseNote(models.Model):
    """The exporter's cooperation and remediation as the ministry records them: shown on the
    penalty form as mitigating factors (DOMAIN.md: they can reduce penalties)."""

    case = models.ForeignKey(EnforcementCase, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices)
    text = models.TextField(_("note"), max_length=4000)
    noted_on = models.DateField(_("date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["noted_on", "pk"]
