"""The house colours as the browser computes them, and the time zone search on the profile."""

from playwright.sync_api import Page, expect

from accounts.models import User
from rsc.services import reflections as services
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_no_axe_violations, login, new_mobile_context, save_screenshot

# WCAG's contrast ratio between two computed CSS colours ("rgb(r, g, b)"), and the palette's values.
COLOURS = """
(selectors) => {
  const rgb = (text) => text.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const luminance = (text) => {
    const linear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const [r, g, b] = rgb(text).map((c) => linear(c / 255));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const probe = document.createElement("span");
  document.body.append(probe);
  const names = ["teal", "teal-dark", "teal-tint", "clay-tint", "stone", "bark-tint"].map((name) => `--rsc-${name}`);
  const palette = names.map((name) => {
    probe.style.color = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return getComputedStyle(probe).color;
  });
  probe.remove();
  return Object.fromEntries(selectors.map((selector) => {
    const style = getComputedStyle(document.querySelector(selector));
    const [light, dark] = [luminance(style.color), luminance(style.backgroundColor)].sort((a, b) => b - a);
    return [selector, {
      color: style.color,
      background: style.backgroundColor,
      ratio: (light + 0.05) / (dark + 0.05),
      inPalette: palette.includes(style.backgroundColor),
    }];
  }));
}
"""
NEW_BADGE = "main .badge-new"
CURRENT_PAGE = "main .pagination [aria-current=page] .page-link"
OTHER_PAGE = "main .pagination a.page-link"


def test_badges_and_the_pager_are_in_the_house_colours_and_read_clearly(
    live_server, page: Page, practitioner, supervisor, agreement
):
    # More reflections than one page holds, the newest with a response Pat has not seen.
    for number in range(21):
        services.reflection_create(author=practitioner, data={"title": f"Visit {number}", "what_happened": "A visit."})
    shared = services.reflection_create(author=practitioner, data={"title": "After the move", "what_happened": "Hi."})
    services.reflection_share(reflection=shared, supervisors=[supervisor])
    services.response_add(reflection=shared, author=supervisor, text="I wonder how the baby settled.")

    login(page, live_server.url, practitioner.email, PASSWORD)
    page.goto(f"{live_server.url}/reflections/")
    expect(page.locator(NEW_BADGE)).to_have_text("1 new response")
    expect(page.locator(CURRENT_PAGE)).to_have_text("Page 1 of 2")
    colours = page.evaluate(COLOURS, [NEW_BADGE, CURRENT_PAGE, OTHER_PAGE])
    for selector, found in colours.items():
        assert found["ratio"] >= 4.5, f"{selector}: {found}"
        assert found["inPalette"] or found["background"] == "rgb(255, 255, 255)", f"{selector}: {found}"
    assert colours[NEW_BADGE]["background"] == "rgb(47, 111, 106)"  # the house teal, not Bootstrap's cyan
    assert colours[CURRENT_PAGE]["background"] != "rgb(13, 110, 253)"  # nor Bootstrap's blue
    page.locator(OTHER_PAGE).focus()
    outline = page.locator(OTHER_PAGE).evaluate("(link) => getComputedStyle(link).outlineColor")
    assert outline == "rgb(180, 98, 45)"  # the house focus ring (clay)
    save_screenshot(page, "house-colours-reflection-list")


def fill_filter(page: Page, text: str) -> None:
    page.get_by_role("searchbox", name="Search by city, country or region").fill(text)


def options_shown(page: Page) -> list[str]:
    return page.locator("#id_time_zone option").all_text_contents()


def test_the_time_zone_list_can_be_searched_and_keeps_the_choice_until_one_is_made(
    live_server, browser, page: Page, practitioner
):
    login(page, live_server.url, practitioner.email, PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    select = page.get_by_role("combobox", name="Time zone")
    expect(select).to_have_value("America/Chicago")
    expect(page.locator("#id_time_zone option").first).to_have_text("New York (Eastern time)")

    fill_filter(page, "Netherlands")
    expect(page.locator("#id_time_zone_filter_status")).to_have_text(
        "One time zone matches: choose it in the list below."
    )
    # The zone already chosen stays, so nothing changes until the person picks.
    assert options_shown(page) == ["Chicago (Central time)", "Amsterdam, Netherlands"]
    expect(page.get_by_role("listbox", name="Time zone")).to_have_value("America/Chicago")
    assert_no_axe_violations(page)
    save_screenshot(page, "time-zone-search-desktop")

    # Enter goes to the list rather than sending the form.
    page.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("listbox", name="Time zone")).to_be_focused()
    page.get_by_role("listbox", name="Time zone").select_option("Europe/Amsterdam")

    # Words match in any order, accents and case aside; clearing brings the whole list back.
    fill_filter(page, "india")
    assert "Kolkata, India" in options_shown(page)
    fill_filter(page, "sao paulo")
    assert "Sao Paulo, Brazil" in options_shown(page)
    fill_filter(page, "time central")
    assert "Chicago (Central time)" in options_shown(page)
    fill_filter(page, "nowhere at all")
    expect(page.locator("#id_time_zone_filter_status")).to_contain_text("No time zone matches")
    fill_filter(page, "")
    expect(page.locator("#id_time_zone_filter_status")).to_have_text("")
    assert len(options_shown(page)) > 400
    expect(select).to_have_value("Europe/Amsterdam")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    practitioner.refresh_from_db()
    assert practitioner.time_zone == "Europe/Amsterdam"

    # On a phone: the search fits, and nothing scrolls sideways.
    mobile = new_mobile_context(browser, storage_state=page.context.storage_state()).new_page()
    mobile.goto(f"{live_server.url}/profile/")
    mobile.get_by_role("searchbox", name="Search by city, country or region").fill("new")
    expect(mobile.locator("#id_time_zone_filter_status")).to_contain_text("time zones match")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_axe_violations(mobile)
    save_screenshot(mobile, "time-zone-search-mobile")
    mobile.context.close()


def test_without_the_script_the_plain_list_still_works(live_server, browser, practitioner):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, live_server.url, practitioner.email, PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    expect(page.get_by_role("searchbox")).to_have_count(0)  # the search stays hidden
    expect(page.locator("#id_time_zone option").first).to_have_text("New York (Eastern time)")
    page.get_by_role("combobox", name="Time zone").select_option("America/Denver")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    assert User.objects.get(pk=practitioner.pk).time_zone == "America/Denver"
    context.close()
