"""The importer and the end user of a draft: picked from the exporter's address book
(`importer_party` / `end_user_party`, a party id) or typed (`importer` / `end_user`, an object),
a typed party going into the address book. A draft edits its party record in place only while
nothing else names the record (no other application, not the draft's other role) and the draft has
never been submitted; otherwise it gets a new record, so what a filed case names never changes
under it. The case keeps the party as filed in its snapshot (`snapshots`, taken at submission)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from enduser.models import Party
from enduser.parties import services as party_services
from licensing.models import Application
from licensing.workflow import EDITABLE_STATES
from portal.errors import ValidationFailed

ROLES = ("importer", "end_user", "consignee")  # the consignee only where there is one
PICK_KEYS = tuple(f"{role}_party" for role in ROLES)


def clean(data: dict, cleaned: dict) -> None:
    """Check the party fields of a draft's data into `cleaned`."""
    for role, label in (("importer", _("Importer")), ("end_user", _("End user")),
                        ("consignee", _("Intermediate consignee"))):
        pick_key = f"{role}_party"
        if role in data:
            typed = data[role]
            cleaned[role] = None if typed in (None, "") else party_services.clean_party(typed, field=role, label=label)
        if pick_key in data:
            cleaned[pick_key] = _party_id(data[pick_key], pick_key)
        if cleaned.get(role) is not None and cleaned.get(pick_key) is not None:
            message = _("Either choose a party from your address book or type a new one, not both.")
            raise ValidationFailed(message, fields={role: [message]})


def _party_id(value, field) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise ValidationFailed(fields={field: [_("Expected the id of one of your parties.")]})
    number = int(value)
    if not 0 < number < 2**31:
        raise ValidationFailed(fields={field: [_("Expected the id of one of your parties.")]})
    return number


def apply(app: Application, cleaned: dict, actor) -> None:
    """Set the draft's parties from `clean`'s output (a pick wins; a typed null clears the role)."""
    for role in ROLES:
        picked = cleaned.get(f"{role}_party")
        current = getattr(app, role)
        if picked is not None:
            party = party_services.party_pick(actor=actor, exporter_id=app.exporter_id, party_id=picked,
                                              current_id=current.pk if current else None, field=f"{role}_party")
            setattr(app, role, party)
        elif role in cleaned:
            setattr(app, role, _typed(app, role, cleaned[role], actor))


def _typed(app: Application, role: str, values: dict | None, actor) -> Party | None:
    current = getattr(app, role)
    if values is None:
        return None
    if current is not None and not party_services.differs(current, values):
        return current
    if current is not None and _private(app, role, current):
        return party_services.party_update(actor=actor, party_id=current.pk, data=values)
    # The same party typed again (every field as the book has it) is the book's record, not a twin.
    same = Party.objects.filter(exporter_id=app.exporter_id, archived=False, name=values.get("name"),
                                country=values.get("country")).order_by("pk")
    for party in same:
        if not party_services.differs(party, values):
            return party
    party, _created = party_services.party_create(actor=actor, data={**values, "roles": [role]})
    return party


def _private(app: Application, role: str, party: Party) -> bool:
    """Whether the draft may edit this record in place: it was never filed and nothing else names it."""
    if app.submitted_at is not None:
        return False
    if any(getattr(app, f"{other}_id") == party.pk for other in ROLES if other != role):
        return False
    return not (Application.objects.filter(Q(importer=party) | Q(end_user=party) | Q(consignee=party))
                .exclude(pk=app.pk).exists())


def snapshots(app: Application) -> dict:
    """The fields application_submit sets: each party as filed."""
    return {f"{role}_snapshot": getattr(app, role).snapshot() if getattr(app, role) else None for role in ROLES}


def as_filed(app: Application) -> dict:
    """The importer, the end user and the consignee a reader of the case sees: as filed once submitted (the
    snapshot), the live record while the exporter edits it (a draft, or returned for correction). Each a Party.snapshot()-shaped dict with the
    country's name, or None."""
    out = {}
    for role in ROLES:
        snapshot = None if app.status in EDITABLE_STATES else getattr(app, f"{role}_snapshot")
        if snapshot is None:
            party = getattr(app, role)
            snapshot = party.snapshot() if party else None
        if snapshot is not None:
            snapshot = {**snapshot, "country_name": countries.name(snapshot.get("country") or "") or "",
                        "kind_label": Party.Kind(snapshot["kind"]).label
                        if snapshot.get("kind") in Party.Kind.values else ""}
        out[role] = snapshot
    return out
