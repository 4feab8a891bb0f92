"""Writes of an exporter's address book of foreign parties: create, edit (with the version the
editor read), archive and restore. Each runs in one transaction that locks the row, checks that the
actor is an exporter of the party's own organisation, writes the audit event and, when the names,
aliases, registration numbers, country or kind change, screens the party at once against the lists
in force so its hits are recorded for the ministry (the exporter never sees them)."""

import uuid

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from stdnum.cn import uscc

from accounts.models import EXPORTER_ROLES
from audit import services as audit
from enduser.models import Party
from enduser.screening import services as screening
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed, lazy_format

NAME_MAX_CHARS = 300
ADDRESS_MAX_CHARS = 500
CONTACT_MAX_CHARS = 200
ALIASES_MAX = 20
IDENTIFIER_MAX_CHARS = 64
IDENTIFIER_KEYS = ("uscc", "registration", "other")
# What screening reads: a change to any of these screens the party again.
SCREENED_FIELDS = ("name", "name_zh", "name_latin", "aliases", "identifiers", "country", "kind")
EDITABLE_FIELDS = ("name", "name_zh", "name_latin", "aliases", "kind", "address", "country", "identifiers",
                   "contact", "roles")
# Keys of Party.snapshot() that are not edited: a snapshot posted back as a party is accepted.
IGNORED_KEYS = ("id", "version")


def _text(value, limit: int) -> tuple[str, str | None]:
    """(stripped text, error message or None)."""
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:
        return "", str(_("Must be text."))
    value = value.strip()
    if len(value) > limit:
        return value, str(lazy_format(_("At most %(n)s characters."), n=limit))
    return value, None


def _aliases(value, errors: list) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):  # the page's textarea: one alias a line
        value = value.splitlines()
    if not isinstance(value, list) or len(value) > ALIASES_MAX:
        errors.append(lazy_format(_("Aliases: a list of at most %(n)s names."), n=ALIASES_MAX))
        return []
    out = []
    for alias in value:
        text, error = _text(alias, NAME_MAX_CHARS)
        if error:
            errors.append(lazy_format(_("Aliases: each one is text of at most %(n)s characters."), n=NAME_MAX_CHARS))
            return []
        if text and text not in out:
            out.append(text)
    return out


