"""Accessibility in a real browser: axe-core (vendored from npm, tests/vendor/axe-core/) on every
main page of every role finds no serious or critical violation; every form control has a label
of its own; a keyboard alone can file an application."""

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path
from pprint import pformat

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from accounts.models import Role
from controllist.notices import services as notices
from enduser.checks import services as checks
from enduser.models import ListChange, ListedParty, ListKind
from enduser.parties import services as parties
from licensing.models import Application
from licensing.referrals import services as referrals
from tests.browser import chromium_available, sign_in
from tests.conftest import make_case
from tests.factories import PASSWORD, UserFactory, pdf_bytes

pytestmark = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1

# The main pages of each role, then its forms and detail pages (the ids in braces are those of
# the records world() makes).
PAGES = {
    "owner": ["/", "/cases/", "/cases/new/", "/cases/{draft}/", "/cases/{case}/", "/parties/",
              "/controllist/notices/", "/enduse-checks/ours/", "/controllist/", "/controllist/?q=magnet",
              "/controllist/determine/", "/inbox/", "/lists/",
              "/cases/{draft}/edit/", "/parties/new/", "/controllist/questions/new/",
              "/controllist/notices/{notice}/", "/enduse-checks/{check}/"],
    "colleague": ["/", "/staff/", "/cases/{case}/"],
    "province": ["/", "/cases/", "/cases/{case}/", "/review/province/", "/companies/", "/controllist/",
                 "/inbox/", "/lists/"],
    "ministry": ["/", "/cases/", "/cases/{case}/", "/review/", "/enduse-reports/", "/enduse-checks/",
                 "/parties/", "/controllist/notices/", "/lists/changes/", "/controllist/",
                 "/controllist/?q=magnet", "/controllist/questions/", "/controllist/versions/", "/inbox/",
                 "/lists/", "/controllist/notices/{notice}/", "/enduse-checks/{check}/",
                 "/controllist/notices/new/", "/lists/new/", "/lists/import/", "/lists/links/new/",
                 "/controllist/temporary/new/",
                 "/controllist/prohibitions/new/", "/controllist/imports/new/", "/controllist/synonyms/",
                 "/controllist/synonyms/new/"],
    "senior": ["/review/rules/new/", "/review/country-groups/new/", "/review/countersign-rules/new/"],
    "agency": ["/", "/review/agency/", "/cases/{case}/", "/controllist/", "/inbox/", "/lists/"],
    "customs": ["/", "/controllist/", "/inbox/", "/lists/"],
    "anonymous": ["/", "/accounts/login/", "/register/", "/lists/"],
}

# Every control that takes input must be named by a <label> (for= or around it), aria-labelledby
# or aria-label: a placeholder or title alone disappears or is never read.
UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => {
    const byLabel = [...(el.labels || [])].some(l => l.textContent.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim();
    const byRef = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .some(id => (document.getElementById(id)?.textContent || '').trim());
    return !(byLabel || byAria || byRef);
  })
  .map(el => el.outerHTML.slice(0, 160))"""

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 140))}));
}"""


def serious_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in ("serious", "critical")]


def _listed(name, list_kind):
    row = ListedParty.objects.create(list_kind=list_kind, names=[name], announcement="商务部公告2026年第1号",
                                     announced_on=date(2026, 1, 2), effective_on=date(2026, 1, 2), reason="test")
    ListChange.objects.create(listed=row, action=ListChange.Action.ADD, snapshot={"names": row.names},
                              on=row.effective_on)


def world(actors):
    """A draft and a case referred to MIIT, a party, a notice to the company, an end-use check
    and a listed party: the pages show their tables and forms, not only empty states."""
    draft = make_case(actors, "draft")
    case = make_case(actors, "accepted")
    referrals.referrals_send(application_id=case.pk, actor=actors.ministry)
    parties.party_create(actor=actors.owner, data={
        "name": "Magnetec Handels GmbH", "name_zh": "马格内泰克贸易有限公司", "kind": "company",
        "address": "Industriestr. 5, Stuttgart", "country": "DE"})
    notice = notices.notice_issue(actor=actors.ministry, data={
        "reason_zh": "可能危害国家安全", "reason_en": "May endanger national security",
        "exporter": actors.owner.organisation_id, "item_description": "vibration test rig\n振动试验台"})
    check = checks.check_open(actor=actors.ministry, party_id=case.end_user_id, method="documents",
                      questions="Who uses the goods? / 谁使用该物项？",
                      deadline=timezone.localdate() + timedelta(days=14), application_id=case.pk,
                      case_number=case.reference)
    _listed("华荣精密技术有限公司", ListKind.CONTROL)
    return {"draft": draft.pk, "case": case.pk, "notice": notice.pk, "check": check.pk}


