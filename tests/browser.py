"""Playwright helpers for the browser tests: Debian's Chromium, one browser per module, a fresh
context and page per test. Never `playwright install`: the browser is /usr/bin/chromium."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-quic", "--no-first-run",
]
TIMEOUT_MS = 15_000

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_available() -> bool:
    return CHROMIUM.exists()


@pytest.fixture(scope="module")
def browser():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Between its calls Playwright's sync API leaves its event loop marked as running in this
    # thread. Django keeps database connections "thread critical": with a running loop it hands
    # out a second, per-context connection. The test database setup and teardown would then run
    # on a connection without the serialized seed data (serialized_rollback restores nothing and
    # the flush re-runs post_migrate), and the test would talk to the database through another
    # connection than the live server's. Pin the connections this thread already has.
    before = {alias: connections[alias] for alias in connections}
    with sync_playwright() as pw:
        for alias, conn in before.items():
            connections[alias] = conn
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(accept_downloads=True, locale="zh-CN",
                                  viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def live_server_serves_no_media(monkeypatch):
    """portal/settings.py sets MEDIA_URL = None (uploads are never served by URL). Django's live
    server wraps the site in _MediaFilesHandler, which parses MEDIA_URL once (urlparse(None) gives
    bytes) and then fails every request with a TypeError. Uploads are private, so the live server
    must not serve MEDIA_ROOT either: tell its media handler to leave every path to the site."""
    from django.test.testcases import _MediaFilesHandler

    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda self, path: False)


def status_of(page) -> str:
    return page.locator("#case-status").get_attribute("data-status")


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", password)
    with page.expect_navigation():
        page.click("#login-submit")
    assert "/accounts/login/" not in page.url, f"sign-in failed for {username}: {page.url}"
    page.wait_for_selector("header form[action$='/accounts/logout/'] button")


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click("header form[action$='/accounts/logout/'] button")
    assert page.locator("header form[action$='/accounts/logout/']").count() == 0


def act(page, action: str, reason: str | None = None) -> None:
    """Press one of the case actions (#form-<action>) and wait for the page that follows."""
    if reason is not None:
        page.fill(f"#reason-{action}", reason)
    with page.expect_navigation():
        page.click(f"#do-{action}")
