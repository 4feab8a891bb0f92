"""An unlisted item still needs a licence when the catch-all applies (Law 12(3), Reg. 14): the
exporter files it without a code, stating that the catch-all applies."""

import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from pypdf import PdfReader
from rest_framework.test import APIClient

from audit.models import AuditEvent
from controllist.controls import services as controls
from licensing.applications import services
from licensing.models import ApplicationItem, Status
from portal.errors import ValidationFailed
from tests.conftest import decide, skip_referrals
from tests.factories import DRAFT, PASSWORD, pdf_upload

CATCH_ALL_ITEM = {"catch_all": True, "description": "Custom vibration test rig 振动试验台",
                  "quantity": "1", "unit": "set", "value_rmb": "850000"}


def draft(actors, item=CATCH_ALL_ITEM):
    app, _created = services.application_create(actor=actors.owner, data={**DRAFT, "item": item})
    services.document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate",
                          upload=pdf_upload())
    return app


def test_a_catch_all_item_is_filed_without_a_code(actors):
    app = draft(actors)
    item = app.items.get()
    assert item.catch_all and item.control_code == ""


@pytest.mark.parametrize("item,field", [
    ({**CATCH_ALL_ITEM, "control_code": "1C902.a"}, "item.control_code"),
    ({**CATCH_ALL_ITEM, "catch_all": "yes"}, "item.catch_all"),
    ({**CATCH_ALL_ITEM, "catch_all": 1}, "item.catch_all"),
    ({**CATCH_ALL_ITEM, "catch_all": False}, None),  # then a code is required again
])
def test_a_catch_all_item_must_be_exactly_that(actors, item, field):
    with pytest.raises(ValidationFailed) as exc:
        services.application_create(actor=actors.owner, data={**DRAFT, "item": item})
    if field:
        assert field in exc.value.fields
    assert not ApplicationItem.objects.exists()


def test_the_database_refuses_an_item_with_neither_code_nor_catch_all(actors):
    app = draft(actors)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationItem.objects.create(application=app, control_code="", catch_all=False,
                                       description="x", quantity=1, unit="kg", value_rmb=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationItem.objects.create(application=app, control_code="1C902.a", catch_all=True,
                                       description="x", quantity=1, unit="kg", value_rmb=1)


def test_submission_records_the_catch_all_determination(actors):
    app = draft(actors)
    services.application_submit(application_id=app.pk, actor=actors.owner)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.list_version is not None
    event = AuditEvent.objects.get(action="application.submit", object_id=str(app.pk))
    assert event.after["determination"] == "catch_all"


def test_a_destination_ban_still_blocks_a_catch_all_item(actors):
    controls.prohibition_create(actor=actors.ministry, data={
        "destination": DRAFT["destination"], "reason_zh": "禁止", "reason_en": "Banned",
        "effective_from": "2025-01-01"})
    app = draft(actors)
    with pytest.raises(ValidationFailed) as exc:
        services.application_submit(application_id=app.pk, actor=actors.owner)
    assert exc.value.code == "prohibited"
    app.refresh_from_db()
    assert app.status == Status.DRAFT


def test_the_page_form_files_a_catch_all_item(actors):
    client = Client()
    client.cookies["django_language"] = "en"
    assert client.login(username=actors.owner.username, password=PASSWORD)
    response = client.post("/cases/new/", {
        "item_catch_all": "on", "item_description": "Custom vibration test rig", "item_quantity": "1",
        "item_unit": "set", "item_value_rmb": "850000", "destination": "DE", "end_use": "Testing",
        "importer_name": "Lion Trading", "importer_address": "1 Raffles Place", "importer_country": "SG",
        "end_user_name": "Acme", "end_user_address": "1 Main St", "end_user_country": "DE"})
    assert response.status_code == 302
    item = ApplicationItem.objects.get()
    assert item.catch_all and item.control_code == ""
    page = client.get(response["Location"]).content.decode()
    assert "Unlisted: catch-all" in page
    edit = client.get(f"/cases/{item.application_id}/edit/").content.decode()
    assert re.search(r'<input type="checkbox" name="item_catch_all"[^>]*\schecked', edit)


def test_the_api_takes_and_shows_the_catch_all_flag(actors):
    api = APIClient()
    api.force_authenticate(actors.owner)
    response = api.post("/api/applications/", {**DRAFT, "item": CATCH_ALL_ITEM}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["items"][0]["catch_all"] is True
    assert response.json()["items"][0]["control_code"] == ""


def test_the_licence_says_the_item_is_unlisted_under_art_12(actors, calendar_2027,
                                                          django_capture_on_commit_callbacks):
    app = draft(actors)
    services.application_submit(application_id=app.pk, actor=actors.owner)
    services.application_forward(application_id=app.pk, actor=actors.province)
    services.application_accept(application_id=app.pk, actor=actors.ministry)
    skip_referrals(app.pk, actors.ministry)
    with django_capture_on_commit_callbacks(execute=True):
        decide(app.pk, actors)
    app.refresh_from_db()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(app.licence.pdf))).pages)
    assert "Art. 12(3)" in text
