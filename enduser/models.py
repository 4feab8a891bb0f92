import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class PartyKind(models.TextChoices):
    """What screening tells apart, and the kinds of listed parties; a Party's four kinds map onto
    these (Party.screening_kind)."""

    COMPANY = "company", _("Company or body")
    PERSON = "person", _("Person")


class Party(models.Model):
    """A foreign party of an exporter's address book (importer, end user, intermediate consignee,
    Reg. 24), reused across its applications. An application keeps a snapshot of the party as filed
    (licensing's importer_snapshot / end_user_snapshot), so editing the record later never changes
    what a case says; a draft never edits a record that another application uses (it makes a new one)."""

    class Kind(models.TextChoices):
        # Screening tells persons from everything else: every other kind is screened as a company.
        COMPANY = "company", _("Company")
        PERSON = "person", _("Person")
        GOVERNMENT = "government", _("Government body")
        RESEARCH = "research", _("Research institute")

    class Role(models.TextChoices):
        IMPORTER = "importer", _("Importer")
        END_USER = "end_user", _("End user")
        CONSIGNEE = "consignee", _("Intermediate consignee")

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="parties")
    name = models.CharField(_("legal name as written"), max_length=300)
    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    name_latin = models.CharField(_("Latin-script name"), max_length=300, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    address = models.CharField(_("address"), max_length=500)
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPANY)
    roles = models.JSONField(_("usual roles"), default=list, blank=True)
    identifiers = models.JSONField(_("registration numbers"), default=dict, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    archived = models.BooleanField(_("archived"), default=False)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [models.Index(fields=["exporter", "archived", "name"], name="party_book_idx")]

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    @property
    def screening_kind(self) -> str:
        return PartyKind.PERSON if self.kind == self.Kind.PERSON else PartyKind.COMPANY

    def snapshot(self) -> dict:
        """The party as an application files it (and as the audit trail records it)."""
        return {"id": self.pk, "version": self.version, "name": self.name, "name_zh": self.name_zh,
                "name_latin": self.name_latin, "aliases": list(self.aliases or []), "kind": self.kind,
                "address": self.address, "country": self.country.code, "identifiers": dict(self.identifiers or {}),
                "contact": self.contact}


PartyRecordKind = Party.Kind  # for the API schema's enum names (portal/settings.py)


# ---------------------------------------------------------------- the Control List and the Watch List


class ListKind(models.TextChoices):
    CONTROL = "control", _("Control List (Law 18)")
    WATCH = "watch", _("Watch List (Reg. 26)")


class ListedPartyQuerySet(models.QuerySet):
    def in_force(self, on):
        return self.filter(effective_on__lte=on).exclude(removed_on__lte=on)


class ListedParty(models.Model):
    """A foreign party on the Control List or the Watch List, as the ministry's announcement names
    it. A row is never deleted: a removal sets removed_on, and every change is a ListChange row."""

    list_kind = models.CharField(_("list"), max_length=8, choices=ListKind.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=PartyKind.choices, default=PartyKind.COMPANY)
    names = models.JSONField(_("names (every form given)"), default=list)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    country = CountryField(_("country"), blank=True)
    identifiers = models.JSONField(_("identifiers"), default=dict, blank=True)
    announcement = models.CharField(_("announcement"), max_length=120)
    announced_on = models.DateField(_("announced on"))
    effective_on = models.DateField(_("in force from"))
    reason = models.TextField(_("reason"), max_length=2000)
    effect = models.TextField(_("measures"), max_length=2000, blank=True)
    uncertain = models.BooleanField(_("not yet checked against the announcement"), default=False)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_announcement = models.CharField(_("removal announcement"), max_length=120, blank=True)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ListedPartyQuerySet.as_manager()

    class Meta:
        ordering = ["list_kind", "pk"]
        verbose_name = _("listed party")
        verbose_name_plural = _("listed parties")
        indexes = [models.Index(fields=["list_kind", "effective_on", "removed_on"], name="listed_in_force_idx")]

    def __str__(self):
        return f"{self.get_list_kind_display()}: {self.primary_name}"

    @property
    def primary_name(self) -> str:
        return self.names[0] if self.names else ""


class ListChange(models.Model):
    """One change to a list, in order: every version of every entry is kept here (and in the audit
    trail); rescreening works from these rows."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        REMOVE = "remove", _("Removed")

    listed = models.ForeignKey(ListedParty, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=8, choices=Action.choices)
    snapshot = models.JSONField(default=dict)
    announcement = models.CharField(max_length=120, blank=True)
    on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class HitState(models.TextChoices):
    OPEN = "open", _("To be checked")
    TRUE = "true", _("Confirmed: the same party")
    FALSE = "false", _("Not the same party")
    CLOSED = "closed", _("Closed: the entry was removed")
    RULE_OFF = "rule_off", _("Not raised: ownership rule not in force")


class ScreeningHit(models.Model):
    """A party of an exporter found alike a listed party, with everything needed to judge it and
    to repeat the screening: both names as written, the bridges, the part table, the score and
    the versions used. A hit judged false is not raised again for that party name and entry
    version."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="hits")
    listed = models.ForeignKey(ListedParty, on_delete=models.PROTECT, related_name="hits")
    listed_version = models.PositiveIntegerField()
    party_name = models.CharField(max_length=300)
    listed_name = models.CharField(max_length=300)
    score = models.DecimalField(max_digits=4, decimal_places=2)
    why = models.CharField(max_length=500)
    parts = models.JSONField(default=list)
    versions = models.JSONField(default=dict)
    fuzzy = models.BooleanField(default=False)
    identifier_conflict = models.BooleanField(default=False)
    branch = models.BooleanField(default=False)
    # Set when the party matched an entity owned by the listed party: the share, the paths (names
    # and percentages, listed owner first), the rule's state and period (screening.ownership).
    ownership = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=HitState.choices, default=HitState.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    screened_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [models.UniqueConstraint(fields=["party", "listed", "listed_version", "party_name"],
                                               name="one_hit_per_party_name_and_entry_version")]


class OwnershipRule(models.TextChoices):
    # The value is also enduser.screening.ownership.AFFILIATES_50, which stays free of the models.
    AFFILIATES_50 = "affiliates-50", _("Subsidiaries and branches owned by listed parties")


class RulePeriodState(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")


class OwnershipRulePeriod(models.Model):
    """A period in which an ownership rule is in force or suspended, as the announcements say:
    MOFCOM Announcement 2025 No. 61 §II extends exports to listed parties to the subsidiaries and
    branches they own 50% or more; Announcement 2025 No. 70 suspends that for a year. Data, not
    code (DOMAIN.md), so the administrator follows the next announcement without a release.

    Periods of one rule never overlap (`clean`); a day no period covers has the rule not in force."""

    rule = models.CharField(_("rule"), max_length=32, choices=OwnershipRule.choices,
                            default=OwnershipRule.AFFILIATES_50)
    threshold_percent = models.DecimalField(
        _("threshold (%)"), max_digits=7, decimal_places=4, default=Decimal("50"),
        help_text=_("Listed parties owning this share or more, summed along ownership chains, "
                    "make the owned party subject to the rule."))
    state = models.CharField(_("state"), max_length=16, choices=RulePeriodState.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Last day of the period, inclusive; empty: open-ended."))
    announcement_zh = models.CharField(_("announcement (Chinese)"), max_length=200)
    announcement_en = models.CharField(_("announcement (English)"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    uncertain = models.BooleanField(
        _("uncertain"), default=False,
        help_text=_("Tick while the dates or the announcement are not yet checked against the "
                    "published text."))

    class Meta:
        ordering = ("rule", "valid_from")
        verbose_name = _("ownership rule period")
        verbose_name_plural = _("ownership rule periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="ownership_rule_period_ends_after_start",
                violation_error_message=_("A period cannot end before it starts.")),
            models.CheckConstraint(
                condition=Q(threshold_percent__gt=0, threshold_percent__lte=100),
                name="ownership_rule_threshold_is_a_percent",
                violation_error_message=_("The threshold is a percentage above 0 and at most 100.")),
            models.UniqueConstraint(fields=["rule", "valid_from"], name="one_ownership_rule_period_per_start"),
        ]

    def __str__(self):
        until = self.valid_until.isoformat() if self.valid_until else "…"
        return f"{self.rule} {self.valid_from.isoformat()}–{until} ({self.get_state_display()})"

    def clean(self):
        if not (self.valid_from and self.rule):
            return
        overlapping = OwnershipRulePeriod.objects.filter(rule=self.rule).exclude(pk=self.pk)
        if self.valid_until:
            overlapping = overlapping.filter(valid_from__lte=self.valid_until)
        overlapping = overlapping.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from))
        other = overlapping.first()
        if other:
            raise ValidationError(
                _("This period overlaps %(other)s: end that period first, so each day has one "
                  "answer.") % {"other": other})


class RescreenState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RescreenJob(models.Model):
    """The parties of open cases and valid licences screened again against some list changes:
    against the entries they add, and the hits on the entries they remove closed. Worked in
    batches, one transaction each; `cursor` is the last party id done, so a run that died is
    taken over (once its heartbeat is stale) where it stopped."""

    change_ids = models.JSONField(default=list)
    link_change_ids = models.JSONField(default=list)  # OwnershipLinkChange rows
    state = models.CharField(max_length=8, choices=RescreenState.choices, default=RescreenState.QUEUED)
    parties_total = models.PositiveIntegerField(default=0)
    parties_done = models.PositiveIntegerField(default=0)
    cursor = models.PositiveBigIntegerField(default=0)
    removals_done = models.BooleanField(default=False)
    new_hits = models.PositiveIntegerField(default=0)
    closed_hits = models.PositiveIntegerField(default=0)
    # The run that holds the job: a run taken over stops at its next batch.
    runner = models.CharField(max_length=36, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("rescreening")
        verbose_name_plural = _("rescreenings")

    def __str__(self):
        return f"rescreen {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == RescreenState.DONE:
            return 100
        return int(100 * self.parties_done / self.parties_total) if self.parties_total else 0


# ---------------------------------------------------------------- exceptions to the Control List


class ExceptionState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the ministry's decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ListException(models.Model):
    """An exporter's application for an exception to the Control List (Export Control Law Art. 18),
    decided by the ministry. It is tied to the party name as filed and the entry's version: granted
    for "華榮精密技術有限公司" against entry #7 v1, it says nothing about another name or version."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="list_exceptions")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="list_exceptions")
    listed = models.ForeignKey(ListedParty, on_delete=models.PROTECT, related_name="exceptions")
    listed_version = models.PositiveIntegerField()
    party_name = models.CharField(_("party as filed"), max_length=300)
    reasons = models.TextField(_("reasons"), max_length=5000)
    state = models.CharField(_("state"), max_length=10, choices=ExceptionState.choices,
                             default=ExceptionState.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), max_length=5000, blank=True)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("exception to the Control List")
        verbose_name_plural = _("exceptions to the Control List")
        constraints = [
            # One live application (awaiting or granted) per exporter, party name and entry version:
            # a double click or a second tab finds the first one.
            models.UniqueConstraint(fields=["exporter", "party_name", "listed", "listed_version"],
                                    condition=Q(state__in=["requested", "granted"]),
                                    name="one_live_exception_per_party_name_and_entry_version"),
        ]

    def __str__(self):
        return f"{self.party_name} / {self.listed_id} v{self.listed_version}: {self.state}"


# ---------------------------------------------------------------- end-use checks (最终用户和最终用途核查)


class CheckMethod(models.TextChoices):
    DOCUMENTS = "documents", _("Documents asked through the exporter")
    ON_SITE = "on_site", _("On-site visit")


class CheckState(models.TextChoices):
    OPEN = "open", _("Open: awaiting the answer")
    ANSWERED = "answered", _("Answered: to be assessed")
    CLOSED = "closed", _("Closed")


class CheckOutcome(models.TextChoices):
    COOPERATED = "cooperated", _("Cooperated")
    NOT_COOPERATED = "not_cooperated", _("Did not cooperate")


def _check_document_path(instance, filename):
    return f"enduse-checks/{instance.enduse_check_id}/{uuid.uuid4().hex}.pdf"


class EndUseCheck(models.Model):
    """A check by the ministry on an importer or end user, made through the exporter that named it.
    The party's names, country and identifiers are kept as they were when the check was opened, so
    the check still says whom it was about after the party record changes. The case it was opened
    from is plain data (enduser never imports licensing)."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="enduse_checks")
    party_names = models.JSONField(_("party names"), default=list)
    party_kind = models.CharField(max_length=8, choices=PartyKind.choices, default=PartyKind.COMPANY)
    party_address = models.CharField(_("address"), max_length=500, blank=True)
    party_country = CountryField(_("country"), blank=True)
    party_identifiers = models.JSONField(_("registration numbers"), default=dict, blank=True)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="enduse_checks")
    application_id = models.PositiveBigIntegerField(null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=20, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=CheckMethod.choices)
    questions = models.TextField(_("questions and documents asked"), max_length=5000)
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=CheckState.choices, default=CheckState.OPEN)
    answer = models.TextField(_("answer"), max_length=10000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    visit_on = models.DateField(_("visit date"), null=True, blank=True)
    visit_place = models.CharField(_("place visited"), max_length=500, blank=True)
    visit_findings = models.TextField(_("findings of the visit"), max_length=10000, blank=True)
    visit_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=CheckOutcome.choices, blank=True)
    findings = models.TextField(_("findings"), max_length=10000, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue_told_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("end-use check")
        verbose_name_plural = _("end-use checks")
        indexes = [models.Index(fields=["state", "deadline"], name="enduse_check_state_due_idx"),
                   models.Index(fields=["exporter", "state"], name="enduse_check_exporter_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(state="closed", closed_at__isnull=False) | ~Q(state="closed"),
                                   name="enduse_check_closed_has_time"),
            models.CheckConstraint(condition=Q(outcome="") | Q(state="closed"),
                                   name="enduse_check_outcome_only_when_closed"),
        ]

    def __str__(self):
        return f"end-use check {self.pk}: {self.party_name}"

    @property
    def party_name(self) -> str:
        return self.party_names[0] if self.party_names else ""

    def is_overdue(self, today) -> bool:
        return self.state == CheckState.OPEN and self.deadline < today


class EndUseCheckDocument(models.Model):
    """A PDF the exporter gives in answer to a check."""

    enduse_check = models.ForeignKey(EndUseCheck, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=_check_document_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed: awaiting the officer")
    ACCEPTED = "accepted", _("Accepted: published on the Watch List")
    DISMISSED = "dismissed", _("Dismissed")


class WatchListProposal(models.Model):
    """A Watch List entry proposed because the party did not cooperate with an end-use check
    (Reg. 26). Accepting it publishes the entry through enduser.lists, like any publication."""

    enduse_check = models.OneToOneField(EndUseCheck, on_delete=models.PROTECT, related_name="proposal")
    kind = models.CharField(max_length=8, choices=PartyKind.choices, default=PartyKind.COMPANY)
    names = models.JSONField(default=list)
    addresses = models.JSONField(default=list, blank=True)
    country = CountryField(blank=True)
    identifiers = models.JSONField(default=dict, blank=True)
    reason = models.TextField(max_length=2000)
    state = models.CharField(max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    listed = models.ForeignKey(ListedParty, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("Watch List proposal")
        verbose_name_plural = _("Watch List proposals")

    def __str__(self):
        return f"Watch List proposal {self.pk}: {self.names[0] if self.names else ''} ({self.state})"
# ---------------------------------------------------------------- ownership links (MOFCOM 2025 No. 61 §II)


class LinkKind(models.TextChoices):
    SUBSIDIARY = "subsidiary", _("Subsidiary")
    BRANCH = "branch", _("Branch (counts as 100%)")


class OwnershipLinkQuerySet(models.QuerySet):
    def in_force(self, on):
        return self.filter(start_on__lte=on).exclude(end_on__lt=on)


class OwnershipLink(models.Model):
    """`owner` holds `percent` of the owned entity from `start_on` to `end_on` (inclusive), as the
    evidence shows. The owner is a listed party, or the owned entity of other links, named by one
    of its names (`owner_names`): so chains L → B → A are stored link by link. A branch counts as
    100% whatever is written. A row is never deleted: an end sets `end_on`, and every version is
    an OwnershipLinkChange row."""

    owner_listed = models.ForeignKey(ListedParty, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="ownership_links", verbose_name=_("owner (list entry)"))
    owner_names = models.JSONField(_("owner (names of an owned entity)"), default=list, blank=True)
    owned_names = models.JSONField(_("owned entity: names (every form given)"), default=list)
    owned_country = CountryField(_("owned entity: country"), blank=True)
    owned_identifiers = models.JSONField(_("owned entity: identifiers"), default=dict, blank=True)
    kind = models.CharField(_("subsidiary or branch"), max_length=12, choices=LinkKind.choices,
                            default=LinkKind.SUBSIDIARY)
    percent = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True,
                              help_text=_("Last day of the holding, inclusive; empty: still held."))
    evidence = models.TextField(_("evidence"), max_length=2000)
    source = models.CharField(_("source or announcement"), max_length=200)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnershipLinkQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("ownership link")
        verbose_name_plural = _("ownership links")
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100),
                                   name="ownership_link_percent_is_a_percent"),
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                                   name="ownership_link_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.owner_name} → {self.owned_name} ({self.percent}%)"

    @property
    def owned_name(self) -> str:
        return self.owned_names[0] if self.owned_names else ""

    @property
    def owner_name(self) -> str:
        if self.owner_listed_id is not None:
            return self.owner_listed.primary_name
        return self.owner_names[0] if self.owner_names else ""


class OwnershipLinkChange(models.Model):
    """Every version of every ownership link, in order, like ListChange for list entries;
    rescreening works from these rows."""

    class Action(models.TextChoices):
        PUBLISH = "publish", _("Published")
        CHANGE = "change", _("Changed")
        END = "end", _("Ended")

    link = models.ForeignKey(OwnershipLink, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=8, choices=Action.choices)
    snapshot = models.JSONField(default=dict)
    on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
