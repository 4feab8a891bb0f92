"""Synthetic cases for benchmarks: `manage.py seed_cases --count 100000`.

Rows are written with bulk_create in batches, straight into the review's end states, without the
services: these cases never happened, so no audit event is written for them (one event records
the seeding itself). Their case numbers start with SYN, their exporters' codes with SYNTH-, and
their users' names with synthetic_, so they are easy to tell apart and to delete."""

import bisect
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrgKind, Province, Role, User
from audit import services as audit
from controllist.models import Entry
from controllist.selectors import version_in_force
from enduser.models import Party
from licensing.models import (
    Application,
    ApplicationItem,
    ClockState,
    EndUseCategory,
    OpinionKind,
    Referral,
    ReferralState,
    Status,
)
from workdays.models import CalendarDay

REFERENCE_PREFIX = "SYN"
EXPORTERS = 200
OFFICERS = 8
# (state, weight): most cases are decided; the open ones spread over the queues.
STATES = [
    (Status.FORWARDED, 6), (Status.CORRECTING, 2), (Status.ACCEPTED, 3), (Status.WITH_AGENCIES, 18),
    (Status.AWAITING_DECISION, 12), (Status.AWAITING_COUNTERSIGN, 4), (Status.APPROVED, 48), (Status.REFUSED, 7),
]
# Where exporters are registered (GB/T 2260), weighted like the real distribution of exporters.
PROVINCES = [("31", 14), ("44", 16), ("32", 14), ("33", 10), ("11", 8), ("37", 7), ("12", 4), ("21", 4),
             ("42", 4), ("51", 4), ("35", 4), ("61", 3), ("43", 3), ("34", 3), ("41", 2)]
DESTINATIONS = ["DE", "US", "JP", "KR", "FR", "GB", "IT", "NL", "IN", "RU", "BR", "VN", "TH", "MY", "SG",
                "AE", "SA", "TR", "PK", "ZA", "AU", "CA", "MX", "ID", "IR"]
# Agencies and how often a case goes to each.
AGENCIES = [("MIIT", 10), ("MFA", 5), ("CAEA", 3), ("SASTIND", 3), ("CMC-EDD", 2), ("SCA", 2), ("NHC", 1),
            ("MARA", 1), ("MPS", 1)]
FALLBACK_CODES = ["1C902.a", "1C903", "3A001.a", "5A002", "2B001", "6A003", "9A004"]


class WorkingDays:
    """Working days from the calendar where it is entered, Monday to Friday elsewhere (these
    are synthetic dates: they only need to look like deadlines)."""

    def __init__(self, first: date, last: date):
        known = dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_working_day"))
        days = (first + timedelta(days=i) for i in range((last - first).days + 1))
        self.days = [d for d in days if known.get(d, d.weekday() < 5)]

    def add(self, d: date, n: int) -> date:
        i = bisect.bisect_right(self.days, d) + n - 1 if n > 0 else bisect.bisect_left(self.days, d) + n
        return self.days[max(0, min(i, len(self.days) - 1))]


