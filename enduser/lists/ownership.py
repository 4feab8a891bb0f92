"""Writes of ownership links (MOFCOM Announcement 2025 No. 61 §II): a ministry officer publishes,
changes and ends the links by which listed parties own other entities, by form or file. The
screening follows them while the 50% rule is in force (screening/ownership.py).

The owner of a link is a list entry, or an entity other links own, named by one of its names:
L → B (100%) and then B → A (30%). Each write runs in one transaction that writes the link, one
OwnershipLinkChange row per link (every version is kept), the audit events and the rescreening
job; the job's task is sent on commit."""

import hashlib
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import services as audit
from compliance.eligibility import services as eligibility
from enduser.lists import importer
from enduser.lists import services as lists
from enduser.models import LinkKind, ListedParty, OwnershipLink, OwnershipLinkChange
from enduser.screening import rescreen
from enduser.screening.index import entity_key
from portal.errors import InvalidTransition, NotFound, StaleVersion, lazy_format

MAX_SOURCE = 200
HUNDRED = Decimal(100)
IMPORT_NAMESPACE = uuid.UUID("0b6d1c52-7e0f-5a3b-8c41-2f9e6d7a8b13")
LINK_COLUMNS = importer.Columns(
    names=("owner_listed", "owner_names", "owned_names", "owned_country", "uscc", "registration", "kind",
           "percent", "start_on", "end_on", "evidence", "source"),
    required=("owned_names", "start_on", "evidence", "source"),
    lists=("owner_names", "owned_names"),
    identifiers="owned_identifiers",
)


def _percent(errors, value, kind: str) -> Decimal | None:
    if kind == LinkKind.BRANCH and value in (None, ""):
        return HUNDRED  # a branch is part of its owner
    try:
        number = Decimal(str(value).strip().rstrip("%")) if isinstance(value, (str, int, float, Decimal)) else None
    except InvalidOperation:
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite():
        errors.add("percent", _("Give the share as a number from 0 to 100 (e.g. 49.99)."))
        return None
    if not 0 < number <= HUNDRED:
        errors.add("percent", _("A share is above 0 and at most 100."))
        return None
    if number != number.quantize(Decimal("0.0001")):
        errors.add("percent", _("At most four decimal places."))
        return None
    return HUNDRED if kind == LinkKind.BRANCH else number


def _owner_listed(errors, value) -> ListedParty | None:
    if value in (None, ""):
        return None
    try:
        return ListedParty.objects.get(pk=int(str(value).strip()))
    except (ListedParty.DoesNotExist, ValueError, OverflowError):
        errors.add("owner_listed", lazy_format(_("There is no list entry %(id)s."), id=str(value)[:20]))
        return None


def known_entities(*, exclude=None) -> set[str]:
    """The name keys of the entities owned through links not ended today: what an owner named
    by names must be."""
    rows = OwnershipLink.objects.exclude(end_on__lt=timezone.localdate())
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return {entity_key(name) for names in rows.values_list("owned_names", flat=True) for name in names}


def check_link(data, *, known: set[str] | None = None) -> tuple[dict, dict]:
    """The link cleaned, and every problem found ({field: [message]}; empty when it is good).
    `known`: name keys an owner named by names may take (known_entities(), plus a file's rows)."""
    errors = lists._Errors()
    if not isinstance(data, dict):
        errors.add("non_field_errors", _("Expected an object."))
        return {}, dict(errors)
    kind = lists._choice(errors, data, "kind", LinkKind, default=LinkKind.SUBSIDIARY)
    country_errors = lists._Errors()  # the entries' check names its field "country"
    owned_country = lists._country(country_errors, data.get("owned_country"))
    for message in country_errors.get("country", []):
        errors.add("owned_country", message)
    cleaned = {
        "owner_listed": _owner_listed(errors, data.get("owner_listed")),
        "owner_names": errors.strings(data, "owner_names", limit=lists.MAX_NAME),
        "owned_names": errors.strings(data, "owned_names", limit=lists.MAX_NAME),
        "owned_country": owned_country,
        "owned_identifiers": lists._identifiers(errors, data.get("owned_identifiers")),
        "kind": kind,
        "percent": _percent(errors, data.get("percent"), kind),
        "start_on": errors.date(data.get("start_on"), "start_on"),
        "end_on": errors.date(data.get("end_on"), "end_on") if data.get("end_on") not in (None, "") else None,
        "evidence": errors.text(data, "evidence", limit=lists.MAX_TEXT, required=True),
        "source": errors.text(data, "source", limit=MAX_SOURCE, required=True),
    }
    if not cleaned["owned_names"] and "owned_names" not in errors:
        errors.add("owned_names", _("Give at least one name of the owned entity."))
    has_listed = cleaned["owner_listed"] is not None or "owner_listed" in errors
    if has_listed == bool(cleaned["owner_names"]):
        errors.add("owner_listed", _("Name the owner: either a list entry or an entity owned through other "
                                     "links, not both."))
    elif cleaned["owner_names"]:
        keys = {entity_key(name) for name in cleaned["owner_names"]}
        if known is not None and not keys & known:
            errors.add("owner_names", _("No ownership link in force owns an entity of this name: publish the "
                                        "link to it first, or name a list entry."))
        if keys & {entity_key(name) for name in cleaned["owned_names"]}:
            errors.add("owned_names", _("An entity cannot own itself."))
    start, end = cleaned["start_on"], cleaned["end_on"]
    if start and end and end < start:
        errors.add("end_on", _("A link cannot end before it starts."))
    return cleaned, dict(errors)


