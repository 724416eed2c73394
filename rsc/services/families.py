"""Writes that change families, their children and caregivers.

Callers check access first (Family.objects.editable_by, or the administrator's
door for deleted families); these functions trust the family they are given.
Children and caregivers arrive as plain rows: dicts of field values, with
"pk" set for an existing row of this family and None for a new one.

Given the `request`, each change is recorded in the audit trail in the same
transaction: which family, and (for assignments, which open the family's page to
someone) which practitioners were added or removed. Never a code, label or note.
"""

import datetime
from collections.abc import Iterable

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Organization, User
from rsc import audit
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
    request: HttpRequest | None = None,
) -> Family:
    """Create a family with its children and caregivers; the creator is always assigned."""
    with transaction.atomic():
        family = Family.objects.create(
            organization=organization, code=code, context=context, opened_on=opened_on, created_by=created_by
        )
        assigned = {created_by, *practitioners}
        family.practitioners.set(assigned)
        _save_rows(family=family, model=Child, fields=CHILD_FIELDS, rows=children, removed=())
        _save_rows(family=family, model=Caregiver, fields=CAREGIVER_FIELDS, rows=caregivers, removed=())
        if request is not None:
            detail = {"practitioners": sorted(person.pk for person in assigned)}
            audit.record(request, audit.Action.CREATE, family, actor=created_by, detail=detail)
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
    request: HttpRequest | None = None,
) -> Family:
    """Change a family's details, assignments, children and caregivers in one go."""
    with transaction.atomic():
        family.code, family.context, family.opened_on = code, context, opened_on
        family.save(update_fields=["code", "context", "opened_on", "updated_at"])
        before = set(family.practitioners.values_list("pk", flat=True)) if request is not None else set()
        assigned = set(practitioners)
        family.practitioners.set(assigned)
        _save_rows(family=family, model=Child, fields=CHILD_FIELDS, rows=children, removed=removed_children)
        _save_rows(family=family, model=Caregiver, fields=CAREGIVER_FIELDS, rows=caregivers, removed=removed_caregivers)
        if request is not None:
            after = {person.pk for person in assigned}
            detail = {}
            if after - before:
                detail["practitioners_added"] = sorted(after - before)
            if before - after:
                detail["practitioners_removed"] = sorted(before - after)
            audit.record(request, audit.Action.EDIT, family, detail=detail)
    return family


def family_close(
    *, family: Family, closed_on: datetime.date, closed_by: User | None = None, request: HttpRequest | None = None
) -> Family:
    """Mark the work with a family as finished; everything recorded stays.

    `closed_on` is the day the person says the work ended, shown on the page. Retention counts
    from `closed_at`, the server's time of closing, which nobody can backdate; `closed_by` (the
    signed-in person unless given) decides whether colleagues' writing gets the restore window.
    """
    if closed_by is None and request is not None and request.user.is_authenticated:
        closed_by = request.user
    with transaction.atomic():
        family.closed_on = closed_on
        family.closed_at = timezone.now()
        family.closed_by = closed_by
        family.save(update_fields=["closed_on", "closed_at", "closed_by", "updated_at"])
        if request is not None:
            audit.record(request, audit.Action.CLOSE, family, detail={"closed_on": closed_on.isoformat()})
    return family


def family_reopen(*, family: Family, request: HttpRequest | None = None) -> Family:
    """Open the family again; a later close starts the retention period afresh."""
    with transaction.atomic():
        family.closed_on = None
        family.closed_at = None
        family.closed_by = None
        family.save(update_fields=["closed_on", "closed_at", "closed_by", "updated_at"])
        if request is not None:
            audit.record(request, audit.Action.REOPEN, family)
    return family


def family_delete(*, family: Family, deleted_by: User, request: HttpRequest | None = None) -> Family:
    """Hide a family everywhere; an account administrator can restore it."""
    with transaction.atomic():
        family.deleted_at = timezone.now()
        family.deleted_by = deleted_by
        family.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        if request is not None:
            audit.record(request, audit.Action.DELETE, family, actor=deleted_by)
    return family


def family_restore(*, family: Family, request: HttpRequest | None = None) -> Family:
    with transaction.atomic():
        family.deleted_at = None
        family.deleted_by = None
        family.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        if request is not None:
            audit.record(request, audit.Action.RESTORE, family)
    return family
