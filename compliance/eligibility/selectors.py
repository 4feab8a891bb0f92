"""Which licence routes are open to an exporter (Reg. 15, 19, 20), computed from data each time:

- a general licence needs a valid ICP evaluation rated good, an export record (licences issued to
  the exporter in the past years, thresholds in settings) and stable end users (each end user the
  application names had an approved case with this exporter before);
- the general licence and the registration route are both barred by a criminal penalty for an
  export-control offence, a serious administrative penalty decided in the past 5 years, being a
  Chinese subsidiary or office of a Control List party, and a Watch List party on the application;
- every route, the individual licence included, is closed while a decided penalty bars new
  applications (Law 33-39, `bars_applications_until`).

Control List subsidiary (Reg. 20): the exporter is matched to the owned entities of the ownership
links the ministry keeps (enduser OwnershipLink) by its unified social credit code (the link's
`owned_identifiers["uscc"]`) or by its Chinese or English name (compared as the screening compares
owned names: width, case, spaces and punctuation ignored). It is barred when Control List entries in
force hold ELIGIBILITY_SUBSIDIARY_PERCENT (50) or more of it along the chains of links in force, a
branch (office) counting as 100%. This reads the links whatever the state of the 50% screening rule
(MOFCOM 2025 No. 70 suspends that rule for screening parties, not Reg. 20's bar)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from compliance.enforcement import selectors as enforcement_selectors
from compliance.enforcement.models import PenaltyKind
from compliance.icp.models import EvaluationStatus, ICPEvaluation, Rating
from enduser.models import ListedParty, ListKind, OwnershipLink, Party
from enduser.screening import ownership as ownership_rules
from enduser.screening import selectors as screening_selectors
from enduser.screening.index import entity_key
from licensing.models import Application, Licence, LicenceStatus, LicenceType, Route, Status
from portal.dates import add_years
from portal.errors import lazy_format

ROUTES = tuple(Route.values)


@dataclass(frozen=True)
class Eligibility:
    """Whether a route is open, and if not why: `reasons` are lazy translations (str() gives the
    reader's language; `reasons_in("en")` either language), `codes` stable names for clients."""

    open: bool
    reasons: list = field(default_factory=list)
    codes: list = field(default_factory=list)

    def reasons_in(self, language: str) -> list[str]:
        with translation.override(language):
            return [str(reason) for reason in self.reasons]


def years_before(day: date, years: int) -> date:
    return add_years(day, -years)


def _setting(name: str, default):
    return getattr(settings, name, default)


# ---------------------------------------------------------------- the conditions, one function each


def application_bar(organisation, on: date) -> list[tuple[str, object]]:
    """Law 33-39: a decided penalty refusing new applications until a day (exclusive)."""
    penalty = enforcement_selectors.application_bar(organisation, on=on)
    if penalty is None:
        return []
    return [("applications_barred", lazy_format(
        _("A penalty decision refuses new applications from your company until %(day)s (Export Control Law "
          "Art. 33-39)."), day=penalty.bars_applications_until.isoformat()))]


def icp_condition(organisation, on: date) -> list[tuple[str, object]]:
    good = ICPEvaluation.objects.filter(exporter=organisation, status=EvaluationStatus.ISSUED, rating=Rating.GOOD,
                                        valid_until__gte=on).exists()
    if good:
        return []
    return [("icp", _("No valid evaluation of your internal compliance programme rated good (Reg. 20)."))]


def export_record_condition(organisation, on: date) -> list[tuple[str, object]]:
    years = _setting("ELIGIBILITY_RECORD_YEARS", 3)
    wanted = _setting("ELIGIBILITY_RECORD_MIN_LICENCES", 1)
    since = years_before(on, years)
    count = Licence.objects.filter(exporter=organisation, issued_at__date__gt=since,
                                   issued_at__date__lte=on).count()
    if count >= wanted:
        return []
    return [("export_record", lazy_format(
        _("No export record: at least %(n)s licence(s) issued to your company in the past %(years)s years "
          "are needed (Reg. 20)."), n=wanted, years=years))]


def end_users_of(application: Application) -> list[Party]:
    parties = [application.end_user] if application.end_user_id else []
    if application.pk:
        parties += list(application.additional_end_users.all())
    return parties


def stable_end_users_condition(application: Application) -> list[tuple[str, object]]:
    """Each end user named had an approved case with this exporter before (the same address-book
    record, or one with the same name and country)."""
    named = end_users_of(application)
    if not named:
        return []
    approved = (Application.objects.filter(exporter_id=application.exporter_id, status=Status.APPROVED)
                .exclude(pk=application.pk))
    ids = set(approved.exclude(end_user__isnull=True).values_list("end_user_id", flat=True))
    ids |= set(Application.additional_end_users.through.objects.filter(application__in=approved)
               .values_list("party_id", flat=True))
    known = {(name.casefold(), country) for name, country in Party.objects.filter(pk__in=ids)
             .values_list("name", "country")}
    new = [party.name for party in named if party.pk not in ids and (party.name.casefold(),
                                                                       party.country.code) not in known]
    if not new:
        return []
    return [("stable_end_users", lazy_format(
        _("No stable end users: no approved case of your company names %(parties)s (Reg. 20)."),
        parties="、".join(new)))]


def penalty_bars(organisation, on: date) -> list[tuple[str, object]]:
    """Reg. 20, as compliance.enforcement.selectors.route_bars reads the penalties."""
    bars = enforcement_selectors.route_bars(organisation, on=on)
    out = []
    if any(p.kind == PenaltyKind.CRIMINAL for p in bars):
        out.append(("criminal_penalty", _("A criminal penalty for an export-control offence (Reg. 20).")))
    serious = next((p.decided_on for p in bars if p.kind == PenaltyKind.ADMINISTRATIVE), None)
    if serious is not None:
        out.append(("serious_penalty", lazy_format(
            _("A serious administrative penalty decided on %(day)s, within the past 5 years (Reg. 20)."),
            day=serious.isoformat())))
    return out


def _matches_exporter(link: OwnershipLink, organisation, keys: set[str]) -> bool:
    code = (link.owned_identifiers or {}).get("uscc", "")
    if code and code.upper() == organisation.code.upper():
        return True
    return any(entity_key(name) in keys for name in link.owned_names or ())


def control_list_owner(organisation, on: date):
    """(share, list entry) when Control List entries hold at least the threshold of the exporter
    (see the module's docstring), else None."""
    links = list(OwnershipLink.objects.in_force(on).order_by("pk"))
    keys = {entity_key(name) for name in (organisation.name_zh, organisation.name_en) if entity_key(name or "")}
    if not any(_matches_exporter(link, organisation, keys) for link in links):
        return None
    controlled = set(ListedParty.objects.in_force(on).filter(list_kind=ListKind.CONTROL).values_list("pk", flat=True))
    # Nodes: "L<id>" a list entry, "E<key>" an owned entity by its first name's key; the exporter is "X".
    node_of_name = {}
    for link in links:
        node = "X" if _matches_exporter(link, organisation, keys) else f"E{entity_key(link.owned_name)}"
        for name in link.owned_names or ():
            node_of_name.setdefault(entity_key(name), node)
    edges = []
    for link in links:
        owned = "X" if _matches_exporter(link, organisation, keys) else node_of_name[entity_key(link.owned_name)]
        if link.owner_listed_id is not None:
            owner = f"L{link.owner_listed_id}"
        else:
            owner = next((node_of_name[entity_key(n)] for n in link.owner_names if entity_key(n) in node_of_name),
                         None)
            if owner is None:
                continue
        edges.append(ownership_rules.OwnershipLink(owner, owned, link.percent, link.kind, link.start_on,
                                                   link.end_on))
    share = ownership_rules.owned_share("X", {f"L{pk}" for pk in controlled}, edges, on)
    threshold = Decimal(str(_setting("ELIGIBILITY_SUBSIDIARY_PERCENT", 50)))
    if share is None or share.percent < threshold:
        return None
    top = share.paths[0].listed[1:] if share.paths else ""
    return share.percent, ListedParty.objects.filter(pk=int(top)).first() if top.isdigit() else None


def subsidiary_bar(organisation, on: date) -> list[tuple[str, object]]:
    found = control_list_owner(organisation, on)
    if found is None:
        return []
    percent, entry = found
    return [("control_list_subsidiary", lazy_format(
        _("Your company is a Chinese subsidiary or office of a Control List party (%(party)s, %(percent)s%%) "
          "(Reg. 20)."), party=entry.primary_name if entry else "?", percent=percent.normalize()))]


def watch_listed_bar(application: Application, on: date) -> list[tuple[str, object]]:
    parties = [p for p in (application.importer, application.consignee, *end_users_of(application)) if p]
    if not parties:
        return []
    names = {party.name for party, _entry in screening_selectors.listed_matches(parties, list_kind=ListKind.WATCH,
                                                                                 on=on)}
    names |= {hit.party.name for hit in screening_selectors.raised_hits(parties, list_kind=ListKind.WATCH)}
    if not names:
        return []
    return [("watch_listed", lazy_format(_("A party of the application is on the Watch List: %(parties)s "
                                           "(Reg. 20, 26)."), parties="、".join(sorted(names))))]


# ---------------------------------------------------------------- the answer


def _eligibility(found: list[tuple[str, object]]) -> Eligibility:
    return Eligibility(open=not found, reasons=[reason for _code, reason in found],
                       codes=[code for code, _reason in found])


def route_eligibility(organisation, *, application: Application | None = None, on: date | None = None
                      ) -> dict[str, Eligibility]:
    """route -> Eligibility for the exporter (and, when given, the application's parties) on a day."""
    on = on or timezone.localdate()
    barred = application_bar(organisation, on)
    bars = penalty_bars(organisation, on) + subsidiary_bar(organisation, on)
    if application is not None:
        bars += watch_listed_bar(application, on)
    general = icp_condition(organisation, on) + export_record_condition(organisation, on)
    if application is not None and application.route == Route.GENERAL:
        general += stable_end_users_condition(application)
    return {
        Route.INDIVIDUAL: _eligibility(barred),
        Route.GENERAL: _eligibility(barred + general + bars),
        Route.REGISTRATION: _eligibility(barred + bars),
    }


def holder_eligibility(organisation, on: date | None = None) -> Eligibility:
    """Whether a holder of general licences still may hold them (the recheck and the sweep): the
    ICP rating and the Reg. 20 bars. The export record and the end users were judged when the
    licence was granted."""
    on = on or timezone.localdate()
    return _eligibility(icp_condition(organisation, on) + penalty_bars(organisation, on)
                        + subsidiary_bar(organisation, on))


def general_licence_holders(on: date | None = None):
    """Exporters holding a general licence in force."""
    on = on or timezone.localdate()
    held = Licence.objects.filter(licence_type=LicenceType.GENERAL, status=LicenceStatus.ISSUED, valid_until__gte=on)
    return Organisation.objects.filter(pk__in=held.values("exporter_id"))


def general_licences_in_force(organisation_id, on: date | None = None):
    on = on or timezone.localdate()
    return Licence.objects.filter(exporter_id=organisation_id, licence_type=LicenceType.GENERAL,
                                  status=LicenceStatus.ISSUED, valid_until__gte=on)

