"""The emails RSC Records sends to people, built inside the tasks that send them (accounts/tasks.py).

Emails are plain text: templates are rendered with autoescaping off, so "Smith & Jones" stays as
typed, and every subject and name is collapsed to one line, whatever the database holds.
"""

import zoneinfo
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Invitation, User


def one_line(text: object) -> str:
    """Any run of spacing, line breaks included, as one space."""
    return " ".join(str(text).split())


def render_plain(template_name: str, context: dict) -> str:
    """A template rendered as plain text: nothing HTML-escaped."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _in_their_time_zone(user: User):
    try:
        return timezone.override(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.override(settings.TIME_ZONE)


def invitation_message(invitation: Invitation, token: str) -> EmailMessage:
    user = invitation.user
    context = {
        "name": one_line(user.full_name),
        "organization_name": one_line(user.organization.name if user.organization else "RSC Records"),
        "link": settings.SITE_URL + reverse("invitation_accept", args=[token]),
        "expires_at": invitation.expires_at,
    }
    with _in_their_time_zone(user), translation.override(settings.LANGUAGE_CODE):
        subject = one_line(render_plain("accounts/email/invitation_subject.txt", context))
        body = render_plain("accounts/email/invitation_body.txt", context)
    return EmailMessage(subject, body, None, [user.email])


def password_reset_message(user: User) -> EmailMessage:
    """allauth's password reset email, with a fresh link made here rather than in the request."""
    adapter = get_adapter()
    # The same key and address as allauth's own request_password_reset, which the reset page checks.
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    context = {
        "user": user,
        "email": user.email,
        "password_reset_url": settings.SITE_URL + path.replace("UID-KEY", quote(key)),
        "current_site": SimpleNamespace(name="RSC Records", domain=urlsplit(settings.SITE_URL).netloc),
    }
    template_prefix = "account/email/password_reset_key"
    with _in_their_time_zone(user), translation.override(settings.LANGUAGE_CODE):
        subject = adapter.format_email_subject(one_line(render_plain(f"{template_prefix}_subject.txt", context)))
        body = render_plain(f"{template_prefix}_message.txt", context).strip()
    return EmailMessage(subject, body, adapter.get_from_email(), [user.email])
