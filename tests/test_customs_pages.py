"""Customs officer pages (licence lookup, write-off and reversal by hand, raising a challenge), the
header links, and who may open every customs page."""

from decimal import Decimal

import pytest
from django.utils import timezone

from licensing.customs import challenges
from licensing.models import Challenge, LicenceItem, WriteOff
from tests.test_customs_api import customs_system, make_licence, sysadmin

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, actors):
    client.force_login(actors.customs)
    client.cookies["django_language"] = "en"
    return client


def write_off_form(**changes):
    data = {"declaration_number": "531620261000000001", "line": 1, "item_line": 1, "quantity": "3", "unit": "035",
            "value_rmb": "30000", "shipped_on": timezone.localdate().isoformat(), "port": "2200"}
    data.update(changes)
    return data


def test_lookup_finds_the_licence_or_says_why_not(officer, actors):
    licence = make_licence(actors)
    assert officer.get("/customs/").status_code == 200
    found = officer.get("/customs/", {"number": licence.number.lower()})
    assert found.status_code == 302 and found["Location"] == f"/customs/licences/{licence.number}/"
    bad = officer.get("/customs/", {"number": "2026MC00000X"})
    assert bad.status_code == 400 and b"check character" in bad.content
    unknown = officer.get("/customs/licences/2026MC999999Z/")
    assert unknown.status_code == 404


def test_licence_page_shows_the_facts(officer, actors):
    licence = make_licence(actors)
    page = officer.get(f"/customs/licences/{licence.number}/")
    assert page.status_code == 200
    assert page.context["facts"]["number"] == licence.number
    assert b'data-usable="true"' in page.content and b"10.000" in page.content


def test_officer_records_and_reverses_a_write_off_by_hand(officer, actors):
    licence = make_licence(actors)
    done = officer.post(f"/customs/licences/{licence.number}/write-off/", write_off_form())
    assert done.status_code == 302, done.content
    write_off = WriteOff.objects.get()
    assert write_off.system is None and write_off.recorded_by == actors.customs
    assert LicenceItem.objects.get(licence=licence).used_quantity == Decimal(3)
    page = officer.get(f"/customs/licences/{licence.number}/")
    assert b"531620261000000001" in page.content and b"7.000" in page.content
    over = officer.post(f"/customs/licences/{licence.number}/write-off/", write_off_form(line=2, quantity="8"))
    assert over.status_code == 409 and b"Only 7.000" in over.content
    wrong_unit = officer.post(f"/customs/licences/{licence.number}/write-off/", write_off_form(line=2, unit="m"))
    assert wrong_unit.status_code == 400
    bad = officer.post(f"/customs/licences/{licence.number}/write-off/", write_off_form(line=2, quantity="-1"))
    assert bad.status_code == 400 and WriteOff.objects.count() == 1
    back = officer.post("/customs/write-offs/531620261000000001/1/reverse/", {"reason": "withdrawn"})
    assert back.status_code == 302
    assert LicenceItem.objects.get(licence=licence).used_quantity == 0
    assert WriteOff.objects.get().reversed_by == actors.customs


def test_officer_cannot_reverse_a_systems_write_off(officer, actors):
    licence = make_licence(actors)
    _system, api, _token = customs_system()
    api.post("/api/customs/write-offs/", {**write_off_form(), "licence_number": licence.number}, format="json")
    response = officer.post("/customs/write-offs/531620261000000001/1/reverse/")
    assert response.status_code == 403
    assert LicenceItem.objects.get(licence=licence).used_quantity == Decimal(3)


def test_officer_raises_a_challenge_once(officer, actors):
    form = officer.get("/customs/challenges/new/")
    token = form.context["form"].initial["token"]
    data = {"token": token, "exporter_code": actors.owner.organisation.code, "goods": "Pumps",
            "reason": "Looks like 2B350", "port": "2200"}
    first = officer.post("/customs/challenges/new/", data)
    assert first.status_code == 302
    again = officer.post("/customs/challenges/new/", data)  # a double click
    assert again["Location"] == first["Location"] and Challenge.objects.count() == 1
    bad = officer.post("/customs/challenges/new/", {**data, "token": "", "exporter_code": "NOSUCH"})
    assert bad.status_code == 400
    reference = Challenge.objects.get().reference
    assert officer.get(f"/challenges/{reference}/").status_code == 200
    assert reference.encode() in officer.get("/customs/challenges/").content


def test_header_links(client, actors):
    for user, link, present in ((actors.customs, b'id="nav-customs"', True), (actors.owner, b'id="nav-customs"', False),
                                (sysadmin(), b'id="nav-customs-systems"', True),
                                (actors.ministry, b'id="nav-customs-systems"', False),
                                (actors.ministry, b'id="nav-customs-challenges"', True)):
        client.force_login(user)
        assert (link in client.get("/customs/challenges/" if user.role != "system_admin" else "/customs/systems/")
                .content) is present, (user.role, link)


def test_every_role_on_every_page(client, actors):
    licence = make_licence(actors)
    challenge, _c = challenges.challenge_raise(officer=actors.customs, exporter_code=actors.owner.organisation.code,
                                               goods="Pumps", reason="2B350")
    admin = sysadmin()
    officer_pages = ["/customs/", f"/customs/licences/{licence.number}/", "/customs/challenges/new/"]
    detail = f"/challenges/{challenge.reference}/"
    expected = {
        # role: (officer pages, challenge list, challenge page, systems page)
        "owner": (403, 200, 200, 403), "colleague": (403, 200, 200, 403), "outsider": (403, 200, 404, 403),
        "province": (403, 403, 404, 403), "other_province": (403, 403, 404, 403), "ministry": (403, 200, 200, 403),
        "senior": (403, 200, 200, 403), "agency": (403, 403, 404, 403), "customs": (200, 200, 200, 403),
    }
    for name, (officer_status, list_status, detail_status, systems_status) in expected.items():
        client.force_login(getattr(actors, name))
        for page in officer_pages:
            assert client.get(page).status_code == officer_status, (name, page)
        if officer_status != 200:
            assert client.post(f"/customs/licences/{licence.number}/write-off/", write_off_form()).status_code == 403
            assert client.post("/customs/challenges/new/", {"goods": "x"}).status_code == 403
        assert client.get("/customs/challenges/").status_code == list_status, name
        assert client.get(detail).status_code == detail_status, name
        assert client.get("/customs/systems/").status_code == systems_status, name
    client.force_login(admin)
    assert client.get("/customs/").status_code == 403 and client.get("/customs/systems/").status_code == 200
    assert client.get(detail).status_code == 404
    client.logout()
    for page in [*officer_pages, "/customs/challenges/", detail, "/customs/systems/"]:
        assert client.get(page).status_code == 302, page  # to the sign-in page
    assert not WriteOff.objects.exists()
