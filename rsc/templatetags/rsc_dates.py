"""{% load rsc_dates %} … {{ value|when:"date_short" }}: dates and times as text (rsc/lib/dates.py)."""

from django import template

from rsc.lib.dates import FORMATS, written

register = template.Library()


@register.filter
def when(value, kind: str = "date") -> str:
    if kind not in FORMATS:
        raise template.TemplateSyntaxError(f"Unknown date format {kind!r}; see rsc/lib/dates.py.")
    return written(value, kind)
