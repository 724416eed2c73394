"""Supervision agreements and RSC groups in a real browser.

The administrator sets up an agreement (confirming their password on the
way), both people read the limits of confidentiality and acknowledge them,
and the administrator sees that they have. Every page is checked with axe at
1280 px and for sideways scrolling at 390 px, and saved as a screenshot.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from rsc.models import RSCGroup, SupervisionAgreement
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_context,
    new_mobile_context,
    save_screenshot,
)

EXTRA_LIMIT = "We also pause and talk first if either of us feels unsafe."


class ConsoleErrors:
    """Errors the pages log, including Content-Security-Policy violations."""

    def __init__(self, *pages: Page):
        self.errors: list[str] = []
        for page in pages:
            page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
            page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def assert_clean(self) -> None:
        assert self.errors == [], "\n".join(self.errors)


def check(page: Page, name: str) -> None:
    assert_no_axe_violations(page)
    save_screenshot(page, f"agreements/{name}-desktop")


def check_mobile(page: Page, url: str, name: str, heading: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_no_horizontal_scroll(page)
    save_screenshot(page, f"agreements/{name}-mobile")


def mobile_page_like(browser: Browser, page: Page) -> Page:
    """A phone-sized page signed in as the same person (same cookies)."""
    return new_mobile_context(browser, storage_state=page.context.storage_state()).new_page()


def open_your_agreements(page: Page, first_name: str) -> None:
    navigation = page.get_by_role("navigation", name="Main")
    navigation.get_by_role("button", name=first_name).click()
    navigation.get_by_role("link", name="Your agreements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agreements")


def read_and_acknowledge(page: Page, other_name: str) -> None:
    waiting = page.get_by_role("region", name="Please read and acknowledge")
    waiting.get_by_role("link", name=re.compile(f"Read and acknowledge.*{other_name}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sasha Supervisor and Pat Practitioner")
    limits = page.get_by_role("region", name="Limits of confidentiality")
    expect(limits).to_contain_text("mandated reporting")
    expect(limits).to_contain_text(EXTRA_LIMIT)
    check(page, f"detail-before-acknowledging-{other_name.split()[0].lower()}")
    limits.get_by_role("button", name="I have read this and acknowledge it").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you. Your acknowledgement is recorded.")
    expect(page.get_by_role("region", name="Limits of confidentiality")).to_contain_text(
        "You acknowledged this agreement on"
    )


@pytest.fixture
def people(admin_user, supervisor, practitioner):
    return admin_user, supervisor, practitioner


def test_agreement_is_set_up_read_and_acknowledged_by_both(people, live_server, browser, page):
    admin_user, supervisor, practitioner = people
    base = live_server.url
    console = ConsoleErrors(page)

    # The administrator finds agreements next to People.
    login(page, base, admin_user.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision agreements")
    expect(page.get_by_text("No agreements are active today.")).to_be_visible()
    check(page, "list-empty")
    page.get_by_role("link", name="New agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New supervision agreement")
    limits = page.get_by_role("textbox", name=re.compile("^Limits of confidentiality"))
    expect(limits).to_have_value(re.compile("mandated reporting"))
    check(page, "form")

    # Sent without the people: allauth asks for the password first, then shows the errors.
    page.get_by_role("button", name="Save agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New supervision agreement")
    expect(page.locator(".invalid-feedback")).to_have_count(2)
    check(page, "form-errors")
    assert not SupervisionAgreement.objects.exists()

    page.get_by_role("combobox", name=re.compile(r"^Supervisor\*?$")).select_option(label="Sasha Supervisor")
    page.get_by_role("combobox", name=re.compile(r"^Supervisee\*?$")).select_option(label="Pat Practitioner")
    page.get_by_role("spinbutton", name=re.compile("^Usual length in minutes")).fill("60")
    limits.fill(limits.input_value() + "\n\n" + EXTRA_LIMIT)
    page.get_by_role("button", name="Save agreement").click()

    expect(page).to_have_url(re.compile(r"/agreements/\d+/$"))
    agreement = SupervisionAgreement.objects.get()
    assert (agreement.supervisor, agreement.supervisee) == (supervisor, practitioner)
    assert agreement.confidentiality_limits.endswith("\n\n" + EXTRA_LIMIT)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sasha Supervisor and Pat Practitioner")
    expect(page.get_by_role("status")).to_contain_text("will each be asked to read and acknowledge it")
    expect(page.locator(".page-lead")).to_contain_text("Waiting for both")
    check(page, "detail-admin")
    page.goto(f"{base}/agreements/")
    expect(page.get_by_role("cell", name="Pat Practitioner")).to_be_visible()
    check(page, "list")

    admin_mobile = mobile_page_like(browser, page)
    console_mobile = ConsoleErrors(admin_mobile)
    check_mobile(admin_mobile, f"{base}/agreements/", "list", "Supervision agreements")
    check_mobile(admin_mobile, f"{base}/agreements/new/", "form", "New supervision agreement")
    admin_mobile.get_by_role("button", name="Save agreement").click()
    expect(admin_mobile.locator(".invalid-feedback")).to_have_count(2)
    assert_no_horizontal_scroll(admin_mobile)
    save_screenshot(admin_mobile, "agreements/form-errors-mobile")
    check_mobile(
        admin_mobile, f"{base}/agreements/{agreement.pk}/", "detail-admin", "Sasha Supervisor and Pat Practitioner"
    )
    check_mobile(admin_mobile, f"{base}/agreements/{agreement.pk}/edit/", "edit", "Change the agreement")

    # The practitioner reads and acknowledges, in their own browser.
    for person, first_name, other_name, name in [
        (practitioner, "Pat", "Sasha Supervisor", "practitioner"),
        (supervisor, "Sasha", "Pat Practitioner", "supervisor"),
    ]:
        person_context = new_context(browser)
        try:
            person_page = person_context.new_page()
            person_console = ConsoleErrors(person_page)
            login(person_page, base, person.email, PASSWORD)
            open_your_agreements(person_page, first_name)
            expect(person_page.get_by_role("heading", name="Please read and acknowledge")).to_be_visible()
            check(person_page, f"mine-{name}-waiting")
            mobile = mobile_page_like(browser, person_page)
            check_mobile(mobile, f"{base}/agreements/mine/", f"mine-{name}-waiting", "Your agreements")
            check_mobile(
                mobile, f"{base}/agreements/{agreement.pk}/", f"detail-{name}", "Sasha Supervisor and Pat Practitioner"
            )
            mobile.context.close()

            read_and_acknowledge(person_page, other_name)
            check(person_page, f"detail-{name}-acknowledged")
            open_your_agreements(person_page, first_name)
            expect(person_page.get_by_role("heading", name="Please read and acknowledge")).to_have_count(0)
            check(person_page, f"mine-{name}-acknowledged")
            person_console.assert_clean()
        finally:
            person_context.close()

    agreement.refresh_from_db()
    assert agreement.fully_acknowledged

    # The administrator sees both acknowledgements.
    page.goto(f"{base}/agreements/{agreement.pk}/")
    expect(page.locator(".page-lead")).to_contain_text("Acknowledged by both")
    acknowledgements = page.get_by_role("region", name="Acknowledgements")
    expect(acknowledgements.get_by_text("Acknowledged on")).to_have_count(2)
    check(page, "detail-admin-acknowledged")
    page.goto(f"{base}/agreements/")
    expect(page.get_by_role("row", name=re.compile("Sasha Supervisor.*Acknowledged by both"))).to_be_visible()

    console.assert_clean()
    console_mobile.assert_clean()
    admin_mobile.context.close()


def test_groups_are_set_up_and_seen_by_their_people(people, other_practitioner, live_server, browser, page):
    admin_user, _, practitioner = people
    base = live_server.url
    console = ConsoleErrors(page)
    login(page, base, admin_user.email, PASSWORD)

    page.goto(f"{base}/agreements/")
    page.get_by_role("navigation", name="Supervision").get_by_role("link", name="RSC groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("RSC groups")
    check(page, "group-list-empty")
    page.get_by_role("link", name="New group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New RSC group")
    check(page, "group-form")

    # The facilitator ticked as a member too, and no name: the form explains both.
    page.get_by_role("combobox", name=re.compile("^Facilitator")).select_option(label="Sasha Supervisor")
    page.get_by_role("checkbox", name="Sasha Supervisor").check()
    page.get_by_role("button", name="Save group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New RSC group")
    expect(page.locator(".invalid-feedback")).to_have_count(2)
    check(page, "group-form-errors")
    assert not RSCGroup.objects.exists()

    page.get_by_role("textbox", name=re.compile("^Name of the group")).fill("Tuesday circle")
    page.get_by_role("checkbox", name="Sasha Supervisor").uncheck()
    page.get_by_role("checkbox", name="Pat Practitioner").check()
    page.get_by_role("checkbox", name="Quinn Practitioner").check()
    page.get_by_role("button", name="Save group").click()
    expect(page).to_have_url(re.compile(r"/groups/\d+/$"))
    group = RSCGroup.objects.get()
    assert set(group.members.all()) == {practitioner, other_practitioner}
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday circle")
    expect(page.get_by_role("region", name="Members")).to_contain_text("Quinn Practitioner")
    check(page, "group-detail")
    page.goto(f"{base}/groups/")
    check(page, "group-list")

    mobile = mobile_page_like(browser, page)
    check_mobile(mobile, f"{base}/groups/", "group-list", "RSC groups")
    check_mobile(mobile, f"{base}/groups/new/", "group-form", "New RSC group")
    check_mobile(mobile, f"{base}/groups/{group.pk}/", "group-detail", "Tuesday circle")
    mobile.context.close()

    # A member finds the group under their agreements and opens it.
    member_context = new_context(browser)
    try:
        member = member_context.new_page()
        login(member, base, practitioner.email, PASSWORD)
        open_your_agreements(member, "Pat")
        member.get_by_role("region", name="Your RSC groups").get_by_role("link", name="Tuesday circle").click()
        expect(member.get_by_role("heading", level=1)).to_have_text("Tuesday circle")
        expect(member.get_by_role("link", name="Change the group")).to_have_count(0)
        check(member, "group-detail-member")
    finally:
        member_context.close()
    console.assert_clean()
