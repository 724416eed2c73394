"""The doors to sessions, agreements, groups and reflections. Anything else answers 404, as if it did not exist.

Families have theirs on the model: Family.objects.visible_to(user) and .editable_by(user).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.access import people_for_admin
from accounts.models import User
from rsc.forms.agreements import Status
from rsc.models import AuditEvent, Reflection, RSCGroup, SupervisionAgreement, SupervisionSession


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


def is_organization_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_account_admin and user.organization_id)


def agreements_for_admin(user: User) -> QuerySet[SupervisionAgreement]:
    """Every agreement of the administrator's organization; 404 for anyone else."""
    people_for_admin(user)
    return SupervisionAgreement.objects.filter(organization_id=user.organization_id)


def agreements_visible_to(user: User) -> QuerySet[SupervisionAgreement]:
    """An administrator sees the organization's agreements; anyone else the ones they are in."""
    if is_organization_admin(user):
        return SupervisionAgreement.objects.filter(organization_id=user.organization_id)
    return SupervisionAgreement.objects.involving(user)


def get_agreement(agreements: QuerySet[SupervisionAgreement], pk: int) -> SupervisionAgreement:
    """One agreement of the given door, with its people and status; 404 when it is not behind that door."""
    queryset = with_status(agreements, timezone.localdate()).select_related("supervisor", "supervisee", "created_by")
    try:
        return queryset.get(pk=pk)
    except SupervisionAgreement.DoesNotExist:
        raise Http404 from None


def groups_visible_to(user: User) -> QuerySet[RSCGroup]:
    """An administrator sees the organization's groups; anyone else those they facilitate or belong to."""
    if is_organization_admin(user):
        return RSCGroup.objects.filter(organization_id=user.organization_id)
    return RSCGroup.objects.visible_to(user)


def groups_for_admin(user: User) -> QuerySet[RSCGroup]:
    """Every group of the administrator's organization; 404 for anyone else."""
    people_for_admin(user)
    return RSCGroup.objects.filter(organization_id=user.organization_id)


def get_group(groups: QuerySet[RSCGroup], pk: int) -> RSCGroup:
    try:
        return groups.select_related("facilitator").get(pk=pk)
    except RSCGroup.DoesNotExist:
        raise Http404 from None


def with_status(agreements: QuerySet[SupervisionAgreement], today: datetime.date) -> QuerySet[SupervisionAgreement]:
    """Annotate each agreement with "active", "upcoming" or "ended" as seen on that day."""
    return agreements.annotate(
        status=Case(
            When(starts_on__gt=today, then=Value(Status.UPCOMING)),
            When(ends_on__lt=today, then=Value(Status.ENDED)),
            default=Value(Status.ACTIVE),
            output_field=CharField(),
        )
    )


def _get_reflection(queryset: QuerySet[Reflection], pk: int) -> Reflection:
    try:
        return queryset.select_related("author", "family", "session__supervisor").get(pk=pk)
    except Reflection.DoesNotExist:
        raise Http404 from None


def get_reflection_for_reader(user: User, pk: int) -> Reflection:
    """A reflection the person wrote, or one shared with them now; 404 otherwise."""
    return _get_reflection(Reflection.objects.visible_to(user), pk)


def get_reflection_for_author(user: User, pk: int) -> Reflection:
    """A reflection the person wrote (and so may change); 404 otherwise."""
    return _get_reflection(Reflection.objects.written_by(user), pk)


def get_deleted_reflection_for_author(user: User, pk: int) -> Reflection:
    """One of the person's own deleted reflections, still within reach for restoring."""
    if not (user.is_authenticated and user.is_active and user.organization_id):
        raise Http404
    queryset = Reflection.objects.filter(organization_id=user.organization_id, author=user, deleted_at__isnull=False)
    return _get_reflection(queryset, pk)


def can_write_reflections(user: User) -> bool:
    """Practitioners and supervisors reflect on their work; an administrator alone does not."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organization_id
        and (user.is_practitioner or user.is_supervisor)
    )


# --- Administrators who make themselves supervisors ------------------------------------------

NOTICE_DAYS = 60
NOTICE_LIMIT = 10


@dataclass(frozen=True)
class SelfSupervisionNotice:
    """Another administrator recorded an agreement with themselves as supervisor ("agreement"),
    or gave themselves the supervisor role ("role")."""

    kind: str
    actor_name: str
    at: datetime.datetime
    record_id: int | None

    @property
    def url(self) -> str:
        if self.record_id is None:
            return ""
        name = "agreement_detail" if self.kind == "agreement" else "person_detail"
        return reverse(name, args=[self.record_id])


def notices_for_admin(user: User) -> list[SelfSupervisionNotice]:
    """For an account administrator: the recent times (last NOTICE_DAYS days, newest first, at most
    NOTICE_LIMIT) another administrator of the same organization made themselves a supervisor,
    by recording an agreement in which they supervise (the agreement's "create" event with
    "self_supervisor") or by giving themselves the supervisor role (a "role_change" of their own
    account whose new roles include "supervisor" and old ones did not). A supervisor in force
    sees the supervisee's families, so the other administrators should know. One query; empty
    for anyone who is not an account administrator. Shown on the administrators' home page."""
    if not is_organization_admin(user):
        return []
    supervisor = '"supervisor"'  # the role as it appears in the JSON list of role names
    made_agreement = Q(
        action=AuditEvent.Action.CREATE, record_type=AuditEvent.RecordType.AGREEMENT, detail__self_supervisor=True
    )
    gave_role = (
        Q(action=AuditEvent.Action.ROLE_CHANGE, record_type=AuditEvent.RecordType.PERSON)
        & (Q(detail__self=True) | Q(record_id=F("actor_id")))
        & Q(detail__new__icontains=supervisor)
        & (Q(detail__old__isnull=True) | ~Q(detail__old__icontains=supervisor))
    )
    events = (
        AuditEvent.objects.filter(
            organization_id=user.organization_id,
            at__gte=timezone.now() - datetime.timedelta(days=NOTICE_DAYS),
            actor__isnull=False,
        )
        .exclude(actor_id=user.pk)
        .filter(made_agreement | gave_role)
        .order_by("-at", "-pk")
        .values_list("action", "actor__full_name", "actor_email", "at", "record_id")[:NOTICE_LIMIT]
    )
    return [
        SelfSupervisionNotice(
            kind="agreement" if action == AuditEvent.Action.CREATE else "role",
            actor_name=name or email,
            at=at,
            record_id=record_id,
        )
        for action, name, email, at, record_id in events
    ]
