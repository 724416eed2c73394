"""Writes to RSC groups: a facilitator and members, for group consultation.

Callers have already checked who may do what and validated the values (rsc.forms.agreements);
these functions still refuse people of another organization. Given the `request`, each change is
recorded in the audit trail in the same transaction, with the ids of people added or removed.
"""

from django.db import transaction
from django.http import HttpRequest

from accounts.models import Organization, User
from rsc import audit
from rsc.models.agreements import RSCGroup
from rsc.services.agreements import require_same_organization


def group_create(
    *,
    organization: Organization,
    name: str,
    facilitator: User,
    members: list[User],
    is_active: bool,
    request: HttpRequest | None = None,
) -> RSCGroup:
    require_same_organization(organization.pk, facilitator, *members)
    with transaction.atomic():
        group = RSCGroup.objects.create(
            organization=organization, name=name, facilitator=facilitator, is_active=is_active
        )
        group.members.set(members)
        if request is not None:
            detail = {"facilitator": facilitator.pk, "members": sorted({person.pk for person in members})}
            audit.record(request, audit.Action.CREATE, group, detail=detail)
    return group


def group_update(
    *,
    group: RSCGroup,
    name: str,
    facilitator: User,
    members: list[User],
    is_active: bool,
    request: HttpRequest | None = None,
) -> None:
    require_same_organization(group.organization_id, facilitator, *members)
    with transaction.atomic():
        fields = [
            field
            for field, value in (("name", name), ("facilitator_id", facilitator.pk), ("is_active", is_active))
            if getattr(group, field) != value
        ]
        before = set(group.members.values_list("pk", flat=True)) if request is not None else set()
        group.name = name
        group.facilitator = facilitator
        group.is_active = is_active
        group.save(update_fields=["name", "facilitator", "is_active"])
        group.members.set(members)
        if request is not None:
            after = {person.pk for person in members}
            detail = {"fields": [field.removesuffix("_id") for field in fields]}
            if after - before:
                detail["members_added"] = sorted(after - before)
            if before - after:
                detail["members_removed"] = sorted(before - after)
            audit.record(request, audit.Action.EDIT, group, detail=detail)
