"""The control list (两用物项出口管制清单) and what hangs off it: list versions and their entries, the
search index over them, the editable table that derives regime and control reason from a code,
temporary controls (Law 9, Reg. 12), prohibitions (Law 10, Reg. 13) and classification questions
(Reg. 14)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.models import EXPORTER_ROLES, MINISTRY_ROLES

# ---------------------------------------------------------------- list versions and entries


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft (imported, not published)")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class ListVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published versions are public law: every signed-in user sees them. Drafts and discarded
        imports are the ministry's working material."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in MINISTRY_ROLES:
            return self.all()
        return self.filter(state=VersionState.PUBLISHED)

    def published(self):
        return self.filter(state=VersionState.PUBLISHED)

    def in_force(self, on=None):
        """The version in force on a date: the published one with the latest effective date not
        after it (None before the first list took effect)."""
        on = on or timezone.localdate()
        return self.published().filter(effective_from__lte=on).order_by("-effective_from", "-pk").first()


class ListVersion(models.Model):
    label = models.CharField(_("label"), max_length=40, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    source = models.CharField(_("source"), max_length=500, blank=True)
    effective_from = models.DateField(_("effective from"))
    state = models.CharField(max_length=16, choices=VersionState.choices, default=VersionState.DRAFT)
    entry_count = models.PositiveIntegerField(default=0)
    source_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when the search index is rebuilt; part of the key of each process's cached vocabulary,
    # so every web process notices a reindex the next time it reads the version.
    reindexed_at = models.DateTimeField(null=True, blank=True)

    objects = ListVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-pk"]
        verbose_name = _("control list version")
        indexes = [models.Index(fields=["state", "effective_from"])]

    def __str__(self):
        return f"{self.label} ({self.title_zh})"


class EntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(version__in=ListVersion.objects.visible_to(user))


class Entry(models.Model):
    """One entry of one list version: a five-character code, or a dotted sub-item of one."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(_("export control code"), max_length=32)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children")
    depth = models.PositiveSmallIntegerField(default=0)
    # Orders codes naturally (1C902.a.2 before 1C902.a.10); built by controllist.codes.sort_key.
    sort_key = models.CharField(max_length=64)
    description_zh = models.TextField(_("description (Chinese)"))
    description_en = models.TextField(_("description (English)"))
    parameters_zh = models.TextField(_("technical parameters (Chinese)"), blank=True)
    parameters_en = models.TextField(_("technical parameters (English)"), blank=True)
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Set where the sample file's authors were not sure of the code or its content.
    uncertain = models.BooleanField(default=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("control list entry")
        verbose_name_plural = _("control list entries")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="one_entry_per_code")]
        indexes = [models.Index(fields=["version", "sort_key"])]

    def __str__(self):
        return self.code

    def snapshot(self) -> dict:
        """The fields compared between versions (the diff) and shown in an entry's history."""
        return {
            "parent": self.code.rsplit(".", 1)[0] if "." in self.code else "",
            "description_zh": self.description_zh,
            "description_en": self.description_en,
            "parameters_zh": self.parameters_zh,
            "parameters_en": self.parameters_en,
            "hs_codes": list(self.hs_codes or []),
            "notes": self.notes,
            "uncertain": self.uncertain,
        }


