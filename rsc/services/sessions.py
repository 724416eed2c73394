"""Writes to RSC sessions: scheduling, changes, attendance, notes, signature.

Every function takes keyword arguments, runs in one transaction, and records
what happened in the session's history. Callers check access first (through
SupervisionSession.objects.led_by / visible_to); these functions enforce the
rules of the record itself, such as "a signed session cannot change".

Given the `request`, each change is also recorded in the audit trail, in the same
transaction: one event per session affected (a series scheduled, moved or cancelled
together gives one per occurrence); notes once per sitting, when a new version starts;
never a reason, a note, an agenda item, a follow-up's or a reply's words.
"""

import calendar
import datetime
import zoneinfo

from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from rsc import audit
from rsc.models import (
    AgendaItem,
    FollowUp,
    SessionElement,
    SessionEvent,
    SessionNoteVersion,
    SessionParticipant,
    SessionReply,
    SessionSeries,
    SupervisionSession,
)
from rsc.services import versions

MAX_OCCURRENCES = 52
Status = SupervisionSession.Status


class SessionError(Exception):
    """A change the session's state does not allow; the message is for people."""


class NotesConflict(SessionError):
    """Someone else saved the notes since this editor loaded them."""

    def __init__(self, current: SupervisionSession):
        super().__init__(_("These notes were changed by someone else while you were writing."))
        self.current = current


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def occurrence_starts(
    first: datetime.datetime,
    *,
    frequency: str | None,
    count: int | None = None,
    until: datetime.date | None = None,
    tz: zoneinfo.ZoneInfo,
) -> list[datetime.datetime]:
    """Start times of a series, keeping the same wall-clock time in the scheduler's time zone."""
    local = timezone.localtime(first, tz)
    if not frequency:
        return [first]
    starts = []
    for index in range(MAX_OCCURRENCES):
        if frequency == SessionSeries.Frequency.MONTHLY:
            day = add_months(local.date(), index)
        else:
            weeks = 2 if frequency == SessionSeries.Frequency.FORTNIGHTLY else 1
            day = local.date() + datetime.timedelta(weeks=weeks * index)
        if count is not None and index >= count:
            break
        if until is not None and day > until:
            break
        starts.append(datetime.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz))
    return starts


def _participants_for(*, agreement, group) -> list:
    if agreement is not None:
        return [agreement.supervisee]
    return list(group.members.filter(is_active=True))


