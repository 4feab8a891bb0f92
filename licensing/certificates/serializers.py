"""API shapes of the end-user certificate. Input serializers check types only;
licensing.certificates.services checks content."""

from rest_framework import serializers

from licensing.certificates import services
from portal.api import StrictCharField, bilingual


class CertificateLineInputSerializer(serializers.Serializer):
    item_name = StrictCharField(max_length=500)
    specification = StrictCharField(max_length=200, required=False, allow_blank=True,
                                    help_text="Model or specification")
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3)
    unit = StrictCharField(max_length=20)
    value = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = StrictCharField(min_length=3, max_length=3, required=False, help_text="ISO 4217, default CNY")
    contract_number = StrictCharField(max_length=100, required=False, allow_blank=True)


class CertificateInputSerializer(serializers.Serializer):
    end_user_name = StrictCharField(max_length=300)
    importer_name = StrictCharField(max_length=300)
    end_use = StrictCharField(max_length=2000, help_text="The specific end use the certificate states")
    place_of_use = StrictCharField(max_length=500)
    no_wmd_use = serializers.BooleanField(help_text="Undertaking: no use for WMD, their delivery or terrorism")
    no_end_use_change = serializers.BooleanField(help_text="Undertaking: no change of end use without consent")
    no_third_party_transfer = serializers.BooleanField(
        help_text="Undertaking: no transfer to a third party without the Chinese authority's consent")
    signatory_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    signatory_title = StrictCharField(max_length=200, required=False, allow_blank=True)
    sealed = serializers.BooleanField()
    signed_on = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    document = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62,
                                        help_text="The signed scan: a document of kind end_user_certificate")
    lines = CertificateLineInputSerializer(many=True, allow_empty=False, max_length=services.MAX_LINES)
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**62,
                                       help_text="The certificate's version you last read (0: none yet); "
                                                 "a stale one is refused (409)")


class CertificateLineSerializer(serializers.Serializer):
    item_name = serializers.CharField()
    specification = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3)
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=18, decimal_places=2)
    currency = serializers.CharField()
    contract_number = serializers.CharField()


class MismatchSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. item_not_on_certificate, quantity_above_certificate, expired")
    field = serializers.CharField(help_text="The certificate field, or lines.<n>.<field>")
    message = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField(help_text="The message in both languages")

    def get_message(self, obj) -> str:
        return str(obj.message)

    def get_messages(self, obj) -> dict[str, str]:
        return bilingual(obj.message)


class CertificateSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application_id")
    version = serializers.IntegerField()
    document = serializers.IntegerField(source="document_id", allow_null=True)
    end_user_name = serializers.CharField()
    importer_name = serializers.CharField()
    end_use = serializers.CharField()
    place_of_use = serializers.CharField()
    no_wmd_use = serializers.BooleanField()
    no_end_use_change = serializers.BooleanField()
    no_third_party_transfer = serializers.BooleanField()
    signatory_name = serializers.CharField()
    signatory_title = serializers.CharField()
    sealed = serializers.BooleanField()
    signed_on = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()
    lines = CertificateLineSerializer(many=True, source="lines.all")
    mismatches = MismatchSerializer(many=True, source="found_mismatches")


class CertificateMismatchesSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    entered = serializers.BooleanField(help_text="Whether a structured certificate is entered")
    checked_on = serializers.DateField(help_text="The day validity is judged on")
    mismatches = MismatchSerializer(many=True)
