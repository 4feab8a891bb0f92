"""The public check behind the QR code: number, status in both languages, validity and item codes,
nothing personal; a wrong number or token says only "no such licence"; rate-limited per client
address (behind trusted proxies, the address the proxy wrote)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from licensing.licences import services
from licensing.models import Licence, LicenceStatus
from tests.test_licence_lifecycle import make_licence

pytestmark = pytest.mark.django_db

STATUS_WORDS = {
    LicenceStatus.ISSUED: ("有效", "Valid"),
    LicenceStatus.SUSPENDED: ("暂停使用", "Suspended"),
    LicenceStatus.REVOKED: ("已撤销", "Revoked"),
    LicenceStatus.EXPIRED: ("已过期", "Expired"),
    LicenceStatus.EXHAUSTED: ("已用完", "Used up"),
    LicenceStatus.SURRENDERED: ("已交回", "Surrendered"),
    LicenceStatus.CANCELLED: ("取代", "Replaced"),
}


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def licence(case_factory):
    return make_licence(case_factory)


def check(licence, token=None, client=None, **extra):
    return (client or Client()).get(f"/verify/{licence.number}/",
                                    {"t": licence.verify_token if token is None else token}, **extra)


def test_the_page_shows_number_status_validity_and_codes_and_nothing_personal(licence):
    app = licence.application
    resp = check(licence)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert licence.number in html and "有效" in html and "Valid" in html
    assert licence.valid_from.isoformat() in html and licence.valid_until.isoformat() in html
    assert "1C902.a" in html
    for personal in (app.exporter.name_zh, app.exporter.name_en, app.exporter.code, app.importer.name,
                     app.end_user.name, app.end_use, app.reference):
        assert personal not in html, personal
    item = licence.items.first()
    assert item.description not in html


@pytest.mark.parametrize("status", LicenceStatus.values)
def test_every_status_in_both_languages(licence, status):
    Licence.objects.filter(pk=licence.pk).update(status=status)
    html = check(licence).content.decode()
    zh, en = STATUS_WORDS[LicenceStatus(status)]
    assert zh in html and en in html


def test_a_licence_past_its_last_day_shows_expired_before_beat_records_it(licence):
    Licence.objects.filter(pk=licence.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    html = check(licence).content.decode()
    assert "已过期" in html and "Expired" in html


def test_a_suspension_shows_at_once(actors, licence):
    services.licence_suspend(actor=actors.ministry, licence_id=licence.pk, reason="Checking")
    html = check(licence).content.decode()
    assert "暂停使用" in html and "Checking" not in html


def test_a_wrong_token_or_number_says_only_no_such_licence(licence):
    wrong_token = check(licence, token="0" * 22)
    no_token = Client().get(f"/verify/{licence.number}/")
    unknown = Client().get("/verify/2026MC999999Z/", {"t": licence.verify_token})
    junk = Client().get("/verify/%3Cscript%3E/")
    bodies = set()
    for resp in (wrong_token, no_token, unknown, junk):
        assert resp.status_code == 404
        html = resp.content.decode()
        assert "No such licence" in html and "查无此许可证" in html
        assert "1C902.a" not in html and licence.valid_until.isoformat() not in html
        bodies.add(html.split('id="verify-result"')[1].split("</p>")[0])
    assert len(bodies) == 1  # the same words whichever way it is wrong


def test_the_check_is_rate_limited_per_client_address(licence, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 3
    client = Client()
    answers = [check(licence, client=client, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = check(licence, client=client, REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "1C902.a" not in limited.content.decode() and licence.valid_until.isoformat() not in limited.content.decode()
    assert "Too many" in limited.content.decode()
    # Another address is counted on its own; wrong numbers count too.
    assert check(licence, client=client, REMOTE_ADDR="203.0.113.8").status_code == 200
    for _ in range(3):
        Client().get("/verify/2026MC999999Z/", REMOTE_ADDR="198.51.100.1")
    assert check(licence, REMOTE_ADDR="198.51.100.1").status_code == 429


def test_behind_a_trusted_proxy_the_address_the_proxy_wrote_is_counted(licence, settings):
    settings.PORTAL_VERIFY_RATE_PER_MINUTE = 2
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for _ in range(2):
        assert check(licence, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9").status_code == 200
    # A forged left-hand entry does not earn a fresh allowance.
    assert check(licence, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9").status_code == 429
    assert check(licence, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200

