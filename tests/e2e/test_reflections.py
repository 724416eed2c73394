"""Reflections in a real browser: writing with autosave, sharing, responding, and the
ways writing can be interrupted (signed out, a second tab, identifying details).

Autosave posts 2 seconds after typing stops; the tests wait for its status line
("Saved at HH:MM") rather than sleeping.
"""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from rsc import timeouts
from rsc.models import Child, Family
from rsc.models.reflections import Reflection, ReflectionResponse, ReflectionVersion
from rsc.services import reflections as reflections_services
from rsc.services import sessions as scheduling
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    ARTIFACTS_DIR,
    assert_no_horizontal_scroll,
    login,
    new_context,
    new_mobile_context,
    save_screenshot,
)

SAVED = "Saved at"


def months_ago(months: int) -> datetime.date:
    day = timezone.localdate().replace(day=1)
    for _ in range(months):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture
def family(organization, practitioner):
    """JM-2, a home-visiting family with K, 14 months old."""
    family = Family.objects.create(organization=organization, code="JM-2", context=Family.Context.HOME_VISITING)
    family.practitioners.add(practitioner)
    Child.objects.create(family=family, label="K", birth_month=months_ago(14))
    return family


@pytest.fixture
def upcoming_session(agreement, supervisor):
    """The pair's next supervision, in two days."""
    (session,) = scheduling.sessions_schedule(
        supervisor=supervisor,
        agreement=agreement,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=60,
        modality="video",
    )
    return session


def save_viewport_screenshot(page: Page, name: str) -> None:
    """What the person sees: the sticky save bar where it really is, at the bottom of the window."""
    page.screenshot(path=ARTIFACTS_DIR / f"{name}.png")


def autosave_status(page: Page):
    return page.locator("#autosave-status")


def section(page: Page, label: str):
    return page.get_by_role("textbox", name=label, exact=True)


def end_server_sessions(user) -> None:
    """Sign the person out on the server, as an expired or revoked session would."""
    for session in Session.objects.all():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


def check_mobile(page: Page, browser, name: str) -> None:
    """The same page in a phone-sized window of the same session: no sideways scrolling."""
    mobile = new_mobile_context(browser, storage_state=page.context.storage_state())
    phone = mobile.new_page()
    phone.goto(page.url)
    assert_no_horizontal_scroll(phone)
    save_screenshot(phone, f"reflections-{name}-mobile")
    mobile.close()


