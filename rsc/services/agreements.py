"""Writes to supervision agreements (RSC groups: rsc/services/groups.py).

Callers have already checked who may do what (the views fetch through the
access functions) and validated the values (rsc.forms.agreements). These
functions still refuse people of another organization: a slip there would
break the one rule nothing may cross.

Given the `request`, each change is recorded in the audit trail in the same
transaction, with the names of the changed terms (never their text) and the ids of
people added to or removed from a group.
"""

import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Organization, User
from rsc import audit
from rsc.models.agreements import SupervisionAgreement

TERM_FIELDS = [
    "starts_on",
    "ends_on",
    "format",
    "cadence",
    "usual_minutes",
    "counts_toward_endorsement",
    "confidentiality_limits",
    "emergency_contact",
]


def require_same_organization(organization_id: int, *people: User) -> None:
    for person in people:
        if person.organization_id != organization_id:
            raise ValueError(f"Person {person.pk} does not belong to organization {organization_id}.")


def agreement_create(
    *,
    organization: Organization,
    created_by: User,
    supervisor: User,
    supervisee: User,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    format: str,
    cadence: str,
    usual_minutes: int,
    counts_toward_endorsement: bool,
    confidentiality_limits: str,
    emergency_contact: str = "",
    request: HttpRequest | None = None,
) -> SupervisionAgreement:
    """A new agreement, acknowledged by nobody yet: both people see it waiting for them, and it
    grants nothing until both have acknowledged it.

    An administrator who records themselves as the supervisor is marked in the audit trail
    ("self_supervisor"), so that the organization's other administrators are told
    (rsc.access.notices_for_admin)."""
    require_same_organization(organization.pk, supervisor, supervisee)
    with transaction.atomic():
        agreement = SupervisionAgreement.objects.create(
            organization=organization,
            created_by=created_by,
            supervisor=supervisor,
            supervisee=supervisee,
            starts_on=starts_on,
            ends_on=ends_on,
            format=format,
            cadence=cadence,
            usual_minutes=usual_minutes,
            counts_toward_endorsement=counts_toward_endorsement,
            confidentiality_limits=confidentiality_limits,
            emergency_contact=emergency_contact,
        )
        if request is not None:
            detail = {"supervisor": supervisor.pk, "supervisee": supervisee.pk}
            if created_by.pk == supervisor.pk:
                detail["self_supervisor"] = True
            audit.record(request, audit.Action.CREATE, agreement, actor=created_by, detail=detail)
    return agreement


def agreement_update(*, agreement: SupervisionAgreement, request: HttpRequest | None = None, **terms) -> bool:
    """Change the terms; return True when both people must acknowledge again.

    A changed confidentiality text clears both acknowledgements: each person
    agreed to the words they read, not to the new ones. A changed emergency contact
    does not: it is where to turn, not a term anyone consents to, and an on-call
    number that changes with the rota must not pause the supervision (no families,
    no sessions) until both have acknowledged again. The audit trail records the change.
    """
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise TypeError(f"Not a term of an agreement: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        agreement = SupervisionAgreement.objects.select_for_update().get(pk=agreement.pk)
        text_changed = (
            "confidentiality_limits" in terms and terms["confidentiality_limits"] != agreement.confidentiality_limits
        )
        changed = [field for field, value in terms.items() if getattr(agreement, field) != value]
        for field in changed:
            setattr(agreement, field, terms[field])
        if text_changed:
            agreement.supervisor_acknowledged_at = None
            agreement.supervisee_acknowledged_at = None
            changed += ["supervisor_acknowledged_at", "supervisee_acknowledged_at"]
        if changed:
            agreement.save(update_fields=changed)
            if request is not None:
                detail = {"fields": sorted(changed), "acknowledgements_cleared": text_changed}
                audit.record(request, audit.Action.EDIT, agreement, detail=detail)
    return text_changed


def agreement_end(
    *, agreement: SupervisionAgreement, ends_on: datetime.date, request: HttpRequest | None = None
) -> None:
    """Set the last day of the agreement (inclusive)."""
    if ends_on < agreement.starts_on:
        raise ValueError("An agreement cannot end before it starts.")
    with transaction.atomic():
        SupervisionAgreement.objects.filter(pk=agreement.pk).update(ends_on=ends_on)
        if request is not None:
            audit.record(request, audit.Action.CLOSE, agreement, detail={"ends_on": ends_on.isoformat()})
    agreement.ends_on = ends_on


def agreement_acknowledge(*, agreement: SupervisionAgreement, user: User, request: HttpRequest | None = None) -> bool:
    """Record that this person read and accepted the terms; return False if they already had.

    The first acknowledgement stands: acknowledging twice keeps the first time.
    """
    if user.pk == agreement.supervisor_id:
        field = "supervisor_acknowledged_at"
    elif user.pk == agreement.supervisee_id:
        field = "supervisee_acknowledged_at"
    else:
        raise ValueError("Only the two people in an agreement can acknowledge it.")
    now = timezone.now()
    with transaction.atomic():
        # One conditional UPDATE: two clicks or two tabs cannot both win.
        updated = SupervisionAgreement.objects.filter(pk=agreement.pk, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
        if updated and request is not None:
            audit.record(request, audit.Action.ACKNOWLEDGE, agreement, actor=user)
    if updated:
        setattr(agreement, field, now)
    return bool(updated)
