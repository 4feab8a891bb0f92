"""Writes to the Control List (管控名单, Law 18, Reg. 28-30) and the Watch List (关注名单, Reg. 26):
publishing an entry, removing it, importing a file of entries.

Only ministry officers write. Each write runs in one transaction that writes the entry, one
ListChange row per entry, the audit events and the rescreening job (`after_change`), whose task is
sent on commit. An entry is
never edited: a mistake is corrected by removing the entry and publishing it again."""

import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from stdnum.cn import uscc

from accounts.models import MINISTRY_ROLES
from audit import services as audit
from enduser.lists import importer
from enduser.models import ListChange, ListedParty, ListKind, PartyKind
from enduser.screening import rescreen
from portal.errors import (
    InvalidTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    ValidationFailed,
    lazy_format,
)
from portal.text import clean_text

MAX_NAME = 300
MAX_ADDRESS = 500
MAX_FORMS = 50  # names, aliases or addresses of one entry
MAX_ANNOUNCEMENT = 120
MAX_TEXT = 2000
MAX_REGISTRATION = 100
# Dates outside these are typing errors.
EARLIEST_DATE = date(1949, 10, 1)
LATEST_DATE = date(2999, 12, 31)
# A row of an imported file gets a client token made from the file's hash and its row number, so
# the same file uploaded twice (a double click, a retried request) publishes its entries once.
IMPORT_NAMESPACE = uuid.UUID("6f0c2a4e-3b1d-5c8e-9a7f-1d2e3f405162")


def after_change(change_ids: list[int]) -> None:
    """Called in the transaction of the change with the ids of its ListChange rows: the job that
    screens the open cases again against them is created with the change (a crash after the
    commit cannot lose it), and its task is sent on commit."""
    rescreen.rescreen_start(change_ids)


def _schedule_after_change(change_ids: list[int]) -> None:
    after_change(list(change_ids))


def _require_ministry(actor) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in MINISTRY_ROLES:
        raise NotAllowed(_("Only ministry officers publish and remove list entries."))


def _refused(errors: dict) -> ValidationFailed:
    """One ValidationFailed for every field's errors; its message is the error itself when there
    is only one."""
    messages = [message for field_errors in errors.values() for message in field_errors]
    return ValidationFailed(messages[0] if len(messages) == 1 else None, fields=errors)


# ---------------------------------------------------------------- checking an entry


class _Errors(dict):
    def add(self, name: str, message) -> None:
        self.setdefault(name, []).append(message)

    def text(self, data: dict, name: str, *, limit: int, required: bool = False) -> str:
        try:
            return clean_text(data.get(name), name, limit=limit, required=required)
        except ValidationFailed as exc:
            for message in exc.fields.get(name, [exc.message]):
                self.add(name, message)
            return ""

    def date(self, value, name: str) -> date | None:
        day = None
        if isinstance(value, date) and not hasattr(value, "hour"):
            day = value
        elif isinstance(value, str) and value.strip():
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                self.add(name, lazy_format(_("“%(value)s” is not a date (YYYY-MM-DD)."), value=value.strip()[:40]))
                return None
        else:
            self.add(name, _("Enter a date (YYYY-MM-DD)."))
            return None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            self.add(name, lazy_format(_("Enter a date between %(earliest)s and %(latest)s."),
                                       earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat()))
            return None
        return day

    def strings(self, data: dict, name: str, *, limit: int) -> list[str]:
        value = data.get(name)
        if value in (None, ""):
            return []
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
            self.add(name, _("Expected a list of text values."))
            return []
        out, seen, before = [], set(), len(self.get(name, []))
        for item in value:
            text = self.text({name: item}, name, limit=limit)
            key = unicodedata.normalize("NFKC", text).casefold()
            if text and key not in seen:
                seen.add(key)
                out.append(text)
        if len(out) > MAX_FORMS:
            self.add(name, lazy_format(_("At most %(n)s values."), n=MAX_FORMS))
        return out if len(self.get(name, [])) == before else []


def _choice(errors: _Errors, data: dict, name: str, choices, default=None) -> str:
    value = data.get(name)
    if value in (None, "") and default is not None:
        return default
    if isinstance(value, str) and value.strip().lower() in choices.values:
        return value.strip().lower()
    errors.add(name, lazy_format(_("Choose one of: %(choices)s."), choices=", ".join(choices.values)))
    return ""


