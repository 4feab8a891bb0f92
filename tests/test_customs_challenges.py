"""Challenges (质疑): raised by a customs system (idempotent on its external id) or an officer, due
in 7 working days on the official calendar, answered by the exporter on a page with PDF documents,
seen by customs, escalated to the ministry when overdue (idempotent), closed by the ministry."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from audit.models import AuditEvent
from licensing.customs import challenges
from licensing.customs.tasks import escalate_overdue_challenges
from licensing.models import Challenge, ChallengeDocument
from notifications.models import Notification
from tests.factories import pdf_upload
from tests.test_customs_api import customs_system
from workdays.services import add_working_days

pytestmark = pytest.mark.django_db

CHALLENGES = "/api/customs/challenges/"


def body(actors, **changes):
    data = {"external_id": "SH-2026-0001", "exporter_code": actors.owner.organisation.code,
            "declaration_number": "220120261000000009", "port": "2200", "goods": "Vacuum pumps, 4 crates",
            "hs_code": "8414100000", "suspected_code": "2B350.i", "reason": "Corrosion-resistant pumps as in 2B350"}
    data.update(changes)
    return data


def on(monkeypatch, day):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def test_raise_through_the_api_is_idempotent_and_tells_the_exporter(actors):
    _system, client, _token = customs_system(scopes=["challenge"])
    first = client.post(CHALLENGES, body(actors), format="json")
    assert first.status_code == 201, first.content
    reference = first.json()["reference"]
    assert reference.startswith(f"ZY{timezone.localdate().year}") and first.json()["state"] == "open"
    again = client.post(CHALLENGES, body(actors, goods="something else"), format="json")
    assert again.status_code == 200 and again.json()["reference"] == reference
    assert Challenge.objects.count() == 1
    told = set(Notification.objects.filter(kind="challenge.raise").values_list("recipient_id", flat=True))
    assert {actors.owner.pk, actors.colleague.pk} <= told and actors.outsider.pk not in told
    assert AuditEvent.objects.filter(action="challenge.raise").count() == 1


def test_answer_due_in_seven_working_days_across_a_weekend(actors, monkeypatch):
    friday = date(2026, 12, 4)
    on(monkeypatch, friday)
    challenge, _created = challenges.challenge_raise(officer=actors.customs, **{
        k: v for k, v in body(actors).items() if k != "external_id"})
    assert challenge.answer_due == date(2026, 12, 15) == add_working_days(friday, 7)


def test_answer_due_into_next_year_on_its_calendar(actors, monkeypatch, calendar_2027):
    day = date(2026, 12, 29)
    on(monkeypatch, day)
    challenge, _created = challenges.challenge_raise(officer=actors.customs, **body(actors, external_id="x1"))
    assert challenge.answer_due == add_working_days(day, 7) and challenge.answer_due.year == 2027


@pytest.mark.parametrize(("changes", "field"), [
    ({"exporter_code": "91310000NOSUCH0000"}, "exporter_code"), ({"port": "9999"}, "port"),
    ({"goods": ""}, "goods"), ({"reason": "   "}, "reason"), ({"hs_code": "84A"}, "hs_code"),
])
def test_bad_challenges_are_400_and_nothing_is_made(actors, changes, field):
    _system, client, _token = customs_system(scopes=["challenge"])
    response = client.post(CHALLENGES, body(actors, **changes), format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    assert not Challenge.objects.exists()


def test_exporter_answers_on_the_page_and_customs_sees_the_answer(actors, client):
    system, api, _token = customs_system(scopes=["challenge"])
    reference = api.post(CHALLENGES, body(actors), format="json").json()["reference"]
    client.force_login(actors.owner)
    client.cookies["django_language"] = "en"
    page = client.get(f"/challenges/{reference}/")
    assert page.status_code == 200 and b'id="answer-form"' in page.content
    bad = client.post(f"/challenges/{reference}/answer/", {"answer": "Not controlled",
                                                           "documents": [pdf_upload("x.pdf", b"not a pdf")]})
    assert bad.status_code == 400 and not ChallengeDocument.objects.exists()
    assert Challenge.objects.get().state == "open"
    done = client.post(f"/challenges/{reference}/answer/", {"answer": "Pumps are not corrosion-resistant",
                                                            "documents": [pdf_upload("datasheet.pdf")]})
    assert done.status_code == 302
    seen = api.get(f"{CHALLENGES}{reference}/").json()
    assert seen["state"] == "answered" and seen["answer"] == "Pumps are not corrosion-resistant"
    assert [d["name"] for d in seen["documents"]] == ["datasheet.pdf"]
    doc = ChallengeDocument.objects.get()
    assert client.get(f"/challenges/{reference}/documents/{doc.pk}/").status_code == 200
    customs_page = client.get(f"/challenges/{reference}/")
    assert b"datasheet.pdf" in customs_page.content
    again = client.post(f"/challenges/{reference}/answer/", {"answer": "again"})
    assert again.status_code == 409


def test_another_system_does_not_see_the_challenge(actors):
    _system, api, _token = customs_system(scopes=["challenge"])
    reference = api.post(CHALLENGES, body(actors), format="json").json()["reference"]
    _other, other_api, _t = customs_system(code="other", scopes=["challenge"])
    assert other_api.get(f"{CHALLENGES}{reference}/").status_code == 404


def test_overdue_challenges_escalate_once_and_the_ministry_closes(actors, client):
    challenge, _created = challenges.challenge_raise(officer=actors.customs, **body(actors, external_id="t"))
    assert challenges.challenges_escalate(today=challenge.answer_due) == 0  # due today: not yet overdue
    later = challenge.answer_due + timedelta(days=1)
    assert challenges.challenges_escalate(today=later) == 1
    assert challenges.challenges_escalate(today=later) == 0
    challenge.refresh_from_db()
    assert challenge.state == "escalated" and challenge.escalated_at is not None
    told = Notification.objects.filter(kind="challenge.escalate")
    assert set(told.values_list("recipient_id", flat=True)) >= {actors.ministry.pk, actors.senior.pk}
    assert told.count() == len(set(told.values_list("recipient_id", flat=True)))
    assert AuditEvent.objects.filter(action="challenge.escalate").count() == 1
    client.force_login(actors.ministry)
    client.cookies["django_language"] = "en"
    listing = client.get("/customs/challenges/")
    assert listing.status_code == 200 and challenge.reference.encode() in listing.content
    assert client.post(f"/challenges/{challenge.reference}/close/", {"note": "Seized; case opened"}).status_code == 302
    challenge.refresh_from_db()
    assert challenge.state == "closed"
    assert client.post(f"/challenges/{challenge.reference}/close/", {}).status_code == 302  # twice is once
    assert AuditEvent.objects.filter(action="challenge.close").count() == 1


def test_the_beat_task_escalates(actors, monkeypatch):
    challenge, _created = challenges.challenge_raise(officer=actors.customs, **body(actors, external_id="b"))
    on(monkeypatch, challenge.answer_due + timedelta(days=3))
    assert escalate_overdue_challenges.delay().get() == 1
    assert Challenge.objects.get().state == "escalated"


def test_a_late_answer_reaches_the_ministry(actors):
    challenge, _created = challenges.challenge_raise(officer=actors.customs, **body(actors, external_id="l"))
    challenges.challenges_escalate(today=challenge.answer_due + timedelta(days=1))
    challenges.challenge_answer(actor=actors.colleague, reference=challenge.reference, answer="Sorry, late")
    assert set(Notification.objects.filter(kind="challenge.answer").values_list("recipient_id", flat=True)) >= {
        actors.customs.pk, actors.ministry.pk}


def test_who_may_answer_and_close(actors):
    from portal.errors import NotAllowed, NotFound

    challenge, _created = challenges.challenge_raise(officer=actors.customs, **body(actors, external_id="w"))
    for user in (actors.outsider, actors.ministry, actors.customs, actors.province):
        with pytest.raises(NotFound):
            challenges.challenge_answer(actor=user, reference=challenge.reference, answer="x")
    for user in (actors.owner, actors.customs, actors.agency):
        with pytest.raises(NotAllowed):
            challenges.challenge_close(actor=user, reference=challenge.reference)
    with pytest.raises(NotAllowed), translation.override("en"):
        challenges.challenge_raise(officer=actors.ministry, **body(actors, external_id="m"))


def test_no_challenge_without_the_calendar_of_the_answer_date(actors, monkeypatch):
    from workdays.models import CalendarYear

    CalendarYear.objects.filter(year=2027).delete()
    on(monkeypatch, date(2026, 12, 29))
    _system, client, _token = customs_system(scopes=["challenge"])
    response = client.post(CHALLENGES, body(actors), format="json")
    assert response.status_code == 409 and response.json()["code"] == "no_calendar"
    assert not Challenge.objects.exists()