class SearchTerm(models.Model):
    """The search index: normalised terms of an entry (code and its prefixes, words, Chinese
    characters and bigrams, pinyin, HS codes) with a weight. Looked up by exact term through the
    (version, term) index on every database, so a search never scans the entries."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["version", "term"], name="searchterm_version_term")]


class Synonym(models.Model):
    """Two names for the same thing, maintained by the ministry: the everyday word exporters type
    (无人机, drone) and the list's own wording (无人驾驶航空飞行器, unmanned aerial vehicle). Applied
    both ways when a version is indexed: an entry that says one side is also found by the other."""

    term_a = models.CharField(_("term"), max_length=60)
    term_b = models.CharField(_("synonym"), max_length=60)
    # The normalised pair in a fixed order, so 甲↔乙 and 乙↔甲 cannot both exist.
    pair_key = models.CharField(max_length=130, unique=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["term_a", "term_b"]
        verbose_name = _("search synonym")
        constraints = [
            models.UniqueConstraint(fields=["created_by", "client_token"], name="one_synonym_per_client_token"),
        ]

    def __str__(self):
        return f"{self.term_a} ↔ {self.term_b}"


class ImportState(models.TextChoices):
    PENDING = "pending", _("Waiting to be checked")
    RUNNING = "running", _("Checking and importing")
    FAILED = "failed", _("Refused: the file has errors")
    DONE = "done", _("Imported as a draft version")


class ImportJob(models.Model):
    """A list file uploaded by a ministry officer. It is checked whole before anything is
    imported; a clean file becomes a draft ListVersion."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)  # csv, xlsx, json
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # What the officer typed on the form; a JSON file may carry its own.
    label = models.CharField(max_length=40, blank=True)
    title_zh = models.CharField(max_length=200, blank=True)
    title_en = models.CharField(max_length=200, blank=True)
    effective_from = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"row": 12, "code": "1X001", "message": "..."}], at most a few thousand kept.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    version = models.ForeignKey(ListVersion, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="imports")
    # When a run took the job; a run that died (worker killed) is retaken once this is stale.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


# ---------------------------------------------------------------- regime table


