"""“Do I need a licence?”: one answer for a set of items, a destination and the parties, with the
rule it rests on. The same function checks every application at submission.

Precedence: prohibited (Law 10, Reg. 13) > licence required (listed item or temporary control,
Law 12(1), Law 9) > catch-all (Law 12(3), Reg. 14: a ministry notice covering the export, or the
exporter's own answers) > not controlled; with nothing listed and the
catch-all questions unanswered, the answer is that the questions must be answered first."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from controllist.codes import parent_code, parse_control_code
from controllist.matching import code_is_under, description_matches, names_match
from controllist.models import (
    Entry,
    ListVersion,
    Prohibition,
    TemporaryControl,
    TemporaryControlState,
)
from controllist.notices import selectors as notices
from controllist.regime import RegimeInfo, classify, load_rules
from controllist.selectors import version_in_force
from portal.errors import ValidationFailed, lazy_format

MAX_ITEMS = 10


class Outcome(models.TextChoices):
    PROHIBITED = "prohibited", _("Prohibited")
    LICENCE_REQUIRED = "licence_required", _("Licence required")
    CATCH_ALL = "catch_all", _("Not listed, but a licence is required (catch-all)")
    NOT_CONTROLLED = "not_controlled", _("Not controlled")
    QUESTIONS_NEEDED = "questions_needed", _("Answer the catch-all questions")


class Citation(NamedTuple):
    law: str
    article: str
    text: str


LAW = "出口管制法 / Export Control Law"
REG = "两用物项出口管制条例 / Regulations on Export Control of Dual-use Items"

CITATIONS = {
    "law10": Citation(LAW, "Art. 10", _(
        "The state may prohibit the export of items, exports to particular countries and regions, and "
        "exports to particular organisations and individuals.")),
    "reg13": Citation(REG, "Art. 13", _(
        "Prohibited exports of dual-use items, destinations and parties are announced by the ministry; "
        "no licence is granted for them.")),
    "law12_1": Citation(LAW, "Art. 12(1)", _(
        "Exporting items on the control list, or under temporary control, requires a licence from the "
        "state export control administration.")),
    "reg15": Citation(REG, "Art. 15", _(
        "Dual-use items are exported under an individual licence, a general licence, or by "
        "registering the export information.")),
    "law9": Citation(LAW, "Art. 9", _(
        "Items outside the list may be placed under temporary control for at most two years.")),
    "reg12": Citation(REG, "Art. 12", _(
        "A temporary control is reviewed before it ends: cancelled, extended (at most twice), or the "
        "item is moved onto the list.")),
    "law12_3": Citation(LAW, "Art. 12(3)", _(
        "An item outside the list also needs a licence when the exporter knows, should know, or has "
        "been told by the authorities that it may endanger national security and interests, be used "
        "for weapons of mass destruction or their means of delivery, or be used for terrorism.")),
    "reg14": Citation(REG, "Art. 14", _(
        "The catch-all rule for dual-use items; an exporter unsure whether an item is controlled may "
        "ask the ministry (a classification question).")),
    "law12_none": Citation(LAW, "Art. 12", _(
        "No licence is needed under this article: the items are neither listed nor under temporary "
        "control, and none of the catch-all conditions applies. This rests on your answers: if you "
        "learn, or are told, that one of them applies, a licence is required.")),
}

OUTCOME_CITATIONS = {
    Outcome.PROHIBITED: ["law10", "reg13"],
    Outcome.LICENCE_REQUIRED: ["law12_1", "reg15"],
    Outcome.CATCH_ALL: ["law12_3", "reg14"],
    Outcome.QUESTIONS_NEEDED: ["law12_3", "reg14"],
    Outcome.NOT_CONTROLLED: ["law12_none"],
}


class Question(NamedTuple):
    key: str
    text: str
    explanation: str


# Law 12(3), Reg. 14: the three catch-all conditions.
CATCH_ALL_QUESTIONS = (
    Question("national_security",
             _("Do you know, should you know, or have you been told by the authorities that the items "
               "may endanger national security and interests?"),
             _("For example: the buyer or end user is linked to activities against China's security, "
               "or the goods could be used to harm it. Suspicion you have reason to hold counts.")),
    Question("wmd",
             _("… that the items may be used to design, develop, produce or use weapons of mass "
               "destruction or their means of delivery?"),
             _("Nuclear, chemical or biological weapons and the missiles or other systems that carry "
               "them. Signs include an end user in a weapons programme or an end use that does not fit "
               "the goods.")),
    Question("terrorism",
             _("… that the items may be used for terrorism?"),
             _("Any indication that the goods would reach terrorist organisations or be used in "
               "terrorist acts.")),
)
QUESTION_KEYS = tuple(question.key for question in CATCH_ALL_QUESTIONS)


@dataclass(frozen=True)
class Route:
    key: str
    name: str
    status: str  # "open", "conditional" or "closed"
    reason: str


ROUTES = (
    Route("individual", _("Individual licence (单项许可)"), "open",
          _("Always available: one export of the listed items to one end user, valid for at most one "
            "year.")),
    Route("general", _("General licence (通用许可)"), "conditional",
          _("Subject to the ministry's check of these conditions: a well-running internal compliance "
            "programme, an export record, and stable channels and end users. Not available to an "
            "exporter with a criminal penalty for an export-control offence, a serious administrative "
            "penalty in the past 5 years, or to a Chinese subsidiary or office of a control-listed "
            "foreign party.")),
    Route("registration", _("Registration route (登记填报信息)"), "conditional",
          _("Only for returns after repair or testing, exhibitions, and aircraft spare parts, so it "
            "depends on the export's purpose; closed to the exporters barred from general licences.")),
)


@dataclass
class ItemFinding:
    index: int
    control_code: str = ""
    description: str = ""
    hs_code: str = ""
    entry: Entry | None = None
    regime: RegimeInfo | None = None
    temporary_controls: list = field(default_factory=list)  # [(TemporaryControl, how it matched)]
    candidates: list = field(default_factory=list)  # Entry rows suggested for a free-text item

    @property
    def listed(self) -> bool:
        return self.entry is not None

    @property
    def controlled(self) -> bool:
        return self.entry is not None or bool(self.temporary_controls)

    @property
    def entry_url(self) -> str:
        return _entry_url(self.entry)


@dataclass
class ProhibitionHit:
    prohibition: Prohibition
    items: list  # indexes of the items it caught
    party: str = ""  # "end_user" or "importer" when a party matched

    @property
    def citation(self) -> Citation:
        return CITATIONS["law10"]


@dataclass
class Determination:
    outcome: str
    on: date
    list_version: ListVersion | None
    items: list
    prohibitions: list
    citations: list
    routes: list
    questions: list  # [(Question, answer True/False/None)]
    cautions: list
    notices: list = field(default_factory=list)  # NoticeHit: catch-all notices covering the export

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label

    @property
    def list_version_label(self) -> str:
        return self.list_version.label if self.list_version else ""

    def as_dict(self) -> dict:
        """The JSON form (API, audit), in the active language."""
        return {
            "outcome": self.outcome,
            "outcome_label": str(self.outcome_label),
            "on": self.on.isoformat(),
            "list_version": ({"id": self.list_version.pk, "label": self.list_version.label,
                              "effective_from": self.list_version.effective_from.isoformat()}
                             if self.list_version else None),
            "citations": [{"law": c.law, "article": c.article, "text": str(c.text)} for c in self.citations],
            "routes": [{"key": r.key, "name": str(r.name), "status": r.status, "reason": str(r.reason)}
                       for r in self.routes],
            "prohibitions": [_hit_dict(hit) for hit in self.prohibitions],
            "items": [_finding_dict(finding) for finding in self.items],
            "questions": [{"key": q.key, "text": str(q.text), "explanation": str(q.explanation),
                           "answer": answer} for q, answer in self.questions],
            "cautions": [str(caution) for caution in self.cautions],
            "notices": [_notice_dict(hit) for hit in self.notices],
        }


# ---------------------------------------------------------------- matching


def _entry_url(entry) -> str:
    if entry is None:
        return ""
    try:
        return reverse("controllist-entry", args=[entry.version.label, entry.code])
    except Exception:  # the search part's page may not be mounted yet
        return ""


def item_under_control(finding: ItemFinding, control: TemporaryControl) -> str:
    """How the item falls under the temporary control ("" when it does not)."""
    if control.control_code and code_is_under(finding.control_code, control.control_code):
        return "code"
    if finding.hs_code and any(finding.hs_code.startswith(hs) for hs in control.hs_codes or []):
        return "hs_code"
    if finding.description and (description_matches(finding.description, control.title_en)
                                or description_matches(finding.description, control.title_zh)):
        return "description"
    return ""


def _item_banned(ban: Prohibition, finding: ItemFinding) -> bool:
    # An item code and a temporary control are two ways of naming the item: either suffices.
    if ban.item_code or ban.temporary_control_id:
        if ban.item_code and code_is_under(finding.control_code, ban.item_code):
            return True
        return bool(ban.temporary_control_id and item_under_control(finding, ban.temporary_control))
    return description_matches(finding.description, ban.item_description)


def _names_an_item(ban: Prohibition) -> bool:
    return bool(ban.item_code or ban.temporary_control_id or ban.item_description)


def prohibition_applies(ban: Prohibition, findings, destinations, parties) -> ProhibitionHit | None:
    """Every criterion the ban fills in must match. `destinations`: the destination country and
    the end user's; `parties` is [(role, name, country)]; a party whose country is unknown is not
    ruled out by the ban's country."""
    items = []
    if _names_an_item(ban):
        items = [finding.index for finding in findings if _item_banned(ban, finding)]
        if not items:
            return None
    if ban.destination and ban.destination.code not in destinations:
        return None
    role = ""
    if ban.party_name:
        wanted_country = ban.party_country.code if ban.party_country else ""
        role = next((role for role, name, country in parties
                     if name and names_match(ban.party_name, name)
                     and (not wanted_country or not country or country == wanted_country)), "")
        if not role:
            return None
    return ProhibitionHit(prohibition=ban, items=items, party=role)


