"""Dates written as text follow one convention, kept in rsc/lib/dates.py so that another language
brings its own; date boxes say that the browser may show the date its own way."""

import datetime
import re
import zoneinfo
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation

from rsc.lib.dates import DATE_HELP, FORMATS, written

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Machine-readable values (datetime attributes, ISO dates in links) are not text for people.
MACHINE_FORMATS = {"c", "Y-m-d", "Y-m-d\\TH:i:sO"}
MOMENT = datetime.datetime(2026, 3, 14, 15, 30, tzinfo=datetime.UTC)


def test_no_template_writes_a_date_its_own_way():
    found = []
    for path in TEMPLATES.rglob("*.*"):
        for fmt in re.findall(r"\|(?:date|time):[\"']([^\"']*)[\"']", path.read_text()):
            if fmt not in MACHINE_FORMATS:
                found.append(f"{path.relative_to(TEMPLATES)}: {fmt}")
    assert found == [], "Use |when (rsc/lib/dates.py) for dates people read"


def test_every_format_is_day_before_month_with_the_month_in_words():
    for kind, fmt in FORMATS.items():
        fmt = str(fmt)
        if "j" in fmt and ("F" in fmt or "M" in fmt):
            assert fmt.index("j") < min(i for i in (fmt.find("F"), fmt.find("M")) if i >= 0), kind
        assert "n" not in fmt and "m" not in fmt.replace("M", ""), f"{kind}: months are words, never numbers"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("date", "14 March 2026"),
        ("date_short", "14 Mar 2026"),
        ("datetime_short", "14 Mar 2026, 10:30"),
        ("weekday_datetime", "Sat 14 Mar 2026, 10:30"),
        ("time", "10:30"),
        ("month", "March 2026"),
    ],
)
def test_a_moment_is_written_in_the_persons_time_zone(kind, expected):
    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")), translation.override("en"):
        assert written(MOMENT, kind) == expected


def test_the_template_filter_names_a_format_or_refuses():
    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")):
        rendered = Template('{% load rsc_dates %}{{ moment|when:"date_short" }}').render(Context({"moment": MOMENT}))
        assert rendered == "14 Mar 2026"
        assert Template("{% load rsc_dates %}{{ nothing|when }}").render(Context({"nothing": None})) == ""
        with pytest.raises(TemplateSyntaxError):
            Template('{% load rsc_dates %}{{ moment|when:"d/m/Y" }}').render(Context({"moment": MOMENT}))


def test_date_boxes_say_the_browser_may_show_the_date_its_own_way(client, supervisor, agreement, practitioner):
    client.force_login(supervisor)
    assert str(DATE_HELP) in client.get(reverse("session_create")).content.decode().replace("&#x27;", "'")
    client.force_login(practitioner)
    assert str(DATE_HELP) in client.get(reverse("family_create")).content.decode().replace("&#x27;", "'")
