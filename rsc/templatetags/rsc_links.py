"""Links made from what people type, safely.

    {% load rsc_links %}{{ session.location|place_link }}

A session's place may be a room or a video link. Only a well-formed https:// address becomes a
link (opening in a new tab, without telling the other site where it came from); anything else,
javascript:, data:, plain http:// or text with markup in it, stays plain, escaped text.
"""

from django import template
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

_HTTPS = URLValidator(schemes=["https"])
# Characters a URL never needs and markup does: their presence means "show it as text".
_NOT_IN_A_LINK = set("<>\"'`\\ \t\r\n")


def https_url(value: str) -> str | None:
    """The value as an https:// address fit to be a link, or None."""
    text = (value or "").strip()
    if not text.lower().startswith("https://") or _NOT_IN_A_LINK & set(text):
        return None
    try:
        _HTTPS(text)
    except ValidationError:
        return None
    return text


@register.filter(is_safe=True)
def place_link(value) -> SafeString:
    """An https:// address as a link that opens in a new tab; anything else as escaped text."""
    url = https_url(str(value or ""))
    if url is None:
        return conditional_escape(value or "")
    return format_html(
        '<a href="{}" rel="noopener noreferrer" target="_blank" class="place-link">{}'
        '<span class="visually-hidden"> {}</span></a>',
        url,
        url,
        _("(opens in a new tab)"),
    )