def prohibitions_in_force(on: date):
    return (Prohibition.objects.filter(revoked_at__isnull=True, effective_from__lte=on)
            .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
            .select_related("temporary_control"))


def temporary_controls_in_force(on: date) -> list[TemporaryControl]:
    return list(TemporaryControl.objects.filter(state=TemporaryControlState.ACTIVE, starts_on__lte=on,
                                                ends_on__gte=on))


def listed_entry(code: str, version: ListVersion | None) -> Entry | None:
    """The entry a code falls under in a version: the code itself or the nearest entry above it
    (a sub-item of a listed code), else the first entry below it (a parent code of listed
    sub-items)."""
    if not code or version is None:
        return None
    codes = [code]
    while parent_code(codes[-1]):
        codes.append(parent_code(codes[-1]))
    entries = Entry.objects.filter(version=version, code__in=codes).select_related("version")
    found = max(entries, key=lambda entry: entry.depth, default=None)
    if found is None:
        found = (Entry.objects.filter(version=version, code__startswith=code + ".")
                 .select_related("version").order_by("sort_key").first())
    return found


def _candidates(description: str, version: ListVersion | None) -> list[Entry]:
    if version is None:
        return []
    from controllist.search import engine as search

    query = description[: search.MAX_QUERY_LENGTH]
    return [hit.entry for hit in search.search(query, version=version, limit=5).hits][:5]


