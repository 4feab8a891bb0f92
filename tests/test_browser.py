"""The whole thin case in a real browser (headless Debian Chromium through Playwright)."""

import re

import pytest
from django.db import connection

from accounts.models import Organisation
from licensing.applications import selectors
from licensing.models import Application, Licence
from tests.browser import act, chromium_available, sign_in, sign_out, status_of
from tests.factories import PASSWORD, make_uscc, pdf_bytes

pytestmark = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.browser,
    # serialized_rollback: the migrations seed provinces, authorities and the working-day
    # calendar; a transactional test would otherwise leave an empty database behind.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]

ADMIN_USERNAME = "browser_admin"
ADMIN_PASSWORD = "Browser-secret-2026"


def _fill_registration(page, uscc: str, scan) -> None:
    page.fill("[name=uscc]", uscc)
    page.fill("[name=name_zh]", "上海浏览器测试材料有限公司")
    page.fill("[name=name_en]", "Shanghai Browser Test Materials Co., Ltd.")
    page.select_option("select[name=province]", "31")
    page.fill("[name=address]", "上海市浦东新区测试路 88 号")
    page.fill("[name=contact_name]", "李四")
    page.fill("[name=contact_phone]", "021-5555-0101")
    page.fill("[name=email]", "admin@browser.example")
    page.fill("[name=full_name]", "李四")
    page.fill("[name=username]", ADMIN_USERNAME)
    page.fill("[name=password]", ADMIN_PASSWORD)
    page.fill("[name=password_again]", ADMIN_PASSWORD)
    page.set_input_files("[name=licence_scan]", str(scan))


def _fill_application(page) -> None:
    form = page.locator("#application-form")
    form.locator("[name=items-0-control_code]").fill("1C902.a")
    form.locator("[name=items-0-description]").fill("Samarium-cobalt alloy 钐钴合金")
    form.locator("[name=items-0-quantity]").fill("25")
    form.locator("select[name=items-0-unit]").select_option("千克")
    form.locator("[name=items-0-value_rmb]").fill("180000")
    form.locator("select[name=destination]").select_option("DE")
    form.locator("[name=importer_name]").fill("Magnetec Handels GmbH")
    form.locator("[name=importer_address]").fill("Industriestr. 5, Stuttgart")
    form.locator("select[name=importer_country]").select_option("DE")
    form.locator("[name=end_user_name]").fill("Motorenwerk München GmbH")
    form.locator("[name=end_user_address]").fill("Hansastr. 27, München")
    form.locator("select[name=end_user_country]").select_option("DE")
    form.locator("[name=end_use]").fill("Research on permanent-magnet motors / 永磁电机研究")


