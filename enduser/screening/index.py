"""Screening a party against a list: an index of blocking keys (distinctive parts in every reading,
one-deletion neighbours for the fuzzy rule, generic signatures, identifiers) picks the few entries
worth comparing, and matching.compare scores them. The index is built from stored normalised forms
(`Screener.dump` / `Screener.load`) so that a process starts without re-reading every name."""

import gc
import json
import pickle
import re
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from stdnum.cn import uscc

from enduser.screening import names, ownership
from enduser.screening.matching import (
    ALGORITHM_VERSION,
    Match,
    bilingual,
    compare,
    latin_splits,
    latin_word_splits,
    person_keys,
)

THRESHOLD = 0.80  # a hit at or above
IDENTIFIER_TYPES = ("uscc", "registration")


@dataclass(frozen=True)
class ListEntry:
    id: str
    kind: str  # company | person
    names: tuple  # every form given; the first is the name as listed
    country: str = ""
    identifiers: dict = field(default_factory=dict)
    aliases: tuple = ()


@dataclass(frozen=True)
class Party:
    id: str
    kind: str
    name: str
    country: str = ""
    identifiers: dict = field(default_factory=dict)


@dataclass
class Hit:
    entry: str
    score: float
    why: str
    entry_name: str = ""
    query_name: str = ""
    bridges: list = field(default_factory=list)
    parts: list = field(default_factory=list)
    fuzzy: bool = False
    identifier_conflict: bool = False
    branch_of: str = ""
    versions: dict = field(default_factory=dict)
    # Set on a hit through ownership (OwnershipIndex): the share, the paths and the rule's state.
    ownership: dict = field(default_factory=dict)
    # False for an ownership hit while the rule is not in force: recorded, not raised.
    raised: bool = True

    def as_dict(self) -> dict:
        out = {"entry": self.entry, "score": self.score, "why": self.why, "entry_name": self.entry_name,
               "query_name": self.query_name, "bridges": self.bridges, "parts": self.parts, "fuzzy": self.fuzzy,
               "identifier_conflict": self.identifier_conflict, "branch_of": self.branch_of,
               "versions": self.versions}
        if self.ownership:
            out.update(ownership=self.ownership, raised=self.raised)
        return out


def _identifiers(raw) -> dict:
    out = {}
    for key, value in (raw or {}).items():
        if key in IDENTIFIER_TYPES and isinstance(value, str) and value.strip():
            out[key] = "".join(value.upper().split()).replace("-", "")
    return out


def _valid(kind: str, value: str) -> bool:
    return uscc.is_valid(value) if kind == "uscc" else bool(value)


