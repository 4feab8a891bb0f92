"""The thin case through the server-rendered pages (Django test client)."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Invitation, User
from licensing.models import Application
from tests.factories import PASSWORD, make_uscc, pdf_upload

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


FORM = {
    "item_control_code": "3A001.a", "item_description": "Integrated circuits", "item_quantity": "100",
    "item_unit": "pcs", "item_value_rmb": "50000", "destination": "SG",
    "importer_name": "Lion Trading Pte Ltd", "importer_address": "1 Raffles Place", "importer_country": "SG",
    "end_user_name": "Lion Labs", "end_user_address": "2 Science Park", "end_user_country": "SG",
    "end_use": "Testing of radar modules",
}


def test_pages_are_chinese_by_default_and_english_on_request(client):
    zh = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # an English browser
    assert zh.status_code == 200 and '<html lang="zh-hans">' in zh.content.decode()
    assert "登录" in zh.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    en = client.get("/accounts/login/")
    assert '<html lang="en">' in en.content.decode() and "Sign in" in en.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_api_errors_follow_accept_language(actors):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(actors.owner)
    en = api.post("/api/applications/", {"destination": "ZZ"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    zh = api.post("/api/applications/", {"destination": "ZZ"}, format="json")
    assert en.status_code == zh.status_code == 400
    assert "country code" in en.json()["detail"] and en.json()["detail"] != zh.json()["detail"]
    assert zh.json()["messages"]["en"] == en.json()["detail"]


def test_register_invite_and_accept_in_the_browser(client, django_capture_on_commit_callbacks):
    resp = client.post("/register/", {
        "uscc": make_uscc(4242), "name_zh": "宁波测试有限公司", "name_en": "Ningbo Test Ltd",
        "province": "33", "address": "宁波", "contact_name": "王", "contact_phone": "0574-1",
        "email": "boss@nb.example", "username": "nb_admin", "password": "Very-secret-2026"})
    assert resp.status_code == 302
    admin = User.objects.get(username="nb_admin")
    assert admin.role == "exporter_admin" and admin.organisation.province_id == "33"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/staff/", {"email": "clerk@nb.example"})
    assert resp.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["clerk@nb.example"]
    link = re.search(r"/invitations/([\w-]+)/", mail.outbox[0].body).group(0)
    # Inviting the same person again sends nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/", {"email": "clerk@nb.example"})
    assert len(mail.outbox) == 1 and Invitation.objects.count() == 1

    newcomer = Client()
    assert newcomer.get(link).status_code == 200
    resp = newcomer.post(link, {"username": "nb_clerk", "password": "Clerk-secret-2026"})
    assert resp.status_code == 302
    clerk = User.objects.get(username="nb_clerk")
    assert clerk.organisation_id == admin.organisation_id and clerk.role == "exporter_staff"
    assert Client().get(link).status_code == 404  # used once only


def test_exporter_files_province_forwards_ministry_decides(actors, calendar_2027,
                                                          django_capture_on_commit_callbacks):
    exporter = signed_in(actors.owner)
    form = exporter.get("/cases/new/")
    token = re.search(rb'name="client_token" value="([^"]+)"', form.content).group(1).decode()
    resp = exporter.post("/cases/new/", {**FORM, "client_token": token})
    assert resp.status_code == 302
    again = exporter.post("/cases/new/", {**FORM, "client_token": token})  # double click
    assert again.status_code == 302 and again["Location"] == resp["Location"]
    app = Application.objects.get()
    page = exporter.get(f"/cases/{app.pk}/")
    assert page.status_code == 200 and b"3A001.a" in page.content and b'id="missing"' in page.content

    resp = exporter.post(f"/cases/{app.pk}/documents/", {"kind": "end_user_certificate", "version": app.version,
                                                       "file": pdf_upload()})
    assert resp.status_code == 302
    app.refresh_from_db()
    edit = exporter.post(f"/cases/{app.pk}/edit/", {**FORM, "end_use": "Radar module tests", "version": app.version})
    assert edit.status_code == 302
    app.refresh_from_db()
    assert exporter.post(f"/cases/{app.pk}/act/submit/", {"version": app.version}).status_code == 302

    province = signed_in(actors.province)
    queue = province.get("/cases/")
    app.refresh_from_db()
    assert app.reference.encode() in queue.content
    assert province.post(f"/cases/{app.pk}/act/forward/", {"version": app.version}).status_code == 302

    ministry = signed_in(actors.ministry)
    app.refresh_from_db()
    assert app.reference.encode() in ministry.get("/cases/").content
    assert ministry.post(f"/cases/{app.pk}/act/accept/", {"version": app.version}).status_code == 302
    app.refresh_from_db()
    detail = ministry.get(f"/cases/{app.pk}/")
    assert b'id="decision-deadline"' in detail.content
    due = app.accepted_at  # the page shows a date, not an error about the calendar
    assert str(due.year).encode() in detail.content
    assert ministry.post(f"/cases/{app.pk}/referrals/skip/", {"version": app.version,
                                                             "reason": "无需会商"}).status_code == 302
    app.refresh_from_db()
    assert b'id="form-recommend"' in ministry.get(f"/cases/{app.pk}/").content
    with django_capture_on_commit_callbacks(execute=True):
        # 3A001.a, RMB 50,000, nobody objected: no countersignature rule applies, it takes effect at once.
        assert ministry.post(f"/cases/{app.pk}/decision/recommend/", {
            "version": app.version, "outcome": "approve", "reasons": "同意"}).status_code == 302
    app.refresh_from_db()
    assert app.status == "approved"
    page = exporter.get(f"/cases/{app.pk}/")
    assert b'id="licence-download"' in page.content
    pdf = exporter.get(f"/cases/{app.pk}/licence.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b'id="licence-download"' not in province.get(f"/cases/{app.pk}/").content


def test_returned_case_shows_the_reason_and_can_be_resubmitted(actors, case_factory):
    app = case_factory("submitted")
    province = signed_in(actors.province)
    resp = province.post(f"/cases/{app.pk}/act/return/", {"version": app.version, "reason": "缺少合同"})
    assert resp.status_code == 302
    exporter = signed_in(actors.owner)
    page = exporter.get(f"/cases/{app.pk}/")
    assert "缺少合同" in page.content.decode()
    app.refresh_from_db()
    assert exporter.post(f"/cases/{app.pk}/act/submit/", {"version": app.version}).status_code == 302
    app.refresh_from_db()
    assert app.status == "submitted" and app.return_reason == ""


def test_form_errors_are_shown_and_nothing_saved(actors):
    exporter = signed_in(actors.owner)
    exporter.cookies["django_language"] = "en"
    resp = exporter.post("/cases/new/", {**FORM, "item_quantity": "-3"})
    assert resp.status_code == 400
    assert "greater than zero" in resp.content.decode()
    assert not Application.objects.exists()


def test_wrong_role_cannot_open_the_new_application_page(actors):
    assert signed_in(actors.province).get("/cases/new/").status_code == 403
    assert signed_in(actors.customs).get("/cases/").status_code == 200  # an empty list, nothing leaks


def test_health_endpoint(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok", "database": "ok"}


def test_overdue_case_says_so(actors, case_factory):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from licensing.applications.selectors import decision_deadline

    app = case_factory("accepted")
    accepted = datetime(2026, 1, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    Application.objects.filter(pk=app.pk).update(accepted_at=accepted)
    app.refresh_from_db()
    from datetime import date

    deadline = decision_deadline(app, today=date(2026, 3, 31))
    # 45 working days after Mon 5 Jan 2026, across the Spring Festival (Feb 15-23, with the working
    # Saturdays Feb 14 and 28): due Fri 13 Mar; 31 Mar is 12 working days later.
    assert deadline.due == date(2026, 3, 13) and deadline.days_left == -12 and deadline.overdue == 12
    client = signed_in(actors.ministry)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cases/{app.pk}/").content.decode()
    assert "2026-03-13" in page and "overdue by" in page


def test_a_code_not_in_the_list_is_refused_next_to_the_code_field(actors):
    """Every application form checks codes against the control list in force (issue 4)."""
    exporter = signed_in(actors.owner)
    exporter.cookies["django_language"] = "en"
    resp = exporter.post("/cases/new/", {**FORM, "item_control_code": "3A999"})
    assert resp.status_code == 400
    assert "item_control_code" in resp.context["form"].errors
    assert "not in the control list in force" in " ".join(resp.context["form"].errors["item_control_code"])
    assert not Application.objects.exists()
