"""The API's manners: who may not act hears so before its body is read; each message slot holds its
own language; malformed JSON and duplicate keys get a plain answer; cases carry an ETag and a
write must name the version it changes (If-Match or `version`)."""

import re

import pytest
import yaml
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from licensing.models import Application
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
WRITES = ("post", "put", "patch", "delete")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _write_routes():
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in WRITES:
                yield method, path


def _fill(path, case_id):
    path = path.replace("{id}", str(case_id)) if path.startswith("/api/applications/") else path
    return re.sub(r"\{[^}]+\}", "1", path)


OPEN = {"/api/auth/token/", "/api/exporters/register/", "/api/invitations/{token}/accept/",
        "/api/notifications/read/",
        "/api/controllist/determinations/"}  # "do I need a licence?": anyone signed in may ask


def test_a_customs_officer_posting_nothing_anywhere_is_refused_before_validation(actors, case_factory):
    """Customs reads licences and acts on none of these: every write answers 403/404, never a 400
    about the empty body (nor a 428 asking for a version)."""
    app = case_factory("accepted")
    customs = api(actors.customs)
    wrong = []
    for method, path in _write_routes():
        if path in OPEN:
            continue
        resp = getattr(customs, method)(_fill(path, app.pk), {}, format="json")
        if resp.status_code not in (403, 404):
            wrong.append(f"{method.upper()} {path}: {resp.status_code} {resp.content[:120]!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("who", "until", "path"), [
    ("owner", "accepted", "assign/"),
    ("owner", "accepted", "recommendation/"),
    ("agency", "accepted", "requests/"),
    ("agency", "accepted", "pauses/"),
    ("province", "accepted", "referrals/"),
    ("ministry", "draft", "submit/"),
    ("owner", "submitted", "forward/"),
    ("ministry", "awaiting_countersign", "countersign/"),
])
def test_a_role_that_may_not_act_gets_403_not_400(actors, case_factory, who, until, path):
    app = case_factory(until) if until != "awaiting_countersign" else case_factory("accepted")
    resp = api(getattr(actors, who)).post(f"/api/applications/{app.pk}/{path}", {}, format="json")
    assert resp.status_code in (403, 404), resp.content


def test_another_companys_case_is_404_before_its_body_is_read(actors, case_factory):
    app = case_factory("draft")
    resp = api(actors.outsider).post(f"/api/applications/{app.pk}/documents/", {}, format="json")
    assert resp.status_code == 404
    resp = api(actors.outsider).patch(f"/api/applications/{app.pk}/", {"item": "nonsense"}, format="json")
    assert resp.status_code == 404


def test_countersign_rules_refuse_an_exporter_before_validation(actors):
    assert api(actors.owner).post("/api/countersign-rules/", {}, format="json").status_code == 403


# ---------------------------------------------------------------- languages


def test_a_405_gives_each_language_in_its_own_slot(actors):
    client = api(actors.owner)
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            body = client.patch("/api/me/", {}, format="json", HTTP_ACCEPT_LANGUAGE=lang).json()
        assert body["code"] == "method_not_allowed"
        assert body["messages"]["en"] == 'Method "PATCH" not allowed.'
        assert "PATCH" in body["messages"]["zh-hans"] and body["messages"]["zh-hans"] != body["messages"]["en"]


