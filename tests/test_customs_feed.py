"""The customs feed of licence events: cursor semantics (nothing lost or repeated across pages, also
with events made between pages), the long poll, and bad parameters."""

import pytest

from licensing.customs import selectors
from licensing.licences import services as licences
from licensing.models import LicenceEvent
from tests.test_customs_api import customs_system, make_licence

pytestmark = pytest.mark.django_db

FEED = "/api/customs/events/"


def read_all(client, after=0, limit=2):
    seen, pages = [], 0
    while True:
        body = client.get(FEED, {"after": after, "limit": limit}).json()
        seen += [e["seq"] for e in body["events"]]
        assert body["next"] == (body["events"][-1]["seq"] if body["events"] else after)
        after, pages = body["next"], pages + 1
        if not body["has_more"]:
            return seen, after, pages


def test_pages_lose_and_repeat_nothing_even_with_events_between_pages(actors):
    _system, client, _token = customs_system(scopes=["feed"])
    licence_a, licence_b = make_licence(actors), make_licence(actors)
    licences.licence_suspend(actor=actors.ministry, licence_id=licence_a.pk, reason="check")
    first = client.get(FEED, {"after": 0, "limit": 2}).json()
    assert [e["kind"] for e in first["events"]] == ["issued", "issued"] and first["has_more"] is True
    # Events made while the reader is between pages.
    licences.licence_restore(actor=actors.ministry, licence_id=licence_a.pk, reason="fine")
    licences.licence_suspend(actor=actors.ministry, licence_id=licence_b.pk, reason="check")
    rest, cursor, _pages = read_all(client, after=first["next"])
    seqs = [e["seq"] for e in first["events"]] + rest
    assert seqs == list(LicenceEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == len(set(seqs)) == 5
    empty = client.get(FEED, {"after": cursor}).json()
    assert empty == {"events": [], "next": cursor, "has_more": False}


def test_event_body(actors):
    _system, client, _token = customs_system(scopes=["feed"])
    licence = make_licence(actors)
    licences.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="under investigation")
    event = client.get(FEED, {"after": 1}).json()["events"][0]
    assert event["licence_number"] == licence.number and event["kind"] == "suspended"
    assert event["from_status"] == "issued" and event["to_status"] == "suspended"
    assert event["reason"] == "under investigation"


def test_long_poll_returns_as_soon_as_an_event_exists(actors, monkeypatch):
    licence = make_licence(actors)
    cursor = LicenceEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    polls = []

    def sleep(seconds):  # a suspension happens while the request waits
        polls.append(seconds)
        if len(polls) == 2:
            licences.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="now")

    events = selectors.wait_for_events(cursor, 10, 25, sleep=sleep)
    assert [e.kind for e in events] == ["suspended"] and polls == [selectors.POLL_SECONDS] * 2


def test_long_poll_gives_up_after_the_wait(actors):
    ticks = iter(range(100))
    calls = []
    events = selectors.wait_for_events(10**9, 10, 1, sleep=calls.append, clock=lambda: next(ticks) * 0.2)
    assert events == [] and len(calls) == 4  # polls at 0, 0.2, 0.4, 0.6, 0.8; gives up at 1.0


def test_wait_through_the_api(actors, monkeypatch):
    _system, client, _token = customs_system(scopes=["feed"])
    licence = make_licence(actors)
    cursor = LicenceEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    def sleep(seconds):
        licences.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="now")

    monkeypatch.setattr(selectors.time, "sleep", sleep)
    body = client.get(FEED, {"after": cursor, "wait": 25}).json()
    assert [e["kind"] for e in body["events"]] == ["suspended"]


@pytest.mark.parametrize("params", [{"after": -1}, {"after": "x"}, {"limit": 0}, {"limit": 501}, {"wait": 26},
                                    {"wait": "soon"}])
def test_bad_parameters(actors, params):
    _system, client, _token = customs_system(scopes=["feed"])
    response = client.get(FEED, params)
    assert response.status_code == 400 and response.json()["code"] == "validation_failed"


def test_feed_needs_its_scope(actors):
    _system, client, _token = customs_system(scopes=["verify"])
    assert client.get(FEED).json()["code"] == "scope_missing"
