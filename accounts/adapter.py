from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter


class AccountAdapter(DefaultAccountAdapter):
    """RSC Records is invite-only: nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        # Where the organization requires two-factor authentication, the
        # authenticator app cannot be removed, only replaced by an operator.
        organization = authenticator.user.organization
        if organization and organization.require_mfa and authenticator.type == authenticator.Type.TOTP:
            return False
        return super().can_delete_authenticator(authenticator)
