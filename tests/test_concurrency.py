"""Two people acting on the same case at the same moment: exactly one outcome (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from audit.services import verify_chain
from licensing.applications import services
from licensing.models import Application, Counter
from portal.errors import InvalidTransition
from tests.conftest import decide

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(*calls):
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the outcome is what the test inspects
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_officers_deciding_at_once_one_wins(actors, case_factory):
    from licensing.decisions.services import decision_recommend
    from licensing.models import CountersignRule

    CountersignRule.objects.update(active=False)  # both decisions would take effect at once
    app = case_factory("awaiting_decision")
    results = race(
        lambda: decision_recommend(application_id=app.pk, actor=actors.ministry, outcome="approve",
                                   reasons="yes", expected_version=app.version),
        lambda: decision_recommend(application_id=app.pk, actor=actors.senior, outcome="refuse",
                                   factors=["end_user"], reasons="no", expected_version=app.version),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), results
    app.refresh_from_db()
    decisions = AuditEvent.objects.filter(object_id=str(app.pk),
                                          action__in=["application.approve", "application.refuse"])
    assert decisions.count() == 1 and app.status in ("approved", "refused")


def test_double_submit_at_once_makes_one_case(actors, case_factory):
    app = case_factory("draft")
    results = race(*[lambda: services.application_submit(application_id=app.pk, actor=actors.owner)] * 3)
    assert not [r for r in results if isinstance(r, Exception)], results
    app.refresh_from_db()
    assert app.status == "submitted" and app.reference
    assert AuditEvent.objects.filter(object_id=str(app.pk), action="application.submit").count() == 1
    assert Counter.objects.get(name="case").value == 1


def test_parallel_submissions_get_distinct_numbers_and_an_intact_chain(actors, case_factory):
    apps = [case_factory("draft") for _ in range(4)]
    results = race(*[lambda a=a: services.application_submit(application_id=a.pk, actor=actors.owner)
                     for a in apps])
    assert not [r for r in results if isinstance(r, Exception)], results
    refs = set(Application.objects.values_list("reference", flat=True))
    assert len(refs) == 4 and None not in refs
    assert verify_chain().ok


def test_on_commit_send_and_relay_at_once_send_a_message_once(actors, case_factory, monkeypatch):
    from licensing.licences.tasks import issue_licence
    from outbox.models import OutboxMessage
    from outbox.services import dispatch, relay
    from portal.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    sent = []
    original = issue_licence.apply_async

    def counting(*args, **kwargs):
        sent.append(kwargs.get("task_id"))
        return original(*args, **kwargs)

    monkeypatch.setattr(issue_licence, "apply_async", counting)
    app = case_factory("awaiting_decision")
    monkeypatch.setattr("outbox.services.transaction.on_commit", lambda fn: None)  # send by hand
    decide(app.pk, actors)
    message = OutboxMessage.objects.get(task="licensing.issue_licence")
    race(lambda: dispatch(message.pk), lambda: relay(grace_seconds=0))
    assert len(sent) == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_a_temporary_control_created_three_times_at_once_is_made_once(actors):
    """A double click that arrives as racing requests: the unique client token settles it."""
    import uuid

    from controllist.controls import services as controls
    from controllist.models import TemporaryControl

    token = uuid.uuid4()
    data = {"title_zh": "高纯镓", "title_en": "High-purity gallium", "starts_on": "2026-12-01",
            "ends_on": "2027-11-30"}
    results = race(*[lambda: controls.temporary_control_create(actor=actors.ministry, data=data,
                                                               client_token=token)] * 3)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.pk for r in results}) == 1
    assert TemporaryControl.objects.filter(client_token=token).count() == 1
    assert AuditEvent.objects.filter(action="controllist.temporary_control_create").count() == 1
