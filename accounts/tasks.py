"""Emails to people, sent by the task worker (`manage.py db_worker`), never inside a request.

A task carries ids only: the message, the address and any link are made here, when it runs, so
no email text, address or one-time link ever waits in the task table. A failure that may pass
is retried with growing pauses (rsc/lib/tasks.py).
"""

from datetime import datetime

from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import timezone

from accounts import emails
from accounts.models import Invitation, User
from rsc.lib.tasks import send_with_retries


@task(takes_context=True)
def send_invitation(context: TaskContext, *, invitation_id: int, attempt: int = 1) -> str:
    """Email a new one-time link for the invitation, while it can still be used.

    Each attempt makes a fresh token and stores only its hash, so a link from an attempt that
    failed never works. The invitation records how sending went, for the person's page.
    """
    token = Invitation.new_token()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("user__organization")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_usable or not invitation.user.is_active:
            return "no longer needed"
        invitation.token_hash = Invitation.hash_token(token)
        invitation.expires_at = Invitation.default_expiry()
        invitation.save(update_fields=["token_hash", "expires_at"])

    def record_failure(retry_at: datetime | None) -> None:
        delivery = Invitation.Delivery.RETRYING if retry_at else Invitation.Delivery.FAILED
        Invitation.objects.filter(pk=invitation_id).update(delivery=delivery, retry_at=retry_at, send_attempts=attempt)

    try:
        message = emails.invitation_message(invitation, token)
    except Exception:
        record_failure(None)  # a bug, not the mail server: trying again would fail the same way
        raise
    send_with_retries(
        context,
        message,
        attempt=attempt,
        retry_kwargs={"invitation_id": invitation_id},
        on_failure=record_failure,
    )
    Invitation.objects.filter(pk=invitation_id).update(
        delivery=Invitation.Delivery.SENT, sent_at=timezone.now(), retry_at=None, send_attempts=attempt
    )
    return "sent"


@task(takes_context=True)
def send_password_reset(context: TaskContext, *, user_id: int, attempt: int = 1) -> str:
    """Email a password reset link to an active person (asked for on allauth's reset page)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no longer needed"
    message = emails.password_reset_message(user)
    send_with_retries(context, message, attempt=attempt, retry_kwargs={"user_id": user_id})
    return "sent"