def test_write_share_respond_and_read_the_response(
    live_server, browser, page, practitioner, supervisor, family, upcoming_session
):
    base = live_server.url
    login(page, base, practitioner.email, PASSWORD)

    # From the family page, a new reflection about this family.
    page.goto(f"{base}/families/{family.pk}/")
    page.get_by_role("link", name="Write a reflection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A new reflection")
    expect(page.get_by_label("About the family")).to_have_value(str(family.pk))
    baby = page.locator(".reflection-section").filter(has=section(page, "The baby’s experience"))
    expect(baby.locator(".children-ages")).to_have_text("In this family: K, 14 months")
    page.get_by_label("For the session").select_option(index=1)

    section(page, "What happened").fill("Mum held K on her lap while we talked about the move.")
    expect(autosave_status(page)).to_contain_text(SAVED)
    reflection = Reflection.objects.get()
    expect(page).to_have_url(f"{base}/reflections/{reflection.pk}/edit/")
    assert reflection.what_happened == "Mum held K on her lap while we talked about the move."
    assert reflection.session_id == upcoming_session.pk
    save_screenshot(page, "reflections-journey-editor")

    page.get_by_role("button", name="Save and share…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share this reflection")
    prompt = page.locator(".baby-prompt")
    expect(prompt.get_by_role("heading")).to_have_text("Before you share: the baby")
    expect(prompt.locator(".baby-question")).to_contain_text("K (14 months)")
    prompt.get_by_label("A few words about the baby (optional)").fill("K watched the door every time it opened.")
    supervisor_box = page.get_by_role("checkbox", name=supervisor.full_name)
    expect(supervisor_box).to_be_checked()
    save_screenshot(page, "reflections-journey-share")
    page.get_by_role("button", name="Add these words and share").click()
    expect(page.get_by_role("status").filter(has_text=f"Shared with {supervisor.full_name}.")).to_be_visible()
    reflection.refresh_from_db()
    assert reflection.baby_experience == "K watched the door every time it opened."
    assert list(reflection.shares.values_list("supervisor", flat=True)) == [supervisor.pk]

    # The supervisor reads it while preparing the session, and responds.
    supervisor_context = new_context(browser)
    them = supervisor_context.new_page()
    login(them, base, supervisor.email, PASSWORD)
    them.goto(f"{base}/sessions/{upcoming_session.pk}/prepare/")
    shared = them.locator("section").filter(has=them.get_by_role("heading", name="Reflections shared with you"))
    expect(shared).to_contain_text("Pat Practitioner · JM-2 · for this session")
    expect(shared).to_contain_text("Not read yet")
    save_screenshot(them, "reflections-journey-prepare")
    shared.get_by_role("link", name=reflection.heading).click()
    main = them.locator("main")
    expect(main).to_contain_text("Mum held K on her lap while we talked about the move.")
    expect(main.locator("section").filter(has_text="The baby’s experience")).to_contain_text(
        "K watched the door every time it opened."
    )
    expect(main).to_contain_text("By Pat Practitioner")
    response = them.get_by_role("textbox", name="Your response")
    response.fill("I wonder what K was hoping would come through that door.")
    expect(them.locator("[data-autosave-status]")).to_contain_text("Draft saved at")
    save_screenshot(them, "reflections-journey-supervisor-response")
    them.get_by_role("button", name="Send").click()
    expect(them.get_by_role("status").filter(has_text="Your response is added.")).to_be_visible()
    expect(them.locator("#thread")).to_contain_text("I wonder what K was hoping would come through that door.")
    assert ReflectionResponse.objects.get().author == supervisor
    supervisor_context.close()

    # The practitioner's home shows the new response; the reflection shows it too.
    page.goto(f"{base}/")
    home = page.locator("section").filter(has=page.get_by_role("heading", name="New responses to your reflections"))
    expect(home.get_by_role("link", name=reflection.heading)).to_be_visible()
    expect(home).to_contain_text("1 new")
    save_screenshot(page, "reflections-journey-home")
    home.get_by_role("link", name=reflection.heading).click()
    response_text = page.locator(".response").filter(
        has_text="I wonder what K was hoping would come through that door."
    )
    expect(response_text).to_contain_text(supervisor.full_name)
    expect(response_text).to_contain_text("New")
    save_screenshot(page, "reflections-journey-read-response")
    check_mobile(page, browser, "journey-read-response")


# --- Signed out while writing ---------------------------------------------------------------


@pytest.fixture
def draft(practitioner, family):
    """A private reflection about JM-2, with one section written."""
    return reflections_services.reflection_create(
        author=practitioner,
        data={"family": family, "what_happened": "We sat on the floor by the window."},
    )


