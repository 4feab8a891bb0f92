"""The case a check is opened from, carried from the case page to the open form as a signed value:
enduser never reads licensing's tables, so the case page (which has the case) signs the party, the
application id and the case number, and the form trusts only what it signed."""

from dataclasses import dataclass

from django.core import signing

SALT = "enduser.checks.case"
MAX_AGE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class CaseParty:
    party_id: int
    application_id: int | None
    case_number: str
    role: str  # importer | end_user


def sign(*, party_id: int, application_id: int | None, case_number: str, role: str) -> str:
    return signing.dumps({"p": party_id, "a": application_id, "r": case_number or "", "k": role}, salt=SALT,
                         compress=True)


def unsign(value: str) -> CaseParty | None:
    try:
        data = signing.loads(value or "", salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    try:
        return CaseParty(party_id=int(data["p"]), application_id=int(data["a"]) if data["a"] is not None else None,
                         case_number=str(data["r"])[:20], role=str(data["k"]))
    except (KeyError, TypeError, ValueError):
        return None
