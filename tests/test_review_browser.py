"""The ministry's review once through a real browser (headless Debian Chromium, Playwright):
the exporter submits, the province forwards, the officer accepts and consults two agencies, both
give opinions, the officer recommends a refusal, a senior officer countersigns it, and the exporter
downloads the refusal letter."""

import pytest
from pypdf import PdfReader

from accounts.models import Organisation, Role
from licensing.applications.services import document_add
from licensing.models import Application, Referral, RefusalLetter
from tests.browser import act, chromium_available, sign_in, sign_out, status_of
from tests.factories import DRAFT, PASSWORD, UserFactory, pdf_upload

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


def test_review_with_two_agencies_and_a_countersigned_refusal(live_server, browser_page, actors, calendar_2027,
                                                              tmp_path):
    from licensing.applications import services

    page = browser_page
    base = live_server.url
    mfa = UserFactory(organisation=Organisation.objects.get(code="MFA"), role=Role.AGENCY_REVIEWER)
    app, _ = services.application_create(actor=actors.owner, data=DRAFT)
    document_add(application_id=app.pk, actor=actors.owner, kind="end_user_certificate", upload=pdf_upload())
    case_url = f"{base}/cases/{app.pk}/"

    # 1. The exporter submits.
    sign_in(page, base, actors.owner.username, PASSWORD)
    page.goto(case_url)
    act(page, "submit")
    assert status_of(page) == "submitted"
    sign_out(page)

    # 2. The province forwards.
    sign_in(page, base, actors.province.username, PASSWORD)
    page.goto(case_url)
    act(page, "forward")
    assert status_of(page) == "forwarded"
    sign_out(page)

    # 3. The officer sees the acceptance clock, accepts; routing proposes MIIT for the 1C9 item
    #    (the rule that produced it is shown); the officer adds MFA by hand and sends both.
    sign_in(page, base, actors.ministry.username, PASSWORD)
    page.goto(case_url)
    assert page.locator("#acceptance-deadline").count() == 1
    act(page, "accept")
    assert status_of(page) == "accepted"
    page.goto(case_url)  # the routing task ran after the acceptance committed
    panel = page.locator("#referrals-panel")
    assert "MIIT" in panel.inner_text()
    page.select_option("#referral-add-agency", str(Organisation.objects.get(code="MFA").pk))
    page.fill("#referral-add-reason", "目的地政治敏感，征求外交部意见 / destination sensitivity")
    _click(page, "#referral-add button[type=submit]")
    assert "MFA" in page.locator("#referrals-panel").inner_text()
    _click(page, "#do-referrals-send")
    assert status_of(page) == "with_agencies"
    assert page.locator("#decision-deadline").count() == 1
    sign_out(page)

    # 4. Each agency sees only its own referral and gives its opinion.
    for user, opinion, reasons in [(actors.agency, "objection", "该合金可用于导弹制导部件 / missile guidance use"),
                                   (mfa, "no_objection", "无外交方面异议 / no foreign-policy objection")]:
        sign_in(page, base, user.username, PASSWORD)
        page.goto(case_url)
        assert page.locator("#my-referral").count() == 1
        text = page.locator("main").inner_text()
        other = "外交部" if user == actors.agency else "工业和信息化部"
        assert other not in page.locator("#referrals-panel").inner_text()
        page.check(f"#opinion-{opinion}")
        page.fill("#opinion-reasons", reasons)
        _click(page, "#opinion-submit")
        assert page.locator("#my-referral").get_attribute("data-state") == "answered"
        assert text  # the case page rendered for the agency
        sign_out(page)
    assert Application.objects.get(pk=app.pk).status == "awaiting_decision"
    assert set(Referral.objects.filter(application=app).values_list("opinion", flat=True)) == {
        "objection", "no_objection"}

    # 5. The officer sees both opinions side by side and recommends a refusal: an agency objected
    #    (and the item is 9xx), so it waits for a senior officer's countersignature.
    sign_in(page, base, actors.ministry.username, PASSWORD)
    page.goto(case_url)
    opinions = page.locator("#decision-opinions").inner_text()
    assert "MIIT" in opinions or "工业和信息化部" in opinions
    page.check("#outcome-refuse")
    page.check("#factor-national_security")
    page.check("#factor-end_user")
    page.fill("#decision-reasons", "最终用途存在导弹用途风险 / risk of use in missiles")
    page.check("#confirm-recommend")
    _click(page, "#do-recommend")
    assert status_of(page) == "awaiting_countersign"
    assert page.locator("#do-countersign").count() == 0  # not on one's own recommendation
    sign_out(page)

    # 6. The senior officer countersigns; the refusal takes effect and the letter is issued.
    sign_in(page, base, actors.senior.username, PASSWORD)
    page.goto(case_url)
    assert page.locator("#decision-triggered-rules").count() == 1
    page.check("#confirm-countersign")
    _click(page, "#do-countersign")
    assert status_of(page) == "refused"
    sign_out(page)
    letter = RefusalLetter.objects.get(application_id=app.pk)

    # 7. The exporter downloads the refusal letter.
    sign_in(page, base, actors.owner.username, PASSWORD)
    page.goto(case_url)
    assert status_of(page) == "refused"
    with page.expect_download() as info:
        page.click("#refusal-letter-download")
    download = info.value
    assert download.failure() is None
    path = tmp_path / "letter.pdf"
    download.save_as(str(path))
    content = path.read_bytes()
    assert content == bytes(letter.pdf)
    text = "".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert Application.objects.get(pk=app.pk).reference in text and "risk of use in missiles" in text
    sign_out(page)

    # A non-referred agency cannot open the case.
    other_agency = UserFactory(organisation=Organisation.objects.get(code="CAEA"), role=Role.AGENCY_REVIEWER)
    sign_in(page, base, other_agency.username, PASSWORD)
    assert page.goto(case_url).status == 404