class Command(BaseCommand):
    help = "Load N synthetic cases in every review state (benchmarks; no audit events per case)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="cases to add (default 1000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--batch", type=int, default=2000, help="rows per INSERT (default 2000)")
        parser.add_argument("--force", action="store_true", help="allow in production")

    def handle(self, *args, count, seed, batch, force, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Refusing to load synthetic cases in production (use --force).")
        if count < 1 or batch < 1:
            raise CommandError("--count and --batch must be at least 1.")
        started = time.perf_counter()
        rng = random.Random(seed)
        self.today = timezone.localdate()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.cal = WorkingDays(self.today - timedelta(days=900), self.today + timedelta(days=400))
        with transaction.atomic():
            self._reference_data()
        first = Application.objects.filter(reference__startswith=REFERENCE_PREFIX).count() + 1
        totals = {"cases": 0, "items": 0, "referrals": 0}
        for start in range(0, count, batch):
            with transaction.atomic():
                made = self._batch(rng, first + start, min(batch, count - start))
            for key, value in made.items():
                totals[key] += value
            done = start + min(batch, count - start)
            if options["verbosity"] > 1 or (options["verbosity"] and (done % 20000 < batch or done == count)):
                self.stdout.write(f"  {done} / {count} cases, {time.perf_counter() - started:.0f} s")
        with transaction.atomic():
            audit.record(actor=None, action="licensing.synthetic_cases", object_type="licensing.application",
                         object_id=f"{REFERENCE_PREFIX}*", after={**totals, "seed": seed})
        self.stdout.write(self.style.SUCCESS(
            f"Added {totals['cases']} synthetic cases, {totals['items']} items, {totals['referrals']} "
            f"referrals in {time.perf_counter() - started:.1f} s."))

    # ------------------------------------------------------------ reference data

    def _reference_data(self):
        provinces = {p.code: p for p in Province.objects.filter(code__in=[c for c, _w in PROVINCES])}
        weighted = [(provinces[c], w) for c, w in PROVINCES if c in provinces]
        rng = random.Random(0)
        self.exporters = []
        for n in range(1, EXPORTERS + 1):
            province = rng.choices([p for p, _w in weighted], [w for _p, w in weighted])[0]
            org, _ = Organisation.objects.get_or_create(code=f"SYNTH-{n:05d}", defaults={
                "kind": OrgKind.EXPORTER, "name_zh": f"合成出口公司{n}", "name_en": f"Synthetic Exporter {n}",
                "province": province, "address": "synthetic"})
            self.exporters.append(org)
        users = {u.organisation_id: u for u in User.objects.filter(organisation__in=self.exporters,
                                                                  username__startswith="synthetic_staff_")}
        missing = [User(username=f"synthetic_staff_{org.code[6:]}", organisation=org, role=Role.EXPORTER_STAFF,
                        password="!") for org in self.exporters if org.pk not in users]
        User.objects.bulk_create(missing)
        self.staff = {u.organisation_id: u.pk for u in User.objects.filter(
            organisation__in=self.exporters, username__startswith="synthetic_staff_")}
        parties = {p.exporter_id: p for p in Party.objects.filter(exporter__in=self.exporters)}
        Party.objects.bulk_create([
            Party(exporter=org, name=f"Synthetic Importer {org.code}", address="synthetic", country="DE")
            for org in self.exporters if org.pk not in parties])
        self.parties = {p.exporter_id: p.pk for p in Party.objects.filter(exporter__in=self.exporters)}
        ministry = Organisation.objects.get(code="MOFCOM")
        for n in range(1, OFFICERS + 1):
            User.objects.get_or_create(username=f"synthetic_officer_{n}", defaults={
                "organisation": ministry, "role": Role.MINISTRY_OFFICER, "password": "!",
                "first_name": f"合成审查员 {n}"})
        self.officers = list(User.objects.filter(username__startswith="synthetic_officer_")
                             .values_list("pk", flat=True))
        agencies = dict(Organisation.objects.filter(kind=OrgKind.AGENCY).values_list("code", "pk"))
        self.agencies = [(agencies[c], w) for c, w in AGENCIES if c in agencies]
        self.version = version_in_force()
        codes = list(Entry.objects.filter(version=self.version).values_list("code", flat=True)) if self.version else []
        self.codes = codes or FALLBACK_CODES

    # ------------------------------------------------------------ cases

    def _at(self, d: date, rng) -> datetime:
        return datetime.combine(d, clock_time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=self.tz)

    def _batch(self, rng, first: int, size: int) -> dict:
        states = [s for s, _w in STATES]
        weights = [w for _s, w in STATES]
        apps, plans = [], []
        for n in range(first, first + size):
            status = rng.choices(states, weights)[0]
            exporter = rng.choice(self.exporters)
            app, plan = self._case(rng, n, status, exporter)
            apps.append(app)
            plans.append(plan)
        Application.objects.bulk_create(apps)
        if apps[0].pk is None:  # databases without RETURNING
            ids = dict(Application.objects.filter(reference__in=[a.reference for a in apps])
                       .values_list("reference", "pk"))
            for app in apps:
                app.pk = ids[app.reference]
        items, referrals = [], []
        for app, plan in zip(apps, plans, strict=True):
            items.extend(ApplicationItem(application_id=app.pk, **item) for item in plan["items"])
            referrals.extend(Referral(application_id=app.pk, **ref) for ref in plan["referrals"])
        ApplicationItem.objects.bulk_create(items)
        Referral.objects.bulk_create(referrals)
        return {"cases": len(apps), "items": len(items), "referrals": len(referrals)}

    def _case(self, rng, n: int, status: str, exporter) -> tuple[Application, dict]:
        today, cal = self.today, self.cal
        items = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            catch_all = rng.random() < 0.01
            value = Decimal(rng.randint(10, 5000) * 1000)
            items.append({"control_code": "" if catch_all else rng.choice(self.codes), "catch_all": catch_all,
                          "description": "synthetic item 合成物项", "quantity": Decimal(rng.randint(1, 500)),
                          "unit": rng.choice(("kg", "pcs", "set")), "value_rmb": value})
        fields = {}
        past_acceptance = status not in (Status.FORWARDED, Status.CORRECTING)
        decided = status in (Status.APPROVED, Status.REFUSED)
        if decided:
            accepted = cal.add(today, -rng.randint(46, 480))
        elif past_acceptance:
            # Open cases accepted over the last 60 working days: deadlines spread around today.
            accepted = cal.add(today, -rng.randint(0, 60))
        else:
            accepted = None
        if accepted:
            forwarded = cal.add(accepted, -rng.randint(1, 5))
            due = cal.add(accepted, 45)
            fields.update(accepted_at=self._at(accepted, rng), decision_due=due,
                          acceptance_due=cal.add(forwarded, 5), assigned_to_id=rng.choice(self.officers))
            if decided:
                decided_on = cal.add(accepted, rng.randint(10, 45))
                fields.update(clock_state=ClockState.STOPPED, decided_at=self._at(decided_on, rng),
                              decision_reason="synthetic")
            else:
                roll = rng.random()
                if roll < 0.03:
                    fields.update(clock_state=ClockState.NO_LIMIT, decision_due=None)
                elif roll < 0.10:
                    fields.update(clock_state=ClockState.PAUSED,
                                  clock_paused_since=cal.add(today, -rng.randint(0, 10)))
                else:
                    fields.update(clock_state=ClockState.RUNNING)
        else:
            forwarded = cal.add(today, -rng.randint(0, 9))
            fields.update(acceptance_due=cal.add(forwarded, 5), clock_state=ClockState.NOT_STARTED,
                          assigned_to_id=rng.choice(self.officers) if rng.random() < 0.5 else None)
            if status == Status.CORRECTING:
                fields["corrections_requested_at"] = self._at(forwarded, rng)
        submitted = forwarded - timedelta(days=rng.randint(1, 6))
        party = self.parties[exporter.pk]
        app = Application(
            exporter_id=exporter.pk, created_by_id=self.staff[exporter.pk], province_id=exporter.province_id,
            reference=f"{REFERENCE_PREFIX}{submitted.year}-{n:07d}", status=status, version=rng.randint(5, 12),
            destination=rng.choice(DESTINATIONS), importer_id=party, end_user_id=party,
            end_use="synthetic end use 合成用途", end_use_category=rng.choice(EndUseCategory.values),
            total_value_rmb=sum(i["value_rmb"] for i in items), list_version=self.version,
            submitted_at=self._at(submitted, rng), forwarded_at=self._at(forwarded, rng), **fields)
        referrals = []
        if status in (Status.WITH_AGENCIES, Status.AWAITING_DECISION, Status.AWAITING_COUNTERSIGN) or decided:
            agencies = {rng.choices([a for a, _w in self.agencies], [w for _a, w in self.agencies])[0]
                        for _ in range(rng.choice((1, 1, 2, 3)))}
            sent = cal.add(accepted, rng.randint(1, 3))
            for agency in agencies:
                ref = {"agency_id": agency, "sent_at": self._at(sent, rng), "due_on": cal.add(sent, 10),
                       "rules": [{"synthetic": True}]}
                if status == Status.WITH_AGENCIES and rng.random() < 0.7:
                    ref["state"] = ReferralState.SENT
                elif rng.random() < 0.05:
                    ref.update(state=ReferralState.SILENT, answered_at=self._at(ref["due_on"], rng))
                else:
                    answered = cal.add(sent, rng.randint(1, 10))
                    ref.update(state=ReferralState.ANSWERED, opinion=rng.choice(OpinionKind.values),
                               opinion_reasons="synthetic", answered_at=self._at(answered, rng))
                referrals.append(ref)
        return app, {"items": items, "referrals": referrals}
