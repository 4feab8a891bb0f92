"""Looks: the header keeps one row at 1366 px for every role in both languages (the rarer pages sit
under "More"), and on a 390 px phone the page never runs off sideways: its tables scroll inside
their .table-scroll wrappers."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import chromium_available, sign_in
from tests.factories import PASSWORD
from tests.test_accessibility import serious_violations, world

BROWSER_MARKS = [
    pytest.mark.skipif(not chromium_available(),
                       reason="Debian's Chromium (/usr/bin/chromium) is not installed; scripts/test installs it"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("live_server_serves_no_media"),
]


def in_the_browser(test):
    for mark in reversed(BROWSER_MARKS):
        test = mark(test)
    return test

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Where every item of the header sits: one row means their vertical middles line up.
HEADER_GEOMETRY = """() => {
  const header = document.querySelector('header.top');
  const items = [...header.children, ...header.querySelectorAll('nav > a, nav > details > summary')]
    .filter(el => el.getClientRects().length && !el.matches('nav, input[type=hidden]'));
  const middles = items.map(el => { const r = el.getBoundingClientRect(); return (r.top + r.bottom) / 2; });
  return {
    spread: Math.max(...middles) - Math.min(...middles),
    height: header.getBoundingClientRect().height,
    overflow: header.scrollWidth - header.clientWidth,
    pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    links: items.length,
    tall: items.filter(el => el.getBoundingClientRect().height > 40).map(el => el.textContent.trim()),
  };
}"""

MENU_BOX = """() => { const r = document.querySelector('#nav-more .nav-menu').getBoundingClientRect();
  return {left: r.left, right: r.right, width: window.innerWidth}; }"""

ROLES = ["owner", "colleague", "province", "ministry", "senior", "agency", "customs", None]


def _name_everyone(actors):
    """Real people have full names, and the ministry a long organisation name beside them."""
    for role in ROLES:
        if role:
            user = getattr(actors, role)
            user.first_name, user.last_name = "欧阳", "文华"
            user.save(update_fields=["first_name", "last_name"])


@in_the_browser
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1366, 1280])
def test_the_header_keeps_one_row_for_every_role(language, width, live_server, browser, actors):
    _name_everyone(actors)
    rows = {}
    for role in ROLES:
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            if role:
                sign_in(page, live_server.url, getattr(actors, role).username, PASSWORD)
            page.goto(live_server.url + "/")
            geometry = page.evaluate(HEADER_GEOMETRY)
            if geometry["spread"] > 6 or geometry["overflow"] > 0 or geometry["pageOverflow"] > 0 \
                    or geometry["height"] > 60 or geometry["tall"]:
                rows[role] = geometry
            if role:  # the menu opens inside the window and closes on Escape
                page.click("#nav-more summary")
                assert page.locator("#nav-lists").is_visible()
                box = page.evaluate(MENU_BOX)
                assert 0 <= box["left"] and box["right"] <= box["width"], (role, box)
                page.keyboard.press("Escape")
                assert not page.locator("#nav-lists").is_visible()
                assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        finally:
            context.close()
    assert not rows, rows


PHONE_PAGES = {
    "owner": ["/cases/", "/cases/{case}/", "/parties/", "/controllist/?q=magnet", "/inbox/"],
    "ministry": ["/cases/", "/cases/{case}/", "/review/", "/enduse-checks/", "/lists/changes/"],
}

TABLES_ON_A_PHONE = """() => ({
  pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  unwrapped: [...document.querySelectorAll('main table')]
    .filter(t => !t.parentElement.classList.contains('table-scroll')).map(t => t.outerHTML.slice(0, 80)),
  scrolling: [...document.querySelectorAll('.table-scroll')]
    .filter(w => w.scrollWidth > w.clientWidth && getComputedStyle(w).overflowX === 'auto').length,
})"""


@in_the_browser
def test_on_a_phone_tables_scroll_instead_of_running_off_the_page(live_server, browser, actors):
    ids = world(actors)
    problems, scrolling = {}, 0
    for role, paths in PHONE_PAGES.items():
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      device_scale_factor=3, locale="zh-CN")
        try:
            page = context.new_page()
            sign_in(page, live_server.url, getattr(actors, role).username, PASSWORD)
            for path in paths:
                page.goto(live_server.url + path.format(**ids))
                found = page.evaluate(TABLES_ON_A_PHONE)
                scrolling += found["scrolling"]
                header = page.evaluate(HEADER_GEOMETRY)
                bad = {key: value for key, value in found.items() if key != "scrolling" and value}
                if header["overflow"] > 0:
                    bad["header overflow"] = header["overflow"]
                violations = serious_violations(page)
                if violations:
                    bad["axe"] = violations
                if bad:
                    problems[f"{role} {path}"] = bad
        finally:
            context.close()
    assert not problems, problems
    assert scrolling, "no table was wider than the phone: the test would prove nothing"



def test_every_table_of_a_page_template_sits_in_a_scroll_wrapper():
    """PDF templates print on paper and keep bare tables; every page's table gets the wrapper."""
    bare = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name.endswith("_pdf.html"):
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b", text):
            if not re.search(r'<div class="table-scroll"[^>]*>\s*$', text[:match.start()]):
                bare.append(f"{path.relative_to(TEMPLATES)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert not bare, bare
