"""Serializers of the address book (names unique across the API schema)."""

from rest_framework import serializers

from enduser.models import Party
from enduser.parties import services
from portal.api import StrictCharField


class AddressBookPartySerializer(serializers.ModelSerializer):
    exporter_name = serializers.CharField(source="exporter.name_zh", read_only=True)

    class Meta:
        model = Party
        fields = ["id", "exporter", "exporter_name", "name", "name_zh", "name_latin", "aliases", "kind", "address",
                  "country", "identifiers", "contact", "roles", "archived", "version", "created_at", "updated_at"]
        read_only_fields = fields


class AddressBookPartyInputSerializer(serializers.Serializer):
    """A party typed for the address book: the service checks the content (one source of rules)."""

    name = StrictCharField(max_length=services.NAME_MAX_CHARS, help_text="The legal name as written, any script")
    name_zh = StrictCharField(max_length=services.NAME_MAX_CHARS, required=False, allow_blank=True)
    name_latin = StrictCharField(max_length=services.NAME_MAX_CHARS, required=False, allow_blank=True)
    aliases = serializers.ListField(child=StrictCharField(max_length=services.NAME_MAX_CHARS), required=False,
                                    max_length=services.ALIASES_MAX)
    kind = serializers.ChoiceField(choices=Party.Kind.choices, required=False)
    address = StrictCharField(max_length=services.ADDRESS_MAX_CHARS)
    country = StrictCharField(max_length=2, help_text="ISO 3166-1 alpha-2 code")
    identifiers = serializers.DictField(child=StrictCharField(max_length=services.IDENTIFIER_MAX_CHARS),
                                        required=False, help_text="Registration numbers: uscc, registration, other")
    contact = StrictCharField(max_length=services.CONTACT_MAX_CHARS, required=False, allow_blank=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Party.Role.choices), required=False)


class AddressBookPartyUpdateSerializer(AddressBookPartyInputSerializer):
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                       help_text="The version you last read; a stale one is refused (409).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class AddressBookArchiveSerializer(serializers.Serializer):
    archived = serializers.BooleanField(required=False, default=True, help_text="false brings the party back")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
