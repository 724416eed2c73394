from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from accounts import tasks
from rsc import audit


class AccountAdapter(DefaultAccountAdapter):
    """RSC Records is invite-only: nobody signs themselves up. Email goes through tasks."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        # The same address as the audit trail's (rsc.audit.client_ip): from the trusted proxy hops
        # only, and never an error when a request has fewer hops than configured.
        address = audit.client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def send_password_reset_mail(self, user, email, context) -> None:
        # Only the person's id is queued; the task makes the link and the message itself, so the
        # link allauth made for `context` is not used. The page answers at once, whether or not the
        # address is someone's and whether or not the mail server is up.
        tasks.send_password_reset.enqueue(user_id=user.pk)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # With this configuration allauth sends no other email (no sign-up, no address changes, no
        # codes, no notifications: tests/accounts/test_password_reset.py checks each setting). One
        # it did send would reach the mail server inside the request, so refuse it loudly instead.
        raise ImproperlyConfigured(
            f"allauth would send {template_prefix!r} inside a request; send it through a task (accounts/tasks.py)."
        )


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        # Where the organization requires two-factor authentication, the
        # authenticator app cannot be removed, only replaced by an operator.
        organization = authenticator.user.organization
        if organization and organization.require_mfa and authenticator.type == authenticator.Type.TOTP:
            return False
        return super().can_delete_authenticator(authenticator)