def watch_for_script_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_signed_out_while_typing_keeps_every_word(live_server, page, practitioner, draft):
    base = live_server.url
    errors = watch_for_script_errors(page)
    login(page, base, practitioner.email, PASSWORD)
    edit_url = f"{base}/reflections/{draft.pk}/edit/"
    page.goto(edit_url)
    caregivers = section(page, "The caregivers’ experience")
    caregivers.fill("Mum seemed tired but warm.")
    expect(autosave_status(page)).to_contain_text(SAVED)

    # The session ends on the server (expired, or ended from another device) while the page is open.
    end_server_sessions(practitioner)
    caregivers.press("End")
    caregivers.type(" She laughed when K dropped the spoon.")
    notice = page.locator(".signed-out-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You were signed out.")
    expect(autosave_status(page)).to_have_text("")  # the notice says it; "Saved at" would mislead
    assert page.url == edit_url  # the page stays, with everything typed
    expect(caregivers).to_have_value("Mum seemed tired but warm. She laughed when K dropped the spoon.")
    expect(caregivers).to_be_in_viewport()  # not hidden behind the taller save bar
    save_screenshot(page, "reflections-signed-out-notice")
    save_viewport_screenshot(page, "reflections-signed-out-notice-viewport")
    draft.refresh_from_db()
    assert draft.caregiver_experience == "Mum seemed tired but warm."

    # Signing in again in a new tab, then coming back to this one: the save goes through.
    with page.context.expect_page() as new_tab:
        notice.get_by_role("link", name="Sign in again (opens a new tab)").click()
    other = new_tab.value
    expect(other).to_have_url(re.compile(r"/accounts/login/"))
    other.locator('input[name="login"]').fill(practitioner.email)
    other.locator('input[name="password"]').fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other.get_by_role("heading", level=1)).to_contain_text("Welcome")
    other.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # headless tabs do not change focus by themselves
    expect(autosave_status(page)).to_contain_text(SAVED)
    expect(notice).to_be_hidden()
    draft.refresh_from_db()
    assert draft.caregiver_experience == "Mum seemed tired but warm. She laughed when K dropped the spoon."

    # Signed out once more. The Save button does not lead away from the words while signed out.
    end_server_sessions(practitioner)
    wondering = section(page, "What I wonder about")
    wondering.fill("What does K make of the new flat?")
    expect(notice).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(notice.get_by_role("link", name="Sign in again (opens a new tab)")).to_be_focused()
    assert page.url == edit_url
    # Signed in again: "I have signed in: save now", then Save (with the new CSRF token) works.
    login(page.context.new_page(), base, practitioner.email, PASSWORD)
    notice.get_by_role("button", name="I have signed in: save now").click()
    expect(autosave_status(page)).to_contain_text(SAVED)
    wondering.press("End")
    wondering.type(" And of the stairs?")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Your reflection is saved.")).to_be_visible()

    page.goto(edit_url)
    expect(section(page, "What happened")).to_have_value("We sat on the floor by the window.")
    expect(caregivers).to_have_value("Mum seemed tired but warm. She laughed when K dropped the spoon.")
    expect(wondering).to_have_value("What does K make of the new flat? And of the stairs?")
    assert errors == []


IDLE_TIMEOUT = 8
WARNING_SECONDS = 5


@pytest.fixture
def short_sessions(settings):
    """As in test_session_timeout.py: the session ends 8 seconds after sign-in, page loads and
    autosaves do not extend it (activity is recorded at most every 30 seconds)."""
    settings.SESSION_IDLE_TIMEOUT = IDLE_TIMEOUT
    settings.SESSION_WARNING_SECONDS = WARNING_SECONDS
    assert timeouts.ACTIVITY_RESOLUTION > 2 * IDLE_TIMEOUT


def test_idle_timeout_after_autosave_signs_out_and_back_to_the_text(short_sessions, live_server, page, practitioner):
    base = live_server.url
    login(page, base, practitioner.email, PASSWORD)
    page.goto(f"{base}/reflections/new/")
    section(page, "My own response").fill("I felt the urge to fix things for her.")
    expect(autosave_status(page)).to_contain_text(SAVED)
    reflection = Reflection.objects.get()
    edit_path = f"/reflections/{reflection.pk}/edit/"
    expect(page).to_have_url(f"{base}{edit_path}")

    # Everything is saved, so when the time is up the page goes to sign in, asking to come back.
    page.wait_for_url(re.compile(r"/accounts/login/\?next="), timeout=(IDLE_TIMEOUT + 4) * 1000)
    assert page.url == f"{base}/accounts/login/?next=%2Freflections%2F{reflection.pk}%2Fedit%2F"
    page.locator('input[name="login"]').fill(practitioner.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}{edit_path}")
    expect(section(page, "My own response")).to_have_value("I felt the urge to fix things for her.")


# --- Two tabs -------------------------------------------------------------------------------


