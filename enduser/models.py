from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Party(models.Model):
    """A foreign party named on an application: the importer or the end user (Reg. 24).

    Rows are owned by one exporter; an application keeps pointing at the party as it was when the
    application was filed because parties are only ever edited through their draft application."""

    exporter = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="parties")
    name = models.CharField(_("name"), max_length=300)
    address = models.CharField(_("address"), max_length=500)
    country = CountryField(_("country"))
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
