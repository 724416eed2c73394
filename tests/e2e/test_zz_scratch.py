import re, time
T0=time.monotonic()

from playwright.sync_api import expect

from accounts.models import Organization, User
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import login, save_screenshot


def test_scratch(transactional_db, live_server, page):
    global T0; T0=time.monotonic()
    organization = Organization.objects.create(name="Riverbend Early Childhood")
    make_person(organization, "pat@riverbend.example", "Pat Practitioner", User.Role.PRACTITIONER)

    print(round(time.monotonic()-T0,2)); login(page, live_server.url, "pat@riverbend.example", PASSWORD)

    print(round(time.monotonic()-T0,2)); expect(page).to_have_title(re.compile(r"^Home · RSC Records$"))
    print(round(time.monotonic()-T0,2)); expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat")
    print(round(time.monotonic()-T0,2)); expect(page.locator(".page-lead")).to_contain_text("Riverbend Early Childhood")
    print(round(time.monotonic()-T0,2)); expect(page.locator(".page-lead .badge")).to_have_text(["Practitioner"])
    # A practitioner sees no administration links.
    navigation = page.get_by_role("navigation", name="Main")
    print(round(time.monotonic()-T0,2)); expect(navigation.get_by_role("link", name="People")).to_have_count(0)
    print(round(time.monotonic()-T0,2)); save_screenshot(page, "sign-in-home-practitioner")

    # The user menu is a Bootstrap dropdown; "Sign out" is a POST form inside it.
    sign_out = page.get_by_role("button", name="Sign out")
    print(round(time.monotonic()-T0,2)); expect(sign_out).to_be_hidden()
    menu_toggle = navigation.get_by_role("button", name="Pat")
    print(round(time.monotonic()-T0,2)); menu_toggle.click()
    print(round(time.monotonic()-T0,2)); expect(menu_toggle).to_have_attribute("aria-expanded", "true")
    print(round(time.monotonic()-T0,2)); expect(page.locator(".dropdown-menu")).to_contain_text("pat@riverbend.example")
    print(round(time.monotonic()-T0,2)); save_screenshot(page, "sign-in-user-menu-open")
    print(round(time.monotonic()-T0,2)); sign_out.click()

    print(round(time.monotonic()-T0,2)); page.wait_for_url(re.compile(r"/accounts/login/"))
    print(round(time.monotonic()-T0,2)); expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to RSC Records")
    print(round(time.monotonic()-T0,2)); expect(page.get_by_role("status").filter(has_text="You have signed out.")).to_be_visible()
    print(round(time.monotonic()-T0,2)); save_screenshot(page, "sign-in-signed-out")

    # The session is really over: the home page now asks to sign in.
    print(round(time.monotonic()-T0,2)); page.goto(f"{live_server.url}/")
    print(round(time.monotonic()-T0,2)); expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    print(round(time.monotonic()-T0,2)); expect(page.locator('input[name="login"]')).to_be_visible()