# ---------------------------------------------------------------- the answer


def determine(*, exporter, items, destination, end_user_name="", end_user_country="", importer_name="",
              importer_country="", catch_all=None, end_use="", on=None) -> Determination:
    """`items`: [{"control_code": ..., "description": ..., "hs_code": ...}], any may be blank.
    `catch_all`: {question key: True/False/None} or None when unanswered."""
    on = on or timezone.localdate()
    version = version_in_force(on)
    rules = load_rules()
    destination = (destination or "").upper()
    # Where the items end up counts, not only where they are shipped first: an end user in another
    # country makes that country a destination too (Law 10 bans exports to a destination).
    destinations = {destination, (end_user_country or "").upper()} - {""}
    findings = []
    cautions = []
    controls = temporary_controls_in_force(on)
    for index, item in enumerate(items):
        code = (item.get("control_code") or "").strip()
        finding = ItemFinding(index=index, control_code=code,
                              description=(item.get("description") or "").strip(),
                              hs_code=(item.get("hs_code") or "").strip())
        finding.entry = listed_entry(code, version)
        if finding.entry is not None:
            finding.regime = classify(finding.entry.code, rules)
        for control in controls:
            if control.destinations and not destinations & set(control.destinations):
                continue
            how = item_under_control(finding, control)
            if how:
                finding.temporary_controls.append((control, how))
        if code and finding.regime is None and finding.temporary_controls:
            finding.regime = classify(code, rules)
        if not code and finding.description and not finding.controlled:
            finding.candidates = _candidates(finding.description, version)
        findings.append(finding)

    parties = [("end_user", end_user_name, (end_user_country or "").upper()),
               ("importer", importer_name, (importer_country or "").upper())]
    hits = [hit for ban in prohibitions_in_force(on)
            if (hit := prohibition_applies(ban, findings, destinations, parties)) is not None]

    # Law 12(3): told by the ministry in a notice, the exporter needs a licence for an unlisted item.
    told = notices.covering(exporter, items=[{"control_code": f.control_code, "description": f.description,
                                              "hs_code": f.hs_code} for f in findings],
                            parties=parties, end_use=end_use or "", destinations=destinations, on=on)
    answers = {key: (catch_all or {}).get(key) for key in QUESTION_KEYS}
    if hits:
        outcome = Outcome.PROHIBITED
    elif any(finding.controlled for finding in findings):
        outcome = Outcome.LICENCE_REQUIRED
    elif told or any(answer is True for answer in answers.values()):
        outcome = Outcome.CATCH_ALL
    elif all(answer is False for answer in answers.values()):
        outcome = Outcome.NOT_CONTROLLED
    else:
        outcome = Outcome.QUESTIONS_NEEDED

    citations = [CITATIONS[key] for key in OUTCOME_CITATIONS[outcome]]
    if outcome == Outcome.CATCH_ALL:
        citations += [Citation(hit.notice.legal_basis, hit.notice.number,
                               f"{hit.notice.reason_zh} / {hit.notice.reason_en}") for hit in told]
    if outcome == Outcome.LICENCE_REQUIRED and any(f.temporary_controls for f in findings):
        citations += [CITATIONS["law9"], CITATIONS["reg12"]]
    if version is None:
        cautions.append(_("No control list version is in force on this date: only temporary controls "
                          "and prohibitions were checked."))
    if any(not f.control_code and not f.controlled for f in findings):
        cautions.append(_("Items described only in words were not classified: the candidate codes are "
                          "suggestions. Confirm the classification or ask a classification question "
                          "(Reg. 14)."))
    if any(f.entry is not None and f.entry.uncertain for f in findings):
        cautions.append(_("An entry used here is marked as uncertain in the list file; check the "
                          "published list."))
    return Determination(
        outcome=outcome, on=on, list_version=version, items=findings, prohibitions=hits,
        citations=citations, routes=list(ROUTES) if outcome == Outcome.LICENCE_REQUIRED else [],
        questions=[(question, answers[question.key]) for question in CATCH_ALL_QUESTIONS],
        cautions=cautions, notices=told,
    )