def test_conflict_between_two_tabs_keeps_the_chosen_text(live_server, page, practitioner, draft):
    base = live_server.url
    errors = watch_for_script_errors(page)
    login(page, base, practitioner.email, PASSWORD)
    edit_url = f"{base}/reflections/{draft.pk}/edit/"
    page.goto(edit_url)
    tab_b = page.context.new_page()
    errors_b = watch_for_script_errors(tab_b)
    tab_b.goto(edit_url)

    section(page, "Next steps").fill("Bring the picture book next time.")
    expect(autosave_status(page)).to_contain_text(SAVED)

    section(tab_b, "Next steps").fill("Ask Mum what K likes to look at.")
    conflict = tab_b.locator("#conflict-region .conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("heading", level=2)).to_have_text("This reflection was saved somewhere else meanwhile")
    expect(conflict.get_by_role("heading", level=3)).to_have_text("Next steps")
    expect(conflict).to_contain_text("Bring the picture book next time.")
    expect(conflict).to_contain_text("Ask Mum what K likes to look at.")
    expect(autosave_status(tab_b)).to_contain_text("Not saved: this reflection was changed in another window.")
    save_screenshot(tab_b, "reflections-conflict")
    draft.refresh_from_db()
    assert draft.next_steps == "Bring the picture book next time."
    # Writing far below, the person is taken up to the panel from the status line.
    autosave_status(tab_b).get_by_role("button", name="Show both texts").click()
    expect(conflict).to_be_focused()
    expect(conflict).to_be_in_viewport()

    conflict.get_by_role("button", name="Keep the text in this window").click()
    expect(conflict).to_have_count(0)
    expect(autosave_status(tab_b)).to_contain_text(SAVED)
    expect(section(tab_b, "Next steps")).to_be_focused()  # back where they were writing
    draft.refresh_from_db()
    assert draft.next_steps == "Ask Mum what K likes to look at."

    tab_b.goto(f"{base}/reflections/{draft.pk}/versions/")
    versions = tab_b.locator("details.version")
    expect(versions).to_have_count(3)
    expect(versions.first).to_contain_text("Version 3")
    expect(versions.first).to_contain_text("Ask Mum what K likes to look at.")
    versions.nth(1).locator("summary").click()
    expect(versions.nth(1)).to_contain_text("Bring the picture book next time.")
    save_screenshot(tab_b, "reflections-versions")
    assert ReflectionVersion.objects.filter(reflection=draft).count() == 3
    assert errors == errors_b == []


# --- Identifying details --------------------------------------------------------------------


def test_identifying_details_are_pointed_out_and_can_be_kept(live_server, page, practitioner, draft):
    base = live_server.url
    login(page, base, practitioner.email, PASSWORD)
    page.goto(f"{base}/reflections/{draft.pk}/edit/")
    section(page, "The family’s story, culture and context").fill(
        "Grandma asked me to call the clinic on 612-555-0147 with her."
    )
    expect(autosave_status(page)).to_contain_text(SAVED)
    warning = page.locator("#identifying-region .identifying")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("listitem")).to_have_text(
        "A phone number, in “The family’s story, culture and context”: 612-555-0147"
    )
    expect(warning.locator("q")).to_have_text("612-555-0147")
    show = autosave_status(page).get_by_role("button", name="A passage may identify someone: show it")
    save_screenshot(page, "reflections-identifying-warning")
    show.click()
    expect(warning).to_be_focused()
    expect(warning).to_be_in_viewport()

    # Kept: once saved so, the warning goes.
    page.get_by_label("Keep these passages as they are").check()
    expect(warning).to_have_count(0)
    expect(show).to_have_count(0)
    draft.refresh_from_db()
    assert draft.kept_passages == ["612-555-0147"]
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Your reflection is saved.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Grandma asked me to call the clinic on 612-555-0147 with her.")
    draft.refresh_from_db()
    assert draft.kept_passages == ["612-555-0147"]

    # Kept once, the passage is not pointed out again; a new one is.
    page.goto(f"{base}/reflections/{draft.pk}/edit/")
    expect(page.locator("#identifying-region .identifying")).to_have_count(0)
    section(page, "Next steps").fill("Send the leaflet to grandma.k@example.org")
    expect(warning).to_contain_text("An email address, in “Next steps”: grandma.k@example.org")
    expect(warning).not_to_contain_text("612-555-0147")
    expect(page.get_by_label("Keep these passages as they are")).not_to_be_checked()
    draft.refresh_from_db()
    assert draft.kept_passages == ["612-555-0147"]


# --- Prompts and the keyboard ---------------------------------------------------------------