@transaction.atomic
def sessions_schedule(
    *,
    supervisor,
    starts_at: datetime.datetime,
    duration_minutes: int,
    modality: str,
    location: str = "",
    agreement=None,
    group=None,
    frequency: str | None = None,
    count: int | None = None,
    until: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> list[SupervisionSession]:
    if agreement is not None and not agreement.fully_acknowledged:
        # An agreement grants nothing until both people have acknowledged it (again, after a change).
        raise SessionError(_("Sessions can be scheduled once both people have acknowledged the agreement."))
    tz = zoneinfo.ZoneInfo(supervisor.time_zone)
    starts = occurrence_starts(starts_at, frequency=frequency, count=count, until=until, tz=tz)
    series = None
    if len(starts) > 1:
        series = SessionSeries.objects.create(
            organization_id=supervisor.organization_id, frequency=frequency, created_by=supervisor
        )
    participants = _participants_for(agreement=agreement, group=group)
    sessions = SupervisionSession.objects.bulk_create(
        SupervisionSession(
            organization_id=supervisor.organization_id,
            supervisor=supervisor,
            agreement=agreement,
            group=group,
            series=series,
            starts_at=start,
            duration_minutes=duration_minutes,
            modality=modality,
            location=location,
        )
        for start in starts
    )
    SessionParticipant.objects.bulk_create(
        SessionParticipant(session=session, user=person) for session in sessions for person in participants
    )
    SessionEvent.objects.bulk_create(
        SessionEvent(session=session, kind=SessionEvent.Kind.SCHEDULED, actor=supervisor) for session in sessions
    )
    if request is not None:
        detail = {"series": series.pk if series else None, "count": len(sessions)}
        audit.record_each(request, audit.Action.SCHEDULE, sessions, actor=supervisor, detail=detail)
    return sessions


def _affected(session: SupervisionSession, scope: str) -> list[SupervisionSession]:
    """This occurrence, or this and the later scheduled ones of its series."""
    if scope == "following" and session.series_id:
        return list(
            SupervisionSession.objects.alive()
            .filter(series_id=session.series_id, starts_at__gte=session.starts_at, status=Status.SCHEDULED)
            .select_for_update()
        )
    return [session]


def _require_scheduled(session: SupervisionSession) -> None:
    if session.status != Status.SCHEDULED:
        raise SessionError(_("Only a scheduled session can be changed this way."))


@transaction.atomic
def session_update(
    *,
    session: SupervisionSession,
    actor,
    starts_at: datetime.datetime,
    duration_minutes: int,
    modality: str,
    location: str,
    scope: str = "this",
    request: HttpRequest | None = None,
) -> list[SupervisionSession]:
    _require_scheduled(session)
    shift = starts_at - session.starts_at
    fields = [
        name
        for name, value in (
            ("duration_minutes", duration_minutes),
            ("modality", modality),
            ("location", location),
        )
        if getattr(session, name) != value
    ]
    changed = _affected(session, scope)
    for occurrence in changed:
        occurrence.starts_at = occurrence.starts_at + shift
        occurrence.duration_minutes = duration_minutes
        occurrence.modality = modality
        occurrence.location = location
    SupervisionSession.objects.bulk_update(changed, ["starts_at", "duration_minutes", "modality", "location"])
    if scope == "this" and session.series_id:
        # A moved occurrence no longer follows the series' rhythm.
        SupervisionSession.objects.filter(pk=session.pk).update(series=None)
    if shift:
        SessionEvent.objects.bulk_create(
            SessionEvent(session=occurrence, kind=SessionEvent.Kind.RESCHEDULED, actor=actor) for occurrence in changed
        )
    if request is not None:
        detail = {"fields": ["starts_at", *fields] if shift else fields, "scope": scope}
        audit.record_each(request, audit.Action.EDIT, changed, actor=actor, detail=detail)
    return changed


@transaction.atomic
def session_cancel(
    *, session: SupervisionSession, actor, reason: str, scope: str = "this", request: HttpRequest | None = None
) -> list[SupervisionSession]:
    _require_scheduled(session)
    now = timezone.now()
    cancelled = _affected(session, scope)
    for occurrence in cancelled:
        occurrence.status = Status.CANCELLED
        occurrence.cancelled_by = actor
        occurrence.cancelled_at = now
        occurrence.cancel_reason = reason
    SupervisionSession.objects.bulk_update(cancelled, ["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    SessionEvent.objects.bulk_create(
        SessionEvent(session=occurrence, kind=SessionEvent.Kind.CANCELLED, actor=actor, reason=reason)
        for occurrence in cancelled
    )
    if request is not None:
        # The reason stays in the session's own history, never in the trail.
        audit.record_each(request, audit.Action.CANCEL, cancelled, actor=actor, detail={"scope": scope})
    return cancelled


@transaction.atomic
def session_record_attendance(
    *,
    session: SupervisionSession,
    actor,
    status: str,
    attendance: dict[int, str],
    request: HttpRequest | None = None,
) -> SupervisionSession:
    """Mark a session held or missed, with each participant's attendance."""
    locked = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    session.status, session.signed_at = locked.status, locked.signed_at
    if session.is_signed:
        raise SessionError(_("This session is signed. Reopen it to change it."))
    if session.status == Status.CANCELLED:
        raise SessionError(_("A cancelled session cannot be marked held or missed."))
    if status not in {Status.HELD, Status.MISSED}:
        raise SessionError(_("Choose held or missed."))
    if session.starts_at > timezone.now():
        raise SessionError(_("A session can be marked held or missed once it has started."))
    session.status = status
    session.save(update_fields=["status", "updated_at"])
    participants = list(session.participants.all())
    for participant in participants:
        participant.attendance = attendance.get(participant.user_id, SessionParticipant.Attendance.UNKNOWN)
        if status == Status.MISSED:
            participant.attendance = SessionParticipant.Attendance.ABSENT
    SessionParticipant.objects.bulk_update(participants, ["attendance"])
    kind = SessionEvent.Kind.HELD if status == Status.HELD else SessionEvent.Kind.MISSED
    SessionEvent.objects.create(session=session, kind=kind, actor=actor)
    if request is not None:
        audit.record(request, audit.Action.ATTENDANCE, session, actor=actor, detail={"status": status})
    return session


@transaction.atomic
def session_save_notes(
    *,
    session: SupervisionSession,
    actor,
    notes: str,
    elements: list[str] | None,
    expected_version: int,
    sitting: str = "",
    request: HttpRequest | None = None,
) -> tuple[SupervisionSession, int]:
    """Save the notes and element tags; refuse to overwrite a newer version silently. Returns the
    session and in how many earlier versions a removed identifying passage was replaced too.

    In the audit trail: an edit when the notes start a new version (once per sitting, not on
    every autosave); a change of the element tags alone, once per sitting too."""
    current = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    if current.is_signed:
        raise SessionError(_("This session is signed. Reopen it to change the notes."))
    if current.status != Status.HELD:
        raise SessionError(_("Notes are written once the session is marked held."))
    if current.notes_version != expected_version:
        raise NotesConflict(current)
    new_version = None
    redacted = 0
    if notes != current.notes:
        passages = versions.removed_passages([current.notes], [notes], kept=current.notes_kept_passages)
        current.notes = notes
        current.notes_version += 1
        current.save(update_fields=["notes", "notes_version", "updated_at"])
        latest = current.note_versions.order_by("-number").first()
        if latest is not None and sitting and latest.sitting == sitting and latest.saved_by_id == actor.pk:
            # The same page still being written: refine its version rather than add another.
            latest.notes = notes
            latest.saved_at = timezone.now()
            latest.save(update_fields=["notes", "saved_at"])
        else:
            new_version = SessionNoteVersion.objects.create(
                session=current,
                number=(latest.number + 1) if latest else 1,
                notes=notes,
                saved_by=actor,
                sitting=sitting,
            )
        redacted = versions.note_versions_redact(session=current, passages=passages, request=request)
    if request is not None and new_version is not None:
        detail = {"version": new_version.number, "sitting": sitting}
        audit.record(request, audit.Action.EDIT, current, actor=actor, detail=detail)
    if elements is None:
        return current, redacted
    removed, _kinds = current.elements.exclude(element__in=elements).delete()
    existing = set(current.elements.values_list("element", flat=True))
    added = SessionElement.objects.bulk_create(
        # A tag sent twice is added once.
        SessionElement(session=current, element=element)
        for element in dict.fromkeys(elements)
        if element not in existing
    )
    if (
        (removed or added)
        and request is not None
        and new_version is None
        and not audit.recorded_in_sitting(current, actor=actor, sitting=sitting)
    ):
        detail = {"fields": ["elements"], "sitting": sitting}
        audit.record(request, audit.Action.EDIT, current, actor=actor, detail=detail)
    return current, redacted


def notes_keep_passages(*, session: SupervisionSession, passages: list[str]) -> None:
    """Remember passages of the notes the writer chose to keep although they looked identifying."""
    with transaction.atomic():
        current = SupervisionSession.objects.select_for_update().get(pk=session.pk)
        kept = list(dict.fromkeys([*current.notes_kept_passages, *passages]))[-50:]
        SupervisionSession.objects.filter(pk=session.pk).update(notes_kept_passages=kept)
    session.notes_kept_passages = kept


def _require_open_for_documentation(session: SupervisionSession) -> None:
    if session.is_signed:
        raise SessionError(_("This session is signed. Reopen it to change it."))


@transaction.atomic
def follow_up_add(
    *, session: SupervisionSession, actor, text: str, owner, due_on, kind: str, request: HttpRequest | None = None
) -> FollowUp:
    _require_open_for_documentation(session)
    follow_up = FollowUp.objects.create(session=session, text=text, owner=owner, due_on=due_on, kind=kind)
    if request is not None:
        audit.record(request, audit.Action.EDIT, session, actor=actor, detail={"follow_up_added": follow_up.pk})
    return follow_up


@transaction.atomic
def follow_up_remove(*, follow_up: FollowUp, actor, request: HttpRequest | None = None) -> None:
    _require_open_for_documentation(follow_up.session)
    follow_up_id = follow_up.pk
    follow_up.delete()
    if request is not None:
        detail = {"follow_up_removed": follow_up_id}
        audit.record(request, audit.Action.EDIT, follow_up.session, actor=actor, detail=detail)


@transaction.atomic
def follow_up_set_done(*, follow_up: FollowUp, done: bool, actor=None, request: HttpRequest | None = None) -> FollowUp:
    """Mark a follow-up done, or not done yet (the undo). Recorded in the trail as what it is."""
    follow_up.done_at = timezone.now() if done else None
    follow_up.save(update_fields=["done_at"])
    if request is not None:
        audit.record(
            request,
            audit.Action.FOLLOW_UP_DONE if done else audit.Action.FOLLOW_UP_UNDONE,
            record_type=audit.RecordType.SESSION,
            record_id=follow_up.session_id,
            actor=actor,
            detail={"follow_up": follow_up.pk},
        )
    return follow_up


@transaction.atomic
def session_sign(*, session: SupervisionSession, actor, request: HttpRequest | None = None) -> SupervisionSession:
    # Locked, then checked: of several clicks (or tabs) at once, exactly one signs.
    locked = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    session.status, session.signed_at, session.signed_by_id = locked.status, locked.signed_at, locked.signed_by_id
    if session.status != Status.HELD:
        raise SessionError(_("Only a held session can be signed."))
    if session.is_signed:
        raise SessionError(_("This session is already signed."))
    session.signed_at = timezone.now()
    session.signed_by = actor
    session.save(update_fields=["signed_at", "signed_by", "updated_at"])
    SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.SIGNED, actor=actor)
    if request is not None:
        audit.record(request, audit.Action.SIGN, session, actor=actor)
    return session


@transaction.atomic
def session_reopen(
    *, session: SupervisionSession, actor, reason: str, request: HttpRequest | None = None
) -> SupervisionSession:
    locked = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    session.signed_at, session.signed_by_id = locked.signed_at, locked.signed_by_id
    if not session.is_signed:
        raise SessionError(_("Only a signed session can be reopened."))
    if not reason.strip():
        raise SessionError(_("Say why the session is reopened; the reason stays in its history."))
    session.signed_at = None
    session.signed_by = None
    session.save(update_fields=["signed_at", "signed_by", "updated_at"])
    SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.REOPENED, actor=actor, reason=reason.strip())
    if request is not None:
        # The reason is free text: it stays in the session's history, never in the trail.
        audit.record(request, audit.Action.REOPEN, session, actor=actor)
    return session