class RegimeRule(models.Model):
    """Derives a code's regime and control reason, editable by an administrator. A rule matches
    when each of its non-blank conditions matches the code; the most specific matching rule gives
    the regime and reason (see controllist.regime). The agencies consulted are not here: they
    come from licensing's routing rules, the one table that refers cases."""

    sector = models.CharField(_("sector digit"), max_length=1, blank=True)
    item_type = models.CharField(_("item type letter"), max_length=1, blank=True)
    regime_digit = models.CharField(_("first of the three digits"), max_length=1, blank=True)
    code_prefix = models.CharField(_("code prefix"), max_length=16, blank=True)
    regime_zh = models.CharField(_("regime (Chinese)"), max_length=100, blank=True)
    regime_en = models.CharField(_("regime (English)"), max_length=100, blank=True)
    reason_zh = models.CharField(_("control reason (Chinese)"), max_length=300, blank=True)
    reason_en = models.CharField(_("control reason (English)"), max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["sector", "item_type", "regime_digit", "code_prefix"]
        verbose_name = _("regime rule")

    def __str__(self):
        pattern = "".join([self.sector or "?", self.item_type or "?", self.regime_digit or "?"])
        return f"{pattern}{'/' + self.code_prefix if self.code_prefix else ''} {self.regime_en}"

    def matches(self, code: str) -> bool:
        return ((not self.sector or code[0] == self.sector)
                and (not self.item_type or code[1] == self.item_type)
                and (not self.regime_digit or code[2] == self.regime_digit)
                and (not self.code_prefix or code.startswith(self.code_prefix)))

    @property
    def specificity(self) -> int:
        return (bool(self.sector) + bool(self.item_type) + bool(self.regime_digit)
                + len(self.code_prefix))


# ---------------------------------------------------------------- temporary controls, prohibitions


class TemporaryControlState(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
    LAPSED = "lapsed", _("Lapsed")
    LISTED = "listed", _("Moved onto the list")


class TemporaryControl(models.Model):
    """临时管制 (Law 9, Reg. 12) on an item outside the list: each period at most two years, at
    most two extensions. It is in force from starts_on to ends_on inclusive; past ends_on it has
    lapsed whether or not the daily task has yet recorded it."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    title_zh = models.CharField(_("item (Chinese)"), max_length=300)
    title_en = models.CharField(_("item (English)"), max_length=300)
    description_zh = models.TextField(_("description and parameters (Chinese)"), blank=True)
    description_en = models.TextField(_("description and parameters (English)"), blank=True)
    # Optional: a code the announcement gives the item (it is unlisted, so often none).
    control_code = models.CharField(_("export control code"), max_length=32, blank=True)
    hs_codes = models.JSONField(_("HS codes"), default=list, blank=True)
    # ISO codes; empty means every destination.
    destinations = models.JSONField(_("destinations"), default=list, blank=True)
    announcement = models.CharField(_("announcement"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    extensions = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=16, choices=TemporaryControlState.choices,
                             default=TemporaryControlState.ACTIVE)
    # The ends_on for which the 60-day review reminder went out (a new one after an extension).
    review_reminded_for = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Lets a retried create (double click, network retry) return the control it already made.
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("temporary control")
        constraints = [
            models.UniqueConstraint(fields=["created_by", "client_token"],
                                    name="one_temporary_control_per_client_token"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="temporary_control_ends_after_start"),
            models.CheckConstraint(condition=Q(extensions__lte=2), name="temporary_control_two_extensions"),
        ]

    def __str__(self):
        return f"{self.number or self.pk} {self.title_zh}"

    def in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.state == TemporaryControlState.ACTIVE and self.starts_on <= on <= self.ends_on


class Prohibition(models.Model):
    """A ban (Law 10, Reg. 13) on an item, a destination, a party, or a combination: every field
    that is filled in must match for the ban to apply, and at least one is filled in."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    # A code or a code prefix ("1C9" bans every 1C9xx entry); blank: any item.
    item_code = models.CharField(_("item code or prefix"), max_length=32, blank=True)
    temporary_control = models.ForeignKey(TemporaryControl, on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="prohibitions")
    item_description = models.CharField(_("item description"), max_length=300, blank=True)
    destination = CountryField(_("destination"), blank=True)
    party_name = models.CharField(_("party name"), max_length=300, blank=True)
    party_country = CountryField(_("party country"), blank=True)
    reason_zh = models.TextField(_("reason (Chinese)"))
    reason_en = models.TextField(_("reason (English)"))
    announcement = models.CharField(_("announcement"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    revoke_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-effective_from", "-pk"]
        verbose_name = _("prohibition")
        constraints = [
            models.UniqueConstraint(fields=["created_by", "client_token"],
                                    name="one_prohibition_per_client_token"),
            models.CheckConstraint(
                condition=~Q(item_code="", temporary_control__isnull=True, destination="", party_name=""),
                name="prohibition_names_something"),
        ]

    def __str__(self):
        return self.number or f"prohibition #{self.pk}"

    def in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return (self.revoked_at is None and self.effective_from <= on
                and (self.effective_until is None or on <= self.effective_until))


# ---------------------------------------------------------------- classification questions


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the ministry")
    INFO_REQUESTED = "info_requested", _("Waiting for the exporter's information")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClassificationQuestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in EXPORTER_ROLES:
            return self.filter(exporter_id=user.organisation_id)
        if user.role in MINISTRY_ROLES:
            return self.all()
        return self.none()


class ClassificationQuestion(models.Model):
    """咨询 (Reg. 14): an exporter unsure whether an item is controlled asks the ministry."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                 related_name="classification_questions")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    item_name = models.CharField(_("item name"), max_length=300)
    item_model = models.CharField(_("model"), max_length=200, blank=True)
    specifications = models.TextField(_("technical specifications"), max_length=5000)
    intended_uses = models.TextField(_("intended uses"), max_length=3000)
    reason_for_doubt = models.TextField(_("reason for doubt"), max_length=3000)
    suggested_code = models.CharField(_("code the exporter thinks applies"), max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    answer_code = models.CharField(_("answered code"), max_length=32, blank=True)
    answer_not_controlled = models.BooleanField(_("not controlled"), default=False)
    answer_note = models.TextField(_("answer note"), blank=True)
    answer_list_version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClassificationQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("classification question")
        constraints = [
            models.UniqueConstraint(fields=["exporter", "client_token"], name="one_question_per_client_token"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.reference or f"question #{self.pk}"


class MessageKind(models.TextChoices):
    QUESTION = "question", _("Question")
    INFO_REQUEST = "info_request", _("Request for information")
    REPLY = "reply", _("Reply")
    ANSWER = "answer", _("Answer")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class ClassificationMessage(models.Model):
    question = models.ForeignKey(ClassificationQuestion, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


def _question_document_path(instance, filename):
    return f"classification/{instance.question_id}/{uuid.uuid4().hex}.pdf"


class ClassificationDocument(models.Model):
    question = models.ForeignKey(ClassificationQuestion, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_question_document_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]


# ---------------------------------------------------------------- catch-all notices (Law 12(3))


class CatchAllNoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ministry sees every notice; an exporter's users see the notices addressed to their
        company and those to all exporters; nobody else sees any."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in MINISTRY_ROLES:
            return self.all()
        if user.role in EXPORTER_ROLES and user.organisation_id:
            return self.filter(Q(all_exporters=True) | Q(exporter_id=user.organisation_id))
        return self.none()

    def in_force(self, on=None):
        on = on or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, issued_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on))

    def addressed_to(self, organisation_id):
        return self.filter(Q(all_exporters=True) | Q(exporter_id=organisation_id))


class CatchAllNotice(models.Model):
    """The ministry's notice (Law 12(3); the 2023 notice, §6) that exports of a described item, to a
    named end user or for an end use may endanger national security and need a licence. It goes
    to one exporter or to all of them; every criterion filled in must match for it to apply, and
    at least one of item, end user and end use is filled in."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    all_exporters = models.BooleanField(_("addressed to all exporters"), default=False)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="catch_all_notices", verbose_name=_("exporter addressed"))
    item_description = models.TextField(_("item description"), max_length=1000, blank=True)
    # Export control codes or their beginnings ("3A0"); the item may also be off the list.
    item_codes = models.JSONField(_("control code prefixes"), default=list, blank=True)
    # HS codes (or their beginnings) and words that, found in the item, bring it under the notice.
    item_keywords = models.JSONField(_("HS codes and keywords"), default=list, blank=True)
    # Every form of the end user's name (any script, aliases): matched by the screening engine.
    end_user_names = models.JSONField(_("end user names"), default=list, blank=True)
    end_use = models.TextField(_("end use"), max_length=1000, blank=True)
    destinations = models.JSONField(_("destinations"), default=list, blank=True)  # ISO codes; empty: any
    reason_zh = models.TextField(_("reason (Chinese)"), max_length=5000)
    reason_en = models.TextField(_("reason (English)"), max_length=5000)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    issued_on = models.DateField(_("issued on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    withdraw_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    client_token = models.UUIDField(null=True, blank=True, editable=False)

    objects = CatchAllNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("catch-all notice")
        constraints = [
            models.UniqueConstraint(fields=["issued_by", "client_token"], name="one_notice_per_client_token"),
            models.CheckConstraint(condition=Q(all_exporters=True, exporter__isnull=True)
                                   | Q(all_exporters=False, exporter__isnull=False),
                                   name="notice_one_exporter_or_all"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("issued_on")),
                                   name="notice_ends_after_issue"),
        ]
        indexes = [models.Index(fields=["withdrawn_at", "issued_on"], name="notice_in_force_idx")]

    def __str__(self):
        return self.number or f"notice #{self.pk}"

    def in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return (self.withdrawn_at is None and self.issued_on <= on
                and (self.ends_on is None or on <= self.ends_on))

    def status(self, on=None) -> str:
        on = on or timezone.localdate()
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.issued_on > on:
            return "scheduled"
        if self.ends_on is not None and self.ends_on < on:
            return "ended"
        return "in_force"


class NoticeAcknowledgement(models.Model):
    """An exporter's acknowledgement that it has received a notice (once per company)."""

    notice = models.ForeignKey(CatchAllNotice, on_delete=models.CASCADE, related_name="acknowledgements")
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acknowledged_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["notice", "exporter"], name="one_acknowledgement_per_exporter")]


class NoticeCitation(models.Model):
    """A notice cited by a submitted application: its unlisted items were treated as catch-all
    because of the notice. The case is named by id and number, not by a foreign key, because the
    control list sits below licensing."""

    notice = models.ForeignKey(CatchAllNotice, on_delete=models.PROTECT, related_name="citations")
    application_id = models.BigIntegerField()
    case_reference = models.CharField(max_length=20, blank=True)
    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # What it covered: {"items": [indexes], "party": "end_user"|"importer"|"", "end_use": bool}
    covered = models.JSONField(default=dict, blank=True)
    cited_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["notice_id"]
        constraints = [models.UniqueConstraint(fields=["notice", "application_id"], name="one_citation_per_case")]
        indexes = [models.Index(fields=["application_id"], name="notice_citation_case_idx")]
