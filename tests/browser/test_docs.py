"""/docs in a real browser with no network but this machine: Swagger UI draws every operation from files
partnerhub serves itself, under its Content-Security-Policy, with no error in the console."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.conftest import SCREENSHOTS, LiveSite, expect


def test_the_api_reference_renders_offline(chromium: Browser, live_site: LiveSite) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda request: (
            problems.append(f"left the machine: {request.url}")
            if not request.url.startswith(live_site.base_url)
            else None
        ),
    )
    page.goto(live_site.base_url + "/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/v1/customers/{customer_id}/subscriptions").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "docs-desktop.png"))
    page.close()
    assert problems == []