def test_a_415_and_a_406_are_bilingual(actors):
    client = api(actors.owner)
    body = client.post("/api/applications/", "x", content_type="text/plain", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["code"] == "unsupported_media_type"
    assert body["messages"]["en"] == 'Unsupported media type "text/plain" in request.'
    assert "text/plain" in body["messages"]["zh-hans"] and body["messages"]["zh-hans"] != body["messages"]["en"]
    resp = client.get("/api/me/", HTTP_ACCEPT="application/xml")
    assert resp.status_code == 406
    messages = resp.json()["messages"]
    assert messages["en"].startswith("Could not satisfy") and messages["zh-hans"] != messages["en"]


def test_a_bad_token_is_bilingual():
    client = APIClient()
    body = client.get("/api/me/", HTTP_AUTHORIZATION="Token nonsense", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["messages"]["en"] == "Invalid token."
    assert body["messages"]["zh-hans"] != "Invalid token."


# ---------------------------------------------------------------- JSON


@pytest.mark.parametrize("raw", ['{"destination": "DE"', "{'destination': 'DE'}", '{"destination": NaN}', "\xff"])
def test_malformed_json_gets_a_plain_message(actors, raw):
    resp = api(actors.owner).post("/api/applications/", raw, content_type="application/json")
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "parse_error"
    assert body["messages"]["en"] == "The request body is not valid JSON."
    assert "line" not in body["detail"] and "Expecting" not in body["detail"]


def test_duplicate_keys_are_refused(actors, case_factory):
    app = case_factory("submitted")
    raw = f'{{"version": {app.version}, "reason": "a", "reason": "b"}}'
    resp = api(actors.province).post(f"/api/applications/{app.pk}/return/", raw, content_type="application/json")
    assert resp.status_code == 400
    assert "twice" in resp.json()["messages"]["en"]
    app.refresh_from_db()
    assert app.status == "submitted"


# ---------------------------------------------------------------- ETag, If-Match, 428


def test_a_case_has_an_etag_and_a_stale_if_match_is_412(actors, case_factory):
    app = case_factory("submitted")
    province = api(actors.province)
    resp = province.get(f"/api/applications/{app.pk}/")
    assert resp["ETag"] == f'"{app.version}"'
    stale = province.post(f"/api/applications/{app.pk}/forward/", {}, format="json",
                          HTTP_IF_MATCH=f'"{app.version - 1 or 99}"')
    assert stale.status_code == 412 and stale.json()["code"] == "precondition_failed"
    app.refresh_from_db()
    assert app.status == "submitted"
    done = province.post(f"/api/applications/{app.pk}/forward/", {}, format="json", HTTP_IF_MATCH=resp["ETag"])
    assert done.status_code == 200
    assert done["ETag"] == f'"{done.json()["version"]}"' != resp["ETag"]


def test_a_write_naming_no_version_is_428_and_changes_nothing(actors, case_factory):
    app = case_factory("submitted")
    resp = api(actors.province).post(f"/api/applications/{app.pk}/forward/", {}, format="json")
    assert resp.status_code == 428 and resp.json()["code"] == "precondition_required"
    assert Application.objects.get(pk=app.pk).status == "submitted"


def test_a_stale_body_version_is_still_409(actors, case_factory):
    app = case_factory("submitted")
    resp = api(actors.province).post(f"/api/applications/{app.pk}/forward/", {"version": app.version + 3},
                                     format="json")
    assert resp.status_code == 409


def test_pages_keep_their_hidden_version_field(actors, case_factory):
    app = case_factory("submitted")
    client = Client()
    assert client.login(username=actors.province.username, password=PASSWORD)
    resp = client.post(f"/cases/{app.pk}/act/forward/", {"version": app.version})
    assert resp.status_code == 302
    assert Application.objects.get(pk=app.pk).status == "forwarded"


def test_a_referral_has_an_etag_and_an_opinion_must_name_its_version(actors, case_factory):
    from licensing.referrals import services as referrals
    from tests.factories import authority

    app = case_factory("accepted")
    if not app.referrals.filter(agency=authority("MIIT")).exists():
        referrals.referral_add(application_id=app.pk, actor=actors.ministry, agency_id=authority("MIIT").pk,
                               reason="magnets")
    referrals.referrals_send(application_id=app.pk, actor=actors.ministry)
    ref = app.referrals.get(agency=authority("MIIT"))
    agency = api(actors.agency)
    opinion = {"opinion": "no_objection", "reasons": "civil use"}
    assert agency.post(f"/api/referrals/{ref.pk}/opinion/", opinion, format="json").status_code == 428
    assert api(actors.owner).post(f"/api/referrals/{ref.pk}/opinion/", {}, format="json").status_code in (403, 404)
    stale = agency.post(f"/api/referrals/{ref.pk}/opinion/", opinion, format="json",
                        HTTP_IF_MATCH=f'"{ref.version + 1}"')
    assert stale.status_code == 412
    done = agency.post(f"/api/referrals/{ref.pk}/opinion/", opinion, format="json", HTTP_IF_MATCH=f'"{ref.version}"')
    assert done.status_code == 200, done.content
    assert done["ETag"] == f'"{done.json()["version"]}"'


def test_every_case_write_is_404_for_another_company_before_validation(actors, case_factory):
    app = case_factory("accepted")
    outsider = api(actors.outsider)
    wrong = []
    for method, path in _write_routes():
        if path.startswith("/api/applications/{id}/"):
            resp = getattr(outsider, method)(_fill(path, app.pk), {}, format="json")
            if resp.status_code != 404:
                wrong.append(f"{method.upper()} {path}: {resp.status_code}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- the schema a client is generated from


@pytest.fixture
def schema(db):
    return yaml.safe_load(Client().get("/api/schema/").content)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_each_operation_takes_one_encoding_and_multipart_only_for_uploads(schema):
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        assert len(content) <= 1, (method, path, list(content))
        if "multipart/form-data" in content:
            assert _has_file(content["multipart/form-data"]["schema"], schema), (method, path)


def _has_file(node, schema, depth=0):
    if depth > 5:
        return False
    if "$ref" in node:
        return _has_file(schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]], schema, depth + 1)
    if node.get("format") == "binary":
        return True
    children = [*node.get("properties", {}).values(), *node.get("allOf", []), *node.get("oneOf", [])]
    children += [node["items"]] if "items" in node else []
    return any(_has_file(child, schema, depth + 1) for child in children)


def test_every_4xx_has_the_error_shape_and_403_413_412_428_are_documented(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "detail", "messages"} and "fields" in error["properties"]
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        for status, response in responses.items():
            if str(status).startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        if {} not in operation.get("security", []):
            assert "403" in responses, (method, path)
        if "requestBody" in operation:
            assert "413" in responses, (method, path)
        if method in WRITES and path.startswith("/api/applications/{id}/"):
            assert {"412", "428"} <= set(responses), (method, path)
            assert any(p["name"] == "If-Match" for p in operation["parameters"])


def test_token_opinion_pdf_and_title(schema):
    token = schema["paths"]["/api/auth/token/"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert token == {"$ref": "#/components/schemas/TokenResponse"}
    opinion = schema["components"]["schemas"]["Referral"]["properties"]["opinion"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in opinion["oneOf"]
    licence = schema["paths"]["/api/applications/{id}/licence/"]["get"]["responses"]["200"]["content"]
    assert licence["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert schema["info"]["title"].isascii()


def test_if_match_star_says_any_version_explicitly(actors, case_factory):
    app = case_factory("submitted")
    resp = api(actors.province).post(f"/api/applications/{app.pk}/forward/", {}, format="json", HTTP_IF_MATCH="*")
    assert resp.status_code == 200
    resp = api(actors.owner).get(f"/api/applications/{app.pk}/", HTTP_IF_MATCH="nonsense")
    assert resp.status_code == 200  # reads ignore If-Match
    resp = api(actors.ministry).post(f"/api/applications/{app.pk}/accept/", {}, format="json",
                                     HTTP_IF_MATCH="nonsense")
    assert resp.status_code == 400 and "If-Match" in resp.json()["fields"]


def test_a_throttle_answer_is_bilingual():
    from rest_framework import exceptions
    from rest_framework.test import APIRequestFactory

    from portal.api import exception_handler

    request = APIRequestFactory().get("/api/me/")
    with translation.override("zh-hans"):
        resp = exception_handler(exceptions.Throttled(wait=3), {"request": request})
    assert resp.status_code == 429
    messages = resp.data["messages"]
    assert messages["en"] == "Request was throttled. Expected available in 3 seconds."
    assert "3" in messages["zh-hans"] and messages["zh-hans"] != messages["en"]
