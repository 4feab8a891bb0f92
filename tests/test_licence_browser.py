"""A licence after the decision, once through a real browser (headless Debian Chromium): the
ministry approves, the licence page shows the licence, a customs officer records a write-off by
hand, the exporter sees the quantity used, the ministry suspends the licence, the public check page
(the QR code's) says suspended, and the ministry restores it."""

import pytest

from licensing.licences.selectors import licence_verify_url
from licensing.models import Licence, LicenceEvent
from tests.browser import chromium_available, sign_in, sign_out, status_of
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]


def _submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_approval_write_off_suspension_and_restoration(live_server, browser_page, actors, case_factory, settings):
    settings.PORTAL_BASE_URL = live_server.url
    page = browser_page
    base = live_server.url
    app = case_factory("awaiting_decision")
    case_url = f"{base}/cases/{app.pk}/"

    # 1. The ministry approves (the 9xx item needs a senior officer's countersignature).
    sign_in(page, base, actors.ministry.username, PASSWORD)
    page.goto(case_url)
    page.check("#outcome-approve")
    page.fill("#decision-reasons", "符合条件 / meets the conditions")
    with page.expect_navigation():
        page.check("#confirm-recommend")
        page.click("#do-recommend")
    sign_out(page)
    sign_in(page, base, actors.senior.username, PASSWORD)
    page.goto(case_url)
    with page.expect_navigation():
        page.check("#confirm-countersign")
        page.click("#do-countersign")
    assert status_of(page) == "approved"
    licence = Licence.objects.get(application=app)
    sign_out(page)

    # 2. The exporter finds the licence page from the case page: valid, nothing used yet.
    sign_in(page, base, actors.owner.username, PASSWORD)
    page.goto(case_url)
    _submit(page, "#licence-page")
    assert page.locator("#licence-status").get_attribute("data-status") == "issued"
    assert page.locator("#item-1 .used").inner_text().strip() in ("0", "0.000")
    sign_out(page)

    # 3. A customs officer looks the licence up and records 10 kg written off by hand.
    sign_in(page, base, actors.customs.username, PASSWORD)
    page.goto(f"{base}/customs/licences/{licence.number}/")
    assert page.locator("#customs-facts").get_attribute("data-usable") == "true"
    form = page.locator("#write-off-form")
    form.locator("[name=declaration_number]").fill("220020261000009901")
    form.locator("[name=line]").fill("1")
    form.locator("[name=quantity]").fill("10")
    form.locator("[name=unit]").fill("035")
    form.locator("[name=value_rmb]").fill("72000")
    form.locator("[name=shipped_on]").fill(licence.valid_from.isoformat())
    form.locator("[name=port]").fill("2200")
    _submit(page, "#write-off-submit")
    assert page.locator("#write-off-220020261000009901-1").count() == 1
    sign_out(page)

    # 4. The exporter sees the quantity used and what is left.
    sign_in(page, base, actors.owner.username, PASSWORD)
    page.goto(f"{base}/licences/{licence.number}/")
    assert page.locator("#item-1 .used").inner_text().strip().startswith("10")
    assert page.locator("#item-1 .remaining").inner_text().strip().startswith("15")
    assert page.locator("#licence-write-offs").get_by_text("220020261000009901").count() == 1
    sign_out(page)

    # 5. The ministry suspends it, with a reason.
    sign_in(page, base, actors.ministry.username, PASSWORD)
    page.goto(f"{base}/licences/{licence.number}/")
    page.locator("#form-licence-suspend [name=reason]").fill("最终用户核查中 / end user under check")
    _submit(page, "#do-licence-suspend")
    assert page.locator("#licence-status").get_attribute("data-status") == "suspended"

    # 6. Anyone holding the QR code sees "suspended", in both languages, and nothing personal.
    public = browser_page.context.browser.new_context(locale="en-GB")
    try:
        check = public.new_page()
        check.goto(licence_verify_url(licence))
        assert check.locator("#verify-result").get_attribute("data-status") == "suspended"
        text = check.locator("main").inner_text()
        assert "暂停" in text and "Suspended" in text
        assert app.exporter.name_zh not in text and "Motorenwerk" not in text
    finally:
        public.close()

    # 7. The ministry restores it; customs' feed has issued, suspended, restored in order.
    page.locator("#form-licence-restore [name=reason]").fill("核查完毕 / check closed")
    _submit(page, "#do-licence-restore")
    assert page.locator("#licence-status").get_attribute("data-status") == "issued"
    assert list(LicenceEvent.objects.filter(licence=licence).values_list("kind", flat=True)) == [
        "issued", "suspended", "restored"]
