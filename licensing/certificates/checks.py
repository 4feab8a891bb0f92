"""The end-user certificate (Reg. 24) checked against its application: every mismatch at once.

`certificate_mismatches` is a pure function of what it is given (the certificate, its lines, the
application, its items and the day to judge validity on); it reads nothing from the database.
Lines are paired with the application's items by name (a line's name equal to, or contained in,
the item's description), else by model; the parties are compared with the screening engine's name
comparison, so 華為技術有限公司 on the certificate is the application's 华为技术有限公司."""

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from enduser.screening import matching, names
from enduser.screening.index import THRESHOLD
from licensing.applications.items import same_customs_unit
from portal.errors import lazy_format


@dataclass(frozen=True)
class Mismatch:
    code: str
    field: str  # the certificate's field, or "lines.<n>.<field>"
    message: object  # a lazy translation: shown in the reader's language, the API gives both


UNDERTAKINGS = (
    ("no_wmd_use", _("the undertaking not to use the items for weapons of mass destruction, their means "
                     "of delivery or terrorism")),
    ("no_end_use_change", _("the undertaking not to change the end use without the consent of the Chinese "
                            "authority")),
    ("no_third_party_transfer", _("the undertaking not to transfer the items to a third party without the "
                                  "consent of the Chinese authority")),
)


def plain(text: str) -> str:
    """Case, width, accents, spaces and punctuation do not count when comparing words."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(ch for ch in text if ch.isalnum())


def same_party(certificate_name: str, party) -> bool:
    """The name on the certificate names the application's party (any script, company forms,
    romanisations: the screening engine's comparison at its hit threshold)."""
    if plain(certificate_name) == plain(party.name):
        return True
    kind = getattr(party, "kind", "company") or "company"
    score = matching.compare(names.form(certificate_name.strip(), kind), names.form(party.name, kind)).score
    return score >= THRESHOLD


def _names_agree(line_name: str, description: str) -> bool:
    a, b = plain(line_name), plain(description)
    # A name inside the other ("Samarium-cobalt alloy" in "Samarium-cobalt alloy 钐钴合金"), unless too short to tell.
    return bool(a and b) and (a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)))


def pair_lines(lines, items) -> tuple[list[tuple], list, list]:
    """(item, line) pairs, the items with no line, and the lines for no item."""
    free = list(lines)
    pairs, unmatched = [], []
    for item in items:
        line = next((ln for ln in free if _names_agree(ln.item_name, item.description)), None)
        if line is None and item.specification.strip():
            line = next((ln for ln in free if plain(ln.specification) == plain(item.specification)), None)
        if line is None:
            unmatched.append(item)
        else:
            free.remove(line)
            pairs.append((item, line))
    return pairs, unmatched, free


def _line_field(lines, line, field) -> str:
    return f"lines.{list(lines).index(line)}.{field}"


def certificate_mismatches(certificate, lines, application, items, on: date) -> list[Mismatch]:
    """Every way the certificate does not cover the application, in the order a reader checks."""
    lines, found = list(lines), []
    if application.end_user is not None and not same_party(certificate.end_user_name, application.end_user):
        found.append(Mismatch("end_user_differs", "end_user_name", lazy_format(
            _("The end user on the certificate (%(certificate)s) is not the application's end user (%(application)s)."),
            certificate=certificate.end_user_name, application=application.end_user.name)))
    if application.importer is not None and not same_party(certificate.importer_name, application.importer):
        found.append(Mismatch("importer_differs", "importer_name", lazy_format(
            _("The importer on the certificate (%(certificate)s) is not the application's importer (%(application)s)."),
            certificate=certificate.importer_name, application=application.importer.name)))
    pairs, unmatched, extra = pair_lines(lines, items)
    for item in unmatched:
        found.append(Mismatch("item_not_on_certificate", "lines", lazy_format(
            _("The item “%(item)s” applied for is not on the certificate."), item=item.description)))
    for line in extra:
        found.append(Mismatch("item_not_applied_for", _line_field(lines, line, "item_name"), lazy_format(
            _("The certificate names “%(item)s”, which is not applied for."), item=line.item_name)))
    contract = plain(application.contract_number)
    for item, line in pairs:
        if item.specification.strip() and plain(line.specification) != plain(item.specification):
            found.append(Mismatch("model_differs", _line_field(lines, line, "specification"), lazy_format(
                _("“%(item)s”: the model on the certificate (%(certificate)s) differs from the application's "
                  "(%(application)s)."), item=item.description, certificate=line.specification or "—",
                application=item.specification)))
        if plain(line.unit) != plain(item.unit) and not same_customs_unit(line.unit, item):
            found.append(Mismatch("unit_differs", _line_field(lines, line, "unit"), lazy_format(
                _("“%(item)s”: the certificate counts in %(certificate)s, the application in %(application)s."),
                item=item.description, certificate=line.unit, application=item.unit)))
        elif item.quantity > line.quantity:
            found.append(Mismatch("quantity_above_certificate", _line_field(lines, line, "quantity"), lazy_format(
                _("“%(item)s”: %(application)s %(unit)s applied for, more than the %(certificate)s on the "
                  "certificate."), item=item.description, application=f"{item.quantity.normalize():f}",
                certificate=f"{line.quantity.normalize():f}", unit=item.unit)))
        if contract and plain(line.contract_number) != contract:
            found.append(Mismatch("contract_differs", _line_field(lines, line, "contract_number"), lazy_format(
                _("“%(item)s”: the contract number on the certificate (%(certificate)s) differs from the "
                  "application's (%(application)s)."), item=item.description,
                certificate=line.contract_number or "—", application=application.contract_number)))
    for field, label in UNDERTAKINGS:
        if not getattr(certificate, field):
            found.append(Mismatch("undertaking_missing", field, lazy_format(
                _("The certificate lacks %(undertaking)s."), undertaking=label)))
    if not certificate.signatory_name.strip():
        found.append(Mismatch("signature_missing", "signatory_name", _("The certificate is not signed.")))
    if not certificate.sealed:
        found.append(Mismatch("seal_missing", "sealed", _("The certificate bears no seal.")))
    if certificate.signed_on is None:
        found.append(Mismatch("date_missing", "signed_on", _("The certificate is not dated.")))
    elif certificate.signed_on > on:
        found.append(Mismatch("date_in_future", "signed_on", lazy_format(
            _("The certificate is dated %(date)s, after %(on)s."), date=certificate.signed_on.isoformat(),
            on=on.isoformat())))
    if certificate.valid_until is not None and certificate.valid_until < on:
        found.append(Mismatch("expired", "valid_until", lazy_format(
            _("The certificate expired on %(date)s (checked on %(on)s)."),
            date=certificate.valid_until.isoformat(), on=on.isoformat())))
    return found

