"""An agreement opens a practitioner's families to their supervisor only once both have acknowledged it.

The administrator records the agreement; the supervisor finds the practitioner's family page
missing and the agreement page saying whose acknowledgement it waits for; both acknowledge; the
family opens. Pages are checked with axe at 1280 px and for sideways scrolling at 390 px.
"""

import re

from playwright.sync_api import Browser, Page, expect

from rsc.models import Family, SupervisionAgreement
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_context,
    new_mobile_context,
    save_screenshot,
)

PAGE_TITLE = "Sasha Supervisor and Pat Practitioner"
NO_ACCESS = "this agreement gives no access to families or shared reflections"


def check(browser: Browser, page: Page, name: str) -> None:
    """axe at desktop width, then the same page at 390 px, signed in as the same person."""
    assert_no_axe_violations(page)
    save_screenshot(page, f"acknowledgement-gate/{name}-desktop")
    mobile = new_mobile_context(browser, storage_state=page.context.storage_state())
    try:
        phone = mobile.new_page()
        phone.goto(page.url)
        assert_no_horizontal_scroll(phone)
        save_screenshot(phone, f"acknowledgement-gate/{name}-mobile")
    finally:
        mobile.close()


def acknowledge(page: Page) -> None:
    limits = page.get_by_role("region", name="Limits of confidentiality")
    limits.get_by_role("button", name="I have read this and acknowledge it").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you. Your acknowledgement is recorded.")


def test_the_family_opens_to_the_supervisor_only_once_both_have_acknowledged(
    live_server, browser, page, organization, admin_user, supervisor, practitioner
):
    base = live_server.url
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    family_url = f"{base}/families/{family.pk}/"

    # The administrator records the agreement.
    login(page, base, admin_user.email, PASSWORD)
    page.goto(f"{base}/agreements/new/")
    page.get_by_role("combobox", name=re.compile(r"^Supervisor\*?$")).select_option(label="Sasha Supervisor")
    page.get_by_role("combobox", name=re.compile(r"^Supervisee\*?$")).select_option(label="Pat Practitioner")
    page.get_by_role("button", name="Save agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    page.locator('input[name="password"]').fill(PASSWORD)
    # Confirmed, the form goes on as sent.
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/agreements/\d+/$"))
    agreement = SupervisionAgreement.objects.get()
    waiting = page.get_by_role("region", name=re.compile("^Waiting for"))
    expect(waiting).to_contain_text("Waiting for Sasha Supervisor’s and Pat Practitioner’s acknowledgements")
    expect(waiting).to_contain_text(NO_ACCESS)
    check(browser, page, "agreement-admin-waiting")

    supervisor_context, practitioner_context = new_context(browser), new_context(browser)
    try:
        # The supervisor cannot open the practitioner's family yet: it answers as if it did not exist.
        sasha = supervisor_context.new_page()
        login(sasha, base, supervisor.email, PASSWORD)
        response = sasha.goto(family_url)
        assert response.status == 404
        expect(sasha.get_by_role("heading", level=1)).to_have_text("We couldn't find that page")
        sasha.goto(f"{base}/families/?state=all")
        expect(sasha.get_by_role("link", name="JM-2")).to_have_count(0)

        # The agreement page says what it is waiting for; the supervisor acknowledges.
        sasha.goto(f"{base}/agreements/{agreement.pk}/")
        expect(sasha.get_by_role("heading", level=1)).to_have_text(PAGE_TITLE)
        expect(sasha.get_by_role("region", name=re.compile("^Waiting for"))).to_contain_text(NO_ACCESS)
        check(browser, sasha, "agreement-supervisor-waiting-for-both")
        acknowledge(sasha)
        waiting = sasha.get_by_role("region", name=re.compile("^Waiting for"))
        expect(waiting).to_contain_text("Waiting for Pat Practitioner’s acknowledgement")
        check(browser, sasha, "agreement-supervisor-waiting-for-practitioner")
        assert sasha.goto(family_url).status == 404

        # The practitioner acknowledges in their own browser.
        pat = practitioner_context.new_page()
        login(pat, base, practitioner.email, PASSWORD)
        pat.goto(f"{base}/agreements/{agreement.pk}/")
        expect(pat.get_by_role("region", name=re.compile("^Waiting for"))).to_contain_text(
            "Waiting for Pat Practitioner’s acknowledgement"
        )
        acknowledge(pat)
        expect(pat.get_by_role("region", name=re.compile("^Waiting for"))).to_have_count(0)
        expect(pat.locator(".page-lead")).to_contain_text("Acknowledged by both")
        check(browser, pat, "agreement-practitioner-acknowledged")

        # Now the family opens to the supervisor.
        assert sasha.goto(family_url).status == 200
        expect(sasha.get_by_role("heading", level=1)).to_have_text("JM-2")
        check(browser, sasha, "family-supervisor")
        sasha.goto(f"{base}/agreements/{agreement.pk}/")
        expect(sasha.get_by_text(NO_ACCESS)).to_have_count(0)
        check(browser, sasha, "agreement-supervisor-acknowledged")
    finally:
        supervisor_context.close()
        practitioner_context.close()