def test_whole_thin_case_in_the_browser(live_server, browser_page, actors, calendar_2027,  # noqa: F811
                                        tmp_path):
    page = browser_page
    base = live_server.url
    good_uscc = make_uscc(9101)
    bad_uscc = good_uscc[:-1] + ("0" if good_uscc[-1] != "0" else "1")  # wrong check character

    # 1. An anonymous visitor registers the company; a wrong code is refused first.
    scan = tmp_path / "business-licence.pdf"
    scan.write_bytes(pdf_bytes())
    organisations_before = Organisation.objects.count()
    page.goto(f"{base}/register/")
    _fill_registration(page, bad_uscc, scan)
    with page.expect_navigation() as nav:
        page.click("#register-submit")
    assert nav.value.status == 400
    assert page.locator("form .errorlist").count() >= 1
    assert page.locator("[name=uscc]").get_attribute("aria-invalid") == "true"
    assert Organisation.objects.count() == organisations_before
    assert not Organisation.objects.filter(code__in=[good_uscc, bad_uscc]).exists()

    _fill_registration(page, good_uscc, scan)  # the password is not echoed back: fill everything again
    with page.expect_navigation():
        page.click("#register-submit")
    assert "/register/" not in page.url, page.url
    assert page.locator("header form[action$='/accounts/logout/'] button").count() == 1
    exporter = Organisation.objects.get(code=good_uscc)
    assert exporter.users.get().username == ADMIN_USERNAME

    # 2. The exporter's administrator writes a draft, attaches the certificate and submits.
    page.click("#nav-new")
    page.wait_for_selector("#application-form")
    _fill_application(page)
    with page.expect_navigation():
        page.click("#save-draft")
    match = re.search(r"/cases/(\d+)/$", page.url)
    assert match, page.url
    case_url = page.url
    app_id = int(match.group(1))
    assert status_of(page) == "draft"
    assert page.locator("#missing").count() == 1  # the certificate is still missing

    certificate = tmp_path / "end-user-certificate.pdf"
    certificate.write_bytes(pdf_bytes())
    page.locator("#upload-form input[name=file]").set_input_files(str(certificate))
    with page.expect_navigation():
        page.click("#upload-submit")
    assert page.locator("#documents").get_by_text("end-user-certificate.pdf").count() == 1
    assert page.locator("#missing").count() == 0

    # A new registration must be verified by its provincial department before it may submit: the
    # province's officer does so on the registrations page, in a browser of their own.
    assert page.locator("#verification-pending").count() == 1
    province_context = page.context.browser.new_context(locale="zh-CN")
    try:
        province = province_context.new_page()
        sign_in(province, base, actors.province.username, PASSWORD)
        province.click("#nav-companies")
        with province.expect_navigation():
            province.click(f"#verify-{exporter.pk}")
    finally:
        province_context.close()
    exporter.refresh_from_db()
    assert exporter.verification == "verified"
    page.reload()
    assert page.locator("#verification-pending").count() == 0

    # Pressing "submit" twice must make one case with one reference. Chromium folds a double click
    # on a submit button into one request (dblclick() sends one POST: see the resubmission below)
    # and a second Playwright click lands after the page has changed, so the page itself posts the
    # form twice, as a double click on a slow connection reaches the server. On PostgreSQL the two
    # requests run at once. Django's live server shares its single in-memory SQLite connection
    # between request threads, where two transactions at once fail with "database table is
    # locked" whatever the application does, so there they run one after the other.
    statuses = page.evaluate("""async (together) => {
        const form = document.querySelector("#form-submit");
        const send = () => fetch(form.action, {method: "POST", body: new FormData(form),
                                               credentials: "same-origin"});
        if (together) {
            return (await Promise.all([send(), send()])).map((r) => r.status);
        }
        const first = await send();
        const second = await send();
        return [first.status, second.status];
    }""", connection.vendor != "sqlite")
    assert statuses == [200, 200], statuses  # both end on the case page (redirect followed)
    page.goto(case_url)
    assert status_of(page) == "submitted"
    assert Application.objects.filter(exporter=exporter).exclude(reference=None).count() == 1
    app = Application.objects.get(pk=app_id)
    assert app.status == "submitted"
    reference = app.reference
    assert page.locator("#case-reference").inner_text().strip() == reference
    sign_out(page)

    # 3. The province sees the case in its queue and returns it with a reason.
    sign_in(page, base, actors.province.username, PASSWORD)
    page.goto(f"{base}/cases/")
    page.locator("#case-table").get_by_text(reference).click()
    page.wait_for_url(case_url)
    reason = "最终用户证明缺少签字 / the end-user certificate is not signed"
    act(page, "return", reason)
    assert status_of(page) == "returned"
    sign_out(page)

    # The exporter reads the reason, corrects the application and submits again.
    sign_in(page, base, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto(case_url)
    assert status_of(page) == "returned"
    assert reason in page.locator("main").inner_text()
    with page.expect_navigation():
        page.click("#edit-application")
    assert reason in page.locator("main").inner_text()
    page.fill("#application-form [name=end_use]", "Corrected: research on motors / 更正后的最终用途")
    with page.expect_navigation():
        page.click("#save-draft")
    assert page.url == case_url
    assert "更正后的最终用途" in page.locator("main").inner_text()
    submit_posts = []
    page.on("request", lambda r: submit_posts.append(r) if r.method == "POST" and "/act/submit/" in r.url
            else None)
    page.locator("#do-submit").dblclick()
    page.wait_for_selector("#case-status[data-status=submitted]")
    assert 1 <= len(submit_posts) <= 2
    page.goto(case_url)
    assert status_of(page) == "submitted"
    assert page.locator("#case-reference").inner_text().strip() == reference  # the same case
    assert Application.objects.filter(exporter=exporter).exclude(reference=None).count() == 1
    sign_out(page)

    sign_in(page, base, actors.province.username, PASSWORD)
    page.goto(case_url)
    act(page, "forward")
    assert status_of(page) == "forwarded"
    sign_out(page)

    # 4. The ministry accepts (the 45-working-day deadline appears) and approves.
    sign_in(page, base, actors.ministry.username, PASSWORD)
    page.goto(f"{base}/cases/")
    assert page.locator("#case-table").get_by_text(reference).count() == 1
    page.goto(case_url)
    act(page, "accept")
    assert status_of(page) == "accepted"
    deadline = selectors.decision_deadline(Application.objects.get(pk=app_id))
    assert deadline.due is not None and deadline.due.year == 2027, deadline
    shown = page.locator("#decision-deadline").inner_text()
    assert any(date_in(language, deadline.due) in shown for language in ("zh-hans", "en")), shown
    # (The review itself has its own browser test: tests/test_review_browser.py. Here the officer
    # decides without referral; the 9xx item needs a senior officer's countersignature.)
    page.goto(case_url)
    page.fill("#referrals-skip-reason", "演示：无需会商 / no agency concerned")
    with page.expect_navigation():
        page.click("#do-referrals-skip")
    assert status_of(page) == "awaiting_decision"
    page.check("#outcome-approve")
    page.fill("#decision-reasons", "符合出口管制法第十九条 / meets the conditions")
    with page.expect_navigation():
        page.check("#confirm-recommend")
        page.click("#do-recommend")
    assert status_of(page) == "awaiting_countersign"
    sign_out(page)
    sign_in(page, base, actors.senior.username, PASSWORD)
    page.goto(case_url)
    with page.expect_navigation():
        page.check("#confirm-countersign")
        page.click("#do-countersign")
    assert status_of(page) == "approved"
    assert Licence.objects.filter(application_id=app_id).exists()
    sign_out(page)

    # 5. The exporter downloads the licence.
    sign_in(page, base, ADMIN_USERNAME, ADMIN_PASSWORD)
    page.goto(case_url)
    assert status_of(page) == "approved"
    assert "符合出口管制法第十九条" in page.locator("#decision-reason").inner_text()
    with page.expect_download() as download_info:
        page.click("#licence-download")
    download = download_info.value
    assert download.failure() is None
    pdf = (tmp_path / "licence.pdf")
    download.save_as(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert download.suggested_filename == f"{Licence.objects.get(application_id=app_id).number}.pdf"
    screenshot = tmp_path / "case.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.exists() and screenshot.stat().st_size > 0
    sign_out(page)

    # 6. Another province's officer cannot even see the case.
    sign_in(page, base, actors.other_province.username, PASSWORD)
    response = page.goto(case_url)
    assert response.status == 404
    response = page.goto(f"{base}/cases/{app_id}/licence.pdf")
    assert response.status == 404


def test_language_selector_switches_the_page_language(live_server, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.select_option("#lang-form select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/accounts/login/")
    with page.expect_navigation():
        page.select_option("#lang-form select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def date_in(language, day):
    """A date as the pages write it in that language (portal/formats)."""
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override(language):
        return date_format(day, "SHORT_DATE_FORMAT")
