"""The time zone list: short and friendly at the top, canonical below, cheap to render, and kind to
zones chosen before it (accounts/time_zones.py)."""

import re
import zoneinfo

from django.urls import reverse

from accounts.forms import OrganizationSettingsForm, ProfileForm
from accounts.models import time_zone_choices
from tests.conftest import mark_reauthenticated

US_COMMON = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]
# Names zoneinfo knows that are only there for old software: backward links, Etc/ and legacy names.
NOT_OFFERED = [
    "US/Eastern",
    "US/Pacific",
    "Asia/Calcutta",
    "Europe/Kiev",
    "America/Buenos_Aires",
    "America/Indianapolis",
    "Australia/ACT",
    "Etc/GMT+5",
    "Etc/UTC",
    "EST5EDT",
    "GB",
    "UTC",
    "Zulu",
]
OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')


def offered(form_class=ProfileForm) -> list[tuple[str, str]]:
    """Every (value, label) the form's time zone field offers, in order, groups flattened."""
    choices = list(form_class.base_fields["time_zone"].choices)
    flat = []
    for value, label in choices:
        flat.extend(label if isinstance(label, (list, tuple)) else [(value, label)])
    return flat


def test_the_common_us_zones_come_first_labelled_the_way_people_say_them():
    values = [value for value, _label in offered()]
    assert values[: len(US_COMMON)] == US_COMMON
    labels = dict(offered())
    assert labels["America/Chicago"] == "Chicago (Central time)"
    assert labels["America/New_York"] == "New York (Eastern time)"
    assert labels["Pacific/Honolulu"] == "Honolulu (Hawaii time)"
    first_group, first_options = time_zone_choices()[0]
    assert first_group == "Common time zones"
    assert [value for value, _label in first_options][: len(US_COMMON)] == US_COMMON


def test_the_rest_are_canonical_places_grouped_by_region_without_old_aliases():
    values = [value for value, _label in offered()]
    assert len(values) == len(set(values)), "each zone is offered once"
    assert not set(NOT_OFFERED) & set(values)
    assert all(not value.startswith("Etc/") and value.count("/") >= 1 for value in values)
    # Their canonical names are there instead, and every name offered loads.
    assert {"Asia/Kolkata", "Europe/Kyiv", "America/Argentina/Buenos_Aires", "Europe/Amsterdam"} <= set(values)
    for value in values:
        zoneinfo.ZoneInfo(value)
    # Far fewer than the ~600 names zoneinfo knows.
    assert 350 < len(values) < 450 < len(zoneinfo.available_timezones())
    groups = [group for group, _options in time_zone_choices()]
    assert groups[1:] == [
        "Africa",
        "The Americas",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic Ocean",
        "Australia",
        "Europe",
        "Indian Ocean",
        "Pacific Ocean",
    ]
    assert offered(OrganizationSettingsForm) == offered(ProfileForm)
    labels = dict(offered())
    assert labels["Asia/Kolkata"] == "Kolkata, India"
    assert labels["America/Indiana/Knox"] == "Knox, Indiana, United States"
    assert labels["America/Argentina/Buenos_Aires"] == "Buenos Aires, Argentina"


def test_the_profile_renders_its_options_as_one_block_not_a_template_each(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    rendered = [template.name for template in response.templates]
    assert "django/forms/widgets/select_option.html" not in rendered
    html = response.content.decode()
    options = OPTION.findall(html)
    assert len(options) == len(offered())
    assert [value for value, selected, _label in options if selected] == ["America/Chicago"]
    # The filter is there for the script to reveal; without it, the select works alone.
    assert re.search(r'<div class="time-zone-filter" data-time-zone-filter hidden>', html)
    assert re.search(r'<script src="/static/js/time-zone\.js[^"]*" defer></script>', html)
    assert 'aria-controls="id_time_zone"' in html
    assert "Session times are shown in this time zone." in html


def test_a_zone_chosen_before_the_list_stays_valid_and_shown(client, practitioner):
    practitioner.time_zone = "US/Eastern"
    practitioner.save(update_fields=["time_zone"])
    client.force_login(practitioner)

    html = client.get(reverse("profile")).content.decode()
    assert ("US/Eastern", " selected", "US/Eastern (current setting)") in OPTION.findall(html)

    # Saving the name keeps it…
    response = client.post(reverse("profile"), {"full_name": "Pat P.", "time_zone": "US/Eastern"})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert (practitioner.full_name, practitioner.time_zone) == ("Pat P.", "US/Eastern")

    # …but another old alias cannot be chosen.
    response = client.post(reverse("profile"), {"full_name": "Pat P.", "time_zone": "Asia/Calcutta"})
    assert response.status_code == 200
    assert "Choose a time zone from the list." in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.time_zone == "US/Eastern"

    # Once a listed zone is chosen, the old one is no longer offered to this person.
    client.post(reverse("profile"), {"full_name": "Pat P.", "time_zone": "America/New_York"})
    practitioner.refresh_from_db()
    assert practitioner.time_zone == "America/New_York"
    html = client.get(reverse("profile")).content.decode()
    assert "US/Eastern" not in html

    # A stored name that no longer loads at all is not kept.
    practitioner.time_zone = "Mars/Olympus"
    form = ProfileForm({"full_name": "Pat", "time_zone": "Mars/Olympus"}, instance=practitioner)
    assert not form.is_valid()
    assert "Mars/Olympus" not in str(form["time_zone"])


def test_an_organization_keeps_a_default_zone_outside_the_list(admin_client, admin_user, organization):
    organization.time_zone = "UTC"
    organization.save(update_fields=["time_zone"])
    mark_reauthenticated(admin_client, admin_user)

    html = admin_client.get(reverse("organization_settings")).content.decode()
    assert ("UTC", " selected", "UTC (current setting)") in OPTION.findall(html)
    assert "New people start with this time zone; each can change their own." in html

    data = {
        "name": organization.name,
        "time_zone": "UTC",
        "confidentiality_limits": "Limits.",
        "restore_window_days": 30,
    }
    response = admin_client.post(reverse("organization_settings"), data)
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.time_zone == "UTC"
