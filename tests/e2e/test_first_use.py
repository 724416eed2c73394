"""A new supervisee's first steps in a real browser: the home page says an agreement waits for them,
they read what is recorded, who sees it and whom to call, and acknowledge it; the card is gone.
Then the pages changed with it: the family form (no false required marks, a first name pointed out)
and the reflection editor (RIOS™ names, the session chooser). Every page is checked with axe at
1280 px and for sideways scrolling at 390 px; screenshots go to test-artifacts/first-use/.
"""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from rsc.models import Family, SessionParticipant, SupervisionSession
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    DESKTOP_VIEWPORT,
    MOBILE_VIEWPORT,
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    save_screenshot,
)

ON_CALL = "Agency on-call supervisor, 555-0100, day or night."
CARD = "An agreement is waiting for your acknowledgement"


def check(page: Page, name: str) -> None:
    """axe at desktop width, then the same page, as it stands (a form sent back, too), at 390 px: axe
    again, and no sideways scrolling."""
    assert_no_axe_violations(page)
    save_screenshot(page, f"first-use/{name}-desktop")
    page.set_viewport_size(MOBILE_VIEWPORT)
    try:
        assert_no_horizontal_scroll(page)
        assert_no_axe_violations(page)
        save_screenshot(page, f"first-use/{name}-mobile")
    finally:
        page.set_viewport_size(DESKTOP_VIEWPORT)


def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def test_a_new_supervisee_acknowledges_the_agreement_from_their_home_page(
    live_server, page, unacknowledged_agreement, practitioner
):
    unacknowledged_agreement.emergency_contact = ON_CALL
    unacknowledged_agreement.save()
    base = live_server.url
    errors = console_errors(page)

    login(page, base, practitioner.email, PASSWORD)
    card = page.get_by_role("region", name=CARD)
    expect(card).to_contain_text("Supervision with Sasha Supervisor")
    expect(card).to_contain_text("the agreement opens nothing")
    check(page, "home-with-the-agreement-waiting")

    card.get_by_role("link", name=re.compile("^Read and acknowledge")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sasha Supervisor and Pat Practitioner")
    recorded = page.get_by_role("region", name="What is recorded, and who sees it")
    expect(recorded).to_contain_text("Session dates, length and attendance")
    expect(recorded).to_contain_text("never notes or reflections")
    limits = page.get_by_role("region", name="Limits of confidentiality")
    expect(limits.get_by_role("group", name="Whom to call in an emergency")).to_have_text(ON_CALL)
    check(page, "agreement-before-acknowledging")

    limits.get_by_role("button", name="I have read this and acknowledge it").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you. Your acknowledgement is recorded.")
    check(page, "agreement-acknowledged")
    unacknowledged_agreement.refresh_from_db()
    assert unacknowledged_agreement.supervisee_acknowledged_at is not None

    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_role("region", name=CARD)).to_have_count(0)
    assert errors == []


def test_the_family_form_and_the_reflection_editor_read_well(live_server, page, agreement, practitioner):
    base = live_server.url
    errors = console_errors(page)
    now = timezone.now()
    for days in (-12, 2, 16):
        session = SupervisionSession.objects.create(
            organization=agreement.organization,
            supervisor=agreement.supervisor,
            agreement=agreement,
            starts_at=now + datetime.timedelta(days=days),
            status=SupervisionSession.Status.HELD if days < 0 else SupervisionSession.Status.SCHEDULED,
        )
        SessionParticipant.objects.create(session=session, user=practitioner)
    login(page, base, practitioner.email, PASSWORD)

    # The family form: blank rows are optional and say what a row needs; a first name is pointed out.
    page.goto(f"{base}/families/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a family")
    children = page.get_by_role("region", name="Children")
    expect(children).to_contain_text("both the initials or nickname and the birth month are needed")
    expect(children.locator(".asteriskField")).to_have_count(0)
    check(page, "family-form")
    page.get_by_label("Family code or initials").fill("JM-2")
    page.get_by_label("Service context").select_option(label="Home visiting")
    page.locator("#id_children-0-label").fill("Sofia")
    page.locator("#id_children-0-birth_month").fill("2025-04")
    page.get_by_role("button", name="Add this family").click()
    warning = page.get_by_role("alert").filter(has_text="Could this identify someone?")
    expect(warning).to_contain_text("A first name, in “Initials or nickname”: Sofia")
    assert not Family.objects.exists()
    check(page, "family-form-first-name")
    page.locator("#id_children-0-label").fill("S")
    page.get_by_role("button", name="Add this family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("JM-2")

    # The reflection editor: each section names its RIOS™ element or task; sessions in two groups.
    page.goto(f"{base}/reflections/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A new reflection")
    expect(page.locator("#element-what_happened")).to_have_text("RIOS™ collaborative task: Describing")
    expect(page.locator("#element-wondering")).to_have_text("RIOS™ collaborative task: Exploring")
    expect(page.locator("#element-baby_experience")).to_have_text("RIOS™ essential element: Holding the Baby in Mind")
    chooser = page.get_by_label("For the session")
    expect(chooser.locator("optgroup")).to_have_count(2)
    expect(chooser.locator('optgroup[label="Coming up"] option')).to_have_count(2)
    expect(chooser.locator('optgroup[label="Recent"] option')).to_have_count(1)
    expect(chooser.locator("option").nth(1)).to_contain_text("with Sasha Supervisor")
    check(page, "reflection-editor")
    assert errors == []
