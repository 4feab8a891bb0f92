"""API shapes of the customs API. Input serializers check types; the services check content. The
verify answer is built by hand (verify_body) for speed; LicenceVerifySerializer documents it."""

from decimal import Decimal

from rest_framework import serializers

from licensing.customs import selectors
from licensing.customs.selectors import LICENCE_COLUMNS
from licensing.customs.services import usable_reason
from licensing.models import ChallengeState, CustomsScope, LicenceEventKind, LicenceStatus
from portal.api import StrictCharField

# ---------------------------------------------------------------- verify


class PartySerializer(serializers.Serializer):
    credit_code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class PortSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()


class VerifyItemSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    control_code = serializers.CharField()
    hs_code = serializers.CharField()
    description = serializers.CharField()
    unit = serializers.CharField(help_text="The customs unit code (海关计量单位), else the unit as written")
    licensed_quantity = serializers.CharField()
    tolerance_percent = serializers.CharField()
    allowed_quantity = serializers.CharField(allow_null=True,
                                             help_text="Licensed quantity plus the over-shipment tolerance; "
                                                       "null when the line has no cap")
    used_quantity = serializers.CharField()
    remaining_quantity = serializers.CharField(allow_null=True, help_text="null when the line has no cap")
    capped = serializers.BooleanField(help_text="False: a general licence line with no quantity cap")
    licensed_value_rmb = serializers.CharField()
    used_value_rmb = serializers.CharField()


class LicenceVerifySerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=LicenceStatus.choices)
    usable = serializers.BooleanField(help_text="Whether it may be drawn on today")
    reason = serializers.CharField(help_text="Why not, when not usable: a status, `expired` or `not_yet_valid`")
    licence_type = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    exporter = PartySerializer()
    destination = serializers.CharField()
    end_user_name = serializers.CharField()
    export_port = PortSerializer(allow_null=True)
    one_port = serializers.BooleanField()
    one_shipment = serializers.BooleanField()
    shipment_declaration = serializers.CharField()
    version = serializers.IntegerField()
    items = VerifyItemSerializer(many=True)


def _d(value) -> str:
    return format(value, "f")


def row_item_body(row) -> dict:
    """An item as customs sees it, with LicenceItem.allowed_quantity/remaining_quantity's sums."""
    line, control_code, hs_code, description, customs_unit, unit, quantity, tolerance, used, value, used_value, \
        capped = row
    allowed = (quantity * (1 + tolerance / 100)).quantize(quantity)
    return {"line": line, "control_code": control_code, "hs_code": hs_code, "description": description,
            "unit": customs_unit or unit, "licensed_quantity": _d(quantity), "tolerance_percent": _d(tolerance),
            "allowed_quantity": _d(allowed) if capped else None, "used_quantity": _d(used), "capped": capped,
            "remaining_quantity": _d(max(allowed - used, 0 * quantity)) if capped else None,
            "licensed_value_rmb": _d(value), "used_value_rmb": _d(used_value)}


def _end_user_name(snapshot) -> str:
    snapshot = snapshot or {}
    return snapshot.get("name") or snapshot.get("name_latin") or snapshot.get("name_zh") or ""


def verify_body(rows) -> dict:
    """The verify answer from selectors.verify_rows (one row per item, licence columns first)."""
    (number, status, licence_type, valid_from, valid_until, one_port, one_shipment, shipment_declaration, version,
     credit_code, name_zh, name_en, destination, end_user, port_code, port_zh, port_en) = rows[0][:LICENCE_COLUMNS]
    reason = usable_reason(status, valid_from, valid_until)
    return {
        "number": number, "status": status, "usable": not reason, "reason": reason, "licence_type": licence_type,
        "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat(),
        "exporter": {"credit_code": credit_code, "name_zh": name_zh, "name_en": name_en},
        "destination": str(destination or ""), "end_user_name": _end_user_name(end_user),
        "export_port": {"code": port_code, "name_zh": port_zh, "name_en": port_en} if port_code else None,
        "one_port": one_port, "one_shipment": one_shipment, "shipment_declaration": shipment_declaration,
        "version": version, "items": [row_item_body(row[LICENCE_COLUMNS:]) for row in rows],
    }


# ---------------------------------------------------------------- write-offs


class WriteOffInputSerializer(serializers.Serializer):
    declaration_number = StrictCharField(max_length=32, help_text="The customs declaration number (报关单号)")
    line = serializers.IntegerField(min_value=1, max_value=999, help_text="The declaration's line (商品项号)")
    licence_number = StrictCharField(max_length=20)
    item_line = serializers.IntegerField(min_value=1, max_value=999, required=False,
                                         help_text="The licence's item line (or give control_code)")
    control_code = StrictCharField(max_length=16, required=False, allow_blank=True)
    quantity = serializers.DecimalField(max_digits=18, decimal_places=3, min_value=Decimal("0.001"))
    unit = StrictCharField(max_length=20, help_text="The licence item's customs unit code, or its unit")
    value_rmb = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=Decimal(0))
    shipped_on = serializers.DateField(help_text="The export date")
    port = StrictCharField(max_length=4, help_text="The customs port code (关区代码)")


class ReverseInputSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, required=False, allow_blank=True)


class CustomsWriteOffSerializer(serializers.Serializer):
    declaration_number = serializers.CharField()
    line = serializers.IntegerField()
    licence_number = serializers.CharField()
    item_line = serializers.IntegerField()
    control_code = serializers.CharField()
    quantity = serializers.CharField()
    unit = serializers.CharField()
    value_rmb = serializers.CharField()
    shipped_on = serializers.DateField()
    port = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    reversed = serializers.BooleanField()
    reversed_at = serializers.DateTimeField(allow_null=True)
    replayed = serializers.BooleanField(help_text="True when this answers a message already received")
    licence_status = serializers.ChoiceField(choices=LicenceStatus.choices, help_text="The licence's status now")
    item_used_quantity = serializers.CharField(help_text="The item's quantity used now")
    item_remaining_quantity = serializers.CharField(allow_null=True,
                                                    help_text="The item's quantity left now (null: no cap)")


def write_off_body(write_off, replayed: bool) -> dict:
    write_off.item.refresh_from_db(fields=["used_quantity", "used_value"])
    item, licence = write_off.item, write_off.licence
    status = type(licence).objects.filter(pk=licence.pk).values_list("status", flat=True).first()
    return {
        "declaration_number": write_off.declaration_number, "line": write_off.line, "licence_number": licence.number,
        "item_line": item.line, "control_code": item.control_code, "quantity": _d(write_off.quantity),
        "unit": item.customs_unit_id or item.unit, "value_rmb": _d(write_off.value_rmb),
        "shipped_on": write_off.shipped_on.isoformat(), "port": write_off.port_id,
        "recorded_at": serializers.DateTimeField().to_representation(write_off.recorded_at),
        "reversed": write_off.reversed_at is not None,
        "reversed_at": (serializers.DateTimeField().to_representation(write_off.reversed_at)
                        if write_off.reversed_at else None),
        "replayed": replayed, "licence_status": status,
        "item_used_quantity": _d(item.used_quantity),
        "item_remaining_quantity": (_d(item.remaining_quantity.quantize(item.quantity))
                                    if item.capped else None),
    }


# ---------------------------------------------------------------- feed


class CustomsLicenceEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    licence_number = serializers.CharField(source="licence.number")
    kind = serializers.ChoiceField(choices=LicenceEventKind.choices)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    reason = serializers.CharField()
    factor = serializers.CharField()


class FeedSerializer(serializers.Serializer):
    events = CustomsLicenceEventSerializer(many=True)
    next = serializers.IntegerField(help_text="The cursor for the next call: `after=<next>`")
    has_more = serializers.BooleanField(help_text="More events are waiting past this page")


class FeedQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=2**62, required=False, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=selectors.FEED_MAX, required=False, default=100)
    wait = serializers.IntegerField(min_value=0, max_value=selectors.FEED_WAIT_MAX, required=False, default=0)


# ---------------------------------------------------------------- challenges


class ChallengeInputSerializer(serializers.Serializer):
    external_id = StrictCharField(max_length=64, help_text="Your own id: sending it again returns the same challenge")
    exporter_code = StrictCharField(max_length=32, help_text="The exporter's unified social credit code")
    declaration_number = StrictCharField(max_length=32, required=False, allow_blank=True)
    port = StrictCharField(max_length=4, required=False, allow_blank=True)
    goods = StrictCharField(max_length=2000)
    hs_code = StrictCharField(max_length=10, required=False, allow_blank=True)
    suspected_code = StrictCharField(max_length=16, required=False, allow_blank=True)
    reason = StrictCharField(max_length=4000)


class ChallengeDocumentSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class ChallengeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    external_id = serializers.CharField()
    state = serializers.ChoiceField(choices=ChallengeState.choices)
    exporter_code = serializers.CharField(source="exporter.code")
    declaration_number = serializers.CharField()
    port = serializers.CharField(source="port_id", allow_null=True)
    goods = serializers.CharField()
    hs_code = serializers.CharField()
    suspected_code = serializers.CharField()
    reason = serializers.CharField()
    raised_at = serializers.DateTimeField()
    answer_due = serializers.DateField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    documents = ChallengeDocumentSerializer(many=True)


# ---------------------------------------------------------------- systems and tokens (system administrator)


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    system = serializers.CharField(source="system.code")
    label = serializers.CharField()
    prefix = serializers.CharField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=CustomsScope.choices))
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The token to give the customs system; shown this once only")


class SystemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    tokens = TokenSerializer(many=True)


class SystemInputSerializer(serializers.Serializer):
    code = StrictCharField(max_length=40)
    name = StrictCharField(max_length=200)


class TokenInputSerializer(serializers.Serializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=CustomsScope.choices), min_length=1,
                                   max_length=len(CustomsScope.values))
    label = StrictCharField(max_length=100, required=False, allow_blank=True)


class ScopesInputSerializer(serializers.Serializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=CustomsScope.choices), min_length=1,
                                   max_length=len(CustomsScope.values))
