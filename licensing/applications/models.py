"""The reference tables the application form chooses from (customs units, ports of export, the
ministry's dated exchange rates) and the choices of the shipment fields; licensing/models.py
imports them so that Django finds them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Route(models.TextChoices):
    """How an export is authorised (Reg. 15, 19, 20): an individual licence (one export, reviewed),
    a general licence (repeated exports to named end users, reviewed, at most 3 years), or the
    registration route (a certificate per shipment for listed circumstances, issued on filing)."""

    INDIVIDUAL = "individual", _("Individual licence")
    GENERAL = "general", _("General licence")
    REGISTRATION = "registration", _("Registration route")


class TradeMode(models.TextChoices):
    """贸易方式, with the customs supervision-mode codes (监管方式代码)."""

    GENERAL = "0110", _("General trade (一般贸易)")
    PROCESSING_IMPORTED = "0615", _("Processing with imported materials (进料对口)")
    PROCESSING_SUPPLIED = "0214", _("Processing with supplied materials (来料加工)")
    BONDED = "1233", _("Bonded warehouse goods (保税仓库货物)")
    LEASE = "1523", _("Financial leasing (租赁贸易)")
    EXHIBITION = "2700", _("Exhibition goods (展览品)")
    SAMPLES = "3010", _("Samples and advertising goods (货样广告品)")
    REPAIR = "4561", _("Goods returned after repair (修理物品)")
    OTHER = "9900", _("Other (其他)")


class TransportMode(models.TextChoices):
    SEA = "sea", _("Waterway (sea)")
    AIR = "air", _("Air")
    RAIL = "rail", _("Railway")
    ROAD = "road", _("Road")
    POST = "post", _("Postal")
    OTHER = "other", _("Other")


class PaymentTerms(models.TextChoices):
    TT = "tt", _("Telegraphic transfer (T/T)")
    LC = "lc", _("Letter of credit (L/C)")
    DP = "dp", _("Documents against payment (D/P)")
    DA = "da", _("Documents against acceptance (D/A)")
    OA = "oa", _("Open account (O/A)")
    OTHER = "other", _("Other")


class CustomsUnit(models.Model):
    """One unit of the customs statistical unit table (海关统计计量单位代码表)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)
    # Other spellings exporters use for the unit ("kg", "pcs"), matched case-insensitively.
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customs unit")

    def __str__(self):
        return f"{self.name_zh} {self.name_en}"


class CustomsPort(models.Model):
    """A customs port of export (报关口岸), by its customs district code."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=80)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("customs port")

    def __str__(self):
        return f"{self.name_zh} {self.name_en}"


class ExchangeRate(models.Model):
    """What one unit of a currency is worth in US dollars from a date on, kept by the ministry:
    an item's value is converted at the rate in force on the day it is saved or submitted."""

    currency = models.CharField(_("currency"), max_length=3)
    valid_from = models.DateField(_("valid from"))
    usd_per_unit = models.DecimalField(_("US dollars per unit"), max_digits=14, decimal_places=8)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="one_rate_per_currency_day"),
            models.CheckConstraint(condition=models.Q(usd_per_unit__gt=0), name="rate_positive"),
        ]
