"""End to end in a real browser: Playwright drives Debian's Chromium against a live server.

Needs /usr/bin/chromium (`apt-get install chromium`; `make test` installs it when run as
root). Nothing is downloaded: where Chromium is absent the tests are skipped, saying so.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsprism.config import Settings
from newsprism.service import Service
from newsprism.web import create_app
from tests.conftest import REPO, SEEDS
from tests.web_fixture import build_archive

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = REPO / "test-output"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]  # fmt: skip

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium; "
        "`make test` installs it when run as root)",
    ),
    pytest.mark.slow,
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(settings: Settings) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(build_archive(tmp_path_factory.mktemp("browser") / "web.db"))


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled demo: the five seed articles, ingested and built as `newsprism demo` does."""
    settings = Settings(db=tmp_path_factory.mktemp("demo") / "demo.db", torch_threads=1)
    with Service(settings) as svc:
        svc.ingest([str(SEEDS)])
        svc.build()
    yield from _serve(settings)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        yield context
        context.close()


def _open(browser: Any, url: str) -> Any:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.errors = errors
    return page


def test_coverage_bar_lists_one_sides_headlines(browser: Any, fixture_site: str) -> None:
    page = _open(browser, fixture_site + "/?until=2024-02-01")
    page.get_by_role("link", name="Harbour bridge report 0 part 0").click()
    page.wait_for_load_state("networkidle")
    headlines = page.locator("#headlines > li")
    assert headlines.count() == 2
    page.locator('#coverage button[data-side="right"]').click()
    visible = page.locator("#headlines > li:visible")
    assert visible.count() == 1
    assert visible.first.get_attribute("data-side") == "right"
    assert "Fox News" in visible.first.inner_text()
    assert page.locator('button[data-side="right"]').get_attribute("aria-pressed") == "true"
    assert "Showing 1 right headline" in page.locator(".filter-status").inner_text()
    page.locator('#coverage button[data-side="right"]').click()  # again: all of them
    assert page.locator("#headlines > li:visible").count() == 2
    marker = page.locator("button.cite").first
    assert not page.locator(".cite-sources").first.is_visible()
    marker.focus()
    sources = page.locator(".cite:focus + .cite-sources")
    assert sources.is_visible()
    assert "Fox News" in sources.inner_text() or "New York Times" in sources.inner_text()
    assert page.errors == []  # the strict CSP blocked nothing the page needs


def test_demo_story_page(browser: Any, demo_site: str) -> None:
    page = _open(browser, demo_site + "/stories/1")
    assert "Belarus" in page.locator("h1").inner_text()
    assert page.locator("#headlines > li").count() == 4
    for side in ("left", "center", "right"):
        segment = page.locator(f'#coverage button[data-side="{side}"]')
        if segment.count():
            segment.click()
            shown = page.locator("#headlines > li:visible")
            assert all(
                shown.nth(i).get_attribute("data-side") == side for i in range(shown.count())
            )
            segment.click()
    markers = page.locator("button.cite")
    if markers.count():  # citation markers come with the synthesis
        markers.first.focus()
        sources = page.locator(".cite:focus + .cite-sources")
        assert sources.is_visible()
        assert sources.inner_text().strip()
    for section in ("summary", "facts", "entities", "timeline", "sources"):
        assert page.locator(f"#{section}").count() == 1, section
    assert "Agreed" in page.locator("#facts").inner_text()
    page.locator("#facts a.src-ref").first.click()  # a fact cell leads to its source
    assert page.evaluate("location.hash").startswith("#src-")
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "story.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.screenshot(path=str(OUTPUT / "story-top.png"))  # the first screens, for the README
    assert (OUTPUT / "story.png").stat().st_size > 10_000
    assert page.errors == []


def _first_outlet(site: str) -> str:
    with urllib.request.urlopen(site + "/outlets.json", timeout=10) as response:
        return f"/outlets/{json.load(response)['outlets'][0]['outlet']['id']}"


@pytest.mark.parametrize(
    "path",
    ["/", "/stories/1", "/threads/1", "/search?q=bridge", "/stories/99999", "/outlets", "OUTLET"],
)
def test_no_serious_accessibility_violations(browser: Any, fixture_site: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    if path == "OUTLET":
        path = _first_outlet(fixture_site)
    page = _open(browser, fixture_site + path)
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == [], results.generate_report()