def _country(errors: _Errors, value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str) and value.strip().upper() in countries:
        return value.strip().upper()
    shown = value[:20] if isinstance(value, str) else type(value).__name__
    errors.add("country", lazy_format(_("“%(value)s” is not an ISO 3166 two-letter country code."), value=shown))
    return ""


def _identifiers(errors: _Errors, value) -> dict:
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        errors.add("identifiers", _("Expected an object with “uscc” or “registration”."))
        return {}
    unknown = sorted(str(key)[:40] for key in value if key not in ("uscc", "registration"))
    if unknown:
        errors.add("identifiers", lazy_format(_("Only “uscc” and “registration” are accepted, not: %(names)s."),
                                              names=", ".join(unknown)))
    out = {}
    registration = errors.text(value, "registration", limit=MAX_REGISTRATION)
    if registration:
        out["registration"] = registration
    code = errors.text(value, "uscc", limit=40)
    if code:
        code = uscc.compact(code)
        if uscc.is_valid(code):
            out["uscc"] = code
        else:
            errors.add("uscc", lazy_format(_("“%(code)s” is not a valid unified social credit code (GB 32100-2015)."),
                                           code=code[:40]))
    return out


def check_entry(data) -> tuple[dict, dict]:
    """The entry cleaned, and every problem found ({field: [message]}; empty when it is good)."""
    errors = _Errors()
    if not isinstance(data, dict):
        errors.add("non_field_errors", _("Expected an object."))
        return {}, dict(errors)
    cleaned = {
        "list_kind": _choice(errors, data, "list_kind", ListKind),
        "kind": _choice(errors, data, "kind", PartyKind, default=PartyKind.COMPANY),
        "names": errors.strings(data, "names", limit=MAX_NAME),
        "aliases": errors.strings(data, "aliases", limit=MAX_NAME),
        "addresses": errors.strings(data, "addresses", limit=MAX_ADDRESS),
        "country": _country(errors, data.get("country")),
        "identifiers": _identifiers(errors, data.get("identifiers")),
        "announcement": errors.text(data, "announcement", limit=MAX_ANNOUNCEMENT, required=True),
        "announced_on": errors.date(data.get("announced_on"), "announced_on"),
        "effective_on": errors.date(data.get("effective_on"), "effective_on"),
        "reason": errors.text(data, "reason", limit=MAX_TEXT, required=True),
        "effect": errors.text(data, "effect", limit=MAX_TEXT),
        "uncertain": data.get("uncertain") is True,
    }
    if not cleaned["names"] and "names" not in errors:
        errors.add("names", _("Give at least one name, as the announcement writes it."))
    if data.get("uncertain") not in (None, "", True, False):
        errors.add("uncertain", _("Expected true or false."))
    announced, effective = cleaned["announced_on"], cleaned["effective_on"]
    if announced and effective and effective < announced:
        errors.add("effective_on", _("An entry cannot be in force before it is announced."))
    return cleaned, dict(errors)


def _name_key(name: str) -> str:
    return re.sub(r"[\s.,'’\-()（）·]+", "", unicodedata.normalize("NFKC", name).casefold())


def _duplicate_key(cleaned: dict) -> tuple | None:
    """Two companies on the same list with the same first name and country are the same party
    entered twice. People may share a name, so they are not compared."""
    if cleaned.get("kind") != PartyKind.COMPANY or not cleaned.get("names"):
        return None
    return cleaned["list_kind"], _name_key(cleaned["names"][0]), cleaned["country"]


def _listed_already(keys: set) -> dict:
    """{duplicate key: entry} for the entries on the lists (not removed) that have one of these keys."""
    if not keys:
        return {}
    found = {}
    kinds = {key[0] for key in keys}
    for party in ListedParty.objects.filter(list_kind__in=kinds, kind=PartyKind.COMPANY, removed_on__isnull=True):
        key = (party.list_kind, _name_key(party.primary_name), party.country.code or "")
        if key in keys:
            found.setdefault(key, party)
    return found


def _duplicate_message(party: ListedParty):
    return lazy_format(_("%(name)s is already on this list (entry %(id)s, %(announcement)s): remove that entry "
                         "first to publish it again."), name=party.primary_name, id=party.pk,
                       announcement=party.announcement)