@contextmanager
def _collector_paused():
    """Millions of small objects are made at once and none is garbage: the cyclic collector would
    scan them again and again (three quarters of the load time of a 100k list)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---------------------------------------------------------------- blocking keys


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1:] for i in range(len(key))}


def form_keys(form: names.Form, *, query: bool = False) -> set[str]:
    """The keys under which a form is indexed (or, for a query, looked up)."""
    keys = set()
    if form.kind == "person":
        if form.han:
            keys.add("ph:" + form.surname + form.given)
            keys.add("ph:" + form.given + form.surname)  # 买买提·艾力: the surname is written last
            for surnames, givens, _system in person_keys(form):
                for s in surnames:
                    for g in givens:
                        keys.add(f"pl:{s}|{g}")
                        if len(g) >= 6:
                            keys.update(f"pf:{s}|{d}" for d in _deletions(g))
                            keys.add(f"pf:{s}|{g}")
        else:
            for s, given in latin_word_splits(form):
                if given:  # John Smith finds John Robert Smith (matching.MIDDLE_NAME)
                    keys.add(f"pm:{s}|{given[0]}")
            for s, g in latin_splits(form):
                keys.add(f"pl:{s}|{g}")
                keys.add(f"pl:{g}|{s}")
                if len(g) >= 6:
                    keys.update(f"pf:{s}|{d}" for d in _deletions(g))
                    keys.add(f"pf:{s}|{g}")
        return keys
    distinctive = form.distinctive
    if distinctive:
        if all(t.han for t in distinctive):
            han = "".join(t.value for t in distinctive)
            keys.add("dh:" + han)
            if len(han) >= 3:
                keys.update("dhf:" + d for d in _deletions(han))
                keys.add("dhf:" + han)
        for system_keys in form.readings.values():
            for key in system_keys:
                keys.add("dl:" + key)
                if len(key) >= 6:
                    keys.update("dlf:" + d for d in _deletions(key))
                    keys.add("dlf:" + key)
    else:
        generic = sorted(f"{t.kind}{t.value}" for t in form.tokens if t.kind in ("G", "U"))
        if generic:
            keys.add("g:" + "|".join(generic))
    return keys


# ---------------------------------------------------------------- the screener


@dataclass
class IndexedEntry:
    entry: ListEntry
    forms: tuple  # names.Form, the entry's names and aliases and their composites


def entry_forms(entry: ListEntry) -> tuple:
    """The forms of every name and alias, plus, for a unit of a larger body (…集团公司第十四研究所),
    each short alias joined to the unit (CETC + 第十四研究所 = CETC 14th Research Institute)."""
    forms = [names.form(n, entry.kind) for n in entry.names if n and n.strip()]
    forms += [names.form(n, entry.kind, alias=True) for n in entry.aliases if n and n.strip()]
    if entry.kind == "company":
        units = []
        for f in forms:
            for i, t in enumerate(f.tokens):
                if t.kind == "N":
                    units.append(f.tokens[i:])
                    break
        short = [f for f in forms if len(f.tokens) <= 2 and f.distinctive and not f.of("N")]
        for unit in units:
            for s in short:
                tokens = s.distinctive + tuple(unit)
                forms.append(names.Form(name=f"{s.name} + {''.join(t.text for t in unit)}", kind="company",
                                        tokens=tokens, han=s.han, alias=True, readings=s.readings))
    return tuple(forms)


class Screener:
    def __init__(self, entries: Iterable[ListEntry] = (), *, threshold: float = THRESHOLD, list_version: str = ""):
        self.threshold = threshold
        self.list_version = list_version
        self.entries: list[IndexedEntry] = []
        self.keys: dict[str, int | list[int]] = {}
        with _collector_paused():
            for entry in entries:
                self.add(IndexedEntry(entry, entry_forms(entry)))

    def add(self, indexed: IndexedEntry) -> None:
        position = len(self.entries)
        self.entries.append(indexed)
        keys = set()
        for form in indexed.forms:
            keys |= form_keys(form)
        for kind, value in _identifiers(indexed.entry.identifiers).items():
            keys.add(f"id:{kind}:{value}")
        for key in keys:
            posting = self.keys.get(key)
            if posting is None:
                self.keys[key] = position
            elif isinstance(posting, int):
                self.keys[key] = [posting, position]
            else:
                posting.append(position)

    # stored normalised forms
    def dump(self, path) -> None:
        with open(path, "wb") as fh:
            pickle.dump({"algorithm": ALGORITHM_VERSION, "dictionary": names.dictionary().version,
                         "threshold": self.threshold, "list_version": self.list_version,
                         "entries": self.entries, "keys": dict(self.keys)}, fh, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, path) -> "Screener":
        with open(path, "rb") as fh, _collector_paused():
            stored = pickle.load(fh)  # noqa: S301 (a file this process wrote; never user input)
        if stored["algorithm"] != ALGORITHM_VERSION or stored["dictionary"] != names.dictionary().version:
            raise ValueError("the stored forms were made by another algorithm or dictionary version")
        screener = cls(threshold=stored["threshold"], list_version=stored["list_version"])
        screener.entries = stored["entries"]
        screener.keys = stored["keys"]
        return screener

    @property
    def versions(self) -> dict:
        return {"algorithm": ALGORITHM_VERSION, "dictionary": names.dictionary().version,
                "threshold": self.threshold, "list": self.list_version}

    def candidates(self, party: Party, form: names.Form) -> set[int]:
        """Entries sharing a key with the query. The index holds each key and its one-deletion
        neighbours, and so does the query's key set: two keys one edit apart share a neighbour."""
        found = set()
        for key in form_keys(form, query=True):
            found.update(self._postings(key))
        for kind, value in _identifiers(party.identifiers).items():
            found.update(self._postings(f"id:{kind}:{value}"))
        return found

    def _postings(self, key: str) -> tuple:
        posting = self.keys.get(key)
        if posting is None:
            return ()
        return (posting,) if isinstance(posting, int) else posting

    def screen(self, party: Party, *, threshold: float | None = None) -> list[Hit]:
        threshold = self.threshold if threshold is None else threshold
        query = names.form(party.name, party.kind)
        branch = _branch_parent(query)
        forms = [query] if branch is None else [branch, query]  # a tie goes to the branch reading
        hits = {}
        for position in self.candidates(party, query) | (self.candidates(party, branch) if branch else set()):
            indexed = self.entries[position]
            hit = self._score(party, forms, indexed, branch)
            if hit and hit.score >= threshold:
                previous = hits.get(hit.entry)
                if previous is None or hit.score > previous.score:
                    hits[hit.entry] = hit
        return sorted(hits.values(), key=lambda h: (-h.score, h.entry))

    def _score(self, party: Party, forms, indexed: IndexedEntry, branch) -> Hit | None:
        entry = indexed.entry
        q_ids, e_ids = _identifiers(party.identifiers), _identifiers(entry.identifiers)
        same = [k for k in q_ids if e_ids.get(k) == q_ids[k]]
        best, best_form, best_query = Match(), None, None
        entry_has_han = any(form.han for form in indexed.forms)
        for query in forms:
            for form in indexed.forms:
                if query.han and entry_has_han and not form.han:
                    continue  # Han against Han is judged in Han, not through a romanised alias
                m = compare(query, form)
                if m.score > best.score:
                    best, best_form, best_query = m, form, query
        versions = self.versions
        if same:
            return Hit(entry=entry.id, score=1.0, why=f"same {same[0]} / 登记号码相同 {q_ids[same[0]]}",
                       entry_name=entry.names[0] if entry.names else "", query_name=party.name,
                       bridges=["identifier"], parts=[{"query": q_ids[same[0]], "entry": e_ids[same[0]],
                                                       "how": f"same {same[0]}"}], versions=versions)
        if best_form is None or not best.score:
            return None
        conflict = any(k in e_ids and e_ids[k] != v and _valid(k, v) and _valid(k, e_ids[k]) for k, v in q_ids.items())
        bridges = list(best.bridges)
        if best_form.alias:
            bridges.append("alias")
        if best.fuzzy:
            bridges.append("fuzzy")
        branch_of = entry.id if best_query is branch and branch is not None else ""
        if branch_of:
            bridges.append("branch of a listed party (counts as 100% owned)")
        why = bilingual((bridges or ["same name"]) + (["identifier conflict"] if conflict else []))
        return Hit(entry=entry.id, score=round(best.score, 2), why=why, entry_name=best_form.name,
                   query_name=party.name, bridges=bridges, parts=best.parts, fuzzy=best.fuzzy,
                   identifier_conflict=conflict, branch_of=branch_of, versions=versions)


