"""A Python client generated from /api/schema/ with openapi-python-client runs the whole case, with
no hand-written call: the schema is what customs systems and exporters' ERPs integrate with.

The client is generated here, into a temporary directory, from the schema the test server serves,
and installed there with pip.
It talks to Django through an httpx transport that hands each request to Django's test client:
everything runs inside the test's database transaction, with no port, thread or live server."""

import importlib
import io
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.test import Client

from tests.factories import DRAFT, PASSWORD, authority, pdf_bytes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))


class DjangoTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()
                   if k.lower() not in ("content-type", "content-length", "host")}
        resp = Client().generic(request.method, request.url.raw_path.decode(), data=request.read(),
                                content_type=request.headers.get("content-type", ""), **headers)
        content = b"".join(resp.streaming_content) if resp.streaming else resp.content
        return httpx.Response(resp.status_code, headers=list(resp.items()), content=content)


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    if GENERATOR is None:
        pytest.fail("openapi-python-client is a dev dependency (pyproject.toml): install it")
    with django_db_blocker.unblock():
        schema = Client().get("/api/schema/")
    assert schema.status_code == 200
    root = tmp_path_factory.mktemp("client")
    (root / "schema.yaml").write_bytes(schema.content)
    project, site = root / "portal-api-client", root / "site"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(root)}
    run = subprocess.run(
        [GENERATOR, "generate", "--path", str(root / "schema.yaml"), "--meta", "setup",
         "--config", str(ROOT / "scripts" / "openapi-client.yaml"), "--output-path", str(project)],
        capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "WARNING" not in run.stdout + run.stderr, run.stdout + run.stderr
    # It installs as a package (offline: no dependencies fetched, the venv's setuptools builds it).
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(site), str(project)], capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(site.glob("portal_api_client-*.dist-info"))
    sys.path.insert(0, str(site))
    yield importlib.import_module("portal_api_client")
    sys.path.remove(str(site))
    for name in [n for n in sys.modules if n.startswith("portal_api_client")]:
        del sys.modules[name]


def test_every_generated_module_imports(generated):
    failed = []
    for module in pkgutil.walk_packages(generated.__path__, "portal_api_client."):
        try:
            importlib.import_module(module.name)
        except Exception as exc:  # noqa: BLE001 (we list them all)
            failed.append(f"{module.name}: {exc!r}")
    assert not failed, "\n".join(failed)


def _client(generated, user):
    from portal_api_client.api.auth import auth_token_create
    from portal_api_client.models import TokenRequestRequest

    anon = generated.Client(base_url="http://testserver", httpx_args={"transport": DjangoTransport()})
    token = auth_token_create.sync(client=anon, body=TokenRequestRequest(username=user.username, password=PASSWORD))
    assert token is not None and token.token
    return generated.AuthenticatedClient(base_url="http://testserver", token=token.token, prefix="Token",
                                         httpx_args={"transport": DjangoTransport()})


def _ok(resp, status=200):
    assert resp.status_code == status, resp.content
    return resp.parsed


