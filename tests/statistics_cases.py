"""A hand-built set of cases for the statistics tests, with the figures they must give.

Dates are Asia/Shanghai. Working days (official 2026 calendar): Mar 2 -> Mar 6 is 4 (3, 4, 5, 6);
Feb 13 -> Feb 28 is 6 (Spring Festival: Feb 14, 24, 25, 26, 27 and the adjusted working Saturday
Feb 28); Mar 2 -> Mar 16 is 10; Apr 13 -> Apr 17 is 4; Dec 1 2025 -> Dec 5 2025 is 4."""

from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from accounts.models import Province
from licensing.models import Application, ApplicationItem, Licence, Referral
from tests.factories import ExporterFactory, UserFactory, authority

TZ = ZoneInfo("Asia/Shanghai")


def at(d: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(d), time(hour), tzinfo=TZ)


def _case(exporter, user, n, *, status, destination="DE", submitted, accepted=None, decided=None, due=None,
          codes=("1C902.a",)):
    app = Application.objects.create(
        exporter=exporter, created_by=user, province=exporter.province, reference=f"STAT-{n:04d}",
        status=status, destination=destination, submitted_at=at(submitted), forwarded_at=at(submitted, 15),
        accepted_at=at(accepted) if accepted else None, decided_at=at(decided, 16) if decided else None,
        decision_due=date.fromisoformat(due) if due else None)
    for code in codes:
        ApplicationItem.objects.create(application=app, control_code=code, catch_all=not code, description="x",
                                       quantity=Decimal(1), unit="kg", value_rmb=Decimal(1000))
    return app


def _licence(app, issued: str, n: int):
    return Licence.objects.create(application=app, current_for=app, number=f"STAT{n:04d}", exporter=app.exporter,
                                  issued_at=at(issued), valid_from=date.fromisoformat(issued),
                                  valid_until=date(2027, 12, 31), pdf=b"%PDF", sha256="0" * 64)


def build(offset: int = 0):
    """The set; `offset` numbers a second copy (other exporters, the same dates)."""
    shanghai = ExporterFactory()
    guangdong = ExporterFactory(province=Province.objects.get(pk="44"))
    sh_user = UserFactory(organisation=shanghai)
    gd_user = UserFactory(organisation=guangdong)
    miit, mfa = authority("MIIT"), authority("MFA")
    c1 = _case(shanghai, sh_user, 1 + offset, status="approved", submitted="2026-01-05", accepted="2026-03-02",
               decided="2026-03-06", codes=("1C902.a", "3A001.a"))
    c2 = _case(shanghai, sh_user, 2 + offset, status="refused", destination="US", submitted="2026-01-20",
               accepted="2026-02-13", decided="2026-02-28", codes=("3A001.a",))
    c3 = _case(guangdong, gd_user, 3 + offset, status="approved", submitted="2026-02-10", accepted="2026-03-02",
               decided="2026-03-16", codes=("5A002",))
    c4 = _case(guangdong, gd_user, 4 + offset, status="with_agencies", destination="JP", submitted="2026-03-03",
               accepted="2026-03-05", due="2026-05-08")
    c5 = _case(shanghai, sh_user, 5 + offset, status="awaiting_decision", submitted="2026-03-10", accepted="2026-03-12",
               due="2099-12-31", codes=("",))
    c6 = _case(shanghai, sh_user, 6 + offset, status="approved", submitted="2025-11-05", accepted="2025-12-01",
               decided="2025-12-05")
    c7 = _case(shanghai, sh_user, 7 + offset, status="approved", destination="FR", submitted="2026-03-20",
               accepted="2026-04-13", decided="2026-04-17", codes=("",))
    # Accepted in 2023, which has no calendar: decided, but its working days cannot be counted.
    c8 = _case(shanghai, sh_user, 8 + offset, status="approved", submitted="2023-11-20", accepted="2023-12-01",
               decided="2024-01-10")
    Referral.objects.create(application=c1, agency=miit, state="answered", sent_at=at("2026-03-03"),
                            due_on=date(2026, 3, 17), opinion="no_objection", answered_at=at("2026-03-04"))
    Referral.objects.create(application=c2, agency=miit, state="answered", sent_at=at("2026-02-24"),
                            due_on=date(2026, 3, 10), opinion="objection", answered_at=at("2026-02-26"))
    Referral.objects.create(application=c2, agency=mfa, state="silent", sent_at=at("2026-02-24"),
                            due_on=date(2026, 3, 10), answered_at=at("2026-03-10"))
    # Dropped before it was sent: MFA was never consulted on c3.
    Referral.objects.create(application=c3, agency=mfa, state="dropped")
    Referral.objects.create(application=c4, agency=miit, state="sent", sent_at=at("2026-03-06"),
                            due_on=date(2026, 3, 20))
    _licence(c1, "2026-03-07", 1 + offset)
    _licence(c3, "2026-03-17", 3 + offset)
    _licence(c6, "2025-12-06", 6 + offset)
    return SimpleNamespace(shanghai=shanghai, guangdong=guangdong, miit=miit, mfa=mfa,
                           cases=[c1, c2, c3, c4, c5, c6, c7, c8])