def _finding_dict(finding: ItemFinding) -> dict:
    entry = finding.entry
    regime = finding.regime
    return {
        "index": finding.index,
        "control_code": finding.control_code,
        "description": finding.description,
        "hs_code": finding.hs_code,
        "listed": finding.listed,
        "entry": ({"code": entry.code, "description_zh": entry.description_zh,
                   "description_en": entry.description_en, "version": entry.version.label,
                   "url": finding.entry_url} if entry else None),
        "regime": ({"regime": regime.regime, "reason": regime.reason, "agencies": regime.agency_codes}
                   if regime else None),
        "temporary_controls": [{"id": control.pk, "number": control.number, "title_zh": control.title_zh,
                                "title_en": control.title_en, "ends_on": control.ends_on.isoformat(),
                                "matched_by": how} for control, how in finding.temporary_controls],
        "candidates": [{"code": entry.code, "description_zh": entry.description_zh,
                        "description_en": entry.description_en, "url": _entry_url(entry)}
                       for entry in finding.candidates],
    }


def _notice_dict(hit) -> dict:
    notice = hit.notice
    return {"id": notice.pk, "number": notice.number, "reason_zh": notice.reason_zh, "reason_en": notice.reason_en,
            "legal_basis": notice.legal_basis, "issued_on": notice.issued_on.isoformat(),
            "ends_on": notice.ends_on.isoformat() if notice.ends_on else None, **hit.covered()}


