"""The control list in a real browser: search as you type, and "do I need a licence?"."""

from datetime import date

import pytest

from controllist.controls import services as controls
from tests.browser import chromium_available, sign_in
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]


def test_results_follow_the_typing_with_typos_tolerated_and_matches_marked(live_server, browser_page, actors):
    page = browser_page
    sign_in(page, live_server.url, actors.owner.username, PASSWORD)
    page.goto(f"{live_server.url}/controllist/")
    page.locator("#search-q").press_sequentially("samarim cobalt", delay=30)
    # No submit: htmx replaces the results as the user types.
    first = page.locator("#search-hits tr.hit").first
    first.wait_for()
    assert first.get_attribute("data-code").startswith("1C902")
    assert "samarium" in first.locator("mark").first.inner_text().lower()
    assert "/controllist/?q=samarim" in page.url  # the address bar follows, so results can be shared
    first.locator("a").first.click()
    page.wait_for_url("**/controllist/entry/**")
    assert page.locator("h1").inner_text().startswith("1C902")


def test_do_i_need_a_licence_answers_prohibited_with_its_article(live_server, browser_page, actors):
    controls.prohibition_create(actor=actors.ministry, data={
        "item_code": "1C9", "destination": "KP", "reason_zh": "禁止出口", "reason_en": "Banned",
        "effective_from": date(2025, 1, 1).isoformat()})
    page = browser_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    sign_in(page, live_server.url, actors.owner.username, PASSWORD)
    page.goto(f"{live_server.url}/controllist/determine/")
    page.locator("#item-rows input[name$='control_code']").first.fill("1C902.a")
    page.locator("select[name=destination]").select_option("KP")
    page.click("#determine-submit")
    outcome = page.locator("#determination")
    outcome.wait_for()
    assert outcome.get_attribute("data-outcome") == "prohibited"
    assert "Art. 10" in page.locator("#citations").inner_text()
