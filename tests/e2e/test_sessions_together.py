"""Sessions set together, in a real browser: the supervisor adds to the agenda, notes typed before a
follow-up are saved without a "Leave site?" question, the practitioner replies to signed notes and
sees them pointed out at home, the week view, marking a follow-up done with an undo, and the
printed record with its signature block."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rsc.models import AgendaItem, Child, Family, FollowUp, SessionReply, SupervisionSession
from rsc.services import sessions as scheduling
from tests.conftest import PASSWORD
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
    save_screenshot(page, f"together-{name}-desktop")
    mobile = new_mobile_context(browser, storage_state=page.context.storage_state())
    phone = mobile.new_page()
    phone.goto(page.url)
    assert_no_horizontal_scroll(phone)
    assert_no_axe_violations(phone)
    save_screenshot(phone, f"together-{name}-mobile")
    mobile.close()


def never_a_dialog(page: Page) -> list[str]:
    """Fail the test if the page asks anything (such as "Leave site?")."""
    asked: list[str] = []

    def on_dialog(dialog) -> None:
        asked.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return asked


def schedule(agreement, *, days: float, location: str = "https://video.example/rsc-room") -> SupervisionSession:
    (session,) = scheduling.sessions_schedule(
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        duration_minutes=60,
        modality=SupervisionSession.Modality.VIDEO,
        location=location,
    )
    return session


def hold(session: SupervisionSession) -> SupervisionSession:
    scheduling.session_record_attendance(
        session=session,
        actor=session.supervisor,
        status="held",
        attendance={p.user_id: "attended" for p in session.participants.all()},
    )
    session.refresh_from_db()
    return session


@pytest.fixture
def family(organization, practitioner):
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    birth = timezone.localdate().replace(day=1)
    for _ in range(14):
        birth = (birth - datetime.timedelta(days=1)).replace(day=1)
    Child.objects.create(family=family, label="K", birth_month=birth)
    return family


@pytest.fixture
def signed_session(agreement, supervisor, practitioner, family):
    """Held two days ago with an agenda from both, notes, an element, a follow-up, and signed."""
    session = schedule(agreement, days=-2)
    scheduling.agenda_add(session=session, author=practitioner, family=family, text="K goes quiet at bedtime")
    scheduling.agenda_add(session=session, author=supervisor, text="How the month has been for you")
    hold(session)
    scheduling.session_save_notes(
        session=session,
        actor=supervisor,
        notes="We wondered together what K makes of the quiet evenings.\nPat noticed her own wish to fill them.",
        elements=["baby_in_mind", "use_of_self"],
        expected_version=0,
    )
    session.refresh_from_db()
    scheduling.follow_up_add(
        session=session,
        actor=supervisor,
        text="Notice one moment at bedtime when K and mum find each other",
        owner=practitioner,
        due_on=None,
        kind="reflective",
    )
    scheduling.session_sign(session=session, actor=supervisor)
    session.refresh_from_db()
    return session


def test_the_supervisor_adds_to_the_agenda_and_both_shape_it(
    live_server, browser, page, agreement, supervisor, practitioner, family
):
    base = live_server.url
    session = schedule(agreement, days=2)
    scheduling.agenda_add(session=session, author=practitioner, family=family, text="K goes quiet at bedtime")

    login(page, base, supervisor.email, PASSWORD)
    page.goto(f"{base}/sessions/{session.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You and Pat Practitioner")
    expect(page.get_by_role("link", name="https://video.example/rsc-room (opens in a new tab)")).to_have_attribute(
        "rel", "noopener noreferrer"
    )
    page.get_by_label("What would you like to think about together?").fill("How the month has been for you")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Added to the agenda")).to_be_visible()
    agenda = page.locator(".agenda")
    expect(agenda.locator("li")).to_have_count(2)
    expect(agenda.locator("li").nth(1)).to_contain_text("from you")
    expect(agenda.locator("li").nth(0)).to_contain_text("from Pat Practitioner")
    check(page, browser, "detail-supervisor-agenda")

    # The supervisor's item first: moved up, with the button named after it.
    page.get_by_role("button", name=re.compile(r"^Move up\s*: How the month has been for you$")).click()
    expect(page.get_by_role("status").filter(has_text="Moved up")).to_be_visible()
    expect(agenda.locator("li").nth(0)).to_contain_text("How the month has been for you")
    assert [str(item) for item in AgendaItem.objects.filter(session=session)] == [
        "How the month has been for you",
        "K goes quiet at bedtime",
    ]

    # From the preparation page too, and back to it.
    page.get_by_role("link", name="Prepare").click()
    page.get_by_label("What would you like to think about together?").fill("Endings with families")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Added to the agenda")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepare · You and Pat Practitioner")
    expect(page.locator("#agenda-card li")).to_have_count(3)
    check(page, browser, "prepare-supervisor-agenda")

    # The practitioner reads it from their side, and may move or take off only their own.
    them_context = new_context(browser)
    them = them_context.new_page()
    login(them, base, practitioner.email, PASSWORD)
    them.goto(f"{base}/sessions/{session.pk}/")
    expect(them.get_by_role("heading", level=1)).to_have_text("You and your supervisor, Sasha Supervisor")
    items = them.locator(".agenda li")
    expect(items.nth(0)).to_contain_text("from Sasha Supervisor")
    expect(items.nth(1)).to_contain_text("from you")
    expect(items.nth(0).get_by_role("button")).to_have_count(0)
    them.get_by_role("button", name=re.compile(r"^Remove\s*: K goes quiet at bedtime$")).click()
    expect(them.get_by_role("status").filter(has_text="Taken off the agenda")).to_be_visible()
    expect(them.locator(".agenda li")).to_have_count(2)
    check(them, browser, "detail-practitioner-agenda")
    them_context.close()


def test_typing_notes_then_adding_a_follow_up_never_asks_to_leave(
    live_server, browser, page, agreement, supervisor, practitioner
):
    base = live_server.url
    session = hold(schedule(agreement, days=-0.1))
    asked = never_a_dialog(page)
    login(page, base, supervisor.email, PASSWORD)
    page.goto(f"{base}/sessions/{session.pk}/notes/")
    notes = page.get_by_role("textbox", name="Session notes")
    notes.fill("We stayed with K's view of the evenings.")
    # At once, before the autosave's pause is over: the follow-up waits for the notes to be saved.
    page.get_by_role("textbox", name="Follow-up").fill("Ask mum about the bedtime song")
    page.locator("#id_owner").select_option(label=practitioner.full_name)
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_role("status").filter(has_text="Follow-up added")).to_be_visible()
    expect(page.get_by_role("textbox", name="Session notes")).to_have_value("We stayed with K's view of the evenings.")
    assert asked == []
    session.refresh_from_db()
    assert session.notes == "We stayed with K's view of the evenings."
    assert FollowUp.objects.get(session=session).text == "Ask mum about the bedtime song"

    # Signing while words are still on their way waits for them too; then a note is saved first.
    page.get_by_role("textbox", name="Session notes").fill("We stayed with K's view of the evenings. And mum's.")
    page.get_by_role("button", name="Sign the session").click()
    expect(page.get_by_role("status").filter(has_text="Signed")).to_be_visible()
    assert asked == []
    session.refresh_from_db()
    assert session.is_signed and session.notes.endswith("And mum's.")


def test_signing_empty_notes_asks_one_gentle_question(live_server, browser, page, agreement, supervisor):
    base = live_server.url
    session = hold(schedule(agreement, days=-0.1))
    login(page, base, supervisor.email, PASSWORD)
    page.goto(f"{base}/sessions/{session.pk}/notes/")
    page.get_by_role("button", name="Sign the session").click()
    expect(page.locator("#sign-empty")).to_contain_text("The notes are empty. Sign without notes?")
    expect(page.get_by_role("link", name="Write notes first")).to_be_visible()
    assert_no_axe_violations(page)
    save_screenshot(page, "together-sign-empty-question-desktop")
    # The same question on a phone (the answer to a POST: asked again there).
    mobile = new_mobile_context(browser, storage_state=page.context.storage_state())
    phone = mobile.new_page()
    phone.goto(f"{base}/sessions/{session.pk}/notes/")
    phone.get_by_role("button", name="Sign the session").click()
    expect(phone.locator("#sign-empty")).to_be_visible()
    assert_no_horizontal_scroll(phone)
    assert_no_axe_violations(phone)
    save_screenshot(phone, "together-sign-empty-question-mobile")
    mobile.close()
    page.get_by_role("button", name="Sign without notes").click()
    expect(page.get_by_role("status").filter(has_text="Signed")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No notes were written for this session.")
    session.refresh_from_db()
    assert session.is_signed


def test_the_practitioner_replies_to_signed_notes_and_sees_them_signed_at_home(
    live_server, browser, page, signed_session, supervisor, practitioner
):
    base = live_server.url
    login(page, base, practitioner.email, PASSWORD)
    signed = page.get_by_role("list", name="Notes signed since you last looked")
    expect(signed).to_contain_text("with your supervisor, Sasha Supervisor")
    expect(signed).to_contain_text("Signed")
    check(page, browser, "home-practitioner-notes-signed")
    signed.get_by_role("link", name="Read the notes").click()
    main = page.locator("main")
    expect(main).to_contain_text("We wondered together what K makes of the quiet evenings.")
    expect(page.locator(".signature-block")).to_contain_text("Signed by Sasha Supervisor on")
    expect(main).to_contain_text("for you")
    page.get_by_role("textbox", name="Your reply").fill("Thank you. I noticed the quiet at bedtime again last night.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status").filter(has_text="Your reply is added")).to_be_visible()
    expect(page.locator("#replies")).to_contain_text("I noticed the quiet at bedtime again")
    expect(page.locator("#replies")).to_contain_text("You")
    check(page, browser, "detail-practitioner-replied")
    assert SessionReply.objects.get().author == practitioner

    # Opened: the home page no longer points the notes out.
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Notes signed since you last looked")).to_have_count(0)

    # The supervisor reads the reply under the notes.
    desk_context = new_context(browser)
    desk = desk_context.new_page()
    login(desk, base, supervisor.email, PASSWORD)
    desk.goto(f"{base}/sessions/{signed_session.pk}/")
    expect(desk.locator("#replies")).to_contain_text("Pat Practitioner")
    expect(desk.locator("#replies")).to_contain_text("I noticed the quiet at bedtime again")
    desk_context.close()


def test_a_signed_session_prints_as_its_record_with_the_signature(
    live_server, browser, page, signed_session, practitioner
):
    base = live_server.url
    scheduling.session_reply_add(session=signed_session, author=practitioner, text="Thank you for these notes.")
    login(page, base, practitioner.email, PASSWORD)
    page.goto(f"{base}/sessions/{signed_session.pk}/")
    expect(page.get_by_role("button", name="Print this record")).to_be_visible()
    page.emulate_media(media="print")
    save_screenshot(page, "together-print-signed-session")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this record")).to_be_hidden()
    expect(page.get_by_role("textbox", name="Your reply")).to_be_hidden()
    expect(page.locator(".signature-block")).to_be_visible()
    expect(page.locator(".signature-block")).to_contain_text("Signed by Sasha Supervisor on")
    for words in [
        "You and your supervisor, Sasha Supervisor",
        "Pat Practitioner",
        "K goes quiet at bedtime",
        "We wondered together what K makes",
        "Holding the Baby in Mind",
        "Notice one moment at bedtime",
        "Thank you for these notes.",
    ]:
        expect(page.locator("main")).to_contain_text(words)
    # The people come first in print, the history last.
    people_top = page.locator(".people-card").bounding_box()["y"]
    agenda_top = page.locator("#agenda-title").bounding_box()["y"]
    history_top = page.locator(".history-card").bounding_box()["y"]
    assert people_top < agenda_top < history_top
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()
    expect(page.locator(".signature-block")).to_be_visible()


def test_the_practitioners_week(live_server, browser, page, agreement, practitioner):
    base = live_server.url
    # One session this week: now, whatever the weekday.
    scheduling.sessions_schedule(
        supervisor=agreement.supervisor,
        agreement=agreement,
        starts_at=timezone.now(),
        duration_minutes=60,
        modality=SupervisionSession.Modality.IN_PERSON,
        location="Reflection room",
    )
    login(page, base, practitioner.email, PASSWORD)
    page.get_by_role("link", name="Your week").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Week of")
    week = page.locator(".week-grid")
    expect(week).to_contain_text("with your supervisor, Sasha Supervisor")
    expect(week).to_contain_text("your supervision")
    expect(page.get_by_role("link", name="Schedule a session")).to_have_count(0)
    check(page, browser, "week-practitioner")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="Week view").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Week of")


def test_marking_a_follow_up_done_can_be_undone(live_server, browser, page, signed_session, practitioner):
    base = live_server.url
    login(page, base, practitioner.email, PASSWORD)
    follow_up = FollowUp.objects.get(session=signed_session)
    page.get_by_role("button", name=re.compile(r"^Mark done\s*: Notice one moment at bedtime")).click()
    message = page.get_by_role("status").filter(has_text="Follow-up marked done.")
    expect(message).to_be_visible()
    check(page, browser, "home-follow-up-done-undo")
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    message.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status").filter(has_text="The follow-up is open again.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Mark done\s*: Notice one moment at bedtime"))).to_be_visible()
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
