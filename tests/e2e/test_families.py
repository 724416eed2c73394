"""Families in a real browser: add one with a child and a caregiver, read the child's age, edit, delete, restore.

Every page is checked with axe at desktop width and for sideways scrolling in
a 390 px phone window of the same session; screenshots go to test-artifacts/.
"""

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from rsc.forms.families import add_months
from rsc.models import Child, Family
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_mobile_context,
    save_screenshot,
)


def check(page: Page, name: str) -> None:
    assert_no_axe_violations(page)
    save_screenshot(page, f"families-{name}-desktop")


def check_phone(browser: Browser, page: Page, name: str) -> Page:
    """The page's address opened in a phone-sized window of the same session."""
    context = new_mobile_context(browser, storage_state=page.context.storage_state())
    phone = context.new_page()
    phone.goto(page.url)
    assert_no_horizontal_scroll(phone)
    save_screenshot(phone, f"families-{name}-mobile")
    return phone


def test_practitioner_adds_reads_and_edits_a_family(live_server, browser, page, practitioner, other_practitioner):
    base = live_server.url
    birth_month = add_months(timezone.localdate().replace(day=1), -14)
    age = Child(label="K", birth_month=birth_month).age_text()
    assert age == "14 months"

    login(page, base, practitioner.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Families").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Families")
    expect(page.get_by_text("No families here yet.")).to_be_visible()
    check(page, "list-empty")
    check_phone(browser, page, "list-empty").context.close()

    page.get_by_role("link", name="Add a family").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a family")
    check(page, "form")
    phone = check_phone(browser, page, "form")

    # Sent with mistakes, the form explains them and keeps what was typed.
    for current in (page, phone):
        current.get_by_label("Family code or initials").fill("J/M")
        current.locator("#id_children-0-label").fill("K")
        current.get_by_role("button", name="Add this family").click()
        expect(current.get_by_role("alert")).to_contain_text("A few things need another look")
        expect(current.locator("#id_children-0-label")).to_have_value("K")
    check(page, "form-errors")
    assert_no_horizontal_scroll(phone)
    save_screenshot(phone, "families-form-errors-mobile")
    phone.context.close()

    page.get_by_label("Family code or initials").fill("JM-2")
    page.get_by_label("Service context").select_option(label="Home visiting")
    page.get_by_label("Quinn Practitioner").check()
    page.locator("#id_children-0-birth_month").fill(birth_month.strftime("%Y-%m"))
    page.locator("#id_caregivers-0-relationship").select_option(label="Mother")
    page.locator("#id_caregivers-0-label").fill("M")
    page.locator("#id_caregivers-0-notes").fill("Speaks Spanish at home; grandmother helps most days.")
    page.get_by_role("button", name="Add this family").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("JM-2")
    expect(page.get_by_role("status").filter(has_text="Family JM-2 is added.")).to_be_visible()
    children = page.get_by_role("region", name="Children")
    expect(children).to_contain_text("K")
    expect(children).to_contain_text(age)
    expect(page.get_by_role("region", name="Caregivers")).to_contain_text("Speaks Spanish at home")
    expect(page.get_by_role("region", name="Working with this family")).to_contain_text("Quinn Practitioner")
    check(page, "detail")
    check_phone(browser, page, "detail").context.close()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Families").click()
    expect(page.get_by_text(f"K · {age}")).to_be_visible()
    check(page, "list")
    check_phone(browser, page, "list").context.close()

    page.get_by_role("link", name="JM-2").click()
    page.get_by_role("link", name="Edit family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit JM-2")
    expect(page.locator("#id_children-0-birth_month")).to_have_value(birth_month.strftime("%Y-%m"))
    check(page, "edit")
    check_phone(browser, page, "edit").context.close()
    page.get_by_label("Family code or initials").fill("JM-3")
    page.locator("#id_children-1-label").fill("Bean")
    page.locator("#id_children-1-birth_month").fill(add_months(birth_month, 18).strftime("%Y-%m"))
    page.locator("#id_children-1-expected").check()
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("JM-3")
    expect(page.get_by_role("region", name="Children")).to_contain_text("due in")
    family = Family.objects.get()
    assert family.code == "JM-3"
    assert sorted(family.children.values_list("label", flat=True)) == ["Bean", "K"]

    page.get_by_role("link", name="Delete family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete JM-3?")
    check(page, "delete")
    check_phone(browser, page, "delete").context.close()
    page.get_by_role("button", name="Delete family").click()
    expect(page.get_by_role("status").filter(has_text="JM-3 is deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="JM-3")).to_have_count(0)


def test_administrator_restores_a_deleted_family(live_server, browser, page, organization, admin_user, practitioner):
    for number in range(3):
        family = Family.objects.create(
            organization=organization,
            code=f"F-{number}",
            context=Family.Context.CHILD_CARE,
            deleted_at=timezone.now(),
            deleted_by=practitioner,
        )
        family.practitioners.add(practitioner)
    base = live_server.url
    login(page, base, admin_user.email, PASSWORD)
    page.goto(f"{base}/families/deleted/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deleted families")
    expect(page.get_by_role("row")).to_have_count(4)
    check(page, "deleted-list")
    check_phone(browser, page, "deleted-list").context.close()

    page.get_by_role("button", name="Restore F-1").click()
    expect(page.get_by_role("status").filter(has_text="F-1 is restored")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(3)
    assert Family.objects.alive().get().code == "F-1"
