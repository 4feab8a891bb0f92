"""Serializers of the lists' API: what an entry shows (never its client token), what a publish,
a removal and an import take, and the list of changes."""

from rest_framework import serializers

from enduser.lists import importer, services
from enduser.models import (
    LinkKind,
    ListChange,
    ListedParty,
    ListKind,
    OwnershipLink,
    OwnershipLinkChange,
    PartyKind,
)
from portal.api import StrictCharField


class StrictBooleanField(serializers.BooleanField):
    """true or false only: "yes" or 1 in a JSON body is a client's bug worth a 400."""

    def to_internal_value(self, data):
        if not isinstance(data, bool) and not (isinstance(data, str) and data in ("true", "false")):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class IdentifiersSerializer(serializers.Serializer):
    uscc = StrictCharField(required=False, max_length=40,
                           help_text="Unified social credit code (GB 32100-2015), checked")
    registration = StrictCharField(required=False, max_length=services.MAX_REGISTRATION,
                                   help_text="A registration number abroad")


class ListedPartySerializer(serializers.ModelSerializer):
    names = serializers.ListField(child=serializers.CharField(), help_text="Every form given, the first as listed")
    aliases = serializers.ListField(child=serializers.CharField())
    addresses = serializers.ListField(child=serializers.CharField())
    country = serializers.SerializerMethodField()
    identifiers = IdentifiersSerializer()
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = ListedParty
        fields = ["id", "list_kind", "kind", "names", "aliases", "addresses", "country", "identifiers",
                  "announcement", "announced_on", "effective_on", "reason", "effect", "uncertain",
                  "removed_on", "removal_announcement", "in_force", "version"]

    def get_country(self, party) -> str:
        return party.country.code or ""

    def get_in_force(self, party) -> bool:
        today = self.context.get("today")
        return party.effective_on <= today and not (party.removed_on and party.removed_on <= today)


def _strings(limit: int, **kwargs):
    return serializers.ListField(child=StrictCharField(max_length=limit), max_length=services.MAX_FORMS, **kwargs)


class ListedPartyInputSerializer(serializers.Serializer):
    list_kind = serializers.ChoiceField(choices=ListKind.choices)
    kind = serializers.ChoiceField(choices=PartyKind.choices, required=False, default=PartyKind.COMPANY)
    names = _strings(services.MAX_NAME, min_length=1,
                     help_text="Every form the announcement gives, the first as listed")
    aliases = _strings(services.MAX_NAME, required=False)
    addresses = _strings(services.MAX_ADDRESS, required=False)
    country = StrictCharField(required=False, allow_blank=True, max_length=2, help_text="ISO 3166 code")
    identifiers = IdentifiersSerializer(required=False)
    announcement = StrictCharField(max_length=services.MAX_ANNOUNCEMENT, help_text="e.g. 商务部公告2025年第1号")
    announced_on = serializers.DateField()
    effective_on = serializers.DateField(help_text="On or after announced_on")
    reason = StrictCharField(max_length=services.MAX_TEXT)
    effect = StrictCharField(required=False, allow_blank=True, max_length=services.MAX_TEXT,
                             help_text="The measures the announcement orders")
    uncertain = StrictBooleanField(required=False, default=False,
                                   help_text="Not yet checked against the announcement")


class RemoveInputSerializer(serializers.Serializer):
    removed_on = serializers.DateField(help_text="On or after the entry's effective_on")
    announcement = StrictCharField(max_length=services.MAX_ANNOUNCEMENT, help_text="The removal announcement")
    version = serializers.IntegerField(min_value=1, help_text="The version you last read; a stale one is refused (409)")


class ListImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=f"CSV (UTF-8, columns {', '.join(importer.COLUMNS)}; names, aliases "
                                           f"and addresses separated by “{importer.SEPARATOR}”) or JSON (a list of "
                                           "objects with the same fields, names, aliases and addresses as arrays)")


class ListImportResultSerializer(serializers.Serializer):
    published = serializers.IntegerField(help_text="Entries published by this upload (0 when replayed)")
    replayed = serializers.BooleanField(help_text="The same file was imported before; its entries are returned")
    entries = ListedPartySerializer(many=True)


class ListChangeSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = ListChange
        fields = ["id", "listed", "action", "snapshot", "announcement", "on", "by", "at"]

    def get_by(self, change) -> str | None:
        return change.by.username if change.by else None


# ---------------------------------------------------------------- ownership links


class OwnershipLinkSerializer(serializers.ModelSerializer):
    owner_listed_name = serializers.SerializerMethodField()
    owned_country = serializers.SerializerMethodField()
    owned_names = serializers.ListField(child=serializers.CharField())
    owner_names = serializers.ListField(child=serializers.CharField())
    owned_identifiers = IdentifiersSerializer()
    percent = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True)

    class Meta:
        model = OwnershipLink
        fields = ["id", "owner_listed", "owner_listed_name", "owner_names", "owned_names", "owned_country",
                  "owned_identifiers", "kind", "percent", "start_on", "end_on", "evidence", "source", "version"]

    def get_owner_listed_name(self, link) -> str | None:
        return link.owner_listed.primary_name if link.owner_listed_id else None

    def get_owned_country(self, link) -> str:
        return link.owned_country.code or ""


class OwnershipLinkHistorySerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = OwnershipLinkChange
        fields = ["id", "action", "snapshot", "on", "by", "at"]

    def get_by(self, change) -> str | None:
        return change.by.username if change.by else None


class OwnershipLinkDetailSerializer(OwnershipLinkSerializer):
    history = serializers.SerializerMethodField()

    class Meta(OwnershipLinkSerializer.Meta):
        fields = [*OwnershipLinkSerializer.Meta.fields, "history"]

    def get_history(self, link) -> list[dict] | None:
        if not self.context.get("ministry"):
            return None
        return OwnershipLinkHistorySerializer(link.changes.select_related("by").order_by("pk"), many=True).data


class OwnershipLinkChangeInputSerializer(serializers.Serializer):
    owned_names = _strings(services.MAX_NAME, min_length=1, help_text="Every form given of the owned entity")
    owned_country = StrictCharField(required=False, allow_blank=True, max_length=2, help_text="ISO 3166 code")
    owned_identifiers = IdentifiersSerializer(required=False)
    kind = serializers.ChoiceField(choices=LinkKind.choices, required=False, default=LinkKind.SUBSIDIARY)
    percent = serializers.DecimalField(max_digits=7, decimal_places=4, min_value=0, max_value=100, required=False,
                                       allow_null=True, help_text="0-100, exact; a branch counts as 100")
    start_on = serializers.DateField()
    end_on = serializers.DateField(required=False, allow_null=True, help_text="Last day held, inclusive")
    evidence = StrictCharField(max_length=services.MAX_TEXT)
    source = StrictCharField(max_length=200, help_text="The register, filing or announcement")


class OwnershipLinkInputSerializer(OwnershipLinkChangeInputSerializer):
    owner_listed = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1,
                                            help_text="The owner, a list entry; or give owner_names")
    owner_names = _strings(services.MAX_NAME, required=False,
                           help_text="The owner, an entity owned through other links, by one of its names")


class OwnershipLinkVersionSerializer(OwnershipLinkChangeInputSerializer):
    version = serializers.IntegerField(min_value=1, help_text="The version you last read; a stale one is refused (409)")


class OwnershipLinkEndInputSerializer(serializers.Serializer):
    end_on = serializers.DateField(help_text="The last day the owner held the entity")
    evidence = StrictCharField(max_length=services.MAX_TEXT)
    version = serializers.IntegerField(min_value=1, help_text="The version you last read; a stale one is refused (409)")


class OwnershipLinkImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8, columns owner_listed, owner_names, owned_names, owned_country, "
                                           "uscc, registration, kind, percent, start_on, end_on, evidence, source; "
                                           "names separated by “|”) or JSON (a list of objects with the same fields)")


class OwnershipLinkImportResultSerializer(serializers.Serializer):
    published = serializers.IntegerField(help_text="Links published by this upload (0 when replayed)")
    replayed = serializers.BooleanField(help_text="The same file was imported before; its links are returned")
    links = OwnershipLinkSerializer(many=True)