def link_snapshot(link: OwnershipLink) -> dict:
    return {
        "id": link.pk, "owner_listed": link.owner_listed_id, "owner_names": list(link.owner_names),
        "owned_names": list(link.owned_names), "owned_country": link.owned_country.code or "",
        "owned_identifiers": dict(link.owned_identifiers), "kind": link.kind,
        "percent": str(Decimal(link.percent).quantize(Decimal("0.0001"))),
        "start_on": link.start_on.isoformat(), "end_on": link.end_on.isoformat() if link.end_on else None,
        "evidence": link.evidence, "source": link.source, "version": link.version,
    }


def _record(actor, link: OwnershipLink, action: str, *, before=None, extra=None) -> OwnershipLinkChange:
    snapshot = link_snapshot(link)
    on = link.end_on if action == OwnershipLinkChange.Action.END else link.start_on
    change = OwnershipLinkChange.objects.create(link=link, action=action, snapshot=snapshot, on=on, by=actor)
    audit.record(actor=actor, action=f"enduser.ownership_link_{action}", obj=link, before=before,
                 after={**snapshot, **(extra or {})})
    return change


def _publish(actor, cleaned: dict, token, *, extra=None) -> OwnershipLinkChange:
    link = OwnershipLink.objects.create(client_token=token, created_by=actor, **cleaned)
    return _record(actor, link, OwnershipLinkChange.Action.PUBLISH, extra=extra)


def ownership_link_publish(*, actor, data: dict, client_token=None) -> OwnershipLink:
    """Record that an owner holds a share of an entity, with its evidence. The same client_token
    (a double click, a retried request) returns the link already made."""
    lists._require_ministry(actor)
    token = lists._token(client_token)
    if token and (existing := OwnershipLink.objects.filter(client_token=token).first()):
        return existing
    cleaned, errors = check_link(data, known=known_entities())
    if errors:
        raise lists._refused(errors)
    try:
        with transaction.atomic():
            change = _publish(actor, cleaned, token)
            rescreen.rescreen_start(link_change_ids=[change.pk])
            eligibility.ownership_links_changed()  # Reg. 20: a holder may now be a listed party's subsidiary
    except IntegrityError:  # the same token raced in from a second request
        existing = OwnershipLink.objects.filter(client_token=token).first() if token else None
        if existing is None:
            raise
        return existing
    return change.link