def test_the_whole_case_through_the_generated_client(generated, actors, calendar_2027,
                                                     django_capture_on_commit_callbacks):
    from portal_api_client.api.applications import (
        applications_accept_create,
        applications_countersign_create,
        applications_create,
        applications_documents_create,
        applications_forward_create,
        applications_licence_retrieve,
        applications_partial_update,
        applications_recommendation_create,
        applications_referrals_create,
        applications_referrals_retrieve,
        applications_referrals_send_create,
        applications_retrieve,
        applications_submit_create,
    )
    from portal_api_client.api.referrals import referrals_opinion_create
    from portal_api_client.models import DecisionVersionInputRequest as CountersignInput
    from portal_api_client.models import (
        DocumentUploadKindEnum,
        DocumentUploadRequest,
        DraftInputRequest,
        OpinionInputRequest,
        RecommendationInputRequest,
        ReferralAddInputRequest,
        VersionInputRequest,
    )
    from portal_api_client.models import ReferralVersionInputRequest as SendInput
    from portal_api_client.types import File

    owner, province = _client(generated, actors.owner), _client(generated, actors.province)
    ministry, senior = _client(generated, actors.ministry), _client(generated, actors.senior)
    agency = _client(generated, actors.agency)

    app = _ok(applications_create.sync_detailed(client=owner, body=DraftInputRequest(destination="DE")), 201)
    app = _ok(applications_partial_update.sync_detailed(
        app.id, client=owner, body=DraftInputRequest.from_dict({**DRAFT, "version": app.version})))
    assert app.items[0].control_code == "1C902.a"
    upload = File(payload=io.BytesIO(pdf_bytes()), file_name="euc.pdf", mime_type="application/pdf")
    _ok(applications_documents_create.sync_detailed(app.id, client=owner, body=DocumentUploadRequest(
        kind=DocumentUploadKindEnum("end_user_certificate"), file=upload, version=app.version)), 201)
    app = _ok(applications_retrieve.sync_detailed(app.id, client=owner))
    app = _ok(applications_submit_create.sync_detailed(app.id, client=owner,
                                                       body=VersionInputRequest(version=app.version)))
    assert app.status == "submitted"
    app = _ok(applications_forward_create.sync_detailed(app.id, client=province,
                                                        body=VersionInputRequest(version=app.version)))
    app = _ok(applications_accept_create.sync_detailed(app.id, client=ministry,
                                                       body=VersionInputRequest(version=app.version)))
    assert app.status == "accepted"

    miit = authority("MIIT")
    case = _ok(applications_referrals_retrieve.sync_detailed(app.id, client=ministry))
    if not any(r.agency.id == miit.pk for r in case.referrals):
        case = _ok(applications_referrals_create.sync_detailed(app.id, client=ministry, body=ReferralAddInputRequest(
            agency=miit.pk, reason="稀土永磁 / rare-earth magnets", version=case.version)))
    case = _ok(applications_referrals_send_create.sync_detailed(app.id, client=ministry,
                                                                body=SendInput(version=case.version)))
    referral = next(r for r in case.referrals if r.agency.id == miit.pk)
    given = _ok(referrals_opinion_create.sync_detailed(referral.id, client=agency, body=OpinionInputRequest.from_dict(
        {"opinion": "no_objection", "reasons": "民用 / civil use", "version": referral.version})))
    assert given.opinion == "no_objection"
    for other in [r for r in case.referrals if r.agency.id != miit.pk]:
        pytest.fail(f"unexpected referral to {other.agency.code}")

    app = _ok(applications_retrieve.sync_detailed(app.id, client=ministry))
    assert app.status == "awaiting_decision"
    state = _ok(applications_recommendation_create.sync_detailed(app.id, client=ministry, body=(
        RecommendationInputRequest.from_dict({"outcome": "approve", "reasons": "符合条件", "version": app.version}))))
    assert state.status == "awaiting_countersign"
    with django_capture_on_commit_callbacks(execute=True):
        state = _ok(applications_countersign_create.sync_detailed(app.id, client=senior,
                                                                  body=CountersignInput(version=state.version)))
    assert state.status == "approved"
    pdf = applications_licence_retrieve.sync_detailed(app.id, client=owner)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_generated_client_reads_the_error_shape_and_sends_if_match(generated, actors, case_factory):
    from portal_api_client.api.applications import applications_forward_create
    from portal_api_client.models import Error, VersionInputRequest

    app = case_factory("submitted")
    province = _client(generated, actors.province)
    stale = applications_forward_create.sync_detailed(app.pk, client=province, body=VersionInputRequest(),
                                                      if_match=f'"{app.version + 5}"')
    assert stale.status_code == 412 and isinstance(stale.parsed, Error)
    assert stale.parsed.code == "precondition_failed"
    missing = applications_forward_create.sync_detailed(app.pk, client=province, body=VersionInputRequest())
    assert missing.status_code == 428 and missing.parsed.messages.en.startswith("Say which version")
    done = applications_forward_create.sync_detailed(app.pk, client=province, body=VersionInputRequest(),
                                                     if_match=f'"{app.version}"')
    assert done.status_code == 200 and done.parsed.status == "forwarded"
    assert done.headers["ETag"] == f'"{done.parsed.version}"'