def _lock_scheduled(session: SupervisionSession, message: str) -> None:
    """Lock the session row and check it is still scheduled: an agenda change cannot slip onto a
    session being marked held at the same moment, and two changes to one agenda take turns."""
    session.status = SupervisionSession.objects.select_for_update().values_list("status", flat=True).get(pk=session.pk)
    if session.status != Status.SCHEDULED:
        raise SessionError(message)


@transaction.atomic
def agenda_add(
    *, session: SupervisionSession, author, family=None, text: str = "", request: HttpRequest | None = None
) -> AgendaItem:
    """Add an item at the end of the agenda. The supervisor and the participants set it together;
    callers check who may add and which families they may name."""
    _lock_scheduled(session, _("The agenda can be added to until the session is held."))
    last = session.agenda_items.aggregate(last=Max("position"))["last"] or 0
    item = AgendaItem.objects.create(session=session, author=author, family=family, text=text, position=last + 1)
    if request is not None:
        audit.record(request, audit.Action.EDIT, session, actor=author, detail={"agenda_item_added": item.pk})
    return item


@transaction.atomic
def agenda_move(
    *, item: AgendaItem, direction: str, actor=None, request: HttpRequest | None = None
) -> list[AgendaItem]:
    """Move an item one place up or down; returns the agenda in its new order. At the top (or the
    bottom) already, nothing changes and nothing is recorded."""
    if direction not in {"up", "down"}:
        raise SessionError(_("Move an item up or down."))
    session = item.session
    _lock_scheduled(session, _("The agenda of a held session stays as it was."))
    items = list(session.agenda_items.all())
    index = next((number for number, other in enumerate(items) if other.pk == item.pk), None)
    if index is None:
        raise SessionError(_("This item is no longer on the agenda."))
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return items
    items[index], items[target] = items[target], items[index]
    # Numbered again from one: positions stay distinct whatever happened before.
    for position, other in enumerate(items, start=1):
        other.position = position
    AgendaItem.objects.bulk_update(items, ["position"])
    if request is not None:
        detail = {"agenda_item_moved": item.pk, "direction": direction}
        audit.record(request, audit.Action.EDIT, session, actor=actor, detail=detail)
    return items


