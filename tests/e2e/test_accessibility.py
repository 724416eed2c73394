"""WCAG 2.2 A/AA checks (axe) and 390 px reflow checks on the main pages.

Every page is checked at 1280 × 900 with axe, then in a 390 × 844 phone
context sharing the same session, where the document must not scroll
sideways (WCAG 1.4.10 Reflow, which axe cannot judge). Both are saved as
screenshots in test-artifacts/. The browser console must stay free of errors,
which also catches Content-Security-Policy violations.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from accounts.models import Invitation, User
from rsc.models import Child, Family
from rsc.models.reflections import Reflection
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_context,
    new_mobile_context,
    save_screenshot,
)

INVITATION_TOKEN = "e2e-accessibility-invitation-token"
MISSING_PATH = "/no-such-page/"


class ConsoleWatch:
    """Errors logged by the pages, except the status line of a page expected to answer with an error
    status (a 404 page, a form refused with a 409 conflict)."""

    def __init__(self, *pages: Page):
        self.errors: list[str] = []
        self.expected_statuses: set[tuple[str, int]] = set()
        for page in pages:
            page.on("console", self._on_console)
            page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def expect_status(self, url: str, status: int) -> None:
        self.expected_statuses.add((url, status))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if any(f"status of {status}" in message.text and source == url for url, status in self.expected_statuses):
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
    if console is not None and status >= 400:
        console.expect_status(url, status)
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
    # Signed-in devices (allauth's page, our template): a list, so nothing scrolls out of the keyboard's reach.
    check_path(page, mobile, f"{base}/accounts/sessions/", "devices", "Signed-in devices")
    assert_no_axe_violations(mobile)
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
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
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

    check_path(page, mobile, f"{base}/accounts/reauthenticate/?next=/people/", "reauthenticate", "Confirm it's you")
    assert_no_axe_violations(mobile)
    check_path(page, mobile, f"{base}/people/{invited.pk}/", "person-detail", "Casey Newcomer")
    expect(page.get_by_role("heading", name="Invitation")).to_be_visible()
    check_path(page, mobile, f"{base}/organization/", "organization-settings", "Organization settings")
    check_path(page, mobile, f"{base}/audit/", "audit-list", "Audit trail")
    console.assert_clean()
    mobile.context.close()


@pytest.fixture
def reflections(organization, practitioner, supervisor, agreement):
    """Pat's reflections: one shared for the next session with a response from Sasha, a private
    draft about JM-2 (baby's section empty), a few from earlier months with check-ins for the
    charts, and a deleted one."""
    from rsc.services import reflections as services
    from rsc.services import sessions as scheduling

    now = timezone.now()
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    birth = timezone.localdate().replace(day=1)
    for _ in range(14):
        birth = (birth - datetime.timedelta(days=1)).replace(day=1)
    Child.objects.create(family=family, label="K", birth_month=birth)
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        starts_at=now + datetime.timedelta(days=2),
        duration_minutes=60,
        modality="video",
    )
    shared = services.reflection_create(
        author=practitioner,
        data={
            "family": family,
            "session": session,
            "title": "JM-2 after the move",
            "what_happened": "Mum held K on her lap while we talked about the move.",
            "baby_experience": "K watched the door every time it opened.",
            "own_response": "I noticed I wanted to hurry the visit along.",
            "checkin_score": 3,
            "checkin_words": "tired",
        },
    )
    services.reflection_share(reflection=shared, supervisors=[supervisor])
    services.response_add(
        reflection=shared, author=supervisor, text="I wonder what K was hoping would come through that door."
    )
    draft = services.reflection_create(
        author=practitioner,
        data={
            "family": family,
            "what_happened": "K stood in the doorway while Grandma and I talked.",
            "caregiver_experience": "Grandma seemed worn out and proud at once.",
        },
    )
    for months_back, score, texts in [
        (4, 2, {"what_happened": "A hard visit.", "own_response": "I felt helpless."}),
        (3, 4, {"baby_experience": "K babbled at the cat.", "caregiver_experience": "Mum laughed."}),
        (2, 3, {"what_happened": "We met at the clinic.", "baby_experience": "K slept.", "own_response": "Relief."}),
        (1, 5, {"caregiver_experience": "Dad joined us.", "own_response": "I felt part of the team."}),
    ]:
        earlier = services.reflection_create(author=practitioner, data={**texts, "checkin_score": score})
        when = now - datetime.timedelta(days=31 * months_back)
        Reflection.objects.filter(pk=earlier.pk).update(created_at=when, updated_at=when)
    deleted = services.reflection_create(author=practitioner, data={"title": "A note written in the wrong place"})
    services.reflection_delete(reflection=deleted)
    return SimpleNamespace(family=family, session=session, shared=shared, draft=draft)


def test_reflection_pages_are_accessible(reflections, practitioner, supervisor, live_server, browser, page):
    from rsc.services import reflections as services

    base = live_server.url
    shared, draft = reflections.shared, reflections.draft
    login(page, base, practitioner.email, PASSWORD)
    mobile = signed_in_mobile_page(browser, page)
    console = ConsoleWatch(page, mobile)

    check_path(page, mobile, f"{base}/", "home-practitioner-new-response", "Welcome, Pat")
    expect(mobile.get_by_role("heading", name="New responses to your reflections")).to_be_visible()
    check_path(page, mobile, f"{base}/reflections/", "reflection-list", "Reflections")
    expect(mobile.locator("main .list-group-item")).to_have_count(6)
    check_path(page, mobile, f"{base}/reflections/?q=doorway", "reflection-search", "Reflections")
    expect(mobile.locator("main .list-group-item")).to_have_count(1)
    check_path(
        page, mobile, f"{base}/reflections/new/?family={reflections.family.pk}", "reflection-new", "A new reflection"
    )
    expect(mobile.locator(".children-ages")).to_have_text("In this family: K, 14 months")
    assert_no_axe_violations(mobile)  # the sticky save bar and the folding prompts, on a phone
    check_path(page, mobile, f"{base}/reflections/{shared.pk}/", "reflection-detail-author", "JM-2 after the move")
    expect(page.locator(".response-new")).to_contain_text("I wonder what K was hoping")  # new on the first visit
    check_path(page, mobile, f"{base}/reflections/{draft.pk}/share/", "reflection-share", "Share this reflection")
    expect(mobile.locator(".baby-question")).to_contain_text("K (14 months)")
    check_path(page, mobile, f"{base}/reflections/{shared.pk}/versions/", "reflection-versions", "Earlier versions")
    check_path(page, mobile, f"{base}/reflections/deleted/", "reflection-deleted", "Deleted reflections")
    check_path(page, mobile, f"{base}/reflections/{draft.pk}/delete/", "reflection-delete", "Delete this reflection?")
    check_path(page, mobile, f"{base}/reflections/my-practice/", "reflection-insights", "Your perspectives over time")
    expect(mobile.locator(".perspectives-chart rect.bar")).not_to_have_count(0)
    expect(mobile.locator(".checkin-chart circle")).to_have_count(5)

    # The editor as the server sends it back: with a warning about a passage, and after a conflict.
    edit_url = f"{base}/reflections/{draft.pk}/edit/"
    console.expect_status(edit_url, 409)
    for current, check in ((page, check_desktop), (mobile, check_mobile)):
        open_page(current, edit_url, "Edit reflection")
        current.get_by_role("textbox", name="Next steps", exact=True).fill("Call Grandma on 612-555-0147.")
        current.get_by_role("button", name="Save", exact=True).click()
        expect(current.locator("#identifying-region .identifying")).to_contain_text("612-555-0147")
        # The words shown are kept on the server straight away, the warning stays until answered.
        expect(current.locator("#autosave-status")).to_contain_text("Saved at")
        check(current, "reflection-edit-warning")

        open_page(current, edit_url, "Edit reflection")
        draft.refresh_from_db()
        services.reflection_save(
            reflection=draft,
            actor=practitioner,
            data={"wondering": f"Saved in another window ({current.viewport_size['width']} px)."},
            expected_revision=draft.revision,
        )
        current.get_by_role("textbox", name="What I wonder about", exact=True).fill("Typed in this window.")
        current.get_by_role("button", name="Save", exact=True).click()
        expect(current.locator("#conflict-region .conflict")).to_contain_text("Typed in this window.")
        check(current, "reflection-edit-conflict")
    assert_no_axe_violations(mobile)
    console.assert_clean()
    mobile.context.close()

    # The supervisor: the home page, the session's preparation and the shared reflection.
    supervisor_context = new_context(browser)
    desk = supervisor_context.new_page()
    login(desk, base, supervisor.email, PASSWORD)
    phone = signed_in_mobile_page(browser, desk)
    console = ConsoleWatch(desk, phone)
    check_path(desk, phone, f"{base}/", "home-supervisor-shared-unread", "Welcome, Sasha")
    expect(phone.get_by_role("heading", name="Shared with you, not read yet")).to_be_visible()
    check_path(
        desk,
        phone,
        f"{base}/sessions/{reflections.session.pk}/prepare/",
        "session-prepare-reflections",
        "Prepare · You and Pat Practitioner",
    )
    expect(phone.get_by_role("link", name="JM-2 after the move")).to_be_visible()
    check_path(desk, phone, f"{base}/reflections/{shared.pk}/", "reflection-detail-supervisor", "JM-2 after the move")
    expect(phone.get_by_role("textbox", name="Your response")).to_be_visible()
    console.assert_clean()
    phone.context.close()
    supervisor_context.close()
