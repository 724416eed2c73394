"""WCAG 2.2 A/AA checks (axe) and 390 px reflow checks on the main pages.

Every page is checked twice: at 1280 px (axe, screenshot) and in a 390 × 844
phone context sharing the same session (no sideways scrolling, axe, screenshot).
The console must stay free of errors, which also catches CSP violations.
"""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from accounts.models import Invitation, Organization, User
from tests.conftest import PASSWORD, make_person
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
            page.console_watch = self
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


def check_current(page: Page, name: str, *, mobile: bool) -> None:
    if mobile:
        assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    save_screenshot(page, f"a11y-{name}-{'mobile' if mobile else 'desktop'}")


def check_path(desktop: Page, mobile: Page | None, url: str, name: str, heading: str, status: int = 200) -> None:
    """Open the page at both widths (or only the desktop one) and check it."""
    pages = [(desktop, False)] if mobile is None else [(desktop, False), (mobile, True)]
    for page, is_mobile in pages:
        if status == 404 and hasattr(page, "console_watch"):
            page.console_watch.expected_404.add(url)
        response = page.goto(url)
        assert response.status == status, f"{url}: {response.status}"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_current(page, name, mobile=is_mobile)


@pytest.fixture
def organization(transactional_db):
    return Organization.objects.create(name="Riverbend Early Childhood")


@pytest.fixture
def admin(organization):
    return make_person(organization, "admin@riverbend.example", "Avery Admin", User.Role.ADMINISTRATOR)


@pytest.fixture
def practitioner(organization):
    return make_person(organization, "pat@riverbend.example", "Pat Practitioner", User.Role.PRACTITIONER)


@pytest.fixture
def invited(organization, admin):
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
        invited_by=admin,
        token_hash=Invitation.hash_token(INVITATION_TOKEN),
        expires_at=Invitation.default_expiry(),
    )
    return person


@pytest.fixture
def mobile_page(browser):
    context = new_mobile_context(browser)
    yield context.new_page()
    context.close()


def signed_in_mobile_page(browser, desktop: Page) -> Page:
    """A phone-sized page in the desktop page's session."""
    context = new_mobile_context(browser, storage_state=desktop.context.storage_state())
    return context.new_page()


def test_anonymous_pages_are_accessible(invited, live_server, page, mobile_page):
    console = ConsoleWatch(page, mobile_page)
    base = live_server.url

    check_path(page, mobile_page, f"{base}/accounts/login/", "login", "Sign in to RSC Records")
    invitation_url = f"{base}/invitation/{INVITATION_TOKEN}/"
    check_path(page, mobile_page, invitation_url, "invitation-accept", "Choose your password")
    for current, is_mobile in ((page, False), (mobile_page, True)):
        current.get_by_role("button", name="Save password and sign in").click()
        expect(current.locator(".invalid-feedback").first).to_be_visible()
        check_current(current, "invitation-accept-errors", mobile=is_mobile)
    check_path(page, mobile_page, f"{base}{MISSING_PATH}", "404-anonymous", "We couldn't find that page", 404)
    console.assert_clean()


def test_practitioner_pages_are_accessible(practitioner, admin, live_server, browser, page):
    login(page, live_server.url, practitioner.email, PASSWORD)
    mobile = signed_in_mobile_page(browser, page)
    console = ConsoleWatch(page, mobile)
    base = live_server.url

    check_path(page, mobile, f"{base}/", "home-practitioner", "Welcome, Pat")
    # On a phone the navigation folds behind a toggle that must open.
    toggle = mobile.get_by_role("button", name="Show navigation")
    toggle.click()
    expect(mobile.get_by_role("button", name="Pat")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    check_current(mobile, "home-practitioner-menu-open", mobile=True)
    check_path(page, mobile, f"{base}/profile/", "profile", "Your profile")
    check_path(page, mobile, f"{base}{MISSING_PATH}", "404-signed-in", "We couldn't find that page", 404)
    # Administration pages do not exist for a practitioner.
    check_path(page, mobile, f"{base}/people/", "people-as-practitioner", "We couldn't find that page", 404)
    console.assert_clean()
    mobile.context.close()


def test_admin_pages_are_accessible(admin, practitioner, invited, live_server, browser, page):
    login(page, live_server.url, admin.email, PASSWORD)
    base = live_server.url
    check_current(page, "home-admin", mobile=False)
    expect(page.get_by_role("link", name="Casey Newcomer")).to_be_visible()  # waiting for an invitation

    check_path(page, None, f"{base}/people/", "people-list", "People")

    # The invitation form, then the same form sent empty: allauth first asks for the password.
    page.goto(f"{base}/people/invite/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    check_current(page, "invite", mobile=False)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    check_current(page, "reauthenticate", mobile=False)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    expect(page.locator(".invalid-feedback")).to_have_count(3)
    check_current(page, "invite-errors", mobile=False)

    mobile = signed_in_mobile_page(browser, page)
    console = ConsoleWatch(page, mobile)
    for path, name, heading in [
        ("/", "home-admin", "Welcome, Avery"),
        ("/people/", "people-list", "People"),
        ("/people/invite/", "invite", "Invite someone"),
    ]:
        mobile.goto(f"{base}{path}")
        expect(mobile.get_by_role("heading", level=1)).to_have_text(heading)
        check_current(mobile, name, mobile=True)
    mobile.get_by_role("button", name="Send invitation").click()
    expect(mobile.locator(".invalid-feedback")).to_have_count(3)
    check_current(mobile, "invite-errors", mobile=True)

    check_path(page, mobile, f"{base}/people/{invited.pk}/", "person-detail-invited", "Casey Newcomer")
    check_path(page, mobile, f"{base}/people/{practitioner.pk}/", "person-detail-active", "Pat Practitioner")
    check_path(page, mobile, f"{base}/organization/", "organization-settings", "Organization settings")
    console.assert_clean()
    mobile.context.close()
