"""WCAG 2.2 A/AA checks (axe) and 390 px reflow checks on the main pages.

Every page is checked at 1280 × 900 with axe, then in a 390 × 844 phone
context sharing the same session, where the document must not scroll
sideways (WCAG 1.4.10 Reflow, which axe cannot judge). Both are saved as
screenshots in test-artifacts/. The browser console must stay free of errors,
which also catches Content-Security-Policy violations.
"""

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from accounts.models import Invitation, User
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_mobile_context,
    save_screenshot,
)

INVITATION_TOKEN = "e2e-accessibility-invitation-token"
MISSING_PATH = "/no-such-page/"


class ConsoleWatch:
    """Errors logged by the pages, except the status line of a page expected to be a 404."""

    def __init__(self, *pages: Page):
        self.errors: list[str] = []
        self.expected_404: set[str] = set()
        for page in pages:
            page.on("console", self._on_console)
            page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if "status of 404" in message.text and source in self.expected_404:
            return
        self.errors.append(f"{source}: {message.text}")

    def assert_clean(self) -> None:
        assert self.errors == [], "\n".join(self.errors)


def check_desktop(page: Page, name: str) -> None:
    assert_no_axe_violations(page)
    save_screenshot(page, f"a11y-{name}-desktop")


def check_mobile(page: Page, name: str, *, axe: bool = False) -> None:
    assert_no_horizontal_scroll(page)
    if axe:
        assert_no_axe_violations(page)
    save_screenshot(page, f"a11y-{name}-mobile")


def open_page(page: Page, url: str, heading: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url}: HTTP {response.status}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def check_path(
    desktop: Page, mobile: Page, url: str, name: str, heading: str, *, status: int = 200, console=None
) -> None:
    """Open the page at both widths and check it."""
    if console is not None and status == 404:
        console.expected_404.add(url)
    open_page(desktop, url, heading, status)
    check_desktop(desktop, name)
    open_page(mobile, url, heading, status)
    check_mobile(mobile, name)


def signed_in_mobile_page(browser: Browser, desktop: Page) -> Page:
    """A phone-sized page in the desktop page's session (same cookies)."""
    context = new_mobile_context(browser, storage_state=desktop.context.storage_state())
    return context.new_page()


@pytest.fixture
def invited(organization, admin_user):
    """Someone invited but not yet signed up, with a known invitation token."""
    person = User.objects.create_user(
        email="casey@riverbend.example",
        password=None,
        full_name="Casey Newcomer",
        organization=organization,
        is_practitioner=True,
        is_supervisor=True,
        invitation_accepted=False,
    )
    Invitation.objects.create(
        user=person,
        invited_by=admin_user,
        token_hash=Invitation.hash_token(INVITATION_TOKEN),
        expires_at=Invitation.default_expiry(),
    )
    return person


@pytest.fixture
def mobile_page(browser):
    context = new_mobile_context(browser)
    yield context.new_page()
    context.close()


def test_anonymous_pages_are_accessible(invited, live_server, page, mobile_page):
    console = ConsoleWatch(page, mobile_page)
    base = live_server.url

    check_path(page, mobile_page, f"{base}/accounts/login/", "login", "Sign in to RSC Records")

    invitation_url = f"{base}/invitation/{INVITATION_TOKEN}/"
    check_path(page, mobile_page, invitation_url, "invitation-accept", "Choose your password")
    # Sent empty, the form shows its errors.
    for current, check in ((page, check_desktop), (mobile_page, check_mobile)):
        current.get_by_role("button", name="Save password and sign in").click()
        expect(current.locator(".invalid-feedback")).to_have_count(2)
        check(current, "invitation-accept-errors")
    console.assert_clean()


def test_practitioner_pages_are_accessible(practitioner, admin_user, live_server, browser, page):
    login(page, live_server.url, practitioner.email, PASSWORD)
    mobile = signed_in_mobile_page(browser, page)
    console = ConsoleWatch(page, mobile)
    base = live_server.url

    open_page(page, f"{base}/", "Welcome, Pat")
    check_desktop(page, "home-practitioner")
    open_page(mobile, f"{base}/", "Welcome, Pat")
    # On a phone the navigation folds behind a toggle; check both states with axe too.
    check_mobile(mobile, "home-practitioner", axe=True)
    toggle = mobile.get_by_role("button", name="Show navigation")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(mobile.get_by_role("button", name="Pat")).to_be_visible()
    mobile.wait_for_selector("#main-nav.show")  # the collapse animation has finished
    check_mobile(mobile, "home-practitioner-navigation-open", axe=True)

    check_path(page, mobile, f"{base}/profile/", "profile", "Your profile")
    check_path(page, mobile, f"{base}{MISSING_PATH}", "404", "We couldn't find that page", status=404, console=console)
    console.assert_clean()
    mobile.context.close()


def test_admin_pages_are_accessible(admin_user, practitioner, invited, live_server, browser, page):
    base = live_server.url
    login(page, base, admin_user.email, PASSWORD)
    expect(page.get_by_role("link", name="Casey Newcomer")).to_be_visible()  # an invitation is waiting
    check_desktop(page, "home-admin")
    open_page(page, f"{base}/people/", "People")
    check_desktop(page, "people-list")

    # The invitation form, then the same form sent empty: allauth first asks for the
    # password, then replays the request, which shows the errors.
    open_page(page, f"{base}/people/invite/", "Invite someone")
    check_desktop(page, "invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    check_desktop(page, "reauthenticate")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    expect(page.locator(".invalid-feedback")).to_have_count(3)
    check_desktop(page, "invite-errors")

    # The phone shares the session, whose password confirmation is now recent.
    mobile = signed_in_mobile_page(browser, page)
    console = ConsoleWatch(page, mobile)
    for path, name, heading in [
        ("/", "home-admin", "Welcome, Avery"),
        ("/people/", "people-list", "People"),
        ("/people/invite/", "invite", "Invite someone"),
    ]:
        open_page(mobile, f"{base}{path}", heading)
        check_mobile(mobile, name)
    mobile.get_by_role("button", name="Send invitation").click()
    expect(mobile.locator(".invalid-feedback")).to_have_count(3)
    check_mobile(mobile, "invite-errors")

    check_path(page, mobile, f"{base}/people/{invited.pk}/", "person-detail", "Casey Newcomer")
    expect(page.get_by_role("heading", name="Invitation")).to_be_visible()
    check_path(page, mobile, f"{base}/organization/", "organization-settings", "Organization settings")
    console.assert_clean()
    mobile.context.close()
