"""Side effects ride in the outbox: recorded with the change, sent after commit, resent after a
broker outage, and harmless when delivered twice."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from licensing.applications import services
from licensing.licences import services as licences
from licensing.models import Licence
from outbox.models import OutboxMessage
from outbox.services import relay
from tests.conftest import decide

pytestmark = pytest.mark.django_db


def _earlier_messages_sent():
    """Mark what the earlier steps of the case recorded (e.g. the routing task) as sent, so only
    the decision's messages are in play."""
    from django.utils import timezone

    OutboxMessage.objects.filter(sent_at__isnull=True).update(sent_at=timezone.now())
    return OutboxMessage.objects.count()


def test_approval_records_the_licence_task_and_sends_it_on_commit(actors, case_factory,
                                                                  django_capture_on_commit_callbacks):
    app = case_factory("awaiting_decision")
    earlier = _earlier_messages_sent()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide(app.pk, actors)
    message = OutboxMessage.objects.get(task="licensing.issue_licence")
    assert message.kwargs == {"application_id": app.pk} and message.sent_at is None
    # One on-commit send per message recorded (the licence task and the notification emails).
    assert len(callbacks) == OutboxMessage.objects.count() - earlier
    assert not Licence.objects.exists()  # nothing happens before commit
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.sent_at is not None
    assert Licence.objects.get(application=app).number


def test_a_rolled_back_change_leaves_no_side_effect(actors, case_factory):
    app = case_factory("awaiting_decision")
    earlier = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        decide(app.pk, actors)
        raise RuntimeError("crash before commit")
    assert OutboxMessage.objects.count() == earlier
    assert not OutboxMessage.objects.filter(task="licensing.issue_licence").exists()
    app.refresh_from_db()
    assert app.status == "awaiting_decision"


def test_broker_outage_loses_nothing(actors, case_factory, monkeypatch, django_capture_on_commit_callbacks):
    from licensing.licences.tasks import issue_licence

    app = case_factory("awaiting_decision")
    _earlier_messages_sent()

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(issue_licence, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        decide(app.pk, actors)
    message = OutboxMessage.objects.get(task="licensing.issue_licence")
    assert message.sent_at is None and message.attempts == 1 and "Redis is down" in message.last_error
    assert not Licence.objects.exists()
    assert relay(grace_seconds=0) == 0  # still down: still kept
    monkeypatch.undo()
    assert relay(grace_seconds=0) == 1
    message.refresh_from_db()
    assert message.sent_at is not None
    assert Licence.objects.filter(application=app).count() == 1


def test_relay_waits_for_the_grace_period(actors, case_factory, django_capture_on_commit_callbacks):
    app = case_factory("awaiting_decision")
    _earlier_messages_sent()
    with django_capture_on_commit_callbacks(execute=False):
        decide(app.pk, actors)
    unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
    assert unsent >= 1 and OutboxMessage.objects.filter(task="licensing.issue_licence", sent_at=None).exists()
    assert relay(grace_seconds=3600) == 0  # its on-commit send may still be under way
    assert relay(grace_seconds=0) == unsent
    # The licence task it relayed tells the exporter: e-mails of its own, which the next relay sends.
    assert set(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("task", flat=True)) <= {
        "outbox.send_email"}
    relay(grace_seconds=0)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_licence_task_twice_makes_one_licence(actors, case_factory, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("approved")
    first = Licence.objects.get(application=app)
    second = licences.licence_issue(application_id=app.pk)
    assert second.pk == first.pk and Licence.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.create(application=app, number="X", issued_at=first.issued_at,
                               valid_from=first.valid_from, valid_until=first.valid_until, pdf=b"", sha256="")


def test_issued_licence_is_signed_and_its_hash_is_of_the_signed_bytes(actors, case_factory,
                                                                     django_capture_on_commit_callbacks):
    import hashlib

    from licensing.licences.signing import verify_licence_pdf

    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("approved")
    licence = Licence.objects.get(application=app)
    pdf = bytes(licence.pdf)
    assert hashlib.sha256(pdf).hexdigest() == licence.sha256
    result = verify_licence_pdf(pdf)
    assert result["signed"] and result["intact"] and result["trusted"], result


def test_no_licence_for_a_case_that_is_not_approved(case_factory):
    app = case_factory("accepted")
    assert licences.licence_issue(application_id=app.pk) is None
    assert licences.licence_issue(application_id=999999) is None


def test_licence_numbers_carry_year_issuer_and_a_check_character(actors, case_factory,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("approved")
    number = Licence.objects.get(application=app).number
    assert number.startswith(f"{app.decided_at.year}MC") and len(number) == 13
    assert licences.licence_number_is_valid(number)
    tampered = number[:-2] + ("1" if number[-2] != "1" else "2") + number[-1]
    assert not licences.licence_number_is_valid(tampered)
    assert (Licence.objects.get(application=app).valid_until - Licence.objects.get(application=app).valid_from).days == 364


def test_public_check_page_needs_the_token_and_shows_no_personal_data(actors, case_factory,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("approved")
    licence = Licence.objects.get(application=app)
    ok = Client().get(f"/verify/{licence.number}/", {"t": licence.verify_token})
    assert ok.status_code == 200 and b"1C902.a" in ok.content
    assert app.end_user.name.encode() not in ok.content and app.exporter.name_zh.encode() not in ok.content
    forged = Client().get(f"/verify/{licence.number}/", {"t": "0" * 22})
    assert forged.status_code == 404 and b"1C902.a" not in forged.content


def test_case_numbers_are_sequential_and_unique(actors, case_factory):
    refs = [case_factory("submitted").reference for _ in range(3)]
    serials = [int(ref.split("-")[1]) for ref in refs]
    assert serials == sorted(serials) and len(set(refs)) == 3
    assert serials[1] == serials[0] + 1


def test_qr_link_survives_a_secret_key_rotation(actors, case_factory, settings,
                                                django_capture_on_commit_callbacks):
    from licensing.licences.selectors import licence_verify_url

    with django_capture_on_commit_callbacks(execute=True):
        app = case_factory("approved")
    licence = Licence.objects.get(application=app)
    url = licence_verify_url(licence)
    settings.SECRET_KEY = "a-completely-different-secret-key-after-rotation-0123456789"
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200


def test_beat_reissues_a_licence_whose_task_was_lost(actors, case_factory, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from licensing.licences.tasks import issue_missing_licences
    from licensing.models import Application

    with django_capture_on_commit_callbacks(execute=False):  # the task never reaches a worker
        app = case_factory("approved")
    assert not Licence.objects.exists()
    assert issue_missing_licences() == 0  # too fresh: its own task may still be on its way
    Application.objects.filter(pk=app.pk).update(decided_at=timezone.now() - timedelta(minutes=5))
    assert issue_missing_licences() == 1
    assert Licence.objects.filter(application=app).count() == 1
    assert issue_missing_licences() == 0


def test_party_contact_survives_an_edit_on_the_page(actors, case_factory):
    from licensing.applications.forms import ApplicationForm

    app = case_factory("draft")
    services.application_update_draft(application_id=app.pk, actor=actors.owner,
                                      data={"importer": {**app.importer.snapshot(), "contact": "+49 711 1"}})
    app.refresh_from_db()
    client = Client()
    client.force_login(actors.owner)
    form = {k: v for k, v in ApplicationForm.initial_from(app).items() if v is not None}
    resp = client.post(f"/cases/{app.pk}/edit/", {**form, "end_use": "changed on the page"})
    assert resp.status_code == 302
    app.refresh_from_db()
    assert app.end_use == "changed on the page" and app.importer.contact == "+49 711 1"
