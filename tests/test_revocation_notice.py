"""The revocation notice (撤销通知书): a signed bilingual PDF written by a task that the revocation
records in the outbox, stored once, downloadable from the licence page by the exporter and the
ministry, and the exporter told when it is ready."""

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from licensing.licences import services
from licensing.licences.signing import verify_licence_pdf
from licensing.models import LicenceNotice, LicenceStatus
from notifications.models import Notification
from outbox.models import OutboxMessage
from tests.factories import PASSWORD
from tests.test_licence_lifecycle import ROLES, make_licence

pytestmark = pytest.mark.django_db

REASON = "The end user was found to supply a military programme / 最终用户被发现向军事项目供货"


def page_as(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def revoked(actors, case_factory, django_capture_on_commit_callbacks):
    licence = make_licence(case_factory)
    with django_capture_on_commit_callbacks(execute=True):
        services.licence_revoke(actor=actors.senior, licence_id=licence.pk, reason=REASON, factor="end_user",
                                expected_version=1)
    licence.refresh_from_db()
    return licence


def _text(content: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def test_revocation_records_the_notice_task_in_the_outbox_and_the_worker_writes_it(actors, revoked):
    message = OutboxMessage.objects.get(task="licensing.issue_revocation_notice")
    assert message.kwargs == {"licence_id": revoked.pk} and message.sent_at is not None
    notice = LicenceNotice.objects.get(licence=revoked)
    assert notice.kind == "revocation" and re.fullmatch(r"MCRV\d{4}-\d{6}", notice.number)
    content = bytes(notice.pdf)
    check = verify_licence_pdf(content)
    assert check["signed"] and check["intact"] and check["valid"] and check["field"] == "MOFCOM-Revocation"
    text = _text(content)
    assert "撤销通知书" in text and revoked.number in text and notice.number in text
    assert "End user and end use" in text and "military programme" in text
    assert revoked.exporter.name_zh in text


def test_nothing_is_written_before_the_revocation_commits(actors, case_factory, django_capture_on_commit_callbacks):
    licence = make_licence(case_factory)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.licence_revoke(actor=actors.senior, licence_id=licence.pk, reason=REASON, factor="end_user")
    assert callbacks and not LicenceNotice.objects.exists()


def test_the_exporter_is_told_when_the_notice_is_ready(actors, revoked):
    notice = LicenceNotice.objects.get(licence=revoked)
    told = Notification.objects.filter(kind="licence.revocation_notice")
    assert set(told.values_list("recipient_id", flat=True)) == {actors.owner.pk, actors.colleague.pk}
    note = told.get(recipient=actors.owner)
    assert notice.number in note.title_en and note.url == f"/licences/{revoked.number}/"
    # And of the revocation itself, with the reason.
    assert Notification.objects.get(kind="licence.revoke", recipient=actors.owner).body_en == REASON


def test_writing_the_notice_again_is_idempotent(actors, revoked):
    first = LicenceNotice.objects.get(licence=revoked)
    again = services.revocation_notice_issue(licence_id=revoked.pk)
    assert again.pk == first.pk and LicenceNotice.objects.count() == 1
    assert Notification.objects.filter(kind="licence.revocation_notice", recipient=actors.owner).count() == 1
    from licensing.licences.tasks import issue_revocation_notice

    assert issue_revocation_notice.apply(kwargs={"licence_id": revoked.pk}).get() == first.number
    assert LicenceNotice.objects.count() == 1


def test_no_notice_for_a_licence_that_is_not_revoked(actors, case_factory):
    licence = make_licence(case_factory)
    assert services.revocation_notice_issue(licence_id=licence.pk) is None
    assert not LicenceNotice.objects.exists()


def test_beat_safety_net_finds_a_revoked_licence_without_its_notice(actors, case_factory):
    from licensing.models import Licence

    licence = make_licence(case_factory)
    services.licence_revoke(actor=actors.senior, licence_id=licence.pk, reason=REASON, factor="end_user")
    assert services.revoked_without_notice(older_than_seconds=0) == [licence.pk]
    from licensing.licences.tasks import issue_missing_revocation_notices

    assert issue_missing_revocation_notices.apply().get() == 0  # within the 120 s grace: the task may still run
    Licence.objects.filter(pk=licence.pk).update(
        status_changed_at=Licence.objects.get(pk=licence.pk).status_changed_at.replace(year=2020))
    assert issue_missing_revocation_notices.apply().get() == 1
    assert LicenceNotice.objects.filter(licence=licence).count() == 1
    assert services.revoked_without_notice(older_than_seconds=0) == []


@pytest.mark.parametrize("who", ROLES)
def test_who_may_download_the_notice(actors, revoked, who):
    notice = LicenceNotice.objects.get(licence=revoked)
    client = page_as(getattr(actors, who))
    resp = client.get(f"/licences/{revoked.number}/notices/{notice.pk}/")
    if who in {"owner", "colleague", "ministry", "senior"}:
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        assert resp.content == bytes(notice.pdf)
        html = client.get(f"/licences/{revoked.number}/").content.decode()
        assert f"/licences/{revoked.number}/notices/{notice.pk}/" in html
    else:
        assert resp.status_code == 404


def test_the_licence_page_says_the_notice_is_coming_until_it_is_written(actors, case_factory):
    licence = make_licence(case_factory)
    services.licence_revoke(actor=actors.senior, licence_id=licence.pk, reason=REASON, factor="end_user")
    html = page_as(actors.owner).get(f"/licences/{licence.number}/").content.decode()
    assert 'id="licence-notice-pending"' in html
    assert licence.__class__.objects.get(pk=licence.pk).status == LicenceStatus.REVOKED


def test_redis_down_during_a_revocation_loses_nothing_and_sends_nothing_twice(actors, case_factory, monkeypatch,
                                                                               django_capture_on_commit_callbacks):
    """The feed event and the inbox entry are rows of the revocation's own transaction; the notice
    task and the e-mail wait in the outbox while the broker is down and go once when it is back."""
    from django.utils import timezone

    from licensing.models import LicenceEvent
    from outbox.services import relay
    from portal.celery import app as celery_app

    licence = make_licence(case_factory)
    OutboxMessage.objects.filter(sent_at__isnull=True).update(sent_at=timezone.now())

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    for name in ("licensing.issue_revocation_notice", "outbox.send_email"):
        monkeypatch.setattr(celery_app.tasks[name], "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.licence_revoke(actor=actors.senior, licence_id=licence.pk, reason=REASON, factor="end_user",
                                expected_version=1)
    # Customs' feed and the exporter's inbox have it at once; the rest is kept, not lost.
    assert LicenceEvent.objects.filter(licence=licence, kind="revoked").count() == 1
    assert Notification.objects.filter(kind="licence.revoke").exists()
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert waiting.filter(task="licensing.issue_revocation_notice").count() == 1
    assert not LicenceNotice.objects.exists()
    assert relay(grace_seconds=0) == 0  # still down
    kept = list(waiting.values_list("pk", flat=True))
    assert len(kept) >= 2  # the notice task and the exporter's e-mail
    monkeypatch.undo()
    assert relay(grace_seconds=0) >= len(kept)
    assert LicenceNotice.objects.filter(licence=licence).count() == 1
    attempts = dict(OutboxMessage.objects.filter(pk__in=kept).values_list("pk", "attempts"))
    relay(grace_seconds=0)  # the relay again: what was sent is not sent twice
    assert dict(OutboxMessage.objects.filter(pk__in=kept).values_list("pk", "attempts")) == attempts
    assert OutboxMessage.objects.filter(pk__in=kept, sent_at__isnull=True).count() == 0
    assert LicenceNotice.objects.filter(licence=licence).count() == 1
    assert LicenceEvent.objects.filter(licence=licence, kind="revoked").count() == 1
