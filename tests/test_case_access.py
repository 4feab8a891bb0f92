"""Exporter staff see the cases they created and those their administrator shares with them; a
colleague without access gets 404 everywhere, like a stranger."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEvent
from licensing.applications import sharing
from portal.errors import NotAllowed, NotFound, StaleVersion, ValidationFailed
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_without_access(actors):
    return UserFactory(organisation=actors.owner.organisation, role=Role.EXPORTER_STAFF)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    # These tests judge bodies and flows; 428 and If-Match are tested in tests/test_api_manners.py.
    client.credentials(HTTP_IF_MATCH="*")
    return client


def _page(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _paths(app):
    doc = app.documents.get()
    return ([f"/api/applications/{app.pk}/", f"/api/applications/{app.pk}/documents/{doc.pk}/"],
            [f"/cases/{app.pk}/", f"/cases/{app.pk}/documents/{doc.pk}/", f"/cases/{app.pk}/edit/"])


def _visible(user, app) -> bool:
    api_paths, page_paths = _paths(app)
    codes = {_api(user).get(path).status_code for path in api_paths}
    codes |= {_page(user).get(path).status_code for path in page_paths[:2]}
    assert len(codes) == 1, codes  # all or nothing
    return codes == {200}


@pytest.mark.parametrize("until", ["draft", "submitted", "forwarded", "accepted"])
def test_a_colleague_without_access_gets_404_on_every_page_and_api(actors, case_factory, staff_without_access, until):
    app = case_factory(until)
    assert not _visible(staff_without_access, app)
    assert _visible(actors.owner, app) and _visible(actors.colleague, app)
    listed = _api(staff_without_access).get("/api/applications/").json()["results"]
    assert app.pk not in [row["id"] for row in listed]
    # Nor can they act on it: the submit of a draft is a 404, not a 403 that reveals it.
    resp = _api(staff_without_access).post(f"/api/applications/{app.pk}/submit/", {}, format="json")
    assert resp.status_code == 404


def test_the_administrator_shares_and_unshares(actors, case_factory, staff_without_access):
    app = case_factory("submitted")
    resp = _api(actors.colleague).post(f"/api/applications/{app.pk}/share/",
                                       {"user_id": staff_without_access.pk, "version": app.version}, format="json")
    assert resp.status_code == 200, resp.content
    assert _visible(staff_without_access, app)
    app.refresh_from_db()
    page = _page(actors.colleague).post(f"/cases/{app.pk}/access/unshare/",
                                        {"user_id": staff_without_access.pk, "version": app.version})
    assert page.status_code == 302
    assert not _visible(staff_without_access, app)
    actions = list(AuditEvent.objects.filter(object_id=str(app.pk), action__startswith="application.")
                   .exclude(action="application.create").values_list("action", flat=True))
    assert actions[-2:] == ["application.share", "application.unshare"]


def test_sharing_twice_is_one_change(actors, case_factory, staff_without_access):
    app = case_factory("draft")
    sharing.application_share(application_id=app.pk, actor=actors.colleague, user_id=staff_without_access.pk)
    sharing.application_share(application_id=app.pk, actor=actors.colleague, user_id=staff_without_access.pk)
    assert AuditEvent.objects.filter(action="application.share", object_id=str(app.pk)).count() == 1


def test_only_the_company_administrator_shares(actors, case_factory, staff_without_access):
    app = case_factory("draft")
    with pytest.raises(NotAllowed):
        sharing.application_share(application_id=app.pk, actor=actors.owner, user_id=staff_without_access.pk)
    with pytest.raises(NotFound):
        sharing.application_share(application_id=app.pk, actor=actors.outsider, user_id=staff_without_access.pk)
    for who in ("ministry", "province"):
        resp = _api(getattr(actors, who)).post(f"/api/applications/{app.pk}/share/",
                                               {"user_id": staff_without_access.pk}, format="json")
        assert resp.status_code == 404
    assert not app.shared_with.exists()


@pytest.mark.parametrize("user_id", ["abc", None, 10**9])
def test_bad_colleague_is_400_and_changes_nothing(actors, case_factory, user_id):
    app = case_factory("draft")
    resp = _api(actors.colleague).post(f"/api/applications/{app.pk}/share/", {"user_id": user_id}, format="json")
    assert resp.status_code == 400
    with pytest.raises(ValidationFailed):  # a user of another company is not a colleague
        sharing.application_share(application_id=app.pk, actor=actors.colleague, user_id=actors.outsider.pk)
    app.refresh_from_db()
    assert not app.shared_with.exists() and app.version == 2  # create + document only


def test_stale_version_is_409(actors, case_factory, staff_without_access):
    app = case_factory("draft")
    with pytest.raises(StaleVersion):
        sharing.application_share(application_id=app.pk, actor=actors.colleague, user_id=staff_without_access.pk,
                                  expected_version=app.version - 1)
    resp = _api(actors.colleague).post(f"/api/applications/{app.pk}/share/",
                                       {"user_id": staff_without_access.pk, "version": 1}, format="json")
    assert resp.status_code == 409
    assert not app.shared_with.exists()


def test_the_case_page_offers_sharing_to_the_administrator_only(actors, case_factory, staff_without_access):
    app = case_factory("draft")
    assert b'id="case-access"' in _page(actors.colleague).get(f"/cases/{app.pk}/").content
    assert b'id="case-access"' not in _page(actors.owner).get(f"/cases/{app.pk}/").content
