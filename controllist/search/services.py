"""Writes to the search synonym table. Only ministry officers maintain it; every change is audited
and re-indexes every list version once the transaction commits (the outbox runs
controllist.reindex_search, which calls engine.reindex_all_versions)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import MINISTRY_ROLES
from audit import services as audit
from controllist.models import Synonym
from controllist.search.synonyms import (
    MAX_SIDE_LENGTH,
    SIDE_PATTERN,
    clean_side,
    pair_key,
    side_key,
)
from outbox.services import enqueue
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed, lazy_format

MAX_NOTE_LENGTH = 200
REINDEX_TASK = "controllist.reindex_search"


def _require_ministry(actor) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in MINISTRY_ROLES:
        raise NotAllowed(_("Only ministry officers maintain the search synonyms."))


def _side(data: dict, name: str, errors: dict) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[name] = [_("This field is required.")]
        return ""
    if not isinstance(value, str):
        errors[name] = [_("Expected text.")]
        return ""
    value = clean_side(value)
    if len(value) > MAX_SIDE_LENGTH:
        errors[name] = [lazy_format(_("At most %(n)s characters."), n=MAX_SIDE_LENGTH)]
    elif not SIDE_PATTERN.match(value):
        errors[name] = [_("Write either Chinese characters, or English letters, digits, spaces and "
                          "hyphens, not both.")]
    elif not side_key(value):
        errors[name] = [_("This is only short or common words, which the search leaves out.")]
    return value


def _clean(data, *, exclude_pk=None) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed(_("Expected a JSON object."))
    errors: dict = {}
    term_a = _side(data, "term_a", errors)
    term_b = _side(data, "term_b", errors)
    note = data.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = [_("Expected text.")]
    elif len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [lazy_format(_("At most %(n)s characters."), n=MAX_NOTE_LENGTH)]
    if not errors and side_key(term_a) == side_key(term_b):
        errors["term_b"] = [_("The two terms are the same for the search.")]
    key = pair_key(term_a, term_b) if not errors else ""
    if key and Synonym.objects.filter(pair_key=key).exclude(pk=exclude_pk).exists():
        errors["term_b"] = [_("This pair is already in the table.")]
    if errors:
        raise ValidationFailed(fields=errors)
    return {"term_a": term_a, "term_b": term_b, "note": note.strip(), "pair_key": key}


def _snapshot(synonym: Synonym) -> dict:
    return {"term_a": synonym.term_a, "term_b": synonym.term_b, "note": synonym.note,
            "version": synonym.version}


def _lock(synonym_id) -> Synonym:
    try:
        return Synonym.objects.select_for_update().get(pk=synonym_id)
    except (Synonym.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _check_version(synonym: Synonym, expected_version) -> None:
    if expected_version is not None and str(expected_version) != str(synonym.version):
        raise StaleVersion(_("Someone changed this synonym after you opened it. Reload the page and "
                             "try again."))


def synonym_create(*, actor, data: dict, client_token=None) -> Synonym:
    """Add a pair. The same client_token (a double click, a retried request) returns the pair
    already made; the unique pair key refuses the same pair typed twice."""
    _require_ministry(actor)

    def made_before():
        return Synonym.objects.filter(created_by=actor, client_token=client_token).first() if client_token else None

    existing = made_before()
    if existing is not None:
        return existing
    cleaned = _clean(data)
    try:
        with transaction.atomic():
            synonym = Synonym.objects.create(created_by=actor, client_token=client_token or None, **cleaned)
            audit.record(actor=actor, action="controllist.synonym_create", obj=synonym,
                         after=_snapshot(synonym))
            enqueue(REINDEX_TASK)
    except IntegrityError:
        existing = made_before()
        if existing is None:
            raise ValidationFailed(fields={"term_b": [_("This pair is already in the table.")]}) from None
        return existing
    return synonym


@transaction.atomic
def synonym_update(*, actor, synonym_id, data: dict, expected_version=None) -> Synonym:
    _require_ministry(actor)
    synonym = _lock(synonym_id)
    cleaned = _clean(data, exclude_pk=synonym.pk)
    if all(getattr(synonym, name) == value for name, value in cleaned.items()):
        return synonym  # nothing to change: a repeated request, whatever version it carries
    _check_version(synonym, expected_version)
    before = _snapshot(synonym)
    for name, value in cleaned.items():
        setattr(synonym, name, value)
    synonym.version += 1
    synonym.save()
    audit.record(actor=actor, action="controllist.synonym_update", obj=synonym, before=before,
                 after=_snapshot(synonym))
    enqueue(REINDEX_TASK)
    return synonym


@transaction.atomic
def synonym_delete(*, actor, synonym_id, expected_version=None) -> None:
    _require_ministry(actor)
    synonym = _lock(synonym_id)
    _check_version(synonym, expected_version)
    before = _snapshot(synonym)
    audit.record(actor=actor, action="controllist.synonym_delete", obj=synonym, before=before)
    synonym.delete()
    enqueue(REINDEX_TASK)
