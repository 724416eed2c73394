"""The doors to sessions. Anyone else's session answers 404, as if it did not exist."""

from django.db.models import QuerySet
from django.http import Http404

from rsc.models import SupervisionSession


def _get(queryset: QuerySet, pk: int) -> SupervisionSession:
    try:
        return queryset.select_related("agreement__supervisee", "group", "supervisor", "series").get(pk=pk)
    except SupervisionSession.DoesNotExist:
        raise Http404 from None


def get_session_for_user(user, pk: int) -> SupervisionSession:
    """A session the person leads or takes part in, or 404."""
    return _get(SupervisionSession.objects.visible_to(user), pk)


def get_session_for_supervisor(user, pk: int) -> SupervisionSession:
    """A session the person leads (and so may change), or 404."""
    return _get(SupervisionSession.objects.led_by(user), pk)


def is_participant(session: SupervisionSession, user) -> bool:
    return session.participants.filter(user=user).exists()
