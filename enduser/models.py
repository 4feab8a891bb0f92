from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class PartyKind(models.TextChoices):
    COMPANY = "company", _("Company or body")
    PERSON = "person", _("Person")


class Party(models.Model):
    """A foreign party named on an application: the importer or the end user (Reg. 24).

    Rows are owned by one exporter; an application keeps pointing at the party as it was when the
    application was filed because parties are only ever edited through their draft application."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="parties")
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=500)
    country = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=8, choices=PartyKind.choices, default=PartyKind.COMPANY)
    identifiers = models.JSONField(_("registration numbers"), default=dict, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    def snapshot(self) -> dict:
        return {"name": self.name, "address": self.address, "country": self.country.code,
                "contact": self.contact}


# ---------------------------------------------------------------- the Control List and the Watch List


class ListKind(models.TextChoices):
    CONTROL = "control", _("Control List (管控名单, Law 18)")
    WATCH = "watch", _("Watch List (关注名单, Reg. 26)")


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
