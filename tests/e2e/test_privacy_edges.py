"""Privacy at the edges, in a real browser: a reflection written with identifying details and cleaned
before sharing leaves no trace for the supervisor; the gentle warning on session notes (signing
waits for it) and on an agenda item."""

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from rsc.models import AgendaItem, SupervisionSession
from rsc.models.reflections import Reflection
from rsc.services import sessions as scheduling
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_mobile_context,
    save_screenshot,
)

NAME, STREET, PHONE = "Maria Gonzalez", "1420 Maple Street", "612-555-0147"


def held_session(agreement) -> SupervisionSession:
    (session,) = scheduling.sessions_schedule(
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        duration_minutes=60,
        modality="video",
    )
    return scheduling.session_record_attendance(
        session=session,
        actor=agreement.supervisor,
        status="held",
        attendance={agreement.supervisee_id: "attended"},
    )


def test_identifying_details_cleaned_before_sharing_leave_no_trace_for_the_supervisor(
    live_server, page: Page, browser, practitioner, supervisor, agreement
):
    base = live_server.url
    login(page, base, practitioner.email, PASSWORD)
    page.goto(f"{base}/reflections/new/")
    what_happened = page.get_by_role("textbox", name="What happened", exact=True)
    what_happened.fill(f"{NAME} moved to {STREET}; call her at {PHONE} before the visit.")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Saved at")
    expect(page.locator("#identifying-region .identifying")).to_contain_text(PHONE)

    # Later, in a new page of writing, the details come out before sharing.
    page.reload()
    what_happened = page.get_by_role("textbox", name="What happened", exact=True)
    what_happened.fill("Mom is worried about the move and the baby's sleep.")
    expect(status).to_contain_text("also taken out of 1 earlier version")
    expect(page.locator("#identifying-region .identifying")).to_have_count(0)
    page.get_by_role("button", name="Save and share…").click()
    page.get_by_label(supervisor.full_name).check()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Shared with")).to_be_visible()
    reflection = Reflection.objects.get()

    mobile = new_mobile_context(browser)
    try:
        reader = mobile.new_page()
        login(reader, base, supervisor.email, PASSWORD)
        reader.goto(f"{base}/reflections/{reflection.pk}/versions/")
        expect(reader.get_by_role("heading", level=1)).to_have_text("Earlier versions")
        main = reader.locator("main")
        expect(main).to_contain_text("Mom is worried about the move")
        for trace in ("Maria", "Gonzalez", "Maple", "555-0147", "[removed]"):
            expect(main).not_to_contain_text(trace)
        assert_no_axe_violations(reader)
        assert_no_horizontal_scroll(reader)
        save_screenshot(reader, "privacy-supervisor-versions-390")
    finally:
        mobile.close()

    # The author's own history keeps its shape, with the passages taken out, and says so.
    page.goto(f"{base}/reflections/{reflection.pk}/versions/")
    main = page.locator("main")
    expect(main).to_contain_text("taken out of the earlier versions too")
    page.locator("details.version summary").last.click()
    expect(main).to_contain_text("[removed] moved to [removed]; call her at [removed] before the visit.")
    for trace in ("Maria", "Maple", "555-0147"):
        expect(main).not_to_contain_text(trace)
    assert_no_axe_violations(page)
    save_screenshot(page, "privacy-author-versions")


def test_notes_warn_beside_the_text_and_signing_waits_for_the_answer(live_server, page: Page, agreement, supervisor):
    session = held_session(agreement)
    base = live_server.url
    login(page, base, supervisor.email, PASSWORD)
    page.goto(f"{base}/sessions/{session.pk}/notes/")
    page.get_by_label("Session notes").fill(f"We thought about {NAME} and the new baby.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at")
    warning = page.locator("#identifying-region .identifying")
    expect(warning).to_contain_text(f"A full name, in “Session notes”: {NAME}")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Sign the session").click()
    sign_warning = page.locator("#sign-warning")
    expect(sign_warning).to_contain_text("Before signing")
    session.refresh_from_db()
    assert session.signed_at is None
    assert_no_axe_violations(page)
    save_screenshot(page, "privacy-notes-sign-waits")
    page.locator("#keep-sign").check()
    page.get_by_role("button", name="Sign the session").click()
    expect(page.get_by_role("status").filter(has_text="Signed.")).to_be_visible()
    session.refresh_from_db()
    assert session.signed_at is not None and session.notes_kept_passages == [NAME]


def test_an_agenda_item_with_a_phone_number_waits_on_a_phone(live_server, browser, agreement, practitioner):
    (session,) = scheduling.sessions_schedule(
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=60,
        modality="video",
    )
    base = live_server.url
    context = new_mobile_context(browser)
    try:
        page = context.new_page()
        login(page, base, practitioner.email, PASSWORD)
        page.goto(f"{base}/sessions/{session.pk}/")
        box = page.get_by_label("What would you like to think about together?")
        box.fill(f"Grandma keeps calling me from {PHONE}")
        page.get_by_role("button", name="Add", exact=True).click()
        warning = page.locator(".identifying")
        expect(warning).to_contain_text(f"A phone number, in “What would you like to think about together?”: {PHONE}")
        expect(page.get_by_label("What would you like to think about together?")).to_have_value(
            f"Grandma keeps calling me from {PHONE}"
        )
        assert not AgendaItem.objects.exists()
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)
        save_screenshot(page, "privacy-agenda-warning-390")
        page.get_by_label("Keep these passages as they are").check()
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_role("status").filter(has_text="Added to the agenda.")).to_be_visible()
        assert AgendaItem.objects.get().text == f"Grandma keeps calling me from {PHONE}"
    finally:
        context.close()
