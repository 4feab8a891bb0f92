"""Screening in a real browser: the exporter files with an end user written in traditional characters
of a Control List entry and is told, on the case page, why it cannot submit; a Watch List end user
goes through, and the officer sees the hit explained and judges it; refused, the exporter applies for an
exception, the officer grants it and the exporter submits."""

from datetime import date

import pytest

from enduser.models import HitState, ListChange, ListedParty, ListKind, ScreeningHit
from licensing.applications import services
from licensing.models import Application
from tests.browser import act, chromium_available, sign_in, status_of
from tests.factories import DRAFT, PASSWORD, pdf_upload

pytestmark = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]


def _listed(name, list_kind):
    row = ListedParty.objects.create(list_kind=list_kind, names=[name], announcement="商务部公告2026年第1号",
                                     announced_on=date(2026, 1, 2), effective_on=date(2026, 1, 2), reason="test")
    ListChange.objects.create(listed=row, action=ListChange.Action.ADD, snapshot={"names": row.names},
                              on=row.effective_on)


def _draft(actors, end_user):
    app, _ = services.application_create(actor=actors.owner, data={**DRAFT, "end_user": {**DRAFT["end_user"],
                                                                                         "name": end_user}})
    for kind in ("end_user_certificate", "risk_assessment", "compliance_undertaking"):
        services.document_add(application_id=app.pk, actor=actors.owner, kind=kind, upload=pdf_upload())
    return app


def test_blocked_by_the_control_list_then_a_watch_list_hit_judged_by_the_officer(live_server, browser_page, actors):
    _listed("华荣精密技术有限公司", ListKind.CONTROL)
    _listed("Motorenwerk München GmbH", ListKind.WATCH)
    page = browser_page
    blocked = _draft(actors, "華榮精密技術有限公司")
    hits_before = ScreeningHit.objects.count()  # a party is screened as it is saved into the address book
    sign_in(page, live_server.url, actors.owner.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{blocked.pk}/")
    act(page, "submit")
    body = page.content()
    assert "華榮精密技術有限公司" in body and "华荣精密技术有限公司" in body and "商务部公告2026年第1号" in body
    assert status_of(page) == "draft"
    # The refused submission records nothing more.
    assert Application.objects.get(pk=blocked.pk).status == "draft" and ScreeningHit.objects.count() == hits_before

    watched = _draft(actors, "Motorenwerk München GmbH")
    page.goto(f"{live_server.url}/cases/{watched.pk}/")
    act(page, "submit")
    assert status_of(page) == "submitted"
    assert page.locator("#screening-panel").count() == 0  # the exporter never sees list internals
    services.application_forward(application_id=watched.pk, actor=actors.province)

    page.context.clear_cookies()
    sign_in(page, live_server.url, actors.ministry.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{watched.pk}/")
    hit = ScreeningHit.objects.get(listed__list_kind=ListKind.WATCH)
    row = page.locator(f"#hit-{hit.pk}")
    assert row.get_attribute("data-list") == "watch" and row.get_attribute("data-state") == "open"
    row.locator("summary").click()
    assert row.locator(".hit-parts").is_visible()
    row.locator("[name=note]").fill("Another company of the same name / 同名的另一家公司")
    with page.expect_navigation():
        row.locator("button[value=false]").click()
    assert page.locator(f"#hit-{hit.pk}").get_attribute("data-state") == "false"
    assert ScreeningHit.objects.get(pk=hit.pk).state == HitState.FALSE


def test_refused_for_the_control_list_the_exporter_applies_for_an_exception_the_officer_grants_it(
        live_server, browser_page, actors):
    from enduser.models import ListException

    _listed("华荣精密技术有限公司", ListKind.CONTROL)
    entry = ListedParty.objects.get()
    page = browser_page
    app = _draft(actors, "華榮精密技術有限公司")
    sign_in(page, live_server.url, actors.owner.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{app.pk}/")
    act(page, "submit")
    assert status_of(page) == "draft" and f"/cases/{app.pk}/exceptions/new/" in page.content()
    with page.expect_navigation():
        page.click("#apply-exception")
    match = page.locator(f"#match-end_user-{entry.pk}")
    assert "华荣精密技术有限公司" in match.inner_text()
    match.locator("textarea[name=reasons]").fill("Spare parts for a hospital scanner / 医院扫描仪备件")
    with page.expect_navigation():
        match.locator("button.apply-exception").click()
    row = ListException.objects.get()
    assert page.locator(f"#exception-{row.pk}").get_attribute("data-state") == "requested"

    page.context.clear_cookies()
    sign_in(page, live_server.url, actors.ministry.username, PASSWORD)
    page.goto(f"{live_server.url}/lists/exceptions/")
    with page.expect_navigation():
        page.locator(f"#exception-{row.pk} a").first.click()
    page.select_option("#id_decision", "grant")
    page.fill("#id_reasons", "Civil end use shown / 已证明民用")
    with page.expect_navigation():
        page.click("#do-decide")
    assert page.locator("#exception-state").get_attribute("data-state") == "granted"

    page.context.clear_cookies()
    sign_in(page, live_server.url, actors.owner.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{app.pk}/")
    act(page, "submit")
    assert status_of(page) == "submitted"
    assert Application.objects.get(pk=app.pk).status == "submitted"
