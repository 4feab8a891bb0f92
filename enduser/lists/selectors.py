"""Reads of the Control List and the Watch List: who sees which entries, the entries in force on a
day, a search over them, and the list of changes."""

import re
import unicodedata
from datetime import date
from functools import lru_cache

import opencc
from django.core.paginator import Paginator
from django.utils import timezone, translation
from django_countries import countries

from enduser.models import ListChange, ListedParty, OwnershipLink, OwnershipLinkChange
from enduser.screening.index import entity_key

PAGE_SIZE = 50
MAX_QUERY = 200
_IGNORED = re.compile(r"[\s.,;:'\"’‘“”\-_/()（）【】\[\]·・，。、；：]+")


def is_ministry(user) -> bool:
    return bool(user and user.is_authenticated and user.is_ministry)


def entries_visible_to(user, *, today: date | None = None):
    """Every entry for the ministry; for everyone else (signed in or not) the entries whose
    announcement has been published, in force, future or removed."""
    entries = ListedParty.objects.all()
    if is_ministry(user):
        return entries
    return entries.filter(announced_on__lte=today or timezone.localdate())


def entries_in_force(*, day: date | None = None, list_kind: str | None = None):
    entries = ListedParty.objects.in_force(day or timezone.localdate())
    if list_kind:
        entries = entries.filter(list_kind=list_kind)
    return entries.order_by("list_kind", "pk")


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


def folded(text: str) -> str:
    """Text as the search compares it: full-width letters made plain, case folded, traditional
    characters simplified, spaces and punctuation dropped (so 華榮 finds 华荣, and "Co Ltd" finds
    "Co., Ltd.")."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _IGNORED.sub("", _t2s().convert(text))


@lru_cache(maxsize=512)
def _country_words(code: str) -> str:
    if not code:
        return ""
    words = [code]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            words.append(str(dict(countries).get(code, "")))
    return folded(" ".join(words))


def _haystack(party: ListedParty) -> str:
    parts = [*party.names, *party.aliases, party.announcement, *map(str, party.identifiers.values())]
    return "\n".join([folded(part) for part in parts] + [_country_words(party.country.code or "")])


def entries_search(*, q: str = "", list_kind: str | None = None, day: date | None = None) -> list[ListedParty]:
    """The entries in force that match the words of `q`, each somewhere in their names, aliases,
    announcement, identifiers or country (code or name, in either language and script). The
    lists are a few thousand entries at most and their names are JSON lists, which no database
    searches the same way, so the matching is done here."""
    entries = list(entries_in_force(day=day, list_kind=list_kind))
    words = [folded(word) for word in (q or "")[:MAX_QUERY].split()]
    words = [word for word in words if word]
    if not words:
        return entries
    matches = []
    for party in entries:
        haystack = _haystack(party)
        if all(word in haystack for word in words):
            matches.append(party)
    return matches


def entries_page(*, q: str = "", list_kind: str | None = None, page=None, day: date | None = None):
    return Paginator(entries_search(q=q, list_kind=list_kind, day=day), PAGE_SIZE).get_page(page)


def changes(*, listed_id: int | None = None, after: int | None = None):
    """List changes in the order they were made, with their entry and officer."""
    rows = ListChange.objects.select_related("listed", "by").order_by("pk")
    if listed_id is not None:
        rows = rows.filter(listed_id=listed_id)
    if after is not None:
        rows = rows.filter(pk__gt=after)
    return rows


# ---------------------------------------------------------------- ownership links


def links_visible_to(user, *, day: date | None = None):
    """Every link, with its history, for the ministry; for everyone else the links in force
    whose owner chain starts at an entry in force (what the public list shows)."""
    links = OwnershipLink.objects.select_related("owner_listed", "created_by")
    if is_ministry(user):
        return links
    day = day or timezone.localdate()
    shown = {link.pk for tree in ownership_trees(entries_in_force(day=day), day=day).values() for _depth, link in tree}
    return links.filter(pk__in=shown)


def links_page(*, page=None, state: str = "", day: date | None = None):
    day = day or timezone.localdate()
    rows = OwnershipLink.objects.select_related("owner_listed").order_by("-pk")
    if state == "in_force":
        rows = rows.in_force(day)
    elif state == "ended":
        rows = rows.filter(end_on__lt=day)
    return Paginator(rows, PAGE_SIZE).get_page(page)


def link_changes(link_id: int):
    return OwnershipLinkChange.objects.filter(link_id=link_id).select_related("by").order_by("pk")


def ownership_trees(entries, *, day: date | None = None) -> dict[int, list[tuple[int, OwnershipLink]]]:
    """{entry id: [(depth, link)]}: the links in force on `day` from each entry down its chains
    (L → B at depth 0, B → A at depth 1), each link once per entry. Two queries in all."""
    day = day or timezone.localdate()
    ids = [entry.pk for entry in entries]
    if not ids:
        return {}
    rows = list(OwnershipLink.objects.in_force(day).select_related("owner_listed").order_by("pk"))
    by_listed: dict[int, list] = {}
    by_name: dict[str, list] = {}
    for link in rows:
        if link.owner_listed_id is not None:
            by_listed.setdefault(link.owner_listed_id, []).append(link)
        for name in link.owner_names:
            by_name.setdefault(entity_key(name), []).append(link)
    trees = {}
    for pk in ids:
        tree, seen = [], set()
        stack = [(0, link) for link in reversed(by_listed.get(pk, []))]
        while stack:
            depth, link = stack.pop()
            if link.pk in seen:
                continue
            seen.add(link.pk)
            tree.append((depth, link))
            below = {child.pk: child for name in link.owned_names for child in by_name.get(entity_key(name), [])}
            stack += [(depth + 1, child) for child in reversed(list(below.values())) if child.pk not in seen]
        if tree:
            trees[pk] = tree
    return trees
