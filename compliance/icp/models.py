"""Internal compliance programmes (ICP): the exporter keeps its programme's nine elements, each with
an owner, evidence documents, a last-reviewed date and a self-assessment; the ministry evaluates the
programme (findings per element, an overall rating valid until a date). How long evidence stays
fresh is data (EvidencePeriod), edited by a ministry senior officer."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES, OrgKind, Role


class Rating(models.TextChoices):
    """A ministry evaluation's overall rating of an internal compliance programme. Only GOOD
    opens the general-licence and registration routes (Reg. 20: a "well-running" ICP)."""

    GOOD = "good", _("Good: runs well")
    ADEQUATE = "adequate", _("Adequate: findings to fix")
    POOR = "poor", _("Poor: does not run")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    ISSUED = "issued", _("Issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Element(models.TextChoices):
    """The nine elements of an internal compliance programme (MOFCOM guidance)."""

    POLICY = "policy", _("Policy statement")
    ORGANISATION = "organisation", _("Organisation")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    REVIEW_PROCEDURE = "review_procedure", _("Review procedure")
    EMERGENCY = "emergency", _("Emergency measures")
    TRAINING = "training", _("Training")
    AUDIT = "audit", _("Compliance audit")
    RECORD_KEEPING = "record_keeping", _("Record keeping")
    MANUAL = "manual", _("Compliance manual")


class Assessment(models.TextChoices):
    IN_PLACE = "in_place", _("In place")
    PARTLY = "partly", _("Partly in place")
    MISSING = "missing", _("Missing")


class Severity(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    MINOR = "minor", _("Minor: to fix")
    MAJOR = "major", _("Major: to fix before a good rating")


class EvaluationMethod(models.TextChoices):
    PAPER = "paper", _("On paper")
    ON_SITE = "on_site", _("On site")


def _by_exporter(qs, user, field: str):
    """Rows of exporters `user` may see: its own company, every exporter for the ministry, the
    exporters of its province for a provincial officer (read-only); nobody else."""
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role in MINISTRY_ROLES:
        return qs
    if user.role in EXPORTER_ROLES:
        return qs.filter(**{field: user.organisation_id})
    if user.role == Role.PROVINCIAL_OFFICER:
        return qs.filter(**{f"{field}__kind": OrgKind.EXPORTER,
                            f"{field}__province_id": user.organisation.province_id})
    return qs.none()


class ICPQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _by_exporter(self, user, "exporter")


class ICP(models.Model):
    """One exporter's internal compliance programme, kept by its administrators."""

    exporter = models.OneToOneField("accounts.Organisation", on_delete=models.PROTECT, related_name="icp")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ICPQuerySet.as_manager()

    class Meta:
        verbose_name = _("internal compliance programme")

    def __str__(self):
        return f"ICP {self.exporter_id}"


class ICPElement(models.Model):
    """One of the nine elements of an ICP. Reminders are sent once per due date: the dates last
    told are kept so a second run of the beat tells nobody again."""

    icp = models.ForeignKey(ICP, on_delete=models.CASCADE, related_name="elements")
    element = models.CharField(_("element"), max_length=20, choices=Element.choices)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("owner (a user of the company)"))
    owner_name = models.CharField(_("owner (name)"), max_length=100, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    assessment = models.CharField(_("self-assessment"), max_length=12, choices=Assessment.choices, blank=True)
    assessment_text = models.TextField(_("self-assessment text"), max_length=5000, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    reminded_due_on = models.DateField(null=True, blank=True, editable=False)
    stale_told_due_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["icp", "pk"]
        constraints = [models.UniqueConstraint(fields=["icp", "element"], name="one_icp_element_each")]
        indexes = [models.Index(fields=["element", "last_reviewed_on"], name="icp_element_review_idx")]

    def __str__(self):
        return f"{self.icp_id}:{self.element}"


def _evidence_path(instance, filename):
    return f"icp/{uuid.uuid4().hex}.pdf"


class ICPEvidence(models.Model):
    element = models.ForeignKey(ICPElement, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]


class EvidencePeriod(models.Model):
    """How many months an element's evidence stays fresh after its last review (e.g. training 12)."""

    element = models.CharField(_("element"), max_length=20, choices=Element.choices, unique=True)
    months = models.PositiveSmallIntegerField(_("months"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence period")


class ICPEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ministry sees drafts too; an exporter and a province only what was issued (and
        later withdrawn), never a draft."""
        rows = _by_exporter(self, user, "exporter")
        if user.is_authenticated and user.role not in MINISTRY_ROLES:
            rows = rows.exclude(status=EvaluationStatus.DRAFT)
        return rows


class ICPEvaluation(models.Model):
    """The ministry's evaluation of one exporter's ICP: an overall rating valid until a date."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="icp_evaluations")
    status = models.CharField(max_length=12, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT)
    rating = models.CharField(_("overall rating"), max_length=12, choices=Rating.choices, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(_("how evaluated"), max_length=8, choices=EvaluationMethod.choices,
                              default=EvaluationMethod.PAPER)
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, editable=False)  # a retried "create" returns the draft
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    withdraw_reason = models.TextField(max_length=5000, blank=True)

    objects = ICPEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["exporter", "status", "valid_until"], name="icp_eval_current")]
        constraints = [models.UniqueConstraint(fields=["exporter", "client_token"], name="one_icp_evaluation_per_token")]
        verbose_name = _("ICP evaluation")

    def __str__(self):
        return f"ICP evaluation {self.pk} {self.exporter_id} {self.rating}"


class ICPFinding(models.Model):
    evaluation = models.ForeignKey(ICPEvaluation, on_delete=models.CASCADE, related_name="findings")
    element = models.CharField(_("element"), max_length=20, choices=Element.choices)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    text = models.TextField(_("finding"), max_length=5000)

    class Meta:
        ordering = ["evaluation", "pk"]
