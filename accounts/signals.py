"""Session endings tied to authentication events.

Signing out anywhere signs the person out everywhere, and a changed or reset
password ends every other session, so a lost phone or a shared computer
cannot keep a session alive.
"""

from allauth.account import signals as allauth_signals
from allauth.usersessions.models import UserSession
from django.contrib.auth import signals as auth_signals

from accounts import services
from rsc import timeouts


def on_logged_in(sender, request, user, **kwargs) -> None:
    # allauth tracks the sessions its own login view starts; this also covers
    # logins from an invitation link, so that every session can be ended.
    if request is None or not getattr(request, "session", None) or not request.session.session_key:
        return
    timeouts.start(request.session)
    UserSession.objects.get_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": request.META.get("REMOTE_ADDR") or "0.0.0.0",  # noqa: S104 - an unknown address, not a bind
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        services.user_end_sessions(user=user)


def on_password_changed(sender, request, user, **kwargs) -> None:
    services.user_end_sessions(user=user, keep_session_key=request.session.session_key)


def on_password_reset(sender, request, user, **kwargs) -> None:
    services.user_end_sessions(user=user)
    services.invitation_mark_accepted(user=user)


def connect() -> None:
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="rsc_track_session_on_login")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="rsc_end_sessions_on_logout")
    allauth_signals.password_changed.connect(on_password_changed, dispatch_uid="rsc_end_sessions_on_change")
    allauth_signals.password_reset.connect(on_password_reset, dispatch_uid="rsc_end_sessions_on_reset")
