"""Issue 12's browser test: an exporter files a three-item application through the guided form, in
Chinese, and the licence printed after approval shows every new field."""

import shutil
import subprocess

import pytest

from licensing.models import Application, Licence
from tests.browser import chromium_available, sign_in, status_of
from tests.conftest import decide, skip_referrals
from tests.factories import PASSWORD, pdf_bytes

pytestmark = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (scripts/test installs it)"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]

ITEMS = [  # code, HS code, name, model, quantity, unit price
    ("1C902.a", "8505111000", "钐钴永磁体", "SmCo-28", "200", "150"),
    ("1C902.a", "8505111000", "钐钴合金锭", "Sm2Co17-B", "25", "4200"),
    ("1C902.a", "2846901990", "氧化钐粉末", "Sm2O3-4N", "40", "900"),
]


def _item(form, index, code, hs_code, name, model, quantity, price):
    form.locator(f"[name=items-{index}-control_code]").fill(code)
    form.locator(f"[name=items-{index}-description]").fill(name)
    form.locator(f"[name=items-{index}-specification]").fill(model)
    form.locator(f"[name=items-{index}-hs_code]").fill(hs_code)
    form.locator(f"[name=items-{index}-quantity]").fill(quantity)
    form.locator(f"select[name=items-{index}-unit]").select_option("千克")
    form.locator(f"[name=items-{index}-unit_price]").fill(price)


def test_three_items_through_the_guided_form_in_chinese_reach_the_licence(
        live_server, browser_page, actors, calendar_2027, tmp_path):
    page = browser_page
    base = live_server.url
    sign_in(page, base, actors.owner.username, PASSWORD)
    page.click("#nav-new")
    page.wait_for_selector("#application-form")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    form = page.locator("#application-form")

    # Leaving a field checks it at once: a malformed HS code is named beside the field.
    form.locator("[name=items-0-hs_code]").fill("85051")
    form.locator("[name=items-0-quantity]").focus()
    page.wait_for_selector("#check-items-0-hs_code .errorlist, #check-items-0-hs_code:not(:empty)")
    assert page.locator("#check-items-0-hs_code").inner_text().strip()

    _item(form, 0, *ITEMS[0])
    for index in (1, 2):  # two more rows, added in place
        page.click("#add-item")
        page.wait_for_selector(f"[name=items-{index}-control_code]")
        _item(form, index, *ITEMS[index])
    form.locator("select[name=destination]").select_option("DE")
    form.locator("[name=importer_name]").fill("Magnetec Handels GmbH")
    form.locator("[name=importer_address]").fill("Industriestr. 5, Stuttgart")
    form.locator("select[name=importer_country]").select_option("DE")
    form.locator("[name=end_user_name]").fill("Motorenwerk München GmbH")
    form.locator("[name=end_user_address]").fill("Hansastr. 27, München")
    form.locator("select[name=end_user_country]").select_option("DE")
    form.locator("[name=end_use]").fill("永磁电机研究 / Research on permanent-magnet motors")
    form.locator("[name=contract_number]").fill("MHG-2026-0815")
    for name in ("trade_mode", "export_port", "transport_mode", "payment_terms"):
        select = form.locator(f"select[name={name}]")
        select.select_option(index=1)  # the first real choice after the empty one
    form.locator("[name=shipment_from]").fill("2027-01-04")
    form.locator("[name=shipment_until]").fill("2027-03-31")
    with page.expect_navigation():
        page.click("#save-draft")
    assert status_of(page) == "draft"
    # The checklist says what is still missing, and the submit button says why it waits.
    assert page.locator("#do-submit").is_disabled()
    assert page.locator("#submit-why").inner_text().strip()

    certificate = tmp_path / "end-user-certificate.pdf"
    certificate.write_bytes(pdf_bytes())
    page.locator("#upload-form input[name=file]").set_input_files(str(certificate))
    with page.expect_navigation():
        page.click("#upload-submit")
    assert not page.locator("#do-submit").is_disabled()
    with page.expect_navigation():
        page.click("#do-submit")
    assert status_of(page) == "submitted"
    assert page.locator("#next-steps").count() == 1  # what happens next, and the usual time

    app = Application.objects.get(exporter=actors.owner.organisation, status="submitted")
    assert app.items.count() == 3
    assert sorted(app.items.values_list("hs_code", flat=True)) == sorted(i[1] for i in ITEMS)
    assert app.contract_number == "MHG-2026-0815" and app.export_port_id and app.trade_mode

    # Through the review by the services (the review's own browser tests cover its pages).
    from licensing.applications import services

    services.application_forward(application_id=app.pk, actor=actors.province)
    services.application_accept(application_id=app.pk, actor=actors.ministry)
    skip_referrals(app.pk, actors.ministry)
    decide(app.pk, actors, "approve")
    licence = Licence.objects.get(application=app)
    path = tmp_path / "licence.pdf"
    path.write_bytes(bytes(licence.pdf))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    compact = "".join(text.split())
    for _code, hs_code, name, model, _quantity, _price in ITEMS:
        assert hs_code in compact and name in compact and model in compact, (hs_code, name)
    assert "MHG-2026-0815" in compact
    assert app.export_port.name_zh in compact
    assert "USD" in compact
