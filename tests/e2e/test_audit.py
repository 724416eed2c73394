"""The audit trail in a real browser: a supervisor reads a shared reflection, the practitioner
sees who read it, and the account administrator finds the read in the trail and downloads it."""

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from rsc.models import AuditEvent
from rsc.services import reflections as services
from tests.conftest import PASSWORD
from tests.e2e.conftest import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    login,
    new_context,
    new_mobile_context,
    save_screenshot,
)


@pytest.fixture
def shared_reflection(practitioner, supervisor, agreement):
    reflection = services.reflection_create(
        author=practitioner,
        data={
            "title": "JM-2 after the move",
            "what_happened": "Mum held K on her lap while we talked about the move.",
            "own_response": "I noticed I wanted to hurry the visit along.",
        },
    )
    services.reflection_share(reflection=reflection, supervisors=[supervisor])
    return reflection


def test_a_read_is_seen_by_the_author_and_found_in_the_audit_trail(
    shared_reflection, practitioner, supervisor, admin_user, live_server, browser: Browser
):
    base = live_server.url
    reflection_url = f"{base}/reflections/{shared_reflection.pk}/"

    # The supervisor opens the reflection shared with them.
    supervisor_context = new_context(browser)
    desk = supervisor_context.new_page()
    login(desk, base, supervisor.email, PASSWORD)
    desk.goto(reflection_url)
    expect(desk.get_by_role("heading", level=1)).to_have_text("JM-2 after the move")
    supervisor_context.close()

    # The practitioner sees that it was read, and by whom.
    practitioner_context = new_context(browser)
    own = practitioner_context.new_page()
    login(own, base, practitioner.email, PASSWORD)
    own.goto(reflection_url)
    expect(own.get_by_role("heading", level=1)).to_have_text("JM-2 after the move")
    expect(own.get_by_text(re.compile(r"Read by .*Sasha Supervisor"))).to_be_visible()
    save_screenshot(own, "audit-reflection-read-by")
    practitioner_context.close()

    # The administrator finds the read in the audit trail.
    admin_context = new_context(browser, accept_downloads=True)
    page = admin_context.new_page()
    login(page, base, admin_user.email, PASSWORD)
    page.get_by_role("link", name="Audit trail").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    page.get_by_label("Person").select_option(label="Sasha Supervisor")
    page.get_by_label("Action").select_option(label="Read")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"/audit/\?.*action=read"))
    expect(page.get_by_label("Person")).to_have_value(str(supervisor.pk))
    table = page.get_by_role("table", name="Audit events")
    row = table.get_by_role("row").filter(has_text=f"Reflection #{shared_reflection.pk}")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Sasha Supervisor")
    expect(row).to_contain_text("Read")
    # Every row is the supervisor's reading, and nothing they read is shown.
    for text in table.locator("tbody tr").all_inner_texts():
        assert "Sasha Supervisor" in text and "Read" in text
    expect(page.locator("main")).not_to_contain_text("Mum held K")
    assert_no_axe_violations(page)
    save_screenshot(page, "audit-list-filtered-desktop")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these events as CSV").click()
    download = download_info.value
    assert re.fullmatch(r"audit-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["time_utc", "time_local", "person_id"]
    reads = [row for row in rows[1:] if row[5] == "read" and row[7] == "reflection"]
    assert [str(shared_reflection.pk), supervisor.email] in [[row[8], row[3]] for row in reads]
    assert all(row[2] == str(supervisor.pk) for row in rows[1:])
    assert "Mum held K" not in str(rows)
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert export.actor_id == admin_user.pk
    assert export.detail["filters"] == {"person": supervisor.pk, "action": "read"}

    # A filter that cannot be used is explained, and the page stays accessible.
    page.goto(f"{base}/audit/?start=2026-02-30&action=read")
    expect(page.get_by_role("alert")).to_contain_text("Some filters could not be used")
    expect(page.locator("#id_start_error")).to_have_text("Enter a date such as 2026-03-02.")
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)
    save_screenshot(page, "audit-list-error-desktop")

    # On a phone: the same trail, without sideways scrolling.
    mobile_context = new_mobile_context(browser, storage_state=admin_context.storage_state())
    phone = mobile_context.new_page()
    phone.goto(f"{base}/audit/?person={supervisor.pk}&action=read")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(
        phone.locator("main .list-group-item").filter(has_text=f"Reflection #{shared_reflection.pk}")
    ).to_be_visible()
    assert_no_horizontal_scroll(phone)
    save_screenshot(phone, "audit-list-filtered-mobile")
    phone.goto(f"{base}/audit/")
    assert_no_horizontal_scroll(phone)
    save_screenshot(phone, "audit-list-mobile")
    phone.goto(f"{base}/audit/?start=2026-02-30&end=yesterday")
    expect(phone.get_by_role("alert")).to_contain_text("Some filters could not be used")
    assert_no_horizontal_scroll(phone)
    save_screenshot(phone, "audit-list-error-mobile")
    mobile_context.close()

    page.goto(f"{base}/audit/")
    assert_no_axe_violations(page)
    save_screenshot(page, "audit-list-desktop")
    admin_context.close()
