"""Issue 14's story once through a real browser (headless Debian Chromium): an exporter with a good
ICP files for a general licence; the ministry approves it; a serious penalty against the exporter
ends its eligibility, which proposes suspending the general licence; the officer suspends it; the
statistics dashboard shows the refusal and the overdue counts. The review steps between the pages
go through the services (the review's own browser tests cover its pages)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compliance.eligibility.models import SuspensionProposal
from compliance.enforcement import services as enforcement
from compliance.enforcement.models import Penalty
from compliance.statistics.services import statistics_refresh
from licensing.applications import services
from licensing.models import Application, Licence, LicenceStatus
from tests.browser import chromium_available, sign_in, sign_out, status_of
from tests.compliance_routes import eligible
from tests.conftest import decide, skip_referrals
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]


def _click(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_general_licence_penalty_suspension_and_dashboard(live_server, browser_page, actors, case_factory,
                                                         settings):
    settings.PORTAL_BASE_URL = live_server.url
    page, base = browser_page, live_server.url
    eligible(actors)  # a good ICP rating and an export record naming the draft's end user
    draft = case_factory("draft")
    # Beside it: a refused case and one overdue for decision, for the dashboard.
    refused = case_factory("awaiting_decision")
    decide(refused.pk, actors, "refuse")
    overdue = case_factory("accepted")
    Application.objects.filter(pk=overdue.pk).update(decision_due=timezone.localdate() - timedelta(days=3))

    # 1. The exporter sees the general licence open to it, chooses it and files the case.
    sign_in(page, base, actors.owner.username, PASSWORD)
    page.goto(f"{base}/cases/{draft.pk}/edit/")
    assert page.locator("#route-general").get_attribute("data-open") == "true"
    page.locator("select[name=route]").select_option("general")
    until = timezone.localdate() + timedelta(days=700)
    page.locator("[name=requested_valid_until]").fill(until.isoformat())
    _click(page, "#save-draft")
    assert status_of(page) == "draft"
    _click(page, "#do-submit")
    assert status_of(page) == "submitted"
    sign_out(page)
    draft.refresh_from_db()
    assert draft.route == "general"

    # 2. Province, ministry and the decision through the services: a general licence is issued.
    services.application_forward(application_id=draft.pk, actor=actors.province)
    services.application_accept(application_id=draft.pk, actor=actors.ministry)
    skip_referrals(draft.pk, actors.ministry)
    decide(draft.pk, actors, "approve")
    licence = Licence.objects.get(application=draft)
    assert licence.licence_type == "general" and licence.status == LicenceStatus.ISSUED

    # 3. The officer opens an enforcement case and decides a serious penalty on its page.
    case = enforcement.case_open(actor=actors.ministry, origin="manual", exporter_id=draft.exporter_id,
                                 summary="Shipment without a licence / 未经许可出口")
    sign_in(page, base, actors.ministry.username, PASSWORD)
    page.goto(f"{base}/compliance/enforcement/{case.reference}/penalty/")
    page.locator("select[name=head]").select_option("unlicensed_export")
    page.locator("[name=turnover]").fill("100000")
    page.locator("[name=amount]").fill("800000")
    page.locator("[name=reasons]").fill("未经许可出口两用物项 / Exported dual-use items without a licence")
    page.locator("[name=serious]").check()
    _click(page, "#penalty-submit")
    penalty = Penalty.objects.get(case=case)
    assert penalty.status == "decided" and penalty.serious

    # 4. The penalty ended the exporter's eligibility: the officer suspends the general licence.
    proposal = SuspensionProposal.objects.get(licence=licence)
    assert proposal.status == "open" and proposal.trigger == "penalty"
    page.goto(f"{base}/compliance/suspension-proposals/")
    row = page.locator(f"#proposal-{proposal.pk}")
    assert licence.number in row.inner_text()
    with page.expect_navigation():
        row.locator("button.accept").click()
    licence.refresh_from_db()
    proposal.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED and proposal.status == "accepted"
    # The exporter can no longer choose the route: the form says why.
    sign_out(page)
    sign_in(page, base, actors.owner.username, PASSWORD)
    page.goto(f"{base}/compliance/routes/")
    assert page.locator("#route-general").get_attribute("data-open") == "false"
    assert "Reg. 20" in page.locator("#route-general").inner_text() or "第二十条" in page.locator(
        "#route-general").inner_text()
    sign_out(page)

    # 5. The dashboard (monthly counts as of the nightly refresh) shows the refusal and the overdue case.
    statistics_refresh()
    sign_in(page, base, actors.ministry.username, PASSWORD)
    page.goto(f"{base}/compliance/statistics/")
    month = timezone.localdate().strftime("%Y-%m")
    cells = page.locator(f"#table-months tr[data-month='{month}'] td")
    assert int(cells.nth(4).inner_text()) == 1  # refused
    assert int(cells.nth(3).inner_text()) >= 1  # approved: the general licence (and the export record's)
    assert int(page.locator("#overdue-cases-total").inner_text()) == 1
