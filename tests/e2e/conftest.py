"""Fixtures and helpers for end-to-end tests in a real browser.

The tests drive Debian's Chromium through Playwright's sync API against
pytest-django's live server, which runs in this process (in a thread), so
settings changes and ``django.core.mail.outbox`` are shared with the tests.

Chromium missing: the tests are skipped, unless E2E_REQUIRED=1 (as in CI),
where a skipped browser test would hide a regression, so they fail instead.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in the test thread; Django refuses
# database access from a thread with a running loop unless told it is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = E2E_DIR.parent.parent / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
MOBILE_VIEWPORT = {"width": 390, "height": 844}
# Short waits: the live server is local, a page that takes longer is a failure.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    # Details only for violations: the checks stay the same and run faster.
    "resultTypes": ["violations"],
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so the page fixture can take a
    # screenshot of a failed test before it closes the browser context.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _live_database(transactional_db):
    """The live server reads the database from another thread: commit for real.

    With this, the personas of tests/conftest.py serve the browser tests too.
    """


def e2e_required() -> bool:
    return os.environ.get("E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM}."
        if e2e_required():
            pytest.fail(f"{message} E2E_REQUIRED=1, so browser tests may not be skipped.", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def artifacts_dir() -> Path:
    """test-artifacts/ holds the screenshots of the last run only.

    Under pytest-xdist the workers share the folder, so nothing is removed.
    """
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    if "PYTEST_XDIST_WORKER" not in os.environ:
        for old in ARTIFACTS_DIR.glob("*.png"):
            old.unlink()
    return ARTIFACTS_DIR


def new_context(browser: Browser, **options) -> BrowserContext:
    context = browser.new_context(viewport=DESKTOP_VIEWPORT, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def new_mobile_context(browser: Browser, **options) -> BrowserContext:
    """A phone-sized context (390 × 844, touch, mobile viewport meta honoured)."""
    context = browser.new_context(viewport=MOBILE_VIEWPORT, is_mobile=True, has_touch=True, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(browser: Browser) -> BrowserContext:
    context = new_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, request, artifacts_dir: Path) -> Page:
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and not page.is_closed():
        page.screenshot(path=artifacts_dir / f"FAILED-{request.node.name}.png", full_page=True)


def login(page: Page, live_server_url: str, email: str, password: str) -> None:
    """Sign in through allauth's form and wait for the home page."""
    page.goto(f"{live_server_url}/accounts/login/")
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server_url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def save_screenshot(page: Page, name: str) -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def _format_violation(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation.get('helpUrl', '')}>"]
    for node in violation["nodes"]:
        # A target is a list of selectors, nested further for iframes and shadow DOM.
        target = " ".join(str(part) for part in node["target"])
        lines.append(f"    at {target}")
        summary = node.get("failureSummary", "").replace("\n", "\n       ")
        if summary:
            lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail with a readable list if axe finds WCAG 2.2 A/AA violations on the current page.

    axe is injected with page.evaluate, which goes through the DevTools
    protocol and is not subject to the page's Content-Security-Policy, so the
    checks run under the real CSP, without bypass_csp.
    """
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if violations:
        report = "\n".join(_format_violation(violation) for violation in violations)
        pytest.fail(f"axe found {len(violations)} WCAG 2.2 A/AA violation(s) on {page.url}:\n{report}", pytrace=False)


def assert_no_horizontal_scroll(page: Page, width: int = MOBILE_VIEWPORT["width"]) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: the document is {scroll_width} px wide"
