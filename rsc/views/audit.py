"""The audit trail, for the account administrators of an organization.

Metadata only: who did what to which record (by kind and id), when and from where. The
pages never fetch the records themselves; a reflection or a session is named by its id,
not opened. Only people (and their accounts), agreements, groups and the organization,
which an administrator may open, are linked, and only when they belong to the
administrator's organization.
"""

import datetime
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import people_for_admin
from accounts.models import User
from accounts.views import admin_only
from rsc import audit
from rsc.forms.audit import AuditFilterForm
from rsc.lib.csv import csv_lines
from rsc.models import AuditEvent, RSCGroup, SupervisionAgreement

PER_PAGE = 50
EXPORT_CHUNK = 2000
# A spreadsheet reads a cell starting with one of these as a formula.

RecordType = AuditEvent.RecordType

# The records an administrator may open, by model: the kinds of record that name one, and its page.
# A person's account (signing in, passwords) opens on the person's page.
LINKABLE = [
    (User, (RecordType.PERSON, RecordType.ACCOUNT), "person_detail"),
    (SupervisionAgreement, (RecordType.AGREEMENT,), "agreement_detail"),
    (RSCGroup, (RecordType.GROUP,), "group_detail"),
]


def _events_for(user: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(organization_id=user.organization_id).select_related("actor")


def _form(request: HttpRequest) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None, people=people_for_admin(request.user))


def who(event: AuditEvent) -> str:
    """The person who acted: their name, the address typed for a failed sign-in, or the system."""
    if event.actor is not None:
        return event.actor.full_name or event.actor.email
    return event.actor_email or _("System")


def _record_links(events: list[AuditEvent], user: User) -> dict[tuple[str, int], str]:
    """The records on this page that the administrator may open, with their addresses.

    One query per kind of record present, whatever the number of events; ids only.
    """
    links = {}
    for model, record_types, url_name in LINKABLE:
        ids = {event.record_id for event in events if event.record_type in record_types and event.record_id}
        if not ids:
            continue
        known = model.objects.filter(organization_id=user.organization_id, pk__in=ids).values_list("pk", flat=True)
        for pk in known:
            for record_type in record_types:
                links[(record_type, pk)] = reverse(url_name, args=[pk])
    for event in events:
        if event.record_type == RecordType.ORGANIZATION and event.record_id == user.organization_id:
            links[(RecordType.ORGANIZATION, event.record_id)] = reverse("organization_settings")
    return links


@admin_only
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    events = _events_for(request.user)
    page, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        if form.is_bound:
            events = form.filter(events)
        page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
        links = _record_links(page.object_list, request.user)
        for event in page.object_list:
            event.who = who(event)
            event.link = links.get((event.record_type, event.record_id))
    context = {
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.filtered,
    }
    return render(request, "rsc/audit/audit_list.html", context, status=status)


CSV_HEADER = [
    "time_utc",
    "time_local",
    "person_id",
    "person_email",
    "person_name",
    "action",
    "action_label",
    "record_type",
    "record_id",
    "ip",
    "request_id",
    "detail",
]


def _csv_rows(events: QuerySet[AuditEvent], tz) -> Iterator[list]:
    yield CSV_HEADER
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        actor = event.actor
        yield [
            event.at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
            timezone.localtime(event.at, tz).isoformat(),
            event.actor_id or "",
            actor.email if actor is not None else event.actor_email,
            actor.full_name if actor is not None else "",
            event.action,
            event.get_action_display(),
            event.record_type,
            event.record_id if event.record_id is not None else "",
            event.ip or "",
            event.request_id,
            json.dumps(event.detail, separators=(",", ":"), sort_keys=True, ensure_ascii=False),
        ]


@admin_only
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    events = _events_for(request.user)
    if form.is_bound:
        if not form.is_valid():
            context = {"form": form, "page": None, "filtered": True}
            return render(request, "rsc/audit/audit_list.html", context, status=400)
        events = form.filter(events)
    filters = form.summary() if form.is_bound else {}
    audit.record(request, AuditEvent.Action.EXPORT, record_type=RecordType.AUDIT, detail={"filters": filters})
    # The streaming goes on after the view returns, when the time zone of the request is gone.
    tz = timezone.get_current_timezone()
    response = StreamingHttpResponse(csv_lines(_csv_rows(events, tz)), content_type="text/csv; charset=utf-8")
    filename = f"audit-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
