"""Writing to the audit trail.

    audit.record(request, AuditEvent.Action.READ, reflection)

Each event names who, which record (type and id), what, when, from which address and
with which request id. Only metadata goes in `detail`: ids, role names, counts. Never the
text of a reflection, notes, agenda items or responses, here or in the logs.
"""

import logging

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from rsc.models import AuditEvent

logger = logging.getLogger(__name__)

Action = AuditEvent.Action
RecordType = AuditEvent.RecordType


def record_type_of(instance: models.Model) -> str:
    """The audit name of a model instance's kind of record."""
    from accounts.models import Organization, User
    from rsc.models import Family, Reflection, RSCGroup, SupervisionAgreement, SupervisionSession

    kinds = {
        Reflection: RecordType.REFLECTION,
        SupervisionSession: RecordType.SESSION,
        Family: RecordType.FAMILY,
        SupervisionAgreement: RecordType.AGREEMENT,
        RSCGroup: RecordType.GROUP,
        User: RecordType.PERSON,
        Organization: RecordType.ORGANIZATION,
    }
    for model, name in kinds.items():
        if isinstance(instance, model):
            return name
    raise ValueError(f"No audit record type for {type(instance).__name__}")


_URL_PREFIXES = {
    "reflection": RecordType.REFLECTION,
    "response": RecordType.REFLECTION,
    "session": RecordType.SESSION,
    "agenda": RecordType.SESSION,
    "follow": RecordType.SESSION,
    "family": RecordType.FAMILY,
    "agreement": RecordType.AGREEMENT,
    "group": RecordType.GROUP,
    "person": RecordType.PERSON,
    "people": RecordType.PERSON,
    "organization": RecordType.ORGANIZATION,
    "audit": RecordType.AUDIT,
}


def record_type_for_url(url_name: str) -> str:
    """The kind of record a URL name is about, from its first word ("reflection_detail": reflection)."""
    return _URL_PREFIXES.get(url_name.split("_", 1)[0], RecordType.PAGE)


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from: behind the TLS proxy, the one it saw."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or None
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip() or address
    return address


def record(
    request: HttpRequest | None,
    action: str,
    instance: models.Model | None = None,
    *,
    record_type: str = "",
    record_id: int | None = None,
    actor=None,
    actor_email: str = "",
    organization_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one event. The actor is the signed-in person unless given (the system: None)."""
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if instance is not None:
        record_type = record_type or record_type_of(instance)
        record_id = instance.pk
    if organization_id is None:
        if actor is not None:
            organization_id = actor.organization_id
        elif instance is not None:
            organization_id = getattr(instance, "organization_id", None)
    event = AuditEvent.objects.create(
        organization_id=organization_id,
        actor=actor,
        actor_email=actor_email or (actor.email if actor is not None else ""),
        action=action,
        record_type=record_type,
        record_id=record_id,
        ip=client_ip(request),
        request_id=getattr(request, "request_id", "") if request is not None else "",
        detail=detail or {},
    )
    logger.info("audit %s %s:%s by %s", action, record_type or "-", record_id or "-", event.actor_id or "-")
    return event