def test_the_vendored_axe_is_the_one_the_readme_names():
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert "axe v4.14.1" in AXE.read_text(encoding="utf-8")[:200]


@pytest.mark.parametrize("role", list(PAGES))
def test_every_main_page_has_no_serious_violation_and_labels_every_control(role, live_server, browser_page,
                                                                           actors):
    ids = world(actors)
    page = browser_page
    if role != "anonymous":
        sign_in(page, live_server.url, getattr(actors, role).username, PASSWORD)
    problems = {}
    for path in PAGES[role]:
        url = live_server.url + path.format(**ids)
        response = page.goto(url)
        assert response.status == 200, f"{role} {path}: {response.status}"
        found = {}
        violations = serious_violations(page)
        if violations:
            found["axe"] = violations
        unlabelled = page.evaluate(UNLABELLED_CONTROLS)
        if unlabelled:
            found["unlabelled"] = unlabelled
        if found:
            problems[path] = found
    assert not problems, pformat(problems, width=150)


def test_axe_finds_what_it_should(live_server, browser_page, actors):
    """The check can fail: a page with an unlabelled field and pale grey text is caught."""
    page = browser_page
    page.goto(live_server.url + "/lists/")
    page.evaluate("""() => {
      const bad = document.createElement('div');
      bad.innerHTML = '<input type="text" name="nameless"><p style="color:#ccc;background:#fff">faint</p>';
      document.querySelector('main').append(bad);
    }""")
    ids = {v["id"] for v in serious_violations(page)}
    assert {"label", "color-contrast"} <= ids
    assert any('name="nameless"' in html for html in page.evaluate(UNLABELLED_CONTROLS))


# ---- keyboard only -------------------------------------------------------------------------------

FOCUSED = """() => { const el = document.activeElement;
  return el ? (el.name || el.id || el.tagName) : null; }"""


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the control named (or with the id) `name` has the focus."""
    for _ in range(limit):
        if page.evaluate(FOCUSED) == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {name!r}")


def type_into(page, name: str, text: str) -> None:
    tab_to(page, name)
    page.keyboard.type(text)


def test_a_keyboard_alone_files_an_application(live_server, browser_page, actors, tmp_path):
    owner = UserFactory(organisation=actors.owner.organisation, role=Role.EXPORTER_STAFF)
    page = browser_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/accounts/login/")
    type_into(page, "username", owner.username)
    type_into(page, "password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url

    tab_to(page, "nav-new")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/cases/new/")

    type_into(page, "items-0-control_code", "1C902.a")
    type_into(page, "items-0-description", "Samarium-cobalt alloy 钐钴合金")
    type_into(page, "items-0-quantity", "25")
    tab_to(page, "items-0-unit")  # a closed <select>: the arrow keys walk its options
    steps = page.evaluate("""() => [...document.querySelector('[name="items-0-unit"]').options]
                                     .findIndex((o) => o.value === '千克')""")
    assert steps > 0
    for _ in range(steps):
        page.keyboard.press("ArrowDown")
    assert page.locator('[name="items-0-unit"]').input_value() == "千克"
    type_into(page, "items-0-value_rmb", "180000")
    type_into(page, "destination", "Germany")  # a closed <select> picks the option typed
    type_into(page, "importer_name", "Magnetec Handels GmbH")
    type_into(page, "importer_address", "Industriestr. 5, Stuttgart")
    type_into(page, "importer_country", "Germany")
    type_into(page, "end_user_name", "Motorenwerk München GmbH")
    type_into(page, "end_user_address", "Hansastr. 27, München")
    type_into(page, "end_user_country", "Germany")
    type_into(page, "end_use", "Research on permanent-magnet motors / 永磁电机研究")
    tab_to(page, "save-draft")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    match = re.search(r"/cases/(\d+)/$", page.url)
    assert match, page.url
    app = Application.objects.get(pk=match.group(1))
    assert app.status == "draft" and app.destination == "DE" and app.end_user.country == "DE"

    # The certificate: the file input opens the system's file dialog from the keyboard too.
    certificate = tmp_path / "end-user-certificate.pdf"
    certificate.write_bytes(pdf_bytes())
    tab_to(page, "file")
    chooser = None
    for key in ("Space", "Enter", "Space"):  # either key opens the dialog; a busy machine may drop one
        try:
            with page.expect_file_chooser(timeout=5_000) as opened:
                page.keyboard.press(key)
            chooser = opened.value
            break
        except PlaywrightTimeout:
            assert page.evaluate(FOCUSED) == "file"  # still on the file input: press again
    assert chooser is not None, "the file input never opened its dialog from the keyboard"
    chooser.set_files(str(certificate))
    tab_to(page, "upload-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert app.documents.filter(kind="end_user_certificate").exists()

    tab_to(page, "do-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    app.refresh_from_db()
    assert app.status == "submitted"
