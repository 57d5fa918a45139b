"""Browser tests: Playwright driving Debian's Chromium against a real server holding the
demo. Screenshots of the pages visited are kept in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.servers import DemoServer, demo_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "clinsafe-demo"
# As long as a person would wait on a busy server: signing off renders two PDFs inside the
# request, which on a loaded CI machine has taken over 30 s (Playwright's default). A test
# still fails, with the page's state, if what it waits for never comes.
PATIENCE_MS = 180_000
expect.set_options(timeout=PATIENCE_MS)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Session:
    """One person's browser tab, logged in."""

    def __init__(self, page: Page, server: DemoServer) -> None:
        self.page, self.server = page, server

    def go(self, path: str) -> Page:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == 200, path
        return self.page

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def login(browser: Browser, server: DemoServer) -> Iterator[Any]:
    contexts = []

    def login(username: str) -> Session:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(PATIENCE_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url + "/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("Log in", re.I)).click()
        page.wait_for_url(re.compile(r"/products/"))
        return Session(page, server)

    yield login
    for context in contexts:
        context.close()
