"""Browser tests: Playwright for Python driving Debian's Chromium against the local runtime.

Generic fixtures shared by every browser test module:
  runtime        the running local runtime (tests.helpers.runtime.local_runtime)
  browser        one headless Chromium for the session (FAILS, never skips, if missing)
  new_page       factory: new_page(path="/demo/", viewport=..., **context_kwargs) -> Page,
                 with console messages, page errors and dialogs recorded on page.parley_log
  artifacts_dir  test-artifacts/ at the repository root
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.helpers.runtime import local_runtime  # noqa: F401  (session fixture)

CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path() -> str:
    path = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not path or not os.path.exists(path):
        pytest.fail(f"Chromium not found at {CHROMIUM!r}: install Debian's chromium package "
                    "(apt-get install chromium) or set PARLEY_CHROMIUM. Browser tests never skip.")
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def runtime(local_runtime):  # noqa: F811
    return local_runtime


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = playwright_instance.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield b
    b.close()


class PageLog:
    """What a page said: console lines, uncaught errors, dialogs (auto-dismissed)."""

    def __init__(self):
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]


@pytest.fixture
def new_page(browser, runtime):
    """Factory for pages in fresh browser contexts (separate storage = separate visitors).

    new_page(path, viewport={"width": 1280, "height": 800}, context=None, **context_kwargs)
    Pass context=<existing BrowserContext> to open another tab of the same visitor."""
    contexts = []

    def make(path: str = "/demo/", viewport=None, context=None, goto: bool = True,
             **context_kwargs):
        if context is None:
            context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800},
                                          **context_kwargs)
            contexts.append(context)
        page = context.new_page()
        log = PageLog()
        page.on("console", lambda m: log.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: log.errors.append(str(e)))

        def on_dialog(d):
            log.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()
        page.on("dialog", on_dialog)
        page.parley_log = log
        if goto:
            page.goto(runtime.base_url + path)
        return page

    yield make
    for c in contexts:
        try:
            c.close()
        except Exception:
            pass
