from rest_framework import serializers

from licensing.models import RegistrationCertificate


class RegistrationCertificateSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="application.reference", read_only=True)
    circumstance = serializers.SlugRelatedField(slug_field="code", read_only=True)
    exporter_uscc = serializers.CharField(source="exporter.code", read_only=True)
    valid = serializers.SerializerMethodField(help_text="Issued and on record: customs may release one shipment")

    class Meta:
        model = RegistrationCertificate
        ref_name = "RegistrationCertificate"
        fields = ["number", "case_reference", "circumstance", "exporter_uscc", "issued_at", "content", "valid"]
        read_only_fields = fields

    def get_valid(self, obj) -> bool:
        return True


class RegistrationFileSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version you last read; a stale one is refused (409).")


class GeneralValiditySerializer(serializers.Serializer):
    valid_until = serializers.DateField()
    version = serializers.IntegerField(required=False, min_value=1)


class GeneralValidityResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    granted_valid_until = serializers.DateField()
    version = serializers.IntegerField()
