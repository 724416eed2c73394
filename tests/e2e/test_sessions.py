"""The RSC session journey in a real browser: schedule, agenda, prepare, hold, document, sign, read."""

import datetime
import itertools
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from rsc.models import Child, Family, FollowUp, SupervisionAgreement, SupervisionSession
from tests.conftest import PASSWORD, acknowledged
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_context,
    new_mobile_context,
    save_screenshot,
)


def check(page: Page, browser, name: str) -> None:
    """axe at desktop width, then the same page in a phone-sized window of the same session."""
    assert_no_axe_violations(page)
    save_screenshot(page, f"sessions-{name}-desktop")
    mobile = new_mobile_context(browser, storage_state=page.context.storage_state())
    phone = mobile.new_page()
    phone.goto(page.url)
    assert_no_horizontal_scroll(phone)
    save_screenshot(phone, f"sessions-{name}-mobile")
    mobile.close()


def test_supervisor_schedules_documents_and_signs_and_the_practitioner_reads(
    live_server, browser, page, organization, supervisor, practitioner
):
    base = live_server.url
    today = timezone.localdate()
    SupervisionAgreement.objects.create(
        organization=organization,
        supervisor=supervisor,
        supervisee=practitioner,
        starts_on=today - datetime.timedelta(days=60),
        confidentiality_limits="Mandated reporting applies.",
        **acknowledged(),
    )
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    birth = today.replace(day=1)
    for _ in range(14):
        birth = (birth - datetime.timedelta(days=1)).replace(day=1)
    Child.objects.create(family=family, label="K", birth_month=birth)

    # 1. The supervisor schedules a fortnightly series, the first one yesterday morning.
    login(page, base, supervisor.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="Schedule a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a session")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose either one person")
    check(page, browser, "schedule-errors")
    page.get_by_label("With", exact=True).select_option(label=practitioner.full_name)
    yesterday = today - datetime.timedelta(days=1)
    page.get_by_label("Date").fill(yesterday.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.locator("#id_modality").select_option(label="Video")
    page.get_by_label("Place or video link").fill("https://video.example/rsc")
    page.get_by_label("Repeats").select_option(label="Every two weeks")
    page.get_by_label("Number of sessions").fill("4")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("status").filter(has_text="4 sessions scheduled")).to_be_visible()
    sessions = list(SupervisionSession.objects.order_by("starts_at"))
    assert len(sessions) == 4
    assert [(b.starts_at - a.starts_at).days for a, b in itertools.pairwise(sessions)] == [14, 14, 14]
    first = sessions[0]
    check(page, browser, "detail-scheduled-supervisor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    check(page, browser, "list")
    page.goto(f"{base}/sessions/week/?week={yesterday.isoformat()}")
    check(page, browser, "week")

    # 2. The practitioner adds an agenda item about a family.
    practitioner_context = new_context(browser)
    them = practitioner_context.new_page()
    login(them, base, practitioner.email, PASSWORD)
    them.goto(f"{base}/sessions/{first.pk}/")
    them.get_by_label("A family (optional)").select_option(label="JM-2")
    them.get_by_label("What would you like to think about together?").fill("K goes quiet when mum is on the phone")
    them.get_by_role("button", name="Add", exact=True).click()
    expect(them.get_by_role("status").filter(has_text="Added to the agenda")).to_be_visible()
    expect(them.locator(".agenda")).to_contain_text("K goes quiet when mum is on the phone")
    check(them, browser, "detail-practitioner-agenda")

    # 3. The supervisor prepares: the agenda, the family and the child's age.
    page.goto(f"{base}/sessions/{first.pk}/")
    page.get_by_role("link", name="Prepare").click()
    expect(page.locator("main")).to_contain_text("JM-2")
    expect(page.locator("main")).to_contain_text("K · 14 months")
    expect(page.locator("main")).to_contain_text("K goes quiet when mum is on the phone")
    check(page, browser, "prepare")

    # 4. Held, documented with element tags and a safety follow-up, signed.
    page.goto(f"{base}/sessions/{first.pk}/")
    page.get_by_role("link", name="Mark held or missed").click()
    page.get_by_label("Held").check()
    page.get_by_label(practitioner.full_name).check()
    check(page, browser, "attendance")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{first.pk}/notes/$"))
    page.get_by_role("textbox", name="Session notes").fill(
        "We wondered together what K makes of the quiet moments.\nPat noticed her own urge to fill the silence."
    )
    page.get_by_label("Holding the Baby in Mind").check()
    page.get_by_label("Professional Use of Self").check()
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_role("status").filter(has_text="Notes saved")).to_be_visible()
    page.get_by_role("textbox", name="Follow-up").fill(
        "Check in with the program manager about the bruise question today"
    )
    page.locator("#id_owner").select_option(label=supervisor.full_name)
    page.locator("#id_kind").select_option(label="Safety")
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.locator("main")).to_contain_text("Safety: use the agency's process")
    check(page, browser, "document")
    page.get_by_role("button", name="Sign the session").click()
    expect(page.get_by_role("status").filter(has_text="Signed")).to_be_visible()
    first.refresh_from_db()
    assert first.is_signed and first.status == "held"
    assert FollowUp.objects.get().kind == "safety"
    check(page, browser, "detail-signed-supervisor")

    # 5. The practitioner reads the notes, the tags and the follow-up.
    them.goto(f"{base}/sessions/{first.pk}/")
    main = them.locator("main")
    expect(main).to_contain_text("We wondered together what K makes of the quiet moments.")
    expect(main).to_contain_text("Holding the Baby in Mind")
    expect(main).to_contain_text("Check in with the program manager")
    expect(them.get_by_role("link", name="Write notes and sign")).to_have_count(0)
    check(them, browser, "detail-signed-practitioner")
    them.goto(f"{base}/")
    expect(them.locator("main")).to_contain_text("Your next session")
    check(them, browser, "home-practitioner")
    practitioner_context.close()

    # The supervisor's home shows the week and what waits for them.
    page.goto(f"{base}/")
    expect(page.locator("main")).to_contain_text("Your sessions")
    check(page, browser, "home-supervisor")


def test_administrator_overview_shows_attendance_without_notes(
    live_server, browser, page, agreement, supervisor, admin_user
):
    from rsc.services import sessions as scheduling

    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        duration_minutes=60,
        modality="phone",
    )
    scheduling.session_record_attendance(
        session=session, actor=supervisor, status="held", attendance={agreement.supervisee_id: "attended"}
    )
    scheduling.session_save_notes(
        session=session, actor=supervisor, notes="Words for the pair only", elements=[], expected_version=0
    )
    login(page, live_server.url, admin_user.email, PASSWORD)
    page.get_by_role("link", name="Sessions overview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions overview")
    expect(page.locator("main")).to_contain_text("Pat Practitioner (attended)")
    expect(page.locator("main")).not_to_contain_text("Words for the pair only")
    check(page, browser, "overview-admin")
