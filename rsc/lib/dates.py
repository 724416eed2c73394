"""How dates and times are written as text, in one place.

One convention throughout: the day before the month, the month as a word, times on the 24-hour
clock ("14 March 2026", "14 Mar 2026, 09:30"). Each format is a translatable string, so another
language brings its own order and words with its translations (`pgettext` context "date format").

Templates use the `when` filter (rsc/templatetags/rsc_dates.py): `{{ session.starts_at|when:"weekday_time" }}`;
Python code uses `written(value, "date")`. Aware datetimes are shown in the current time zone (the
person's, set by rsc.middleware.UserTimeZoneMiddleware).
"""

import datetime

from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, pgettext_lazy

FORMATS = {
    # 14 March 2026
    "date": pgettext_lazy("date format", "j F Y"),
    # 14 Mar 2026: lists and tables, where space is short
    "date_short": pgettext_lazy("date format", "j M Y"),
    # 14 March
    "day_month": pgettext_lazy("date format", "j F"),
    # 14 Mar
    "day_month_short": pgettext_lazy("date format", "j M"),
    # Saturday 14 March 2026
    "weekday_date": pgettext_lazy("date format", "l j F Y"),
    # Sat 14 Mar
    "weekday_day_month": pgettext_lazy("date format", "D j M"),
    # Sat 14 Mar 2026
    "weekday_date_short": pgettext_lazy("date format", "D j M Y"),
    # Saturday 14 March
    "weekday_long": pgettext_lazy("date format", "l j F"),
    # Sat 14 Mar, 09:30
    "weekday_day_month_time": pgettext_lazy("date format", "D j M, H:i"),
    # March 2026
    "month": pgettext_lazy("date format", "F Y"),
    # Mar
    "month_short": pgettext_lazy("date format", "M"),
    # 09:30
    "time": pgettext_lazy("date format", "H:i"),
    # 14 March 2026, 09:30
    "datetime": pgettext_lazy("date format", "j F Y, H:i"),
    # 14 Mar 2026, 09:30
    "datetime_short": pgettext_lazy("date format", "j M Y, H:i"),
    # 14 Mar, 09:30
    "day_month_time": pgettext_lazy("date format", "j M, H:i"),
    # Sat 14 Mar 2026, 09:30
    "weekday_datetime": pgettext_lazy("date format", "D j M Y, H:i"),
    # Saturday 14 March 2026, 09:30
    "weekday_datetime_long": pgettext_lazy("date format", "l j F Y, H:i"),
    # 14 March 2026, 09:30 CST: where the time zone matters (agreements, signatures)
    "datetime_zone": pgettext_lazy("date format", "j F Y, H:i T"),
    # 14 Mar 2026, 09:30:15: the audit trail
    "datetime_seconds": pgettext_lazy("date format", "j M Y, H:i:s"),
}


def written(value: datetime.date | datetime.datetime | None, kind: str = "date") -> str:
    """The date or time as people read it; empty for None. `kind` is a key of FORMATS."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, str(FORMATS[kind]))


# Beside a date box: the browser shows the date its own way, which may not be how the pages write it.
DATE_HELP = gettext_lazy("Your browser may show the date its own way, such as 03/14/2026 for 14 March 2026.")


def date_help(text=""):
    """A date field's help: its own words, if any, then DATE_HELP."""
    return format_lazy("{} {}", text, DATE_HELP) if text else DATE_HELP
