"""The idle-timeout warning of static/js/rsc.js against the real server clock.

The idle timeout is shortened to 8 seconds with a 5-second warning, so the
warning opens about 3 seconds after sign-in and the session ends at 8.
rsc.timeouts re-records activity at most every ACTIVITY_RESOLUTION (30)
seconds, so page loads in these tests never extend the session: only the
explicit "Stay signed in" does.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from accounts.models import Organization, User
from rsc import timeouts
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import assert_no_axe_violations, login, save_screenshot

IDLE_TIMEOUT = 8
WARNING_SECONDS = 5


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_IDLE_TIMEOUT = IDLE_TIMEOUT
    settings.SESSION_WARNING_SECONDS = WARNING_SECONDS
    # The tests rely on page loads not counting as new activity.
    assert timeouts.ACTIVITY_RESOLUTION > 2 * IDLE_TIMEOUT


@pytest.fixture
def practitioner(transactional_db):
    organization = Organization.objects.create(name="Riverbend Early Childhood")
    return make_person(organization, "pat@riverbend.example", "Pat Practitioner", User.Role.PRACTITIONER)


def session_status(page, live_server_url) -> dict:
    """What the server says is left; reading it is not activity."""
    response = page.request.get(f"{live_server_url}/session/status/", max_redirects=0)
    assert response.status == 200, response.status
    return response.json()


def test_idle_timeout_warning_and_stay_signed_in(short_sessions, practitioner, live_server, page):
    login(page, live_server.url, practitioner.email, PASSWORD)
    # The session's clock started with the request for the home page, before this.
    original_deadline = time.monotonic() + IDLE_TIMEOUT
    body = page.locator("body")
    expect(body).to_have_attribute("data-session-idle", str(IDLE_TIMEOUT))
    expect(body).to_have_attribute("data-session-warning", str(WARNING_SECONDS))

    dialog = page.locator("#session-warning")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=(IDLE_TIMEOUT - WARNING_SECONDS + 3) * 1000)
    expect(dialog).to_have_attribute("open", "")
    expect(dialog).to_have_attribute("role", "alertdialog")
    expect(dialog.get_by_role("heading", name="Still there?")).to_be_visible()
    expect(dialog.locator(".idle-text")).to_have_text(re.compile(r"you will be signed out soon"))
    expect(dialog.locator(".absolute-text")).to_be_hidden()
    expect(dialog.locator(".countdown")).to_have_text(re.compile(r"^0:0[0-5]$"))
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    save_screenshot(page, "session-idle-warning")

    stay.click()
    expect(dialog).to_be_hidden()
    # The server counted the click as activity: the idle clock starts again.
    assert session_status(page, live_server.url)["idle"] >= IDLE_TIMEOUT - 2

    # Past the original deadline the session is still alive and the page is still the home page.
    time.sleep(max(0, original_deadline - time.monotonic()) + 1)
    assert page.url == f"{live_server.url}/"
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat")


def test_idle_timeout_signs_out_to_login_with_next(short_sessions, practitioner, live_server, page):
    login(page, live_server.url, practitioner.email, PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")

    dialog = page.locator("#session-warning")
    expect(dialog).to_be_visible(timeout=(IDLE_TIMEOUT - WARNING_SECONDS + 3) * 1000)
    # The open warning is part of the page too (a modal dialog with a name and description).
    assert_no_axe_violations(page)

    # Nobody answers: when the time is up the page goes to the sign-in page by itself,
    # asking to come back to where the person was.
    page.wait_for_url(re.compile(r"/accounts/login/\?next="), timeout=(WARNING_SECONDS + 4) * 1000)
    assert page.url == f"{live_server.url}/accounts/login/?next=%2Fprofile%2F"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to RSC Records")
    expect(page.get_by_role("status").filter(has_text="signed out after a period without activity")).to_be_visible()
    save_screenshot(page, "session-idle-signed-out")

    # The session really ended on the server.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
