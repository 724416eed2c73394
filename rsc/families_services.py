"""Writes that change families, their children and caregivers.

Callers check access first (Family.objects.editable_by, or the administrator's
door for deleted families); these functions trust the family they are given.
Children and caregivers arrive as plain rows: dicts of field values, with
"pk" set for an existing row of this family and None for a new one.
"""

import datetime
from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from accounts.models import Organization, User
from rsc.models import Caregiver, Child, Family

CHILD_FIELDS = ["label", "birth_month", "expected"]
CAREGIVER_FIELDS = ["relationship", "label", "notes"]


def _save_rows(
    *, family: Family, model: type[models.Model], fields: list[str], rows: Iterable[dict], removed: Iterable[int]
) -> None:
    related = model.objects.filter(family=family)
    related.filter(pk__in=list(removed)).delete()
    rows = list(rows)
    # Only this family's rows can be changed; a row removed meanwhile by a colleague stays removed.
    existing = related.in_bulk([row["pk"] for row in rows if row.get("pk")])
    for row in rows:
        values = {name: row[name] for name in fields}
        if not row.get("pk"):
            model.objects.create(family=family, **values)
        elif row["pk"] in existing:
            instance = existing[row["pk"]]
            for name, value in values.items():
                setattr(instance, name, value)
            instance.save(update_fields=fields)


def family_create(
    *,
    organization: Organization,
    created_by: User,
    code: str,
    context: str,
    opened_on: datetime.date,
    practitioners: Iterable[User] = (),
    children: Iterable[dict] = (),
    caregivers: Iterable[dict] = (),
) -> Family:
    """Create a family with its children and caregivers; the creator is always assigned."""
    with transaction.atomic():
        family = Family.objects.create(
            organization=organization, code=code, context=context, opened_on=opened_on, created_by=created_by
        )
        family.practitioners.set({created_by, *practitioners})
        _save_rows(family=family, model=Child, fields=CHILD_FIELDS, rows=children, removed=())
        _save_rows(family=family, model=Caregiver, fields=CAREGIVER_FIELDS, rows=caregivers, removed=())
    return family


def family_update(
    *,
    family: Family,
    code: str,
    context: str,
    opened_on: datetime.date,
    practitioners: Iterable[User],
    children: Iterable[dict] = (),
    caregivers: Iterable[dict] = (),
    removed_children: Iterable[int] = (),
    removed_caregivers: Iterable[int] = (),
) -> Family:
    """Change a family's details, assignments, children and caregivers in one go."""
    with transaction.atomic():
        family.code, family.context, family.opened_on = code, context, opened_on
        family.save(update_fields=["code", "context", "opened_on", "updated_at"])
        family.practitioners.set(set(practitioners))
        _save_rows(family=family, model=Child, fields=CHILD_FIELDS, rows=children, removed=removed_children)
        _save_rows(family=family, model=Caregiver, fields=CAREGIVER_FIELDS, rows=caregivers, removed=removed_caregivers)
    return family


def family_close(*, family: Family, closed_on: datetime.date) -> Family:
    """Mark the work with a family as finished; everything recorded stays."""
    with transaction.atomic():
        family.closed_on = closed_on
        family.save(update_fields=["closed_on", "updated_at"])
    return family


def family_reopen(*, family: Family) -> Family:
    with transaction.atomic():
        family.closed_on = None
        family.save(update_fields=["closed_on", "updated_at"])
    return family


def family_delete(*, family: Family, deleted_by: User) -> Family:
    """Hide a family everywhere; an account administrator can restore it."""
    with transaction.atomic():
        family.deleted_at = timezone.now()
        family.deleted_by = deleted_by
        family.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return family


def family_restore(*, family: Family) -> Family:
    with transaction.atomic():
        family.deleted_at = None
        family.deleted_by = None
        family.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return family
