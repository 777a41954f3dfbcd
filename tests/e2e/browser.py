"""A real browser for the dashboard's tests: Debian's chromium (``make deps`` installs it)
driven by Playwright, which here never downloads a browser of its own; axe-core from the
dashboard's own npm packages checks each page in the same browser; every page is saved as a
screenshot under ``.artifacts/browser/`` (``XZ_ARTIFACTS`` moves it) for whoever reads the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.private_stack import ROOT

CHROMIUM = Path(os.environ.get("XZ_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags chromium keeps calling Google's hosts, which this
# closed network refuses many at a time; as root it needs --no-sandbox.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("XZ_ARTIFACTS", ROOT / ".artifacts")) / "browser"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Long enough for a page that composes 300 villages on two cores while the platform works.
TIMEOUT_MS = 60_000


def launch(playwright: Playwright) -> Browser:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make deps` installs Debian's chromium"
    assert AXE.exists(), f"{AXE} is missing: `make web` installs the dashboard's packages"
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


@contextmanager
def context(browser: Browser, **options: Any) -> Iterator[BrowserContext]:
    """A fresh profile. axe-core comes in as an init script, which the gateway's
    Content-Security-Policy (scripts from the page's own origin only) does not stop, so the
    policy stays on as users get it; a page that breaks it fails the test."""
    ctx = browser.new_context(
        viewport=options.pop("viewport", DESKTOP), locale="zh-CN", timezone_id="UTC", **options
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.add_init_script(path=str(AXE))
    refused: list[str] = []
    ctx.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield ctx
        assert not refused, f"the page broke its Content-Security-Policy: {refused}"
    finally:
        ctx.close()


def log_in(page: Page, base: str, username: str, password: str) -> None:
    """Through the login page, as a person would."""
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("logout")).to_be_visible()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    results: dict[str, Any] = page.evaluate("async () => await window.axe.run(document)")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                {"target": n["target"], "html": n["html"][:200], "why": n["failureSummary"]}
                for n in v["nodes"][:5]
            ],
        }
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def settled(page: Page) -> None:
    """Until no section is loading: skeletons turning into figures move what is below them."""
    page.wait_for_function(
        "() => !document.querySelector('.el-loading-mask, .el-skeleton')", timeout=TIMEOUT_MS
    )


def open_tab(page: Page, name: str) -> None:
    """Click a village tab as a person would, once the page stands still: a click sent while
    the overview's figures arrive lands where the tab was a moment before (CI saw the issues
    tab stay closed so). The tab must then be the selected one."""
    settled(page)
    page.get_by_test_id(f"tab-{name}").click()
    expect(page.locator(f"#tab-{name}")).to_have_attribute("aria-selected", "true")


def assert_accessible(page: Page, name: str) -> None:
    """Checked once the page has settled: a loading mask fading out is half transparent, and
    its text then fails the contrast rule for a moment that nobody reads."""
    settled(page)
    found = serious_violations(page)
    assert not found, f"{name}: axe-core finds\n{json.dumps(found, ensure_ascii=False, indent=1)}"


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def record(name: str, figures: dict[str, Any]) -> None:
    """A measurement of the run, kept beside the screenshots (``<name>.json``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
