"""Customs systems and their tokens, kept by a system administrator on pages and through the API:
the token is shown once and stored hashed, scopes change, revocation takes effect at once, every
action is audited, and nobody else may do any of it."""

import hashlib

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from licensing.customs import tokens
from licensing.models import CustomsSystem, CustomsToken
from portal.errors import NotAllowed
from tests.test_customs_api import make_licence, sysadmin

pytestmark = pytest.mark.django_db


def test_admin_makes_a_system_and_a_token_on_pages_shown_once(actors, client):
    admin = sysadmin()
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    assert client.get("/customs/systems/").status_code == 200
    made = client.post("/customs/systems/", {"code": "sh-clearance", "name": "Shanghai clearance"})
    system = CustomsSystem.objects.get(code="sh-clearance")
    assert made.status_code == 302 and made["Location"] == f"/customs/systems/{system.pk}/"
    page = client.post(f"/customs/systems/{system.pk}/", {"scopes": ["verify", "write_off"], "label": "prod"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    token = CustomsToken.objects.get()
    shown = page.context["new_token"]
    assert shown.startswith(token.prefix + ".") and shown.encode() in page.content
    assert token.key_hash == hashlib.sha256(shown.split(".", 1)[1].encode()).hexdigest()
    assert shown.split(".", 1)[1] not in str(CustomsToken.objects.values().get())  # only the hash is kept
    assert shown.encode() not in client.get(f"/customs/systems/{system.pk}/").content  # never shown again
    assert client.post(f"/customs/tokens/{token.pk}/scopes/", {"scopes": ["feed"]}).status_code == 302
    token.refresh_from_db()
    assert token.scopes == ["feed"]
    assert client.post(f"/customs/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    actions = list(AuditEvent.objects.filter(action__startswith="customs.").values_list("action", flat=True))
    assert actions == ["customs.system_create", "customs.token_create", "customs.token_scopes",
                       "customs.token_revoke"]
    assert shown.split(".", 1)[1] not in str(list(AuditEvent.objects.values("before", "after")))


def test_bad_system_and_token_forms(actors, client):
    client.force_login(sysadmin())
    assert client.post("/customs/systems/", {"code": "Bad Code!", "name": "x"}).status_code == 400
    system = tokens.system_create(actor=sysadmin(), code="a", name="A")
    assert client.post("/customs/systems/", {"code": "a", "name": "again"}).status_code == 400
    assert client.post(f"/customs/systems/{system.pk}/", {"scopes": []}).status_code == 400
    assert client.post(f"/customs/systems/{system.pk}/", {"scopes": ["everything"]}).status_code == 400
    assert not CustomsToken.objects.exists()


def test_admin_api(actors):
    admin = sysadmin()
    api = APIClient()
    api.force_authenticate(admin)
    made = api.post("/api/customs/systems/", {"code": "gz", "name": "Guangzhou"}, format="json")
    assert made.status_code == 201
    system_id = made.json()["id"]
    token = api.post(f"/api/customs/systems/{system_id}/tokens/", {"scopes": ["verify"], "label": "t"},
                     format="json")
    assert token.status_code == 201 and token.json()["token"].startswith(token.json()["prefix"] + ".")
    listing = api.get("/api/customs/systems/").json()
    assert listing[0]["tokens"][0]["prefix"] == token.json()["prefix"] and "token" not in listing[0]["tokens"][0]
    token_id = token.json()["id"]
    assert api.post(f"/api/customs/tokens/{token_id}/scopes/", {"scopes": ["verify", "feed"]},
                    format="json").json()["scopes"] == ["feed", "verify"]
    assert api.post(f"/api/customs/tokens/{token_id}/scopes/", {"scopes": ["nope"]},
                    format="json").status_code == 400
    revoked = api.post(f"/api/customs/tokens/{token_id}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.post(f"/api/customs/tokens/{token_id}/revoke/").status_code == 200  # twice is once
    assert AuditEvent.objects.filter(action="customs.token_revoke").count() == 1
    assert api.post(f"/api/customs/tokens/{token_id}/scopes/", {"scopes": ["feed"]},
                    format="json").json()["code"] == "token_revoked"
    assert api.post("/api/customs/tokens/99999/revoke/").status_code == 404
    assert api.post("/api/customs/systems/99999/tokens/", {"scopes": ["feed"]}, format="json").status_code == 404


def test_revocation_is_immediate(actors):
    licence = make_licence(actors)
    admin = sysadmin()
    system = tokens.system_create(actor=admin, code="x", name="X")
    row, plain = tokens.token_create(actor=admin, system_id=system.pk, scopes=["verify"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Customs {plain}")
    assert api.get(f"/api/customs/licences/{licence.number}/").status_code == 200
    tokens.token_revoke(actor=admin, token_id=row.pk)
    response = api.get(f"/api/customs/licences/{licence.number}/")
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"


def test_nobody_else_manages_tokens(actors, client):
    system = tokens.system_create(actor=sysadmin(), code="y", name="Y")
    row, _plain = tokens.token_create(actor=sysadmin(), system_id=system.pk, scopes=["verify"])
    for user in (actors.owner, actors.colleague, actors.province, actors.ministry, actors.senior, actors.agency,
                 actors.customs):
        client.force_login(user)
        assert client.get("/customs/systems/").status_code == 403, user.role
        assert client.get(f"/customs/systems/{system.pk}/").status_code == 403
        assert client.post(f"/customs/tokens/{row.pk}/revoke/").status_code == 403
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/customs/systems/").status_code == 403
        assert api.post(f"/api/customs/systems/{system.pk}/tokens/", {"scopes": ["verify"]},
                        format="json").status_code == 403
        assert api.post(f"/api/customs/tokens/{row.pk}/revoke/").status_code == 403
        with pytest.raises(NotAllowed):
            tokens.token_create(actor=user, system_id=system.pk, scopes=["verify"])
    assert APIClient().get("/api/customs/systems/").status_code in (401, 403)
    row.refresh_from_db()
    assert row.revoked_at is None and CustomsToken.objects.count() == 1