def test_prompts_cycle_and_fold(live_server, page, practitioner):
    login(page, live_server.url, practitioner.email, PASSWORD)
    page.goto(f"{live_server.url}/reflections/new/")
    sections = page.locator(".reflection-section")
    expect(sections).to_have_count(8)
    for index in range(8):
        card = sections.nth(index)
        expect(card.locator(".prompt-list li:visible")).to_have_count(1)
        expect(card.get_by_role("button", name="Another question")).to_be_visible()

    what_happened = sections.first
    prompts = what_happened.locator(".prompt-list li")
    seen = []
    for _ in range(prompts.count()):
        seen.append(what_happened.locator(".prompt-list li:visible").inner_text())
        what_happened.get_by_role("button", name="Another question").click()
    assert len(set(seen)) == prompts.count() == 3
    expect(what_happened.locator(".prompt-list li:visible")).to_have_text(seen[0])  # round again

    what_happened.get_by_text("Questions to think with").click()
    expect(what_happened.locator(".prompt-list")).to_be_hidden()
    expect(what_happened.get_by_role("button", name="Another question")).to_be_hidden()
    expect(section(page, "What happened")).to_be_visible()


def focused(page: Page) -> str:
    """The focused element, named as a person using a screen reader would roughly hear it."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const label = el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent;
            return el.tagName.toLowerCase() + ": " + label.trim().replace(/\\s+/g, " ");
        }"""
    )


def tab_until(page: Page, wanted: str, limit: int = 40) -> list[str]:
    """Press Tab until the wanted element has focus; the stops on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1] == wanted:
            return stops
    raise AssertionError(f"Tab never reached {wanted!r}: {stops}")


def test_write_and_save_with_the_keyboard_only(live_server, page, practitioner, family):
    base = live_server.url
    login(page, base, practitioner.email, PASSWORD)
    page.goto(f"{base}/reflections/new/?family={family.pk}")
    keyboard = page.keyboard

    keyboard.press("Tab")
    assert focused(page) == "a: Skip to main content"
    keyboard.press("Enter")
    stops = tab_until(page, "summary: Check in with yourself Optional, and only you ever see it.")
    assert stops == ["a: Reflections", "summary: Check in with yourself Optional, and only you ever see it."]
    keyboard.press("Enter")  # opens the check-in
    keyboard.press("Tab")
    assert focused(page) == "input: 1 · Struggling"
    keyboard.press("ArrowRight")
    keyboard.press("ArrowRight")
    keyboard.press("ArrowRight")
    assert focused(page) == "input: 4 · Steady"
    keyboard.press("Tab")
    assert focused(page) == "input: In a word or two"
    keyboard.type("tired, hopeful")

    stops = tab_until(page, "textarea: What happened")
    assert stops == [
        "select: About the family",
        "select: For the session",
        "input: A few words to find it again",
        "summary: Questions to think with",
        "button: Another question",
        "textarea: What happened",
    ]
    keyboard.type("K brought me her shoes at the door.")
    stops = tab_until(page, "textarea: The baby’s experience")
    assert stops == ["summary: Questions to think with", "button: Another question", "textarea: The baby’s experience"]
    keyboard.type("Maybe she wanted to go out with me.")
    stops = tab_until(page, "button: Save")
    # Every other section, in order, each with its questions before its text box, then the save bar.
    assert [stop for stop in stops if stop.startswith("textarea")] == [
        "textarea: The caregivers’ experience",
        "textarea: The family’s story, culture and context",
        "textarea: My own response",
        "textarea: Parallel process",
        "textarea: What I wonder about",
        "textarea: Next steps",
    ]
    assert stops[-4:] == [
        "summary: Questions to think with",
        "button: Another question",
        "textarea: Next steps",
        "button: Save",
    ]
    keyboard.press("Enter")

    expect(page.get_by_role("status").filter(has_text="Your reflection is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("K brought me her shoes at the door.")
    reflection = Reflection.objects.get()
    assert (reflection.checkin_score, reflection.checkin_words) == (4, "tired, hopeful")
    assert reflection.baby_experience == "Maybe she wanted to go out with me."
    assert reflection.family == family
