"""Writing to the audit trail.

    audit.record(request, AuditEvent.Action.READ, reflection)

Each event names who, which record (type and id), what, when, from which address and
with which request id. Only metadata goes in `detail`: ids, role names, counts. Never the
text of a reflection, notes, agenda items or responses, here or in the logs.
"""

import logging

# allauth's own reading of X-Forwarded-For (internal module; the version is pinned), so that the
# trail and the login throttling agree on who a client is.
from allauth.core.internal.httpkit import clean_client_ip
from allauth.core.internal.httpkit import get_client_ip as allauth_client_ip
from django.core.exceptions import ImproperlyConfigured
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
    "invitation": RecordType.PERSON,
    "organization": RecordType.ORGANIZATION,
    "audit": RecordType.AUDIT,
}
# URL names whose first word misleads: the signed-in session's status is not a supervision session.
_URL_NAMES = {
    "session_status": RecordType.ACCOUNT,
    "session_extend": RecordType.ACCOUNT,
    "invitation_accept": RecordType.PAGE,
}
# URLs whose "pk" is not the id of the record their name is about (a follow-up's, not its session's).
_PK_IS_NOT_THE_RECORD = {"follow_up_done"}


def record_type_for_url(url_name: str) -> str:
    """The kind of record a URL name is about, from its first word ("reflection_detail": reflection)."""
    if url_name in _URL_NAMES:
        return _URL_NAMES[url_name]
    return _URL_PREFIXES.get(url_name.split("_", 1)[0], RecordType.PAGE)


# What the record_id column (a bigint) can hold; a URL may name any number.
_LARGEST_ID = 2**63 - 1


def record_for_url(url_name: str, kwargs: dict) -> tuple[str, int | None, dict]:
    """The record a URL is about: its kind, its id, and any other ids in the URL (for `detail`).

    An id too large to be any record's is kept, as digits, in the detail only."""
    ids: dict = {}
    for name, value in kwargs.items():
        text = str(value)
        if text.isascii() and text.isdecimal():
            ids[name] = int(text) if len(text) <= 19 and int(text) <= _LARGEST_ID else text[:40]
    record_id = ids.pop("pk", None)
    if not isinstance(record_id, int) or url_name in _PK_IS_NOT_THE_RECORD:
        if record_id is not None:
            ids["pk"] = record_id
        record_id = None
    return record_type_for_url(url_name), record_id, ids


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from, for the audit trail and the list of signed-in sessions.

    The same address allauth's login throttling counts: behind TRUSTED_PROXY_COUNT proxies, the
    X-Forwarded-For entry that many from the right (what the outermost proxy of the site's own
    saw); entries further left are the client's say and never trusted. Never raises: a request
    that did not come through the proxies (too few entries, or one that is not an address) falls
    back to the address of whatever connected, rather than failing the request.
    """
    if request is None:
        return None
    try:
        address = allauth_client_ip(request)
    except ImproperlyConfigured:
        # allauth's way of saying that X-Forwarded-For has fewer entries than trusted proxies.
        address = None
    return address or clean_client_ip(request.META.get("REMOTE_ADDR") or "")


def _event(
    request: HttpRequest | None,
    action: str,
    instance: models.Model | None,
    *,
    record_type: str,
    record_id: int | None,
    actor,
    actor_email: str,
    organization_id: int | None,
    detail: dict | None,
) -> AuditEvent:
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
    return AuditEvent(
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


def _log(event: AuditEvent) -> None:
    logger.info(
        "audit %s %s:%s by %s", event.action, event.record_type or "-", event.record_id or "-", event.actor_id or "-"
    )


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
    event = _event(
        request,
        action,
        instance,
        record_type=record_type,
        record_id=record_id,
        actor=actor,
        actor_email=actor_email,
        organization_id=organization_id,
        detail=detail,
    )
    event.save(force_insert=True)
    _log(event)
    return event


def record_each(
    request: HttpRequest | None, action: str, instances: list[models.Model], *, actor=None, detail: dict | None = None
) -> list[AuditEvent]:
    """Append one event per record, in one statement: a series of sessions scheduled or cancelled together."""
    events = [
        _event(
            request,
            action,
            instance,
            record_type="",
            record_id=None,
            actor=actor,
            actor_email="",
            organization_id=None,
            detail=detail,
        )
        for instance in instances
    ]
    AuditEvent.objects.bulk_create(events)
    for event in events:
        _log(event)
    return events


def recorded_in_sitting(instance: models.Model, *, actor, sitting: str) -> bool:
    """Whether this person's sitting (one editor page: autosaves and saves) is already in the trail.

    An edit is recorded once per sitting, not on every autosave. An empty sitting is never shared.
    """
    if not sitting:
        return False
    return AuditEvent.objects.filter(
        record_type=record_type_of(instance),
        record_id=instance.pk,
        actor=actor,
        action__in=[Action.CREATE, Action.EDIT],
        detail__sitting=sitting,
    ).exists()


def was_redacted(instance: models.Model) -> bool:
    """Whether passages were taken out of this record's earlier versions (so the page can say so)."""
    return AuditEvent.objects.filter(
        record_type=record_type_of(instance), record_id=instance.pk, action=Action.REDACT
    ).exists()
