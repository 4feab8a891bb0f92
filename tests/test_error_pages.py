"""Errors a person can read: each shows a page of the portal, in the user's language, that says
what to do next; the API keeps its JSON error shape. pytest-django runs with DEBUG off, so
Django uses the portal's handler400/403/404/500 as in production."""

import json
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def translations_json(settings):
    """The Chinese of the msgids added on this branch: translations.json, merged into the catalogue
    for the test as it will be into locale/ (the .po is not edited by feature branches)."""
    import json

    from django.utils.translation import trans_real

    path = settings.BASE_DIR / "translations.json"
    entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    catalog = trans_real.translation("zh-hans")._catalog
    added = [msgid for msgid in entries if msgid not in catalog]
    for msgid in added:  # Chinese has one plural form: (msgid, 0) serves ngettext
        catalog[msgid] = catalog[(msgid, 0)] = entries[msgid]
    yield
    for msgid in added:
        catalog._catalogs[0].pop(msgid, None)
        catalog._catalogs[0].pop((msgid, 0), None)


def browser(user=None, language=None, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    if language:
        client.cookies["django_language"] = language
    return client


def portal_page(resp, status):
    """A page of the portal (its header and error card), not Django's page nor JSON."""
    assert resp.status_code == status
    assert resp["Content-Type"].startswith("text/html")
    html = resp.content.decode()
    assert 'class="top"' in html and f'id="error-page" data-status="{status}"' in html, html[:2000]
    assert "\\u" not in html and "Traceback" not in html and "Django" not in html
    return html


def test_debug_is_off_in_tests(settings):
    assert settings.DEBUG is False


def test_404_page_in_chinese_and_in_english(actors):
    zh = portal_page(browser(actors.owner).get("/cases/987654/"), 404)
    assert "页面不存在" in zh or "不存在" in zh
    assert 'id="error-home"' in zh  # what to do next
    en = portal_page(browser(actors.owner, "en").get("/no-such-page/"), 404)
    assert "This page does not exist" in en and "What you can do" in en and "不存在" not in en
    anonymous = portal_page(browser(language="en").get("/no-such-page/"), 404)
    assert 'id="error-login"' in anonymous


def test_403_page_for_the_wrong_role(actors):
    zh = portal_page(browser(actors.province).get("/cases/new/"), 403)
    assert "不允许" in zh or "无权" in zh
    en = portal_page(browser(actors.province, "en").get("/cases/new/"), 403)
    assert "What you can do" in en and "administrator" in en


def test_500_page_says_nothing_was_changed(actors):
    client = browser(language="en", raise_request_exception=False)
    with mock.patch("portal.views.render", side_effect=RuntimeError("boom")):
        resp = client.get("/")
    html = portal_page(resp, 500)
    assert "nothing was changed" in html and "boom" not in html
    client = browser(raise_request_exception=False)
    with mock.patch("portal.views.render", side_effect=RuntimeError("boom")):
        zh = portal_page(client.get("/"), 500)
    assert '<html lang="zh-hans">' in zh and "Something went wrong" not in zh


def test_request_over_the_limit_is_a_page_not_json(actors, case_factory, settings):
    app = case_factory("draft")
    for language, words in (("en", "too large"), (None, "过大")):
        client = browser(actors.owner, language)
        resp = client.post(f"/cases/{app.pk}/documents/", data=b"x" * 10, content_type="application/pdf",
                           CONTENT_LENGTH=str(settings.PORTAL_MAX_REQUEST_BYTES + 1),
                           HTTP_REFERER=f"http://testserver/cases/{app.pk}/")
        html = portal_page(resp, 413)
        assert words in html and f'href="http://testserver/cases/{app.pk}/"' in html
        assert f"{settings.PORTAL_MAX_UPLOAD_BYTES // (1024 * 1024)} MB" in html
    assert app.documents.count() == 1


def test_form_body_over_django_limit_is_a_413_page(actors, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    resp = browser(actors.owner, "en").post("/cases/new/", {"end_use": "x" * 5000})
    html = portal_page(resp, 413)
    assert "The form sent is too large" in html


def test_bad_request_page(actors, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    resp = browser(actors.owner, "en").post("/cases/new/", {f"f{i}": "x" for i in range(20)})
    assert "What you can do" in portal_page(resp, 400)


def test_csrf_failure_is_a_portal_page(actors):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    assert client.login(username=actors.owner.username, password=PASSWORD)
    html = portal_page(client.post("/cases/new/", {"end_use": "x"}), 403)
    assert "expired" in html and "cookies" in html


def test_oversized_upload_on_a_page_says_so_in_words(actors, case_factory, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 2000
    app = case_factory("draft")
    client = browser(actors.owner, "en")
    resp = client.post(f"/cases/{app.pk}/documents/", {
        "kind": "end_user_certificate", "file": SimpleUploadedFile("big.pdf", pdf_bytes(pages=40))}, follow=True)
    html = resp.content.decode()
    assert resp.status_code in (200, 400, 413) and "\\u" not in html and "too large" in html
    assert not html.lstrip().startswith("{")
    assert app.documents.count() == 1


# ---------------------------------------------------------------- the API keeps its JSON


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def json_error(resp, status, code):
    assert resp.status_code == status and resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["code"] == code and body["detail"] and set(body["messages"]) == {"zh-hans", "en"}
    return body


def test_api_404_403_413_and_500_stay_json(actors, case_factory, settings):
    json_error(api(actors.owner).get("/api/no-such-endpoint/"), 404, "not_found")
    json_error(api(actors.owner).get("/api/applications/987654/"), 404, "not_found")
    app = case_factory("draft")
    json_error(api(actors.owner).post(f"/api/applications/{app.pk}/documents/", data=b"x" * 10,
                                      content_type="application/pdf",
                                      CONTENT_LENGTH=str(settings.PORTAL_MAX_REQUEST_BYTES + 1)), 413, "too_large")
    client = Client(raise_request_exception=False)
    with mock.patch("portal.views.render", side_effect=RuntimeError("boom")):
        # A failing API view answers JSON too: the handler is chosen by path.
        from portal import views

        request = mock.Mock(path="/api/me/")
        resp = views.server_error(request)
    assert resp.status_code == 500 and json.loads(resp.content)["code"] == "server_error"
    assert client.get("/api/schema/").status_code in (200, 401, 403)


def test_api_request_body_over_django_limit_is_json(actors, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    resp = api(actors.owner).post("/api/applications/", {"end_use": "x" * 5000}, format="json")
    json_error(resp, 400, "bad_request")


def test_unknown_host_is_a_400_page_not_a_500():
    resp = Client().get("/accounts/login/", HTTP_HOST="evil.example", HTTP_REFERER="http://evil.example/x")
    html = portal_page(resp, 400)
    assert "evil.example" not in html
