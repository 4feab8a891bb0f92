"""Registration that checks what it can (issue 12, section 6): the province follows the credit
code, the business licence scan goes to the province and the ministry only, the password rules are
shown and the password typed twice, and sign-in is throttled per account and per address."""

import io
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts import selectors, services
from accounts.models import BusinessLicenceScan, Organisation, Province, Role, User
from accounts.signin.services import signin_unlock
from accounts.signin.views import lockout_message
from audit.models import AuditEvent
from portal.errors import NotAllowed, ValidationFailed
from tests.factories import (
    PASSWORD,
    ExporterFactory,
    UserFactory,
    authority,
    make_uscc,
    pdf_bytes,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

FUJIAN = "350203"  # 厦门市思明区
SHANGHAI = "310115"  # 上海市浦东新区
NATIONAL = "100000"  # registered by a national authority: no province

REGISTRATION = {
    "name_zh": "厦门测试材料有限公司", "name_en": "Xiamen Test Materials Co., Ltd.", "address": "厦门市思明区测试路 1 号",
    "contact_name": "林", "contact_phone": "0592-1234567", "email": "admin@xm.example", "username": "xm_admin",
    "password": "Very-secret-2026",
}


def register(n=1, region=FUJIAN, scan="default", **changes):
    scan = pdf_upload("营业执照.pdf") if scan == "default" else scan
    data = {**REGISTRATION, "uscc": make_uscc(n, region=region), **changes}
    return services.exporter_register(data=data, licence_scan=scan)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sysadmin(db):
    return UserFactory(organisation=authority("OPERATOR"), role=Role.SYSTEM_ADMIN)


# --- the province follows the credit code ------------------------------------------------------

def test_province_is_derived_from_the_division_digits():
    assert services.uscc_division(make_uscc(1, region=FUJIAN)) == FUJIAN
    assert services.province_for_uscc(make_uscc(1, region=FUJIAN)).pk == "35"
    assert services.province_for_uscc(make_uscc(1, region="440300")).pk == "44"
    assert services.province_for_uscc(make_uscc(1, region=NATIONAL)) is None


def test_registration_without_a_province_goes_to_the_one_the_code_names():
    org, user = register(province="")
    assert org.province_id == "35" and user.role == Role.EXPORTER_ADMIN
    event = AuditEvent.objects.get(action="organisation.register", object_id=str(org.pk))
    assert event.after["province"] == "35"


def test_registration_with_the_matching_province_is_accepted():
    org, _user = register(province="35")
    assert org.province_id == "35"


def test_fujian_code_cannot_be_sent_to_shanghai_for_verification(settings):
    with pytest.raises(ValidationFailed) as caught:
        register(province="31")
    assert caught.value.code == "province_mismatch" and "province" in caught.value.fields
    with translation.override("en"):
        message = str(caught.value.message)
    assert "Fujian" in message and "Shanghai" in message and FUJIAN in message
    with translation.override("zh-hans"):
        assert "福建省" in str(caught.value.message) and "上海市" in str(caught.value.message)
    assert not Organisation.objects.filter(code=make_uscc(1, region=FUJIAN)).exists()
    assert not User.objects.filter(username="xm_admin").exists()
    assert not BusinessLicenceScan.objects.exists() and not stored_files(settings)


def test_mismatch_through_the_api_is_refused_in_both_languages():
    resp = APIClient().post("/api/exporters/register/", {
        **REGISTRATION, "uscc": make_uscc(2, region=FUJIAN), "province": "31", "licence_scan": pdf_upload(),
    }, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["code"] == "province_mismatch" and "province" in body["fields"]
    assert "Fujian" in body["messages"]["en"] and "福建省" in body["messages"]["zh-hans"]
    assert not Organisation.objects.filter(code=make_uscc(2, region=FUJIAN)).exists()


def test_mismatch_on_the_page_is_shown_beside_the_province(client):
    client.cookies["django_language"] = "en"
    resp = client.post("/register/", {
        **REGISTRATION, "uscc": make_uscc(3, region=FUJIAN), "province": "31", "password_again": "Very-secret-2026",
        "licence_scan": pdf_upload()})
    assert resp.status_code == 400
    assert b"verified there, not in" in resp.content
    assert resp.context["form"].errors["province"]
    assert not Organisation.objects.filter(code=make_uscc(3, region=FUJIAN)).exists()


def test_a_nationally_issued_code_needs_the_province_chosen():
    with pytest.raises(ValidationFailed) as caught:
        register(region=NATIONAL, province="")
    assert caught.value.code == "province_required"
    org, _user = register(region=NATIONAL, province="31")
    assert org.province_id == "31"


@pytest.mark.parametrize("province", ["99", "3", "311", "xx"])
def test_unknown_province_is_refused(province):
    with pytest.raises(ValidationFailed) as caught:
        register(province=province)
    assert "province" in caught.value.fields
    assert not Organisation.objects.filter(code=make_uscc(1, region=FUJIAN)).exists()


# --- existing rows that disagree --------------------------------------------------------------

def test_disagreeing_rows_are_listed():
    wrong = ExporterFactory(code=make_uscc(10, region=FUJIAN), province=Province.objects.get(pk="31"))
    none = ExporterFactory(code=make_uscc(11, region=FUJIAN), province=None)
    right = ExporterFactory(code=make_uscc(12, region=FUJIAN), province=Province.objects.get(pk="35"))
    national = ExporterFactory(code=make_uscc(13, region=NATIONAL), province=Province.objects.get(pk="11"))
    listed = {org.pk: org.code_province for org in selectors.province_mismatches()}
    assert listed == {wrong.pk: "35", none.pk: "35"}
    assert right.pk not in listed and national.pk not in listed


def test_disagreeing_rows_page_and_api_for_the_system_administrator_only(actors, sysadmin):
    wrong = ExporterFactory(code=make_uscc(14, region=FUJIAN), province=Province.objects.get(pk="31"))
    resp = signed_in(sysadmin).get("/registration-checks/")
    assert resp.status_code == 200
    assert wrong.code.encode() in resp.content and "福建省".encode() in resp.content
    api = APIClient()
    api.force_authenticate(sysadmin)
    rows = api.get("/api/registration-checks/province-mismatches/").json()
    assert {r["code"]: r["code_province"] for r in rows}[wrong.code] == "35"
    for name in ("owner", "colleague", "province", "ministry", "senior", "agency", "customs"):
        user = getattr(actors, name)
        assert signed_in(user).get("/registration-checks/").status_code == 403, name
        api.force_authenticate(user)
        assert api.get("/api/registration-checks/province-mismatches/").status_code == 403, name
    assert Client().get("/registration-checks/").status_code == 302  # to the sign-in page


def test_management_command_lists_the_disagreeing_rows():
    wrong = ExporterFactory(code=make_uscc(15, region=FUJIAN), province=Province.objects.get(pk="31"))
    out = io.StringIO()
    call_command("province_mismatches", stdout=out)
    assert wrong.code in out.getvalue() and "Fujian" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("province_mismatches", "--check", stdout=io.StringIO())
    wrong.province_id = "35"
    wrong.save()
    call_command("province_mismatches", "--check", stdout=io.StringIO())  # all agree: no error


# --- the business licence scan ----------------------------------------------------------------

def test_scan_is_stored_with_the_registration(settings):
    org, user = register(province="35")
    scan = org.licence_scan
    assert scan.original_name == "营业执照.pdf" and scan.uploaded_by == user
    assert scan.file.read() == pdf_bytes() and len(stored_files(settings)) == 1
    event = AuditEvent.objects.get(action="organisation.register", object_id=str(org.pk))
    assert event.after["licence_scan"]["sha256"] == scan.sha256


@pytest.mark.parametrize("scan,code", [
    (None, "licence_scan_required"),
    (pdf_upload("licence.pdf", b"GIF89a not a pdf"), "not_pdf"),
    (pdf_upload("licence.pdf", b"%PDF-1.7\n garbage"), "bad_pdf"),
    (pdf_upload("licence.pdf", b""), "validation_failed"),
])
def test_bad_scan_is_refused_and_nothing_is_stored(settings, scan, code):
    with pytest.raises(ValidationFailed) as caught:
        register(scan=scan)
    assert caught.value.code == code and "licence_scan" in caught.value.fields
    assert not Organisation.objects.filter(code=make_uscc(1, region=FUJIAN)).exists()
    assert not User.objects.filter(username="xm_admin").exists()
    assert not stored_files(settings)


def test_oversized_scan_is_refused(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024 * 1024
    big = pdf_upload("licence.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10))
    resp = APIClient().post("/api/exporters/register/", {
        **REGISTRATION, "uscc": make_uscc(20, region=FUJIAN), "licence_scan": big,
    }, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 400 and resp.json()["code"] == "too_large"
    assert "licence_scan" in resp.json()["fields"]
    assert not Organisation.objects.filter(code=make_uscc(20, region=FUJIAN)).exists()
    assert not stored_files(settings)


def test_page_asks_for_the_scan(client):
    client.cookies["django_language"] = "en"
    resp = client.post("/register/", {**REGISTRATION, "uscc": make_uscc(21, region=FUJIAN),
                                      "password_again": "Very-secret-2026"})
    assert resp.status_code == 400 and resp.context["form"].errors["licence_scan"]
    resp = client.post("/register/", {**REGISTRATION, "uscc": make_uscc(21, region=FUJIAN),
                                      "password_again": "Very-secret-2026",
                                      "licence_scan": pdf_upload("x.pdf", b"not a pdf")})
    assert resp.status_code == 400 and b"Only PDF files are accepted." in resp.content
    assert not Organisation.objects.filter(code=make_uscc(21, region=FUJIAN)).exists()


@pytest.fixture
def shanghai_registration(actors):
    """A company registered through the service in Shanghai, province 31 (actors.province's)."""
    org, admin = register(n=30, region=SHANGHAI, province="31", username="sh_admin")
    colleague = UserFactory(organisation=org, role=Role.EXPORTER_STAFF)
    return org, admin, colleague


def test_who_can_download_the_scan(actors, sysadmin, shanghai_registration):
    org, admin, colleague = shanghai_registration
    url = f"/companies/{org.pk}/licence-scan/"
    allowed = {"the company's admin": admin, "its colleague": colleague, "its province": actors.province,
               "ministry": actors.ministry, "senior": actors.senior}
    for who, user in allowed.items():
        resp = signed_in(user).get(url)
        assert resp.status_code == 200, who
        assert resp["Content-Type"] == "application/pdf" and b"".join(resp) == pdf_bytes()
    refused = {"other exporter": actors.outsider, "exporter of another company": actors.owner,
               "other province": actors.other_province, "agency": actors.agency, "customs": actors.customs,
               "system administrator": sysadmin}
    for who, user in refused.items():
        assert signed_in(user).get(url).status_code == 404, who
    assert Client().get(url).status_code == 302


def test_who_can_download_the_scan_through_the_api(actors, shanghai_registration):
    org, admin, _colleague = shanghai_registration
    api = APIClient()
    for user, status in [(admin, 200), (actors.province, 200), (actors.ministry, 200), (actors.outsider, 404),
                         (actors.other_province, 404), (actors.agency, 404), (actors.customs, 404)]:
        api.force_authenticate(user)
        assert api.get(f"/api/companies/{org.pk}/licence-scan/").status_code == status, user.role
    api.force_authenticate(actors.ministry)
    assert api.get(f"/api/companies/{actors.owner.organisation_id}/licence-scan/").status_code == 404  # none
    api.force_authenticate(actors.province)
    listed = {c["id"]: c["licence_scan"] for c in api.get("/api/companies/").json()}
    assert listed[org.pk] == f"/api/companies/{org.pk}/licence-scan/"
    assert listed[actors.owner.organisation_id] is None


def test_province_sees_the_scan_link_on_its_registrations_page(actors, shanghai_registration):
    org, _admin, _colleague = shanghai_registration
    resp = signed_in(actors.province).get("/companies/")
    assert f"/companies/{org.pk}/licence-scan/".encode() in resp.content
    assert f"/companies/{org.pk}/licence-scan/".encode() not in signed_in(actors.other_province).get(
        "/companies/").content


# --- the password: rules shown first, typed twice -----------------------------------------------

def test_password_rules_are_shown_before_typing_in_the_portals_language(client):
    zh = client.get("/register/")
    assert "10 个字符".encode() in zh.content, "Django's rules in Chinese"
    assert b"Your password must contain" not in zh.content
    client.cookies["django_language"] = "en"
    en = client.get("/register/")
    assert b"Your password must contain at least 10 characters." in en.content
    assert b'name="password_again"' in en.content


def test_passwords_that_differ_are_refused_on_the_page(client):
    client.cookies["django_language"] = "en"
    resp = client.post("/register/", {**REGISTRATION, "uscc": make_uscc(40, region=FUJIAN),
                                      "password_again": "Very-secret-2027", "licence_scan": pdf_upload()})
    assert resp.status_code == 400 and b"The two passwords differ" in resp.content
    assert not Organisation.objects.filter(code=make_uscc(40, region=FUJIAN)).exists()
    resp = client.post("/register/", {**REGISTRATION, "uscc": make_uscc(40, region=FUJIAN),
                                      "licence_scan": pdf_upload()})
    assert resp.status_code == 400 and resp.context["form"].errors["password_again"]
    resp = client.post("/register/", {**REGISTRATION, "uscc": make_uscc(40, region=FUJIAN),
                                      "password_again": "Very-secret-2026", "licence_scan": pdf_upload()})
    assert resp.status_code == 302
    assert User.objects.get(username="xm_admin").check_password("Very-secret-2026")


def test_passwords_that_differ_are_refused_by_the_service_and_the_api():
    with pytest.raises(ValidationFailed) as caught:
        register(password_again="Other-secret-2026")
    assert caught.value.code == "password_mismatch"
    resp = APIClient().post("/api/exporters/register/", {
        **REGISTRATION, "uscc": make_uscc(41, region=FUJIAN), "password_again": "nope",
        "licence_scan": pdf_upload()}, format="multipart")
    assert resp.status_code == 400 and "password_again" in resp.json()["fields"]
    assert not Organisation.objects.exists() or not Organisation.objects.filter(
        code=make_uscc(41, region=FUJIAN)).exists()


def test_invitation_page_asks_for_the_password_twice(actors):
    from accounts.models import Invitation

    invitation = services.invitation_create(actor=actors.colleague, email="new@example.com")
    url = f"/invitations/{invitation.token}/"
    page = Client().get(url)
    assert b'name="password_again"' in page.content
    resp = Client().post(url, {"username": "newbie", "password": "Clerk-secret-2026",
                               "password_again": "Clerk-secret-2027"})
    assert resp.status_code == 400 and not User.objects.filter(username="newbie").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


# --- sign-in throttling -----------------------------------------------------------------------

def sign_in(username, password, address="10.0.0.1", language=None):
    client = Client(REMOTE_ADDR=address)
    if language:
        client.cookies["django_language"] = language
    return client.post("/accounts/login/", {"username": username, "password": password})


def token(username, password, address="10.0.0.1", language="en"):
    return APIClient(REMOTE_ADDR=address).post("/api/auth/token/", {"username": username, "password": password},
                                               format="json", HTTP_ACCEPT_LANGUAGE=language)


def test_sign_in_and_token_work_with_the_throttle_on(actors, settings):
    assert settings.AXES_ENABLED
    assert sign_in(actors.owner.username, PASSWORD).status_code == 302
    resp = token(actors.owner.username, PASSWORD)
    assert resp.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    assert api.get("/api/me/").json()["username"] == actors.owner.username


def test_account_is_locked_after_five_failures_from_any_address(actors, settings):
    settings.AXES_FAILURE_LIMIT = 5
    name = actors.owner.username
    for n in range(4):
        assert sign_in(name, "wrong-password", address=f"10.0.1.{n}").status_code == 200  # the form again
    locked = sign_in(name, "wrong-password", address="10.0.1.9", language="en")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content and b"30 minutes" in locked.content
    # Now even the right password, from a new address, is refused, in the user's language.
    zh = sign_in(name, PASSWORD, address="10.0.2.1", language="zh-hans")
    with translation.override("zh-hans"):
        in_chinese = str(lockout_message())
    assert zh.status_code == 429 and in_chinese.encode() in zh.content
    assert "_auth_user_id" not in zh.client.session
    # and through the API, with the error shape in both languages.
    resp = token(name, PASSWORD, address="10.0.2.2")
    assert resp.status_code == 429
    body = resp.json()
    assert body["code"] == "signin_locked" and "Too many failed sign-ins" in body["messages"]["en"]
    assert body["messages"]["zh-hans"] == in_chinese
    # Another account is not affected.
    assert sign_in(actors.colleague.username, PASSWORD, address="10.0.2.3").status_code == 302


def test_address_is_locked_after_five_failures_on_any_accounts(actors, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(5):
        token(f"nobody{n}", "wrong-password", address="10.9.9.9")
    assert sign_in(actors.owner.username, PASSWORD, address="10.9.9.9").status_code == 429
    assert token(actors.owner.username, PASSWORD, address="10.9.9.9").status_code == 429
    # The account itself is not locked: from another address it signs in.
    assert sign_in(actors.owner.username, PASSWORD, address="10.9.9.10").status_code == 302


def test_system_administrator_sees_the_locks_and_unlocks(actors, sysadmin, settings):
    settings.AXES_FAILURE_LIMIT = 3
    name = actors.owner.username
    for n in range(3):
        sign_in(name, "wrong-password", address=f"10.0.3.{n}")
    assert sign_in(name, PASSWORD, address="10.0.3.9").status_code == 429
    admin = signed_in(sysadmin)
    page = admin.get("/registration-checks/")
    assert name.encode() in page.content and b"signin-locks" in page.content
    # Nobody else may unlock, and nothing changes when they try.
    for user in (actors.owner, actors.province, actors.ministry):
        assert signed_in(user).post("/registration-checks/unlock/",
                                    {"kind": "username", "value": name}).status_code == 403
    assert AccessAttempt.objects.filter(username=name).exists()
    resp = admin.post("/registration-checks/unlock/", {"kind": "username", "value": name})
    assert resp.status_code == 302 and resp["Location"] == "/registration-checks/"
    assert not AccessAttempt.objects.filter(username=name).exists()
    assert AuditEvent.objects.filter(action="signin.unlock", actor=sysadmin).count() == 1
    assert sign_in(name, PASSWORD, address="10.0.3.9").status_code == 302
    # A second click unlocks nothing and records nothing.
    assert admin.post("/registration-checks/unlock/", {"kind": "username", "value": name}).status_code == 302
    assert AuditEvent.objects.filter(action="signin.unlock").count() == 1


def test_unlocking_an_address(actors, sysadmin, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        sign_in(f"nobody{n}", "wrong-password", address="10.7.7.7")
    assert sign_in(actors.owner.username, PASSWORD, address="10.7.7.7").status_code == 429
    # Three rows of failures and one of the refused attempt, all from that address.
    assert signin_unlock(actor=sysadmin, kind="ip_address", value="10.7.7.7") == 4
    assert sign_in(actors.owner.username, PASSWORD, address="10.7.7.7").status_code == 302


def test_unlock_service_refuses_other_roles_and_bad_input(actors, sysadmin):
    with pytest.raises(NotAllowed):
        signin_unlock(actor=actors.ministry, kind="username", value="x")
    for kind, value in [("everything", "x"), ("username", ""), ("username", None), ("ip_address", "x" * 300)]:
        with pytest.raises(ValidationFailed):
            signin_unlock(actor=sysadmin, kind=kind, value=value)
    assert signin_unlock(actor=sysadmin, kind="username", value="not-locked") == 0


def test_django_axes_admin_and_commands_are_there(sysadmin, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _n in range(3):
        sign_in("victim", "wrong-password", address="10.5.5.5")
    call_command("axes_reset_username", "victim", stdout=io.StringIO())
    assert not AccessAttempt.objects.filter(username="victim").exists()
    superuser = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    assert signed_in(superuser).get("/admin/axes/accessattempt/").status_code == 200


def test_demo_registrations_agree_with_their_codes_and_carry_a_scan():
    call_command("seed_demo", stdout=io.StringIO())
    assert not selectors.province_mismatches().exists()
    pending = Organisation.objects.get(code="91310112MA01RXAB3K")
    assert pending.province_id == "31" and pending.licence_scan.file.read().startswith(b"%PDF-")


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(actors, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1

    def via_proxy(username, password, client_address, spoofed="1.2.3.4"):
        return Client(REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR=f"{spoofed}, {client_address}").post(
            "/accounts/login/", {"username": username, "password": password})

    for n in range(3):
        via_proxy(f"nobody{n}", "wrong-password", "203.0.113.7", spoofed=f"9.9.9.{n}")
    assert via_proxy(actors.owner.username, PASSWORD, "203.0.113.7").status_code == 429
    # Everyone else behind the same proxy still signs in.
    assert via_proxy(actors.colleague.username, PASSWORD, "203.0.113.8").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_leaving_the_code_selects_the_province_it_names(client):
    page = client.get("/register/")
    assert b'hx-get="/register/province/"' in page.content
    resp = client.get("/register/province/", {"uscc": make_uscc(50, region=FUJIAN), "province": "31"})
    assert resp.status_code == 200
    assert b'<option value="35" selected>' in resp.content and b'id="id_province"' in resp.content
    kept = client.get("/register/province/", {"uscc": "not a code", "province": "31"})
    assert b'<option value="31" selected>' in kept.content
    national = client.get("/register/province/", {"uscc": make_uscc(51, region=NATIONAL), "province": "44"})
    assert b'<option value="44" selected>' in national.content


def test_invitation_api_checks_the_second_password_when_sent(actors):
    invitation = services.invitation_create(actor=actors.colleague, email="api-new@example.com")
    url = f"/api/invitations/{invitation.token}/accept/"
    resp = APIClient().post(url, {"username": "apinew", "password": "Clerk-secret-2026",
                                  "password_again": "Clerk-secret-2027"}, format="json")
    assert resp.status_code == 400 and "password_again" in resp.json()["fields"]
    assert not User.objects.filter(username="apinew").exists()
    resp = APIClient().post(url, {"username": "apinew", "password": "Clerk-secret-2026",
                                  "password_again": "Clerk-secret-2026"}, format="json")
    assert resp.status_code == 201
