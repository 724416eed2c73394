import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import Organization, User
from tests.conftest import PASSWORD, make_person
from tests.e2e.conftest import login, new_context, save_screenshot

NEW_PASSWORD = "river-stones-and-quiet-mornings"


def test_admin_invites_person_who_sets_password_and_signs_in(
    transactional_db, live_server, settings, browser, page, run_tasks
):
    settings.SITE_URL = live_server.url
    organization = Organization.objects.create(name="Riverbend Early Childhood")
    make_person(organization, "admin@riverbend.example", "Avery Admin", User.Role.ADMINISTRATOR)
    assert mail.outbox == []

    login(page, live_server.url, "admin@riverbend.example", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    page.get_by_role("link", name="Invite someone").click()
    expect(page).to_have_url(f"{live_server.url}/people/invite/")
    page.get_by_label("Full name").fill("Casey Newcomer")
    page.get_by_label("Email address").fill("Casey.Newcomer@Riverbend.example")
    page.get_by_role("checkbox", name="Practitioner").check()
    page.get_by_role("button", name="Send invitation").click()

    # Signing in is not a password confirmation: allauth asks for it before the change.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next=%2Fpeople%2Finvite%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    assert mail.outbox == []
    assert not User.objects.filter(email="casey.newcomer@riverbend.example").exists()
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    # allauth replays the stashed invitation; it lands on the new person's page.
    expect(page).to_have_url(re.compile(r"/people/\d+/$"))
    person = User.objects.get(email="casey.newcomer@riverbend.example")
    assert page.url == f"{live_server.url}/people/{person.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Newcomer")
    expect(page.get_by_role("status")).to_contain_text(
        "The invitation to Casey Newcomer (casey.newcomer@riverbend.example) is on its way. "
        "The link will work for 7 days."
    )
    expect(page.locator(".page-lead .badge")).to_have_text("Invited")
    save_screenshot(page, "invite-person-detail-after-invite")
    assert person.organization == organization
    assert person.roles == [User.Role.PRACTITIONER]
    assert not person.has_usable_password()

    # The worker sends it; the live server runs in this process with the locmem backend, so the
    # email is here.
    assert mail.outbox == []
    assert run_tasks() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["casey.newcomer@riverbend.example"]
    assert message.subject == "You are invited to Riverbend Early Childhood on RSC Records"
    match = re.search(re.escape(live_server.url) + r"/invitation/[\w-]+/", message.body)
    assert match, message.body
    link = match.group(0)

    # The invited person opens the link in their own browser.
    invitee_context = new_context(browser)
    try:
        invitee = invitee_context.new_page()
        invitee.goto(link)
        expect(invitee.get_by_role("heading", level=1)).to_have_text("Choose your password")
        expect(invitee.locator("main")).to_contain_text(
            "Welcome, Casey Newcomer. You have been invited to Riverbend Early Childhood on RSC Records."
        )
        invitee.locator('input[name="password1"]').fill(NEW_PASSWORD)
        invitee.locator('input[name="password2"]').fill(NEW_PASSWORD)
        invitee.get_by_role("button", name="Save password and sign in").click()

        expect(invitee).to_have_url(f"{live_server.url}/")
        expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, Casey")
        expect(invitee.get_by_role("status")).to_contain_text("Welcome to Riverbend Early Childhood on RSC Records.")
        expect(invitee.locator(".page-lead")).to_contain_text("Riverbend Early Childhood")
        save_screenshot(invitee, "invite-accepted-home")
        person.refresh_from_db()
        assert person.invitation_accepted
        assert person.check_password(NEW_PASSWORD)

        # The link works once.
        invitee.goto(link)
        expect(invitee.get_by_role("heading", level=1)).to_have_text("This link no longer works")

        # Sign out, then in again with the new password.
        navigation = invitee.get_by_role("navigation", name="Main")
        navigation.get_by_role("button", name="Casey").click()
        invitee.get_by_role("button", name="Sign out").click()
        invitee.wait_for_url(re.compile(r"/accounts/login/"))
        login(invitee, live_server.url, "casey.newcomer@riverbend.example", NEW_PASSWORD)
        expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, Casey")
    finally:
        invitee_context.close()


def test_invite_errors_shown_after_password_confirmation_can_be_corrected(
    transactional_db, live_server, page, run_tasks
):
    """allauth replays the stashed POST inside /accounts/reauthenticate/, so the
    re-rendered invitation form must post back to its own URL, not the current one."""
    organization = Organization.objects.create(name="Riverbend Early Childhood")
    make_person(organization, "admin@riverbend.example", "Avery Admin", User.Role.ADMINISTRATOR)
    login(page, live_server.url, "admin@riverbend.example", PASSWORD)

    page.goto(f"{live_server.url}/people/invite/")
    page.get_by_label("Full name").fill("Casey Newcomer")
    page.get_by_role("button", name="Send invitation").click()
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    expect(page.get_by_label("Full name")).to_have_value("Casey Newcomer")
    expect(page.locator(".invalid-feedback")).to_have_count(2)  # email and roles
    page.get_by_label("Email address").fill("casey@riverbend.example")
    page.get_by_role("checkbox", name="Supervisor").check()
    page.get_by_role("button", name="Send invitation").click()

    expect(page).to_have_url(re.compile(r"/people/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Newcomer")
    person = User.objects.get(email="casey@riverbend.example")
    assert person.roles == [User.Role.SUPERVISOR]
    assert run_tasks() == 1
    assert len(mail.outbox) == 1
