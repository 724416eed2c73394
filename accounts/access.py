"""The one door to people records for account administration.

An administrator reaches the people of their own organization and nobody
else; anyone who is not an administrator finds nothing (404), as if the pages
did not exist.
"""

from django.http import Http404

from accounts.models import User, UserQuerySet


def people_for_admin(user: User) -> UserQuerySet:
    """The people an account administrator may manage; 404 for anyone else."""
    if not (user.is_authenticated and user.is_active and user.is_account_admin and user.organization_id):
        raise Http404
    return User.objects.filter(organization_id=user.organization_id)


def get_person_for_admin(user: User, pk: int) -> User:
    """One person of the administrator's organization, or 404."""
    try:
        return people_for_admin(user).get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def organization_for_admin(user: User):
    """The administrator's own organization, or 404."""
    people_for_admin(user)
    return user.organization
