"""A headless Chromium session against the Home Assistant of scripts/browser-test.

scripts/browser-test starts a fresh Home Assistant and the Slack-like sink and
passes where they are through the environment:

- HA_URL: Home Assistant, e.g. http://127.0.0.1:18123
- SINK_URL: a webhook URL on the sink
- SINK_RECORD: the file the sink appends every body it receives to (JSON lines)
- SCREENSHOTS_DIR: where the screenshots go
- HA_LOG: Home Assistant's log file
- CHROMIUM: the browser (default /usr/bin/chromium, Debian's package)
"""

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import time
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    sync_playwright,
)
import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    # Containers often have a small /dev/shm.
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Instance:
    """Where the Home Assistant under test and its sink are."""

    ha_url: str
    sink_url: str
    sink_record: Path
    screenshots: Path
    ha_log: Path
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        """Return the URL of a frontend path."""
        return self.ha_url.rstrip("/") + path

    def screenshot(self, page: Page, name: str) -> None:
        """Save a screenshot of the page as SCREENSHOTS_DIR/<name>.png."""
        self.screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=self.screenshots / f"{name}.png", animations="disabled", caret="hide"
        )

    def received(self) -> list[dict[str, Any]]:
        """Return the bodies the sink received so far, oldest first."""
        if not self.sink_record.exists():
            return []
        lines = self.sink_record.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["body"] for line in lines if line.strip()]

    def wait_for_body(self, text: str, timeout: float = 15.0) -> dict[str, Any]:
        """Return the first body the sink received whose JSON contains text."""
        deadline = time.monotonic() + timeout
        while True:
            for body in self.received():
                if text in json.dumps(body):
                    return body
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the sink received no body containing {text!r} within {timeout} s;"
                    f" it received: {self.received()!r}"
                )
            time.sleep(0.2)


def _required_env(name: str) -> str:
    if not (value := os.environ.get(name)):
        pytest.exit(
            f"{name} is not set: run the browser test with scripts/browser-test",
            returncode=2,
        )
    return value


@pytest.fixture(scope="session")
def instance() -> Instance:
    """Describe the instance scripts/browser-test started."""
    return Instance(
        ha_url=_required_env("HA_URL"),
        sink_url=_required_env("SINK_URL"),
        sink_record=Path(_required_env("SINK_RECORD")),
        screenshots=Path(_required_env("SCREENSHOTS_DIR")),
        ha_log=Path(_required_env("HA_LOG")),
    )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Start Playwright's driver."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def context(
    playwright: Playwright, instance: Instance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    """Launch Chromium with a fresh profile; only loopback may be reached."""

    def route(route: Route) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        # The map of the onboarding location step: Home Assistant would fetch
        # the tiles from OpenStreetMap for it.
        if "/api/map_tiles/" in url or (
            host not in LOOPBACK and not url.startswith(("data:", "blob:"))
        ):
            instance.blocked.append(url)
            route.abort()
            return
        route.continue_()

    ctx = playwright.chromium.launch_persistent_context(
        tmp_path_factory.mktemp("chromium-profile"),
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=VIEWPORT,
        locale="en-US",
        timezone_id="UTC",
    )
    ctx.set_default_timeout(30_000)
    ctx.route("**/*", route)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def page(context: BrowserContext, instance: Instance) -> Iterator[Page]:
    """Return the one tab the tests share, in order."""

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            instance.console_errors.append(message.text)

    tab = context.pages[0] if context.pages else context.new_page()
    tab.on("console", console)
    yield tab
    if instance.blocked:
        print(f"\nrequests kept from leaving the machine: {instance.blocked}")
    if instance.console_errors:
        print(f"\nbrowser console errors: {instance.console_errors}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, for _screenshot_on_failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _screenshot_on_failure(
    request: pytest.FixtureRequest, page: Page, instance: Instance
) -> Iterator[None]:
    """Save what the tab showed when a test failed, as FAILED-<test>.png."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        instance.screenshot(page, f"FAILED-{request.node.name}")