def _locked(link_id, expected_version) -> OwnershipLink:
    try:
        link = OwnershipLink.objects.select_for_update().get(pk=int(link_id))
    except (OwnershipLink.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None
    if expected_version in (None, ""):
        raise lists._refused({"version": [_("Give the version of the link you read.")]})
    if str(expected_version) != str(link.version):
        raise StaleVersion(_("Someone changed this link after you opened it. Reload the page and try again."))
    return link


def ownership_link_change(*, actor, link_id, data: dict, expected_version) -> OwnershipLink:
    """Correct a link (a new share, names, dates or evidence); the owner stays. The earlier
    version is kept in the link's history."""
    lists._require_ministry(actor)
    with transaction.atomic():
        link = _locked(link_id, expected_version)
        if link.end_on is not None:
            raise InvalidTransition(_("This link has ended; publish a new one."))
        owner = ({"owner_listed": link.owner_listed_id} if link.owner_listed_id
                 else {"owner_names": list(link.owner_names)})
        mine = {key: value for key, value in data.items() if key not in ("owner_listed", "owner_names")}
        cleaned, errors = check_link({**mine, **owner}, known=None)
        if errors:
            raise lists._refused(errors)
        before = link_snapshot(link)
        for name, value in cleaned.items():
            setattr(link, name, value)
        link.version += 1
        link.save()
        change = _record(actor, link, OwnershipLinkChange.Action.CHANGE, before=before)
        rescreen.rescreen_start(link_change_ids=[change.pk])
        eligibility.ownership_links_changed()
    return link


def ownership_link_end(*, actor, link_id, end_on, evidence, expected_version) -> OwnershipLink:
    """The owner no longer holds the entity after `end_on` (the last day, inclusive)."""
    lists._require_ministry(actor)
    with transaction.atomic():
        link = _locked(link_id, expected_version)
        if link.end_on is not None:
            raise InvalidTransition(lazy_format(_("This link already ended on %(day)s."), day=link.end_on.isoformat()))
        errors = lists._Errors()
        day = errors.date(end_on, "end_on")
        text = errors.text({"evidence": evidence}, "evidence", limit=lists.MAX_TEXT, required=True)
        if day and day < link.start_on:
            errors.add("end_on", lazy_format(_("A link ends on or after its start (%(day)s)."),
                                             day=link.start_on.isoformat()))
        if errors:
            raise lists._refused(dict(errors))
        before = link_snapshot(link)
        link.end_on = day
        link.version += 1
        link.save(update_fields=["end_on", "version"])
        change = _record(actor, link, OwnershipLinkChange.Action.END, before=before, extra={"end_evidence": text})
        rescreen.rescreen_start(link_change_ids=[change.pk])
    return link


# ---------------------------------------------------------------- importing a file


@dataclass
class LinkImportResult:
    links: list
    replayed: bool = False


def _check_rows(rows: list) -> tuple[list, list]:
    """Every row checked; an owner named by names may be an entity owned on an earlier or later
    row of the same file."""
    known = known_entities()
    for row in rows:
        if isinstance(row.data, dict) and isinstance(row.data.get("owned_names"), list):
            known |= {entity_key(name) for name in row.data["owned_names"] if isinstance(name, str)}
    cleaned_rows, errors = [], []
    for row in rows:
        cleaned, problems = check_link(row.data, known=known) if row.data is not None else ({}, {})
        for name, messages in {**row.problems, **problems}.items():
            errors += [lists.RowError(row.number, name, message) for message in messages]
        if not problems and not row.problems:
            cleaned_rows.append((row.number, cleaned))
    errors.sort(key=lambda error: error.row)
    return cleaned_rows, errors


def ownership_links_import(*, actor, upload) -> LinkImportResult:
    """Publish every link of a CSV or JSON file in one transaction, or none: every bad row is
    reported with its number. The same file twice publishes once."""
    lists._require_ministry(actor)
    content, fmt = lists._read_upload(upload)
    rows = importer.read_rows(content, fmt, LINK_COLUMNS)
    sha256 = hashlib.sha256(content).hexdigest()
    tokens = {row.number: uuid.uuid5(IMPORT_NAMESPACE, f"{sha256}:{row.number}") for row in rows}

    def made_before():
        links = list(OwnershipLink.objects.filter(client_token__in=tokens.values()).order_by("pk"))
        return LinkImportResult(links, replayed=True) if len(links) == len(tokens) else None

    if replay := made_before():
        return replay
    cleaned_rows, errors = _check_rows(rows)
    if errors:
        raise lists.ImportRefused(errors)
    name = os.path.basename(getattr(upload, "name", ""))[:255]
    try:
        with transaction.atomic():
            changes = [_publish(actor, cleaned, tokens[number], extra={"import": sha256})
                       for number, cleaned in cleaned_rows]
            audit.record(actor=actor, action="enduser.ownership_link_import", object_type="enduser.linkimport",
                         object_id=sha256, after={"name": name, "format": fmt, "size": len(content),
                                                  "sha256": sha256, "links": [c.link_id for c in changes]})
            rescreen.rescreen_start(link_change_ids=[change.pk for change in changes])
            eligibility.ownership_links_changed()
    except IntegrityError:  # the same file raced in from a second request
        if replay := made_before():
            return replay
        raise
    return LinkImportResult([change.link for change in changes])
