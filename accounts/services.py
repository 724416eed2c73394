"""Writes that change people: invitations, roles, deactivation, sessions.

Given the `request`, each change is recorded in the audit trail in the same transaction.
"""

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import tasks
from accounts.models import Invitation, Organization, User
from rsc import audit


class InvitationUnusable(Exception):
    """The invitation was used, revoked or expired, or its person deactivated, meanwhile."""


def user_end_sessions(*, user: User, keep_session_key: str | None = None) -> int:
    """End the person's signed-in sessions, except the one named; return how many ended."""
    ended = 0
    for user_session in UserSession.objects.filter(user=user):
        if keep_session_key and user_session.session_key == keep_session_key:
            continue
        user_session.end()
        ended += 1
    return ended


def invitation_send(*, user: User, invited_by: User, request: HttpRequest | None = None) -> Invitation:
    """Issue a new invitation (again), revoking older links; the worker emails it."""
    with transaction.atomic():
        invitation = _issue_invitation(user=user, invited_by=invited_by)
        if request is not None:
            audit.record(request, audit.Action.INVITE, user, actor=invited_by, detail={"resent": True})
    return invitation


def _issue_invitation(*, user: User, invited_by: User) -> Invitation:
    """The invitation row and the task that emails it, in the caller's transaction: both or neither.
    The task table is in the same database, so a queued email is never lost nor sent for a rollback."""
    now = timezone.now()
    with transaction.atomic():
        user.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
        invitation = Invitation.objects.create(
            user=user, invited_by=invited_by, created_at=now, expires_at=Invitation.default_expiry()
        )
        tasks.send_invitation.enqueue(invitation_id=invitation.pk)
    return invitation


def person_invite(
    *,
    organization: Organization,
    invited_by: User,
    email: str,
    full_name: str,
    roles: list[str],
    request: HttpRequest | None = None,
) -> User:
    """Create a person who can sign in only after choosing a password from the emailed link."""
    with transaction.atomic():
        user = User(
            email=email.lower(),
            full_name=full_name,
            organization=organization,
            time_zone=organization.time_zone,
            invitation_accepted=False,
        )
        _apply_roles(user, roles)
        user.set_unusable_password()
        user.save()
        _issue_invitation(user=user, invited_by=invited_by)
        if request is not None:
            audit.record(request, audit.Action.INVITE, user, actor=invited_by, detail={"roles": user.roles})
    return user


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation behind a token, or None when unknown, used, revoked or expired."""
    return (
        Invitation.objects.usable()
        .select_related("user", "user__organization")
        .filter(token_hash=Invitation.hash_token(token), user__is_active=True)
        .first()
    )


def invitation_accept(*, invitation: Invitation, password: str, request: HttpRequest | None = None) -> User:
    """Set the person's first password and use up the invitation, or raise InvitationUnusable.

    The invitation row stays locked until commit and is checked again under the lock, so when one
    link is submitted several times at once, exactly one submission wins.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
        if not invitation.is_usable or not invitation.user.is_active:
            raise InvitationUnusable
        user = invitation.user
        user.set_password(password)
        user.invitation_accepted = True
        user.save(update_fields=["password", "invitation_accepted"])
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        if request is not None:
            audit.record(request, audit.Action.INVITATION_ACCEPTED, user, actor=user)
    return user


def invitation_mark_accepted(*, user: User, request: HttpRequest | None = None) -> None:
    """A password reset by an invited person counts as accepting the invitation."""
    if not user.invitation_accepted:
        with transaction.atomic():
            user.invitation_accepted = True
            user.save(update_fields=["invitation_accepted"])
            user.invitations.usable().update(used_at=timezone.now())
            if request is not None:
                detail = {"by": "password_reset"}
                audit.record(request, audit.Action.INVITATION_ACCEPTED, user, actor=user, detail=detail)


def _apply_roles(user: User, roles: list[str]) -> None:
    for role, field in User.ROLE_FIELDS.items():
        setattr(user, field, role in roles)


def person_set_roles(*, user: User, roles: list[str], request: HttpRequest | None = None) -> None:
    old = user.roles
    with transaction.atomic():
        _apply_roles(user, roles)
        user.save(update_fields=list(User.ROLE_FIELDS.values()))
        if request is not None and user.roles != old:
            detail = {"old": old, "new": user.roles}
            if getattr(request, "user", None) is not None and request.user.pk == user.pk:
                # An administrator changing their own roles (giving themselves the supervisor role,
                # say) is pointed out to the other administrators (rsc.access.notices_for_admin).
                detail["self"] = True
            audit.record(request, audit.Action.ROLE_CHANGE, user, detail=detail)


def person_deactivate(*, user: User, request: HttpRequest | None = None) -> None:
    """Deactivate and sign out at once, on every device."""
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        user.invitations.usable().update(revoked_at=timezone.now())
        user_end_sessions(user=user)
        if request is not None:
            audit.record(request, audit.Action.DEACTIVATE, user)


def person_reactivate(*, user: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        if request is not None:
            audit.record(request, audit.Action.REACTIVATE, user)
