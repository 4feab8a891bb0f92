"""The inbox: only the recipient sees a notification; read marks; the nav's unread count."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.context_processors import unread_notifications
from notifications.models import Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db


def tell(user, key, *, minutes_ago=0, read=False, url="/cases/1/"):
    with transaction.atomic():
        note = notify(recipients=[user], key=key, kind="test", title_zh=f"中文标题 {key}",
                      title_en=f"English title {key}", body_zh="中文正文", body_en="English body", url=url,
                      application_id=1, email=False)[0]
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        read_at=timezone.now() if read else None)
    return note


def page(user, language="en"):
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    return client


def api(user, language="en"):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def inbox(actors):
    return {
        "old_unread": tell(actors.ministry, "a", minutes_ago=30),
        "new_unread": tell(actors.ministry, "b", minutes_ago=5),
        "newest_read": tell(actors.ministry, "c", minutes_ago=1, read=True),
        "others": tell(actors.senior, "d"),
    }


def test_inbox_lists_only_my_notifications_unread_first_then_newest(actors, inbox):
    html = page(actors.ministry).get("/inbox/").content.decode()
    order = [html.index(f'id="note-{inbox[key].pk}"') for key in ("new_unread", "old_unread", "newest_read")]
    assert order == sorted(order)
    assert f'id="note-{inbox["others"].pk}"' not in html
    assert "English title b" in html and "中文标题" not in html
    assert 'href="/cases/1/"' in html

    data = api(actors.ministry).get("/api/notifications/").json()
    assert [row["id"] for row in data["results"]] == [inbox[k].pk for k in ("new_unread", "old_unread", "newest_read")]
    assert data["unread"] == 2 and data["count"] == 3
    unread = api(actors.ministry).get("/api/notifications/", {"unread": "1"}).json()
    assert [row["id"] for row in unread["results"]] == [inbox["new_unread"].pk, inbox["old_unread"].pk]
    html = page(actors.ministry).get("/inbox/?unread=1").content.decode()
    assert f'id="note-{inbox["newest_read"].pk}"' not in html


def test_texts_follow_the_reader_language(actors, inbox):
    html = page(actors.ministry, "zh-hans").get("/inbox/").content.decode()
    assert "中文标题 b" in html and "English title" not in html
    row = api(actors.ministry, "zh-hans").get("/api/notifications/").json()["results"][0]
    assert row["title"] == "中文标题 b" and row["body"] == "中文正文"
    row = api(actors.ministry, "en").get("/api/notifications/").json()["results"][0]
    assert row["title"] == "English title b" and row["title_zh"] == "中文标题 b"


def test_mark_one_read_from_the_page(actors, inbox):
    client = page(actors.ministry)
    resp = client.post(f"/inbox/{inbox['old_unread'].pk}/read/", {"next": "/inbox/?unread=1"})
    assert resp.status_code == 302 and resp["Location"] == "/inbox/?unread=1"
    inbox["old_unread"].refresh_from_db()
    assert inbox["old_unread"].read_at is not None
    # Again (a double click): still read, still a redirect.
    assert client.post(f"/inbox/{inbox['old_unread'].pk}/read/").status_code == 302
    # Someone else's: 404, and it stays unread.
    assert client.post(f"/inbox/{inbox['others'].pk}/read/").status_code == 404
    assert Notification.objects.get(pk=inbox["others"].pk).read_at is None
    assert client.get(f"/inbox/{inbox['new_unread'].pk}/read/").status_code == 405
    assert client.post("/inbox/999999/read/").status_code == 404


def test_mark_all_read_from_the_page_touches_only_mine(actors, inbox):
    resp = page(actors.ministry).post("/inbox/read-all/", follow=True)
    assert resp.status_code == 200 and b"2 notifications marked as read." in resp.content
    assert not Notification.objects.filter(recipient=actors.ministry, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=inbox["others"].pk).read_at is None
    resp = page(actors.ministry).post("/inbox/read-all/", {"next": "https://evil.example/"})
    assert resp["Location"] == "/inbox/"


def test_page_posts_need_the_csrf_token(actors, inbox):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.ministry)
    assert client.post("/inbox/read-all/").status_code == 403
    assert client.post(f"/inbox/{inbox['new_unread'].pk}/read/").status_code == 403
    assert Notification.objects.filter(recipient=actors.ministry, read_at__isnull=True).count() == 2


def test_mark_read_through_the_api(actors, inbox):
    resp = api(actors.ministry).post("/api/notifications/read/", {"ids": [inbox["new_unread"].pk]}, format="json")
    assert resp.status_code == 200 and resp.json() == {"marked": 1, "unread": 1}
    again = api(actors.ministry).post("/api/notifications/read/", {"ids": [inbox["new_unread"].pk]}, format="json")
    assert again.json() == {"marked": 0, "unread": 1}
    # An id that is not mine: 404, and nothing at all is marked.
    resp = api(actors.ministry).post("/api/notifications/read/",
                                     {"ids": [inbox["old_unread"].pk, inbox["others"].pk]}, format="json")
    assert resp.status_code == 404
    assert Notification.objects.get(pk=inbox["old_unread"].pk).read_at is None
    assert Notification.objects.get(pk=inbox["others"].pk).read_at is None
    resp = api(actors.ministry).post("/api/notifications/read/", {"all": True}, format="json")
    assert resp.json() == {"marked": 1, "unread": 0}


@pytest.mark.parametrize("body", [{}, {"all": False}, {"ids": []}, {"ids": "1"}, {"ids": ["x"]}, {"ids": [0]},
                                  {"ids": [10**30]}, {"all": "maybe"}, [], "all"])
def test_bad_read_bodies_are_400(actors, inbox, body):
    resp = api(actors.ministry).post("/api/notifications/read/", body, format="json")
    assert resp.status_code == 400, resp.content
    assert Notification.objects.filter(recipient=actors.ministry, read_at__isnull=True).count() == 2


def test_bad_list_parameters(actors, inbox):
    assert api(actors.ministry).get("/api/notifications/", {"unread": "yes"}).status_code == 400
    assert api(actors.ministry).get("/api/notifications/", {"page": 5}).status_code == 404


def test_anonymous_sees_no_inbox(actors, inbox):
    resp = Client().get("/inbox/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert Client().post("/inbox/read-all/").status_code == 302
    assert APIClient().get("/api/notifications/").status_code == 403
    assert APIClient().post("/api/notifications/read/", {"all": True}, format="json").status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


def test_nav_shows_the_unread_count(actors, inbox):
    html = page(actors.ministry).get("/inbox/").content.decode()
    assert '<span id="unread-count">2</span>' in html
    html = page(actors.senior).get("/review/").content.decode()
    assert '<span id="unread-count">1</span>' in html
    html = page(actors.owner).get("/cases/").content.decode()
    assert '<span id="unread-count">0</span>' in html
    assert 'id="nav-inbox"' not in Client().get("/accounts/login/").content.decode()


def test_unread_count_is_one_query_and_none_for_anonymous(actors, inbox, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request)["unread_notifications"] == 0
    request.user = actors.ministry
    context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "2" and context["unread_notifications"]
        assert f"{context['unread_notifications']}" == "2"  # evaluated once


def test_a_link_outside_the_portal_is_not_a_link(actors):
    tell(actors.ministry, "evil", url="https://evil.example/")
    tell(actors.ministry, "evil2", url="//evil.example/")
    html = page(actors.ministry).get("/inbox/").content.decode()
    assert "evil.example" not in html and "English title evil" in html