# ---------------------------------------------------------------- publishing and removing


def listed_party_snapshot(party: ListedParty) -> dict:
    return {
        "id": party.pk, "list_kind": party.list_kind, "kind": party.kind, "names": list(party.names),
        "aliases": list(party.aliases), "addresses": list(party.addresses), "country": party.country.code or "",
        "identifiers": dict(party.identifiers), "announcement": party.announcement,
        "announced_on": party.announced_on.isoformat(), "effective_on": party.effective_on.isoformat(),
        "reason": party.reason, "effect": party.effect, "uncertain": party.uncertain,
        "removed_on": party.removed_on.isoformat() if party.removed_on else None,
        "removal_announcement": party.removal_announcement, "version": party.version,
    }


def _add(actor, cleaned: dict, client_token, *, source: dict | None = None) -> ListChange:
    party = ListedParty.objects.create(client_token=client_token, **cleaned)
    snapshot = listed_party_snapshot(party)
    change = ListChange.objects.create(listed=party, action=ListChange.Action.ADD, snapshot=snapshot,
                                       announcement=party.announcement, on=party.effective_on, by=actor)
    audit.record(actor=actor, action="enduser.listed_party_publish", obj=party, after={**snapshot, **(source or {})})
    return change


def _token(client_token) -> uuid.UUID | None:
    if client_token in (None, ""):
        return None
    try:
        return client_token if isinstance(client_token, uuid.UUID) else uuid.UUID(str(client_token))
    except ValueError:
        raise ValidationFailed(fields={"client_token": [_("Must be a UUID.")]}) from None


def listed_party_publish(*, actor, data: dict, client_token=None) -> ListedParty:
    """Put a party on the Control List or the Watch List as the announcement names it. The same
    client_token (a double click, a retried request) returns the entry already made."""
    _require_ministry(actor)
    token = _token(client_token)
    if token and (existing := ListedParty.objects.filter(client_token=token).first()):
        return existing
    cleaned, errors = check_entry(data)
    key = None if errors else _duplicate_key(cleaned)
    if key and (party := _listed_already({key}).get(key)):
        errors = {"names": [_duplicate_message(party)]}
    if errors:
        raise _refused(errors)
    try:
        with transaction.atomic():
            change = _add(actor, cleaned, token)
            _schedule_after_change([change.pk])
    except IntegrityError:  # the same token raced in from a second request
        existing = ListedParty.objects.filter(client_token=token).first() if token else None
        if existing is None:
            raise
        return existing
    return change.listed


def listed_party_remove(*, actor, listed_id, removed_on, announcement, expected_version) -> ListedParty:
    """Take an entry off its list from `removed_on`, as the removal announcement says (Reg. 30,
    and Reg. 26 for the Watch List)."""
    _require_ministry(actor)
    with transaction.atomic():
        try:
            party = ListedParty.objects.select_for_update().get(pk=listed_id)
        except (ListedParty.DoesNotExist, ValueError, TypeError):
            raise NotFound() from None
        if party.removed_on is not None:
            raise InvalidTransition(lazy_format(
                _("This entry was already removed from %(day)s (%(announcement)s)."),
                day=party.removed_on.isoformat(), announcement=party.removal_announcement))
        if expected_version in (None, ""):
            raise _refused({"version": [_("Give the version of the entry you read.")]})
        if str(expected_version) != str(party.version):
            raise StaleVersion(_("Someone changed this entry after you opened it. Reload the page and try again."))
        errors = _Errors()
        day = errors.date(removed_on, "removed_on")
        text = errors.text({"announcement": announcement}, "announcement", limit=MAX_ANNOUNCEMENT, required=True)
        if day and day < party.effective_on:
            errors.add("removed_on", lazy_format(
                _("A removal takes effect on or after the day the entry came into force (%(day)s)."),
                day=party.effective_on.isoformat()))
        if errors:
            raise _refused(dict(errors))
        before = listed_party_snapshot(party)
        party.removed_on = day
        party.removal_announcement = text
        party.version += 1
        party.save(update_fields=["removed_on", "removal_announcement", "version"])
        snapshot = listed_party_snapshot(party)
        change = ListChange.objects.create(listed=party, action=ListChange.Action.REMOVE, snapshot=snapshot,
                                           announcement=text, on=day, by=actor)
        audit.record(actor=actor, action="enduser.listed_party_remove", obj=party, before=before, after=snapshot)
        _schedule_after_change([change.pk])
    return party


