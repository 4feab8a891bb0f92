"""Rescreening on every list change: publishing or removing entries starts a job that screens the
parties of open cases and valid licences against the change only, tells the officer of new hits
(proposing a suspension for a valid licence), closes the hits on removed entries, shows its
progress to the ministry, and survives a worker killed mid-job without duplicates."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from audit.models import AuditEvent
from enduser.lists import services as lists
from enduser.models import (
    HitState,
    ListChange,
    ListedParty,
    RescreenJob,
    RescreenState,
    ScreeningHit,
)
from enduser.screening import rescreen
from licensing.licences.services import licence_issue
from licensing.models import Application
from notifications.models import Notification
from outbox.models import OutboxMessage
from tests.factories import DRAFT, PASSWORD

pytestmark = pytest.mark.django_db

END_USER = "Motorenwerk München GmbH"  # the end user of tests.factories.DRAFT
NOT_MINISTRY = ["owner", "colleague", "outsider", "province", "other_province", "agency", "customs"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def entry(name=END_USER, list_kind="watch", **overrides):
    return {"list_kind": list_kind, "kind": "company", "names": [name], "country": "DE",
            "announcement": "商务部公告2026年第9号", "announced_on": date(2026, 1, 2),
            "effective_on": date(2026, 1, 2), "reason": "test / 测试", **overrides}


def publish(actor, capture, name=END_USER, **overrides) -> ListedParty:
    with capture(execute=True):
        return lists.listed_party_publish(actor=actor, data=entry(name, **overrides))


def remove(actor, capture, party) -> ListedParty:
    with capture(execute=True):
        return lists.listed_party_remove(actor=actor, listed_id=party.pk, removed_on=timezone.localdate(),
                                         announcement="商务部公告2026年第10号", expected_version=party.version)


def assign(app, officer):
    Application.objects.filter(pk=app.pk).update(assigned_to=officer)


def test_publishing_an_entry_hits_the_end_user_of_a_forwarded_case_and_tells_the_officer(
        actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("forwarded")
    assign(app, actors.ministry)
    listed = publish(actors.ministry, django_capture_on_commit_callbacks)
    hit = ScreeningHit.objects.get()
    assert hit.listed == listed and hit.party_id == app.end_user_id and hit.state == HitState.OPEN
    job = RescreenJob.objects.get()
    assert job.state == RescreenState.DONE and job.change_ids == [ListChange.objects.get().pk]
    assert (job.parties_total, job.parties_done, job.new_hits, job.closed_hits) == (2, 2, 1, 0)
    assert job.started_at and job.finished_at and job.heartbeat and not job.error
    note = Notification.objects.get(kind="screening_hit")
    assert note.recipient == actors.ministry and note.application_id == app.pk and END_USER in note.body_en
    assert AuditEvent.objects.filter(action="screening.hit", object_id=str(hit.pk)).count() == 1


def test_without_an_officer_every_ministry_officer_is_told(actors, case_factory, django_capture_on_commit_callbacks):
    case_factory("forwarded")
    publish(actors.ministry, django_capture_on_commit_callbacks)
    recipients = set(Notification.objects.filter(kind="screening_hit").values_list("recipient", flat=True))
    assert {actors.ministry.pk, actors.senior.pk} <= recipients
    assert actors.owner.pk not in recipients and actors.province.pk not in recipients


def test_the_job_is_made_with_the_change_and_its_task_sent_on_commit(
        actors, case_factory, django_capture_on_commit_callbacks):
    case_factory("forwarded")
    with django_capture_on_commit_callbacks(execute=False) as sends:
        lists.listed_party_publish(actor=actors.ministry, data=entry())
    # In the transaction of the publication: a crash after its commit cannot lose the rescreening.
    job = RescreenJob.objects.get()
    message = OutboxMessage.objects.get(task="enduser.rescreen")
    assert message.kwargs == {"job_id": job.pk} and message.sent_at is None and job.state == RescreenState.QUEUED
    assert len(sends) == 1
    sends[0]()  # the commit: the outbox sends the task (run in process here)
    message.refresh_from_db()
    job.refresh_from_db()
    assert message.sent_at is not None and job.state == RescreenState.DONE and job.new_hits == 1


def test_running_a_job_twice_or_publishing_twice_makes_no_duplicate(
        actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("forwarded")
    assign(app, actors.ministry)
    publish(actors.ministry, django_capture_on_commit_callbacks)
    job = RescreenJob.objects.get()
    RescreenJob.objects.filter(pk=job.pk).update(state=RescreenState.QUEUED, cursor=0, parties_done=0, new_hits=0)
    rescreen.rescreen_run(job_id=job.pk)
    again = rescreen.rescreen_start(list(job.change_ids))
    rescreen.rescreen_run(job_id=again.pk)
    assert ScreeningHit.objects.count() == 1 and Notification.objects.filter(kind="screening_hit").count() == 1
    job.refresh_from_db()
    again.refresh_from_db()
    assert job.state == again.state == RescreenState.DONE and job.new_hits == again.new_hits == 0
    assert rescreen.rescreen_run(job_id=job.pk).state == RescreenState.DONE  # a finished job is left alone


def test_a_job_killed_mid_way_is_taken_over_once_stale_and_completes_without_duplicates(
        actors, case_factory, django_capture_on_commit_callbacks, monkeypatch):
    first = case_factory("forwarded")
    second = case_factory("forwarded", data={  # other records: another importer and end user
        "importer": {**DRAFT["importer"], "address": "Another street 1, Stuttgart"},
        "end_user": {**DRAFT["end_user"], "address": "Another street 9, München"}})
    monkeypatch.setattr(rescreen, "BATCH_SIZE", 2)
    batches = []
    real = rescreen._screen_batch

    def killed_after_one_batch(*args, **kwargs):
        if batches:
            raise SystemExit("worker killed")  # not an Exception: nothing of the run is cleaned up
        batches.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(rescreen, "_screen_batch", killed_after_one_batch)
    with django_capture_on_commit_callbacks(execute=False):
        lists.listed_party_publish(actor=actors.ministry, data=entry())  # the task's send is lost
    job = RescreenJob.objects.get()
    with pytest.raises(SystemExit):
        rescreen.rescreen_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == RescreenState.RUNNING and (job.parties_total, job.parties_done) == (4, 2)
    assert ScreeningHit.objects.count() == 1  # the first case's end user
    monkeypatch.setattr(rescreen, "_screen_batch", real)
    # The redelivered task finds the run alive and leaves it; once its heartbeat is stale it takes over.
    assert rescreen.rescreen_is_busy(rescreen.rescreen_run(job_id=job.pk))
    RescreenJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - rescreen.STALE_AFTER * 2)
    job = rescreen.rescreen_run(job_id=job.pk)
    assert job.state == RescreenState.DONE and (job.parties_done, job.new_hits) == (4, 2)
    assert set(ScreeningHit.objects.values_list("party", flat=True)) == {first.end_user_id, second.end_user_id}
    assert Notification.objects.filter(kind="screening_hit", application_id=first.pk).count() >= 1
    assert AuditEvent.objects.filter(action="screening.hit").count() == 2


def test_a_failing_run_goes_back_to_the_queue_and_the_task_gives_up_as_failed(
        actors, case_factory, django_capture_on_commit_callbacks, monkeypatch):
    case_factory("forwarded")
    monkeypatch.setattr(rescreen, "_open_parties", lambda: 1 / 0)
    publish(actors.ministry, django_capture_on_commit_callbacks)
    job = RescreenJob.objects.get()
    assert job.state == RescreenState.FAILED and "ZeroDivisionError" in job.error
    assert OutboxMessage.objects.get(task="enduser.rescreen").sent_at is None  # the relay may send it again


def test_a_removal_closes_the_hits_on_the_entry_with_audit_events(
        actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("forwarded")
    listed = publish(actors.ministry, django_capture_on_commit_callbacks)
    hit = ScreeningHit.objects.get()
    remove(actors.ministry, django_capture_on_commit_callbacks, ListedParty.objects.get(pk=listed.pk))
    hit.refresh_from_db()
    assert hit.state == HitState.CLOSED and hit.version == 2
    event = AuditEvent.objects.get(action="screening.hit_closed")
    assert event.object_id == str(hit.pk) and event.before == {"state": "open"}
    job = RescreenJob.objects.latest("pk")
    assert job.state == RescreenState.DONE and (job.closed_hits, job.new_hits) == (1, 0)
    assert ScreeningHit.objects.count() == 1  # the removed entry is not screened again
    assert app.end_user_id == hit.party_id


def test_a_party_of_a_valid_licence_gets_a_suspension_proposed(
        actors, case_factory, calendar_2027, django_capture_on_commit_callbacks):
    app = case_factory("approved")
    licence = licence_issue(application_id=app.pk)
    assert licence.valid_until >= timezone.localdate()
    publish(actors.ministry, django_capture_on_commit_callbacks)
    note = Notification.objects.get(kind="suspension_proposed")
    assert note.application_id == app.pk and licence.number in note.title_en and "suspend" in note.body_en
    assert note.recipient == Application.objects.get(pk=app.pk).assigned_to
    event = AuditEvent.objects.get(action="screening.suspension_proposed")
    assert event.object_id == str(app.pk) and event.after["licence"] == licence.number


def test_an_expired_licence_drafts_and_returned_cases_are_not_screened(
        actors, case_factory, calendar_2027, django_capture_on_commit_callbacks):
    approved = case_factory("approved")
    licence = licence_issue(application_id=approved.pk)
    type(licence).objects.filter(pk=licence.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    case_factory("draft")
    publish(actors.ministry, django_capture_on_commit_callbacks)
    job = RescreenJob.objects.get()
    assert job.state == RescreenState.DONE and job.parties_total == 0
    assert not ScreeningHit.objects.exists() and not Notification.objects.filter(kind="screening_hit").exists()


def test_only_the_change_is_screened(actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("forwarded")
    older = publish(actors.ministry, django_capture_on_commit_callbacks)
    ScreeningHit.objects.all().delete()
    publish(actors.ministry, django_capture_on_commit_callbacks, name="Unrelated Trading Ltd")
    job = RescreenJob.objects.latest("pk")
    assert job.state == RescreenState.DONE and job.parties_total == 2 and job.new_hits == 0
    assert not ScreeningHit.objects.filter(listed=older).exists()  # the older entry is not screened again
    assert app.pk


# ---------------------------------------------------------------- pages and API


def page_as(user):
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def api_as(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def job(actors, case_factory, django_capture_on_commit_callbacks):
    case_factory("forwarded")
    publish(actors.ministry, django_capture_on_commit_callbacks)
    return RescreenJob.objects.get()


def test_the_ministry_sees_the_jobs_and_their_progress(actors, job, django_assert_max_num_queries):
    client = page_as(actors.ministry)
    with django_assert_max_num_queries(12):
        page = client.get("/lists/rescreens/")
    assert page.status_code == 200 and f'data-job="{job.pk}"' in page.text and "Done" in page.text
    detail = client.get(f"/lists/rescreens/{job.pk}/")
    assert detail.status_code == 200 and "2 / 2" in detail.text and 'hx-get' not in detail.text
    RescreenJob.objects.filter(pk=job.pk).update(state=RescreenState.RUNNING, parties_done=1)
    assert "hx-get" in client.get(f"/lists/rescreens/{job.pk}/").text  # refreshes itself while running
    assert client.get("/lists/rescreens/999999/").status_code == 404
    RescreenJob.objects.filter(pk=job.pk).update(state=RescreenState.DONE, parties_done=2)
    api = api_as(actors.senior)
    rows = api.get("/api/rescreens/").json()
    assert rows[0]["id"] == job.pk and rows[0]["state"] == "done" and rows[0]["new_hits"] == 1
    one = api.get(f"/api/rescreens/{job.pk}/").json()
    assert one["parties_total"] == 2 and one["change_ids"] == job.change_ids
    assert api.get("/api/rescreens/999999/").status_code == 404
    client.cookies["django_language"] = "zh-hans"
    assert "名单变更后的重新筛查" in client.get("/lists/rescreens/").text
    assert 'id="list-rescreens"' in client.get("/lists/changes/").text


@pytest.mark.parametrize("who", NOT_MINISTRY)
def test_no_one_else_sees_the_jobs(actors, job, who):
    user = getattr(actors, who)
    client = page_as(user)
    assert client.get("/lists/rescreens/").status_code in (403, 404)
    assert client.get(f"/lists/rescreens/{job.pk}/").status_code in (403, 404)
    api = api_as(user)
    assert api.get("/api/rescreens/").status_code == 403
    assert api.get(f"/api/rescreens/{job.pk}/").status_code in (403, 404)


def test_anonymous_users_see_no_jobs(job):
    page = page_as(None).get("/lists/rescreens/")
    assert page.status_code in (302, 403, 404)
    assert page_as(None).get(f"/lists/rescreens/{job.pk}/").status_code in (302, 403, 404)
    assert api_as(None).get("/api/rescreens/").status_code in (401, 403)
    assert api_as(None).get(f"/api/rescreens/{job.pk}/").status_code in (401, 403)


def test_the_task_is_registered_acks_late_and_licensing_registered_its_cases():
    from portal.celery import app as celery_app

    task = celery_app.tasks["enduser.rescreen"]
    assert task.acks_late is True and task.max_retries >= 5
    source = rescreen.registered_case_source()
    assert source is not None and source.open_parties.__module__ == "licensing.applications.rescreening"


# ---------------------------------------------------------------- the beat's sweeps


def test_the_sweep_sends_a_job_whose_task_was_lost_and_one_whose_worker_died(
        actors, case_factory, django_capture_on_commit_callbacks, settings):
    case_factory("forwarded")
    with django_capture_on_commit_callbacks(execute=False):
        lists.listed_party_publish(actor=actors.ministry, data=entry())  # committed, the send lost
    job = RescreenJob.objects.get()
    assert rescreen.rescreen_sweep() == []  # too young: the outbox may still send it
    old = timezone.now() - rescreen.STALE_AFTER * 2
    RescreenJob.objects.filter(pk=job.pk).update(created_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert rescreen.rescreen_sweep() == [job.pk]
    job.refresh_from_db()
    assert job.state == RescreenState.DONE and job.new_hits == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert rescreen.rescreen_sweep() == []  # done: left alone
    # A run that died mid-way (heartbeat stale) is sent again and taken over; no duplicate.
    RescreenJob.objects.filter(pk=job.pk).update(state=RescreenState.RUNNING, runner="dead", heartbeat=old,
                                                 cursor=0, parties_done=0, new_hits=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert rescreen.rescreen_sweep() == [job.pk]
    job.refresh_from_db()
    assert job.state == RescreenState.DONE and job.new_hits == 0 and ScreeningHit.objects.count() == 1
    # A live run (fresh heartbeat) is not disturbed.
    RescreenJob.objects.filter(pk=job.pk).update(state=RescreenState.RUNNING, heartbeat=timezone.now())
    assert rescreen.rescreen_sweep() == []


def test_the_sweeps_are_on_the_beat_schedule(settings):
    from portal.celery import app as celery_app

    tasks = {row["task"] for row in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"enduser.rescreen_sweep", "enduser.removed_hits_close"} <= tasks
    assert {"enduser.rescreen_sweep", "enduser.removed_hits_close"} <= set(celery_app.tasks)


def test_a_removal_dated_later_closes_the_hits_only_on_its_day(
        actors, case_factory, django_capture_on_commit_callbacks):
    case_factory("forwarded")
    listed = publish(actors.ministry, django_capture_on_commit_callbacks)
    hit = ScreeningHit.objects.get()
    today = timezone.localdate()
    day = today + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        lists.listed_party_remove(actor=actors.ministry, listed_id=listed.pk, removed_on=day,
                                  announcement="商务部公告2026年第11号", expected_version=1)
    hit.refresh_from_db()
    job = RescreenJob.objects.latest("pk")
    assert hit.state == HitState.OPEN and job.state == RescreenState.DONE and job.closed_hits == 0
    assert ListedParty.objects.in_force(today).filter(pk=listed.pk).exists()  # in force until the day
    assert rescreen.removed_hits_close(on=today) == 0
    assert rescreen.removed_hits_close(on=day - timedelta(days=1)) == 0
    hit.refresh_from_db()
    assert hit.state == HitState.OPEN and not AuditEvent.objects.filter(action="screening.hit_closed").exists()
    assert rescreen.removed_hits_close(on=day) == 1
    assert rescreen.removed_hits_close(on=day) == 0  # idempotent
    hit.refresh_from_db()
    assert hit.state == HitState.CLOSED and hit.version == 2
    event = AuditEvent.objects.get(action="screening.hit_closed")
    assert event.object_id == str(hit.pk) and event.after["removed_on"] == day.isoformat()
    assert event.after["removal_announcement"] == "商务部公告2026年第11号"
