"""The benchmark's data and pages: seed_cases makes a realistic mix without auditing synthetic
cases one by one, and the pages the benchmark times work on that data with a constant number of
queries (the timings themselves live in benchmarks/review_queues.py, never in a test)."""

from collections import Counter
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from licensing.management.commands.seed_cases import REFERENCE_PREFIX
from licensing.models import Application, ApplicationItem, Referral, ReferralState, Status

pytestmark = pytest.mark.django_db

REVIEW_STATES = {Status.FORWARDED, Status.CORRECTING, Status.ACCEPTED, Status.WITH_AGENCIES,
                 Status.AWAITING_DECISION, Status.AWAITING_COUNTERSIGN, Status.APPROVED, Status.REFUSED}


@pytest.fixture
def seeded(db, calendar_2027):
    events = AuditEvent.objects.count()
    call_command("seed_cases", count=600, batch=250, verbosity=0)
    return SimpleNamespace(events_before=events)


def test_seed_cases_makes_every_review_state_with_items_and_referrals(seeded):
    cases = Application.objects.filter(reference__startswith=REFERENCE_PREFIX)
    assert cases.count() == 600
    states = Counter(cases.values_list("status", flat=True))
    assert set(states) == REVIEW_STATES and states[Status.APPROVED] > states[Status.FORWARDED]
    assert not cases.filter(forwarded_at__isnull=True).exists()
    assert not cases.filter(items__isnull=True).exists()
    assert cases.filter(province__isnull=True).count() == 0
    assert len(set(cases.values_list("province", flat=True))) > 5
    assert len(set(cases.values_list("destination", flat=True))) > 10
    open_review = cases.filter(status__in=[Status.ACCEPTED, Status.WITH_AGENCIES, Status.AWAITING_DECISION,
                                           Status.AWAITING_COUNTERSIGN])
    assert not open_review.filter(accepted_at__isnull=True).exists()
    assert open_review.filter(clock_state="running").exists() and open_review.filter(clock_state="paused").exists()
    # Deadlines on both sides of today.
    from django.utils import timezone

    today = timezone.localdate()
    assert open_review.filter(decision_due__lt=today).exists() and open_review.filter(decision_due__gt=today).exists()
    referrals = Referral.objects.filter(application__in=cases)
    assert referrals.filter(state=ReferralState.SENT, application__status=Status.WITH_AGENCIES).exists()
    assert not referrals.filter(application__status__in=[Status.FORWARDED, Status.CORRECTING,
                                                         Status.ACCEPTED]).exists()
    assert not referrals.filter(sent_at__isnull=True).exists()
    # Codes come from the control list in force.
    from controllist.models import Entry

    codes = set(ApplicationItem.objects.filter(application__in=cases).exclude(control_code="")
                .values_list("control_code", flat=True))
    assert codes and codes <= set(Entry.objects.values_list("code", flat=True))


def test_seed_cases_writes_one_audit_event_not_one_per_case(seeded):
    new = AuditEvent.objects.count() - seeded.events_before
    assert new == 1
    assert AuditEvent.objects.order_by("-seq").first().action == "licensing.synthetic_cases"


def test_seed_cases_adds_to_what_is_there(seeded):
    call_command("seed_cases", count=10, seed=2, verbosity=0)
    references = list(Application.objects.filter(reference__startswith=REFERENCE_PREFIX)
                      .values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 610


def test_seed_cases_refuses_production_and_bad_counts(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_cases", count=1, verbosity=0)
    settings.PRODUCTION = False
    with pytest.raises(CommandError):
        call_command("seed_cases", count=0, verbosity=0)


def test_the_benchmarked_pages_work_on_seeded_data(seeded):
    """What benchmarks/review_queues.py times, once each: every page answers 200, full pages."""
    from benchmarks import review_queues

    args = SimpleNamespace(queue="decision", province="31", code="1C", requests=2)
    results = review_queues.time_pages(args)
    assert set(results) >= {"ministry queue, filtered", "agency queue", "case page"}
    assert results["ministry queue, all"]["rows"] == 50
    assert results["agency queue"]["rows"] > 0
    assert all(r["queries"] > 0 for r in results.values())


@pytest.mark.parametrize("path", ["/review/queues/decision/?province=31&code=1c&sort=deadline",
                                  "/review/queues/overdue/", "/review/queues/acceptance/?sort=oldest",
                                  "/review/agency/", "/review/"])
def test_query_count_on_seeded_data_does_not_depend_on_how_many_cases(seeded, path):
    from django.test import Client

    from benchmarks.review_queues import _users

    officer, reviewer = _users()
    client = Client()
    client.force_login(reviewer if "agency" in path else officer)

    def count():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    before = count()
    call_command("seed_cases", count=400, seed=3, verbosity=0)
    # One more at most: licensing.clock reads the open pauses only when a row's clock is stopped.
    assert before <= count() <= before + 1