# ---------------------------------------------------------------- importing a file


@dataclass
class RowError:
    row: int | None
    field: str
    message: object  # a lazy translation

    def as_dict(self) -> dict:
        messages = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                messages[language] = str(self.message)
        return {"row": self.row, "field": self.field, "message": str(self.message), "messages": messages}


class ImportRefused(ValidationFailed):
    """Rows of the file are wrong; every one is listed and nothing was written."""

    code = "bad_rows"

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        fields = {}
        for error in rows:
            fields.setdefault(f"rows.{error.row}.{error.field}", []).append(error.message)
        super().__init__(lazy_format(_("The file has errors on %(n)s rows; nothing was imported."),
                                     n=len({error.row for error in rows})), fields=fields)


@dataclass
class ImportResult:
    entries: list
    replayed: bool = False


def _read_upload(upload) -> tuple[bytes, str]:
    if upload is None or not hasattr(upload, "read"):
        message = _("Attach the list file (CSV or JSON).")
        raise ValidationFailed(message, fields={"file": [message]})
    name = os.path.basename(getattr(upload, "name", "") or "")[:255]
    fmt = importer.file_format(name)
    limit = settings.PORTAL_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    content = b"" if size is not None and size > limit else upload.read(limit + 1)
    if (size is not None and size > limit) or len(content) > limit:
        message = lazy_format(_("The file is too large: at most %(mb)s MB is accepted."), mb=limit // (1024 * 1024))
        raise ValidationFailed(message, code="too_large", fields={"file": [message]})
    if not content:
        raise importer.FileRefused(_("The file is empty."))
    return content, fmt


def _check_rows(rows: list) -> tuple[list, list[RowError]]:
    cleaned_rows, errors, first_row = [], [], {}
    for row in rows:
        cleaned, problems = check_entry(row.data) if row.data is not None else ({}, {})
        for name, messages in {**row.problems, **problems}.items():
            errors += [RowError(row.number, name, message) for message in messages]
        if problems or row.problems:
            continue
        key = _duplicate_key(cleaned)
        if key and key in first_row:
            errors.append(RowError(row.number, "names", lazy_format(
                _("The same party as on row %(row)s."), row=first_row[key])))
            continue
        if key:
            first_row[key] = row.number
        cleaned_rows.append((row.number, cleaned, key))
    listed = _listed_already({key for _number, _cleaned, key in cleaned_rows if key})
    for number, _cleaned, key in cleaned_rows:
        if key in listed:
            errors.append(RowError(number, "names", _duplicate_message(listed[key])))
    errors.sort(key=lambda error: error.row)
    return cleaned_rows, errors


def list_import(*, actor, upload) -> ImportResult:
    """Publish every entry of a CSV or JSON file in one transaction. The whole file is checked
    first: one bad row and nothing is written, and every bad row is reported with its number."""
    _require_ministry(actor)
    content, fmt = _read_upload(upload)
    rows = importer.read_rows(content, fmt)
    sha256 = hashlib.sha256(content).hexdigest()
    tokens = {row.number: uuid.uuid5(IMPORT_NAMESPACE, f"{sha256}:{row.number}") for row in rows}

    def made_before():
        entries = list(ListedParty.objects.filter(client_token__in=tokens.values()).order_by("pk"))
        return ImportResult(entries, replayed=True) if len(entries) == len(tokens) else None

    if replay := made_before():
        return replay
    cleaned_rows, errors = _check_rows(rows)
    if errors:
        raise ImportRefused(errors)
    name = os.path.basename(getattr(upload, "name", ""))[:255]
    source = {"import": sha256}
    try:
        with transaction.atomic():
            changes = [_add(actor, cleaned, tokens[number], source=source) for number, cleaned, _key in cleaned_rows]
            audit.record(actor=actor, action="enduser.list_import", object_type="enduser.listimport",
                         object_id=sha256, after={"name": name, "format": fmt, "size": len(content),
                                                  "sha256": sha256, "entries": [c.listed_id for c in changes]})
            _schedule_after_change([change.pk for change in changes])
    except IntegrityError:  # the same file raced in from a second request
        if replay := made_before():
            return replay
        raise
    return ImportResult([change.listed for change in changes])