def _branch_parent(form: names.Form) -> names.Form | None:
    """华为技术有限公司北京分公司 -> 华为技术有限公司: the listed body a branch belongs to."""
    if form.kind != "company" or not form.of("B"):
        return None
    tokens = []
    for t in form.tokens:
        if t.kind == "B":
            break
        tokens.append(t)
    while tokens and tokens[-1].kind == "R":
        tokens.pop()
    if not any(t.kind == "D" for t in tokens):
        return None
    return names.Form(name=form.name, kind="company", tokens=tuple(tokens), han=form.han,
                      converted=form.converted, readings=form.readings)


# ---------------------------------------------------------------- list and query files (JSON lines)


def read_jsonl(path) -> Iterable[dict]:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None


def list_entries(rows: Iterable[dict]) -> list[ListEntry]:
    out = []
    for row in rows:
        names_ = row.get("names") or ([row["name"]] if row.get("name") else [])
        if isinstance(names_, str):
            names_ = [names_]  # one name given as text rather than as a list
        out.append(ListEntry(id=str(row["id"]), kind=row.get("kind") or "company", names=tuple(names_),
                             country=row.get("country") or "", identifiers=row.get("identifiers") or {},
                             aliases=tuple(row.get("aliases") or ())))
    return out


def parties(rows: Iterable[dict]) -> list[Party]:
    return [Party(id=str(row["id"]), kind=row.get("kind") or "company", name=row.get("name") or "",
                  country=row.get("country") or "", identifiers=row.get("identifiers") or {}) for row in rows]