@transaction.atomic
def agenda_remove(*, item: AgendaItem, actor=None, request: HttpRequest | None = None) -> None:
    _lock_scheduled(item.session, _("The agenda of a held session stays as it was."))
    item_id = item.pk
    item.delete()
    if request is not None:
        audit.record(request, audit.Action.EDIT, item.session, actor=actor, detail={"agenda_item_removed": item_id})


@transaction.atomic
def session_reply_add(
    *, session: SupervisionSession, author, text: str, request: HttpRequest | None = None
) -> SessionReply:
    """A reply under the notes of a held session, by its supervisor or one of its participants
    (callers check who). Signed or not: the thread goes on after the notes are locked."""
    status = SupervisionSession.objects.select_for_update().values_list("status", flat=True).get(pk=session.pk)
    if status != Status.HELD:
        raise SessionError(_("Replies are written under the notes once the session has been held."))
    reply = SessionReply.objects.create(session=session, author=author, text=text)
    if request is not None:
        # Never the words: only which reply.
        audit.record(request, audit.Action.RESPOND, session, actor=author, detail={"reply": reply.pk})
    return reply


def notes_seen(*, session: SupervisionSession, user) -> bool:
    """A participant opened the session after its notes were signed: the home page stops pointing
    them out. Returns whether anything changed (only the first visit after each signature writes)."""
    if session.signed_at is None:
        return False
    changed = (
        SessionParticipant.objects.filter(session=session, user=user)
        .filter(Q(notes_seen_at__isnull=True) | Q(notes_seen_at__lt=session.signed_at))
        .update(notes_seen_at=timezone.now())
    )
    return bool(changed)


def previous_session(session: SupervisionSession) -> SupervisionSession | None:
    """The last held session of the same pair or group before this one."""
    earlier = SupervisionSession.objects.alive().held().filter(starts_at__lt=session.starts_at)
    if session.agreement_id:
        # Agreements get renewed; the pair is what matters.
        earlier = earlier.filter(
            supervisor_id=session.supervisor_id, agreement__supervisee_id=session.agreement.supervisee_id
        )
    else:
        earlier = earlier.filter(group_id=session.group_id)
    return earlier.order_by("-starts_at").first()
