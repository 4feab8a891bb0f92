"""Whether a catch-all notice (Law 12(3)) covers an export: pure functions over a notice and the
export's items, parties, end use and destinations. Every criterion the notice fills in must match
(an item notice with an end user named covers that item to that end user only); a notice that
names no item covers every item of an export it otherwise matches."""

import re
from dataclasses import dataclass, field

from controllist.matching import code_is_under, description_matches, names_match

_PHRASES = re.compile(r"[\n;；]+")


@dataclass
class NoticeHit:
    notice: object  # a CatchAllNotice
    items: list = field(default_factory=list)  # indexes of the items it covers
    how: dict = field(default_factory=dict)  # item index -> "code" | "keyword" | "description" | "export"
    party: str = ""  # "end_user" or "importer" when a named end user matched
    end_use: bool = False

    def covered(self) -> dict:
        return {"items": list(self.items), "party": self.party, "end_use": self.end_use}


def phrases(text: str) -> list[str]:
    """A description may give several phrasings, one a line (e.g. the Chinese and the English)."""
    return [part.strip() for part in _PHRASES.split(text or "") if part.strip()]


def names_an_item(notice) -> bool:
    return bool(notice.item_description.strip() or notice.item_codes or notice.item_keywords)


def item_covered(notice, *, control_code: str = "", description: str = "", hs_code: str = "") -> str:
    """How the item falls under the notice: "code", "keyword" or "description"; "" if it does not."""
    if control_code and any(code_is_under(control_code, prefix) for prefix in notice.item_codes or []):
        return "code"
    for keyword in notice.item_keywords or []:
        if keyword.isdigit():
            if hs_code and hs_code.startswith(keyword):
                return "keyword"
        elif description and description_matches(description, keyword):
            return "keyword"
    if description and any(description_matches(description, phrase)
                           for phrase in phrases(notice.item_description)):
        return "description"
    return ""


def party_covered(notice, name: str) -> bool:
    """Whether a party's name is one of the notice's end user names, in any of its forms: the
    screening engine decides, so 華為技術有限公司 matches 华为技术有限公司 and its pinyin."""
    return bool(name) and any(names_match(wanted, name) for wanted in notice.end_user_names or [])


def end_use_covered(notice, end_use: str) -> bool:
    return bool(end_use) and any(description_matches(end_use, phrase) for phrase in phrases(notice.end_use))


def notice_covers(notice, *, items, parties=(), end_use: str = "", destinations=()) -> NoticeHit | None:
    """`items`: [{"control_code", "description", "hs_code"}]; `parties`: [(role, name, country)];
    `destinations`: the countries the export reaches (where it is shipped and where the end user is)."""
    if notice.destinations and not set(destinations) & set(notice.destinations):
        return None
    hit = NoticeHit(notice=notice)
    if notice.end_user_names:
        hit.party = next((role for role, name, _country in parties if party_covered(notice, name)), "")
        if not hit.party:
            return None
    if notice.end_use.strip():
        if not end_use_covered(notice, end_use):
            return None
        hit.end_use = True
    for index, item in enumerate(items):
        if names_an_item(notice):
            how = item_covered(notice, control_code=item.get("control_code") or "",
                               description=item.get("description") or "", hs_code=item.get("hs_code") or "")
        else:
            how = "export"
        if how:
            hit.items.append(index)
            hit.how[index] = how
    if not hit.items:
        return None
    return hit