def _hit_dict(hit: ProhibitionHit) -> dict:
    ban = hit.prohibition
    return {
        "id": ban.pk, "number": ban.number, "reason_zh": ban.reason_zh, "reason_en": ban.reason_en,
        "announcement": ban.announcement, "items": hit.items, "party": hit.party,
        "destination": ban.destination.code if ban.destination else "",
        "citation": {"law": hit.citation.law, "article": hit.citation.article},
    }


# ---------------------------------------------------------------- input from pages and the API


def _field_text(value, field_name: str, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(fields={field_name: [_("Expected text.")]})
    value = value.strip()
    if len(value) > max_length:
        raise ValidationFailed(fields={field_name: [lazy_format(_("At most %(n)s characters."), n=max_length)]})
    return value


def _field_country(value, field_name: str, *, required=False) -> str:
    value = _field_text(value, field_name, 60)
    if not value:
        if required:
            raise ValidationFailed(_("Give the destination country."),
                                   fields={field_name: [_("This field is required.")]})
        return ""
    if value.upper() not in countries:
        raise ValidationFailed(_("Unknown ISO 3166 two-letter country code."),
                               fields={field_name: [_("Unknown country code.")]})
    return value.upper()


def clean_request(data) -> dict:
    """Check the question an exporter asks, from a page or the API; the keyword arguments for
    determine() (without exporter and on)."""
    if not isinstance(data, dict):
        raise ValidationFailed()
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ValidationFailed(_("Give at least one item: its code or a description."),
                               fields={"items": [_("Give at least one item.")]})
    if len(raw_items) > MAX_ITEMS:
        message = lazy_format(_("At most %(n)s items at a time."), n=MAX_ITEMS)
        raise ValidationFailed(message, fields={"items": [message]})
    items = []
    for index, raw in enumerate(raw_items):
        prefix = f"items.{index}"
        if not isinstance(raw, dict):
            raise ValidationFailed(fields={prefix: [_("Expected an object with control_code and/or "
                                                      "description.")]})
        code = _field_text(raw.get("control_code"), f"{prefix}.control_code", 32)
        description = _field_text(raw.get("description"), f"{prefix}.description", 500)
        hs_code = _field_text(raw.get("hs_code"), f"{prefix}.hs_code", 10)
        if code:
            try:
                code = parse_control_code(code).code
            except ValidationFailed as exc:
                raise ValidationFailed(exc.message, code=exc.code,
                                       fields={f"{prefix}.control_code": [exc.message]}) from None
        if hs_code and not re.fullmatch(r"[0-9]{4,10}", hs_code):
            raise ValidationFailed(fields={f"{prefix}.hs_code": [_("HS codes are 4 to 10 digits.")]})
        if not code and not description:
            raise ValidationFailed(_("Each item needs its code or a description."),
                                   fields={prefix: [_("Give the code or a description.")]})
        items.append({"control_code": code, "description": description, "hs_code": hs_code})
    catch_all = data.get("catch_all")
    if catch_all is not None:
        if not isinstance(catch_all, dict) or set(catch_all) - set(QUESTION_KEYS):
            raise ValidationFailed(fields={"catch_all": [lazy_format(
                _("Expected an object with the keys %(keys)s, each true, false or null."),
                keys=", ".join(QUESTION_KEYS))]})
        if any(value is not None and not isinstance(value, bool) for value in catch_all.values()):
            raise ValidationFailed(fields={"catch_all": [_("Each answer is true, false or null.")]})
    return {
        "items": items,
        "destination": _field_country(data.get("destination"), "destination", required=True),
        "end_user_name": _field_text(data.get("end_user_name"), "end_user_name", 300),
        "end_user_country": _field_country(data.get("end_user_country"), "end_user_country"),
        "importer_name": _field_text(data.get("importer_name"), "importer_name", 300),
        "importer_country": _field_country(data.get("importer_country"), "importer_country"),
        "end_use": _field_text(data.get("end_use"), "end_use", 2000),
        "catch_all": catch_all,
    }