def clean_identifiers(value, errors: list) -> dict:
    """Registration numbers as {"uscc" | "registration" | "other": "..."}; a USCC must be valid
    (GB 32100-2015 check digit), since screening treats the same number as the same party."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        errors.append(_("Registration numbers: an object such as {\"registration\": \"HRB 12345\"}."))
        return {}
    unknown = sorted(set(value) - set(IDENTIFIER_KEYS))
    if unknown:
        errors.append(lazy_format(_("Registration numbers: unknown kind %(kinds)s (use uscc, registration or "
                                    "other)."), kinds=", ".join(map(str, unknown))))
        return {}
    out = {}
    for key in IDENTIFIER_KEYS:
        text, error = _text(value.get(key), IDENTIFIER_MAX_CHARS)
        if error:
            errors.append(lazy_format(_("Registration numbers: %(kind)s is text of at most %(n)s characters."),
                                      kind=key, n=IDENTIFIER_MAX_CHARS))
            continue
        if not text:
            continue
        if key == "uscc":
            text = "".join(text.upper().split())
            if not uscc.is_valid(text):
                errors.append(_("Registration numbers: the unified social credit code is not valid."))
                continue
        out[key] = text
    return out


def registration_identifiers(number: str) -> dict:
    """One number typed in a form: a valid unified social credit code is filed as such."""
    number = (number or "").strip()
    if not number:
        return {}
    compact = "".join(number.upper().split())
    return {"uscc": compact} if uscc.is_valid(compact) else {"registration": number}


def clean_party(data, *, field: str = "party", label=None, partial: bool = False) -> dict:
    """A party as typed (page or API), checked: name, address and country required (unless
    `partial`), the rest optional. Keys not given are left out, so an edit changes only those."""
    if not isinstance(data, dict):
        raise ValidationFailed(fields={field: [_("Expected an object with name, address, country.")]})
    errors: list = []
    cleaned: dict = {}
    for key, limit, message in (
            ("name", NAME_MAX_CHARS, _("Name is required (at most 300 characters).")),
            ("address", ADDRESS_MAX_CHARS, _("Address is required (at most 500 characters)."))):
        if key in data or not partial:
            text, error = _text(data.get(key), limit)
            if error or not text:
                errors.append(message)
            cleaned[key] = text
    if "country" in data or not partial:
        country = data.get("country")
        if not isinstance(country, str) or country.upper() not in countries:
            errors.append(_("Country must be an ISO 3166 two-letter code, e.g. DE."))
        else:
            cleaned["country"] = country.upper()
    for key in ("name_zh", "name_latin"):
        if key in data:
            text, error = _text(data.get(key), NAME_MAX_CHARS)
            if error:
                errors.append(lazy_format(_("%(field)s: %(error)s"), field=Party._meta.get_field(key).verbose_name,
                                          error=error))
            cleaned[key] = text
    if "contact" in data:
        text, error = _text(data.get("contact"), CONTACT_MAX_CHARS)
        if error:
            errors.append(_("Contact must be text of at most 200 characters."))
        cleaned["contact"] = text
    if "kind" in data:
        kind = data.get("kind") or Party.Kind.COMPANY
        if kind not in Party.Kind.values:
            errors.append(lazy_format(_("Kind: choose one of %(choices)s."), choices=", ".join(Party.Kind.values)))
        cleaned["kind"] = kind
    if "roles" in data:
        roles = data.get("roles") or []
        if not isinstance(roles, list) or any(role not in Party.Role.values for role in roles):
            errors.append(lazy_format(_("Roles: a list of %(choices)s."), choices=", ".join(Party.Role.values)))
        else:
            cleaned["roles"] = list(dict.fromkeys(roles))
    if "aliases" in data:
        cleaned["aliases"] = _aliases(data.get("aliases"), errors)
    if "identifiers" in data:
        cleaned["identifiers"] = clean_identifiers(data.get("identifiers"), errors)
    if errors:
        message = lazy_format(_("%(label)s: %(errors)s"), label=label, errors=errors) if label else errors[0]
        raise ValidationFailed(message, fields={field: errors})
    return cleaned


def _require_exporter(actor, exporter_id=None) -> None:
    if getattr(actor, "role", None) not in EXPORTER_ROLES:
        raise NotAllowed(_("Only the exporter keeps its parties."))
    if exporter_id is not None and actor.organisation_id != exporter_id:
        raise NotFound()  # another exporter's party is as good as absent


def _lock(party_id) -> Party:
    try:
        return Party.objects.select_for_update().get(pk=int(party_id))
    except (Party.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


def _check_version(party: Party, expected_version) -> None:
    if expected_version is not None and int(expected_version) != party.version:
        raise StaleVersion(_("Someone changed this party after you opened it. Reload the page and try again."))


def _screen(party: Party, actor) -> None:
    screening.screen_party(party=party, actor=actor)


def party_create(*, actor, data: dict, client_token=None, exporter_id=None) -> tuple[Party, bool]:
    """A new party in the actor's address book, screened at once. The same client_token returns the
    party already made (created=False)."""
    _require_exporter(actor)
    if exporter_id is not None and exporter_id != actor.organisation_id:
        raise NotFound()
    if client_token is not None:
        try:
            client_token = uuid.UUID(str(client_token))
        except ValueError:
            raise ValidationFailed(fields={"client_token": [_("Must be a UUID.")]}) from None
        earlier = Party.objects.filter(client_token=client_token).first()
        if earlier is not None:
            if earlier.exporter_id != actor.organisation_id:
                raise NotFound()
            return earlier, False
    cleaned = clean_party({key: value for key, value in (data or {}).items() if key not in IGNORED_KEYS})
    try:
        with transaction.atomic():
            party = Party.objects.create(exporter_id=actor.organisation_id, created_by=actor,
                                         client_token=client_token, **cleaned)
            audit.record(actor=actor, action="party.create", obj=party, after=party.snapshot())
            _screen(party, actor)
    except IntegrityError:
        earlier = Party.objects.filter(client_token=client_token).first() if client_token else None
        if earlier is None or earlier.exporter_id != actor.organisation_id:
            raise
        return earlier, False
    return party, True


@transaction.atomic
def party_update(*, actor, party_id, data: dict, expected_version=None) -> Party:
    """Edit a party of the actor's address book. Only the fields given change; a change to what
    screening reads screens the party again. Cases already filed keep their snapshot."""
    party = _lock(party_id)
    _require_exporter(actor, party.exporter_id)
    _check_version(party, expected_version)
    cleaned = clean_party({key: value for key, value in (data or {}).items() if key not in IGNORED_KEYS},
                          partial=True)
    changed = {key: value for key, value in cleaned.items()
               if key in EDITABLE_FIELDS and _current(party, key) != value}
    if not changed:
        return party  # the same values again: no new version, no audit event
    before = party.snapshot()
    for key, value in changed.items():
        setattr(party, key, value)
    party.version += 1
    party.save()
    audit.record(actor=actor, action="party.update", obj=party, before=before, after=party.snapshot())
    if set(changed) & set(SCREENED_FIELDS):
        _screen(party, actor)
    return party


def _current(party: Party, key: str):
    value = getattr(party, key)
    return value.code if key == "country" else value


def differs(party: Party, cleaned: dict) -> bool:
    """Whether typed values (clean_party's output) would change this party."""
    return any(_current(party, key) != value for key, value in cleaned.items() if key in EDITABLE_FIELDS)


@transaction.atomic
def party_archive(*, actor, party_id, expected_version=None, archived: bool = True) -> Party:
    """Archive a party (no longer offered for new applications; cases that name it keep it), or
    bring it back with archived=False. Archiving twice is harmless."""
    party = _lock(party_id)
    _require_exporter(actor, party.exporter_id)
    if party.archived == archived:
        return party
    _check_version(party, expected_version)
    party.archived = archived
    party.version += 1
    party.save(update_fields=["archived", "version", "updated_at"])
    audit.record(actor=actor, action="party.archive" if archived else "party.restore", obj=party,
                 before={"archived": not archived}, after={"archived": archived, "version": party.version})
    return party


def party_pick(*, actor, exporter_id, party_id, current_id=None, field: str = "party") -> Party:
    """A party chosen from the address book for an application of `exporter_id`: it must be one of
    that exporter's own, and not archived (unless the application names it already). Anything
    else is refused alike, so an exporter learns nothing of another's parties."""
    _require_exporter(actor, exporter_id)
    try:
        party = Party.objects.filter(pk=int(party_id), exporter_id=exporter_id).first()
    except (ValueError, TypeError, OverflowError):
        party = None
    if party is None or (party.archived and party.pk != current_id):
        message = _("Choose one of your own parties that is not archived.")
        raise ValidationFailed(message, code="unknown_party", fields={field: [message]})
    return party
