"""Reads of the registration route: who sees which certificate (RegistrationCertificate.objects.
visible_to) and what the certificate page and the API show."""

from django.urls import reverse

from licensing.models import RegistrationCertificate


def certificate_url(certificate: RegistrationCertificate) -> str:
    return reverse("registration-certificate", args=[certificate.number])


def certificates_for(user):
    return (RegistrationCertificate.objects.visible_to(user)
            .select_related("exporter", "circumstance", "application").order_by("-issued_at", "-pk"))


def certificate_for(user, number: str) -> RegistrationCertificate | None:
    number = str(number or "").strip().upper()[:20]
    return certificates_for(user).filter(number=number).first()
