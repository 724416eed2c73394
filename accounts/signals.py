"""Session endings and audit events tied to authentication events.

Signing out anywhere signs the person out everywhere, and a changed or reset
password ends every other session, so a lost phone or a shared computer
cannot keep a session alive.

Every sign-in, failed sign-in, sign-out, password change or reset and change of
two-factor authentication goes into the audit trail. A failed sign-in names the
address typed (never the password) and, when someone has that address, their
organization; the person is not its actor, since anyone may type an address.
"""

from allauth.account import signals as allauth_signals
from allauth.mfa import signals as mfa_signals
from allauth.usersessions.models import UserSession
from django.contrib.auth import signals as auth_signals

from accounts import services
from accounts.models import User
from rsc import audit, timeouts

EMAIL_LENGTH = 254


def _record(request, action: str, user, **detail) -> None:
    audit.record(
        request,
        action,
        record_type=audit.RecordType.ACCOUNT,
        record_id=user.pk,
        actor=user,
        organization_id=user.organization_id,
        detail=detail,
    )


def on_logged_in(sender, request, user, **kwargs) -> None:
    _record(request, audit.Action.LOGIN, user)
    # allauth tracks the sessions its own login view starts; this also covers
    # logins from an invitation link, so that every session can be ended.
    if request is None or not getattr(request, "session", None) or not request.session.session_key:
        return
    timeouts.start(request.session)
    UserSession.objects.get_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": audit.client_ip(request) or "0.0.0.0",  # noqa: S104 - an unknown address, not a bind
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A wrong password (at sign-in or when confirming it again). Django has already masked the
    password in `credentials`; only the address is read, and only if it looks like one, so that
    a password typed into the address box never reaches the trail."""
    typed = str(credentials.get("email") or credentials.get("username") or credentials.get("login") or "")
    typed = typed.strip()[:EMAIL_LENGTH]
    email = typed if "@" in typed else ""
    person = User.objects.filter(email__iexact=email).only("pk", "organization_id").first() if email else None
    match = getattr(request, "resolver_match", None)
    audit.record(
        request,
        audit.Action.LOGIN_FAILED,
        record_type=audit.RecordType.ACCOUNT,
        record_id=person.pk if person else None,
        actor_email=email,
        organization_id=person.organization_id if person else None,
        detail={"step": "password", "url_name": match.url_name if match else ""},
    )


def on_two_factor_failed(sender, request, user, **kwargs) -> None:
    """A wrong two-factor code: the password was right, so the account is known."""
    audit.record(
        request,
        audit.Action.LOGIN_FAILED,
        record_type=audit.RecordType.ACCOUNT,
        record_id=user.pk,
        actor_email=user.email,
        organization_id=user.organization_id,
        detail={"step": "two_factor", "reauthentication": bool(kwargs.get("reauthentication"))},
    )


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        _record(request, audit.Action.LOGOUT, user)
        services.user_end_sessions(user=user)


def on_password_changed(sender, request, user, **kwargs) -> None:
    _record(request, audit.Action.PASSWORD_CHANGE, user)
    services.user_end_sessions(user=user, keep_session_key=request.session.session_key)


def on_password_set(sender, request, user, **kwargs) -> None:
    _record(request, audit.Action.PASSWORD_CHANGE, user, set=True)


def on_password_reset(sender, request, user, **kwargs) -> None:
    _record(request, audit.Action.PASSWORD_RESET, user)
    services.user_end_sessions(user=user)
    services.invitation_mark_accepted(user=user, request=request)


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    _record(request, audit.Action.MFA_ADDED, user, type=authenticator.type)


def on_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    _record(request, audit.Action.MFA_REMOVED, user, type=authenticator.type)


def on_authenticator_reset(sender, request, user, authenticator, **kwargs) -> None:
    # New recovery codes: the old ones stop working.
    _record(request, audit.Action.MFA_ADDED, user, type=authenticator.type, reset=True)


def connect() -> None:
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="rsc_track_session_on_login")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="rsc_audit_login_failed")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="rsc_end_sessions_on_logout")
    allauth_signals.password_changed.connect(on_password_changed, dispatch_uid="rsc_end_sessions_on_change")
    allauth_signals.password_set.connect(on_password_set, dispatch_uid="rsc_audit_password_set")
    allauth_signals.password_reset.connect(on_password_reset, dispatch_uid="rsc_end_sessions_on_reset")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="rsc_audit_mfa_added")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="rsc_audit_mfa_removed")
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="rsc_audit_mfa_reset")
    mfa_signals.authentication_failed.connect(on_two_factor_failed, dispatch_uid="rsc_audit_mfa_failed")
