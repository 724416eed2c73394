import re

from playwright.sync_api import expect

from accounts.models import Organization, User
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import login, save_screenshot


def test_practitioner_signs_in_sees_home_and_signs_out(transactional_db, live_server, page):
    organization = Organization.objects.create(name="Riverbend Early Childhood")
    make_person(organization, "pat@riverbend.example", "Pat Practitioner", User.Role.PRACTITIONER)

    login(page, live_server.url, "pat@riverbend.example", PASSWORD)

    expect(page).to_have_title(re.compile(r"^Home · RSC Records$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Pat")
    expect(page.locator(".page-lead")).to_contain_text("Riverbend Early Childhood")
    expect(page.locator(".page-lead .badge")).to_have_text(["Practitioner"])
    # A practitioner sees no administration links.
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="People")).to_have_count(0)
    save_screenshot(page, "sign-in-home-practitioner")

    # The user menu is a Bootstrap dropdown; "Sign out" is a POST form inside it.
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()
    menu_toggle = navigation.get_by_role("button", name="Pat")
    menu_toggle.click()
    expect(menu_toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".dropdown-menu")).to_contain_text("pat@riverbend.example")
    save_screenshot(page, "sign-in-user-menu-open")
    sign_out.click()

    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to RSC Records")
    expect(page.get_by_role("status").filter(has_text="You have signed out.")).to_be_visible()
    save_screenshot(page, "sign-in-signed-out")

    # The session is really over: the home page now asks to sign in.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.locator('input[name="login"]')).to_be_visible()