# ---------------------------------------------------------------- owned by listed parties (links as data)


@dataclass(frozen=True)
class StoredLink:
    """An ownership link in force, as the database keeps it: the owner is a list entry (its id)
    or the owned entity of other links, named by one of its names."""

    id: int
    owner_listed: str | None
    owner_names: tuple
    owned_names: tuple
    kind: str
    percent: Decimal
    start: date | None = None
    end: date | None = None
    owned_country: str = ""
    owned_identifiers: dict = field(default_factory=dict)


def entity_key(name: str) -> str:
    """A name as owners are told apart: width, case, spaces and punctuation do not count."""
    return _KEY_IGNORED.sub("", unicodedata.normalize("NFKC", name or "").casefold())


_KEY_IGNORED = re.compile(r"[\s.,;:'\"’‘“”\-_/()（）·・，。、]+")


class OwnershipIndex:
    """The owned entities of the links in force on a day, indexed like a list, and the ownership
    walk (screening.ownership) from the listed parties in force down to them.

    Links whose owned entities share a name (or an identifier) own and are owned by one entity,
    so chains are joined link by link: L → B (100%) and B → A (30%) make L hold 30% of A."""

    def __init__(self, links: Iterable[StoredLink], listed: dict[str, str], *, threshold: float = THRESHOLD,
                 version: str = ""):
        self.listed = listed  # list entry id -> its first name, for the entries in force
        self.version = version
        links = list(links)
        parent: dict[str, str] = {}

        def find(key):
            parent.setdefault(key, key)
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        def keys_of(link):
            keys = [f"n:{entity_key(n)}" for n in link.owned_names if entity_key(n)]
            keys += [f"i:{k}:{v}" for k, v in _identifiers(link.owned_identifiers).items()]
            return keys

        for link in links:
            keys = keys_of(link)
            for key in keys[1:]:
                parent[find(key)] = find(keys[0])
            if keys:
                find(keys[0])
        self.labels: dict[str, str] = {f"L{pk}": name for pk, name in listed.items()}
        gathered: dict[str, dict] = {}
        self.links = []
        for link in links:
            keys = keys_of(link)
            if not keys:
                continue
            owned = "E" + find(keys[0])
            if link.owner_listed is not None:
                owner = f"L{link.owner_listed}"
            else:
                found = [find(f"n:{entity_key(n)}") for n in link.owner_names if f"n:{entity_key(n)}" in parent]
                owner = "E" + found[0] if found else "?" + ",".join(link.owner_names)
                self.labels.setdefault(owner, link.owner_names[0] if link.owner_names else "?")
            entity = gathered.setdefault(owned, {"names": [], "country": "", "identifiers": {}, "links": []})
            entity["names"] += [n for n in link.owned_names if n not in entity["names"]]
            entity["country"] = entity["country"] or link.owned_country
            entity["identifiers"] = {**link.owned_identifiers, **entity["identifiers"]}
            entity["links"].append(link.id)
            self.labels.setdefault(owned, link.owned_names[0])
            self.links.append(ownership.OwnershipLink(owner, owned, link.percent, link.kind, link.start, link.end))
        self.entities = gathered
        self.screener = Screener(
            [ListEntry(id=node, kind="company", names=tuple(e["names"]), country=e["country"],
                       identifiers=e["identifiers"]) for node, e in gathered.items()],
            threshold=threshold, list_version=version)
        self._listed_nodes = frozenset(f"L{pk}" for pk in listed)

    def __bool__(self) -> bool:
        return bool(self.links)

    def share(self, node: str, on: date, periods) -> ownership.OwnershipResult:
        return ownership.ownership_hit(node, self._listed_nodes, self.links, on, periods)

    def screen(self, party: Party, on: date, periods) -> list[Hit]:
        """Hits through ownership: the party's name (or identifier) matches an owned entity that
        listed parties hold at or above the threshold in force on `on`, summed along every chain.
        While the rule is not in force a share that would reach the threshold gives a hit not
        raised (`raised=False`), saying why. One hit per listed party: the largest path's."""
        if not self.links:
            return []
        out: dict[str, Hit] = {}
        for found in self.screener.screen(party):
            result = self.share(found.entry, on, periods)
            threshold = result.threshold if result.threshold is not None else ownership.HUNDRED / 2
            if result.share is None or result.percent < threshold:
                continue
            listed_id = result.paths[0].listed[1:]
            hit = self._hit(found, result, listed_id)
            previous = out.get(listed_id)
            if previous is None or (hit.raised, hit.score) > (previous.raised, previous.score):
                out[listed_id] = hit
        return sorted(out.values(), key=lambda h: (-h.score, h.entry))

    def explain(self, result: ownership.OwnershipResult) -> dict:
        period = result.period
        return {
            "entity": self.labels.get(result.target, ""), "percent": str(result.percent),
            "threshold": None if result.threshold is None else str(result.threshold),
            "in_force": result.in_force, "reason": result.reason, "on": result.on.isoformat(),
            "period": None if period is None else {
                "id": period.id, "state": period.state, "valid_from": period.valid_from.isoformat(),
                "valid_until": period.valid_until.isoformat() if period.valid_until else None,
                "announcement_zh": period.announcement_zh, "announcement_en": period.announcement_en},
            "listed": sorted({int(path.listed[1:]) for path in result.paths}),
            "paths": [{"percent": str(path.percent),
                       "hops": [{"owner": self.labels.get(hop.owner, ""), "owned": self.labels.get(hop.owned, ""),
                                 "percent": str(hop.percent)} for hop in path.hops]} for path in result.paths],
            "links": self.version,
        }

    def _hit(self, found: Hit, result: ownership.OwnershipResult, listed_id: str) -> Hit:
        explained = self.explain(result)
        percent = explained["percent"]
        if result.in_force:
            why = f"owned {percent}% by listed parties / 被名单所列主体持有{percent}%"
        else:
            why = (f"owned {percent}% by listed parties, ownership rule not in force / "
                   f"被名单所列主体持有{percent}%，所有权规则未生效")
        name_why = found.why
        versions = {**found.versions, "ownership_rule": explained["period"]["id"] if explained["period"] else None,
                    "links": self.version}
        return Hit(entry=listed_id, score=found.score, why=f"{why}; {name_why}"[:500],
                   entry_name=found.entry_name, query_name=found.query_name,
                   bridges=[*found.bridges, "owned by listed parties"], parts=found.parts, fuzzy=found.fuzzy,
                   identifier_conflict=found.identifier_conflict, versions=versions, ownership=explained,
                   raised=result.in_force)
