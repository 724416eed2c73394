"""The time zones people choose from, and the field and select that offer them.

The list is short at the top and complete below: the zones most people here live in, labelled the
way they say them ("Chicago (Central time)"), then every place the IANA time zone database names for
a country, grouped by region ("Kolkata, India" under Asia).

Which names are offered: those in the database's own table of zones by country (``zone.tab``, and
``zone1970.tab`` should a future release keep a zone only there), next to the compiled zones in
``zoneinfo.TZPATH`` or in the ``tzdata`` package. That table is what the database offers for people
to choose from, so it leaves out, by construction, the names kept only so that old settings go on
working: backward links (``US/Eastern``, ``Asia/Calcutta``, ``Europe/Kiev``), ``Etc/GMT+5`` and
friends, and legacy names (``EST5EDT``, ``GB``, ``UTC``). Should no table be found, the fallback is
every ``Area/Location`` name in the REGIONS below, which may then include a few old links. Country
names are the database's own English ones (``iso3166.tab``), like the zone names themselves.

A stored zone that is not offered (chosen before this list, or the server's ``TIME_ZONE`` such as
``UTC``) stays valid for the record that has it and is shown first, so saving a form never changes
someone's time zone behind their back.

The options are built as one block of HTML, kept for each language and chosen zone: the select is
rendered without a template per option (there are over 400).
"""

import functools
import importlib.resources
import zoneinfo
from pathlib import Path

from django import forms
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Where most people using RSC Records live, east to west, then the island territories.
COMMON = [
    ("America/New_York", _("New York (Eastern time)")),
    ("America/Chicago", _("Chicago (Central time)")),
    ("America/Denver", _("Denver (Mountain time)")),
    ("America/Phoenix", _("Phoenix (Arizona, Mountain time all year)")),
    ("America/Los_Angeles", _("Los Angeles (Pacific time)")),
    ("America/Anchorage", _("Anchorage (Alaska time)")),
    ("Pacific/Honolulu", _("Honolulu (Hawaii time)")),
    ("America/Puerto_Rico", _("Puerto Rico (Atlantic time)")),
    ("Pacific/Guam", _("Guam (Chamorro time)")),
    ("Pacific/Pago_Pago", _("American Samoa (Samoa time)")),
]

REGIONS = {
    "Africa": _("Africa"),
    "America": _("The Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}


def _database_file(name: str) -> str | None:
    """The text of one of the time zone database's tables, from where zoneinfo reads its zones."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def _table_rows(text: str | None) -> list[list[str]]:
    if not text:
        return []
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.cache
def _places() -> dict[str, str]:
    """Every zone offered, mapped to its country's English name (empty when unknown)."""
    available = zoneinfo.available_timezones()
    countries = {row[0]: row[1].strip() for row in _table_rows(_database_file("iso3166.tab")) if len(row) > 1}
    places: dict[str, str] = {}
    for table in ("zone.tab", "zone1970.tab"):
        for row in _table_rows(_database_file(table)):
            name = row[2].strip() if len(row) > 2 else ""
            if name in available and name.split("/")[0] in REGIONS and name not in places:
                # zone1970.tab names several countries ("BE,LU,NL"); the first one is the zone's own.
                places[name] = countries.get(row[0].split(",")[0], "")
    if not places:
        places = {name: "" for name in available if name.count("/") >= 1 and name.split("/")[0] in REGIONS}
    return places


@functools.cache
def offered_names() -> frozenset[str]:
    return frozenset(_places())


def _place_label(name: str, country: str) -> str:
    """How a place reads: America/Indiana/Knox, in the United States, as "Knox, Indiana, United States"."""
    parts = [part.replace("_", " ") for part in reversed(name.split("/")[1:])]
    if country and country not in parts:
        parts.append(country)
    return ", ".join(parts)


def label_for(name: str) -> str:
    """How a stored zone reads to people: "Chicago (Central time)", "Kolkata, India", or the name."""
    common = dict(COMMON)
    if name in common:
        return str(common[name])
    places = _places()
    if name in places:
        return _place_label(name, places[name])
    return name.replace("_", " ")


def time_zone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The choices, grouped: the common zones, then each region's places in alphabetical order."""
    return _choices(get_language())


@functools.lru_cache(maxsize=8)
def _choices(language: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    places = _places()
    common = [(name, str(label)) for name, label in COMMON if name in places]
    chosen = {name for name, _label in common}
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for name, country in places.items():
        region = name.split("/")[0]
        if name not in chosen and region in groups:
            groups[region].append((name, _place_label(name, country)))
    choices = [(str(_("Common time zones")), common)]
    for region, label in REGIONS.items():
        if groups[region]:
            choices.append((str(label), sorted(groups[region], key=lambda choice: choice[1].casefold())))
    return choices


@functools.lru_cache(maxsize=64)
def _options_html(language: str | None, selected: str) -> SafeString:
    """All the options as one block, built once for each language and chosen zone."""
    return format_html_join(
        "",
        '<optgroup label="{}">{}</optgroup>',
        (
            (
                group,
                format_html_join(
                    "",
                    '<option value="{}"{}>{}</option>',
                    ((name, " selected" if name == selected else "", label) for name, label in options),
                ),
            )
            for group, options in _choices(language)
        ),
    )


def _is_zone(value: str) -> bool:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class TimeZoneSelect(forms.Select):
    """The select, with a filter above it that static/js/time-zone.js reveals and runs."""

    kept = ""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        value = "" if value is None else str(value)
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        attrs["data-time-zone-select"] = ""
        select_id = attrs.get("id", f"id_{name}")
        offered = value in offered_names()
        options = _options_html(get_language(), value if offered else "")
        if not offered and value and value == self.kept:
            label = _("%(zone)s (current setting)") % {"zone": value.replace("_", " ")}
            options = format_html('<option value="{}" selected>{}</option>{}', value, label, options)
        filter_id, status_id = f"{select_id}_filter", f"{select_id}_filter_status"
        return format_html(
            '<div class="time-zone-filter" data-time-zone-filter hidden>'
            '<label class="form-label small mb-1" for="{filter_id}">{filter_label}</label>'
            '<input type="search" class="form-control" id="{filter_id}" aria-controls="{select_id}" '
            'aria-describedby="{status_id}" autocomplete="off" spellcheck="false">'
            '<p class="form-text mt-1 mb-2" id="{status_id}" aria-live="polite" '
            'data-msg-none="{none}" data-msg-one="{one}" data-msg-many="{many}"></p>'
            "</div>"
            "<select{attrs}>{options}</select>"
            '<script src="{script}" defer></script>',
            filter_id=filter_id,
            filter_label=_("Search by city, country or region"),
            select_id=select_id,
            status_id=status_id,
            none=_("No time zone matches. Try a nearby city, or the country's name."),
            one=_("One time zone matches: choose it in the list below."),
            many=_("%(count)s time zones match: choose one in the list below.") % {"count": "{count}"},
            attrs=flatatt(attrs),
            options=options,
            script=static("js/time-zone.js"),
        )


class TimeZoneField(forms.ChoiceField):
    """A choice among the offered zones, or the record's own zone when that is not offered."""

    widget = TimeZoneSelect
    default_error_messages = {"invalid_choice": _("Choose a time zone from the list.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        super().__init__(**kwargs)
        self.kept = ""

    def keep(self, value: str) -> None:
        """Accept and show the record's stored zone even when the list no longer offers it."""
        self.kept = value if value and value not in offered_names() and _is_zone(value) else ""
        self.widget.kept = self.kept

    def valid_value(self, value) -> bool:
        return value in offered_names() or (bool(self.kept) and value == self.kept)
