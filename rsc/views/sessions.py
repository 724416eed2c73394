import datetime
import secrets
import zoneinfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import people_for_admin
from rsc import audit
from rsc.access import get_session_for_supervisor, get_session_for_user, is_participant
from rsc.forms.identifying import keep_ticked, shown_passages, warnings_for
from rsc.forms.sessions import (
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    FollowUpForm,
    NotesForm,
    ReopenForm,
    RescheduleForm,
    ScheduleForm,
    SessionReplyForm,
)
from rsc.lib.dates import written
from rsc.models import AgendaItem, Child, Family, FollowUp, SessionParticipant, SessionReply, SupervisionSession
from rsc.services import reflections as reflection_services
from rsc.services import sessions as services

SESSIONS_PER_PAGE = 25
# Sessions with newly signed notes listed on a practitioner's home page.
HOME_SIGNED_LIMIT = 10
WEEK_RANGE = (1900, 2999)
# What an administrator's overview loads: no notes, by construction.
OVERVIEW_FIELDS = [
    "starts_at",
    "duration_minutes",
    "status",
    "signed_at",
    "supervisor__full_name",
    "agreement__supervisee__full_name",
    "group__name",
]


def _supervisor_only(user) -> None:
    if not (user.is_supervisor and user.organization_id):
        raise Http404


@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    """Every session the person leads or attends: upcoming first, then the past, newest first."""
    when = request.GET.get("when", "upcoming")
    sessions = SupervisionSession.objects.visible_to(request.user).select_related(
        "agreement__supervisee", "group", "supervisor"
    )
    now = timezone.now()
    if when == "past":
        sessions = sessions.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        when = "upcoming"
        sessions = sessions.filter(starts_at__gte=now).order_by("starts_at")
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rsc/sessions/session_list.html",
        {"page": page, "when": when},
    )


@require_GET
def session_overview(request: HttpRequest) -> HttpResponse:
    """For account administrators: dates, people and attendance of every session, never notes."""
    people_for_admin(request.user)
    sessions = (
        SupervisionSession.objects.alive()
        .filter(organization_id=request.user.organization_id)
        .select_related("supervisor", "agreement__supervisee", "group")
        .prefetch_related(Prefetch("participants", queryset=SessionParticipant.objects.select_related("user")))
        .only(*OVERVIEW_FIELDS)
        .order_by("-starts_at")
    )
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if query:
        sessions = sessions.filter(
            Q(supervisor__full_name__icontains=query) | Q(participants__user__full_name__icontains=query)
        ).distinct()
    status = request.GET.get("status", "")
    if status in SupervisionSession.Status.values:
        sessions = sessions.filter(status=status)
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "status": status,
        "statuses": SupervisionSession.Status.choices,
    }
    return render(request, "rsc/sessions/session_overview.html", context)


def _has_sessions(user) -> bool:
    """Supervisors lead sessions and practitioners take part in them; an administrator alone has none."""
    return bool(user.organization_id and (user.is_supervisor or user.is_practitioner))


@require_GET
def session_week(request: HttpRequest) -> HttpResponse:
    """A person's week, Monday to Sunday, in their own time zone: the sessions they lead and those
    they take part in."""
    if not _has_sessions(request.user):
        raise Http404
    tz = zoneinfo.ZoneInfo(request.user.time_zone)
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = None
    if day is None or not (WEEK_RANGE[0] <= day.year <= WEEK_RANGE[1]):
        # A week at the edges of the calendar would overflow; show this week instead.
        day = timezone.localdate(timezone=tz)
    monday = day - datetime.timedelta(days=day.weekday())
    start = datetime.datetime.combine(monday, datetime.time(), tzinfo=tz)
    end = start + datetime.timedelta(days=7)
    sessions = (
        SupervisionSession.objects.visible_to(request.user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("agreement__supervisee", "group", "supervisor")
        .order_by("starts_at", "pk")
    )
    days = [{"date": monday + datetime.timedelta(days=offset), "sessions": []} for offset in range(7)]
    for session in sessions:
        days[timezone.localtime(session.starts_at, tz).weekday()]["sessions"].append(session)
    context = {
        "days": days,
        "monday": monday,
        "previous_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "today": timezone.localdate(timezone=tz),
        "count": sum(len(day["sessions"]) for day in days),
    }
    return render(request, "rsc/sessions/session_week.html", context)


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    _supervisor_only(request.user)
    form = ScheduleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sessions = services.sessions_schedule(
            supervisor=request.user,
            agreement=data["agreement"],
            group=data["group"],
            starts_at=form.starts_at(),
            duration_minutes=data["duration_minutes"],
            modality=data["modality"],
            location=data["location"],
            frequency=data["repeat"] or None,
            count=data["count"],
            until=data["until"],
            request=request,
        )
        messages.success(
            request,
            _("%(count)s sessions scheduled.") % {"count": len(sessions)}
            if len(sessions) > 1
            else _("Session scheduled."),
        )
        return redirect(sessions[0])
    return render(request, "rsc/sessions/session_form.html", {"form": form})


def _detail_context(request: HttpRequest, session: SupervisionSession) -> dict:
    user = request.user
    participants = list(session.participants.select_related("user"))
    is_supervisor = session.supervisor_id == user.pk
    is_participant = any(participant.user_id == user.pk for participant in participants)
    agenda = list(
        session.agenda_items.select_related("author", "family").prefetch_related(
            Prefetch("family__children", queryset=Child.objects.order_by("birth_month"))
        )
    )
    is_scheduled = session.status == SupervisionSession.Status.SCHEDULED
    is_held = session.status == SupervisionSession.Status.HELD
    context = {
        "session": session,
        "participants": participants,
        "is_supervisor": is_supervisor,
        "is_participant": is_participant,
        "agenda": agenda,
        "elements": list(session.elements.all()),
        "follow_ups": list(session.follow_ups.select_related("owner")),
        "events": list(session.events.select_related("actor")),
        # The agenda is set together: the supervisor and the participants add to it, while scheduled.
        "can_add_agenda": is_scheduled and (is_supervisor or is_participant),
        "can_edit_agenda": is_scheduled and (is_supervisor or is_participant),
        "can_cancel": is_scheduled and (is_supervisor or (is_participant and not session.is_group)),
        # Replies go under the notes once the session was held, by anyone who may read them.
        "can_reply": is_held and (is_supervisor or is_participant),
        # Lazy: read only by the pages that show the thread.
        "replies": session.replies.select_related("author") if is_held else SessionReply.objects.none(),
    }
    if context["can_add_agenda"]:
        context["agenda_form"] = AgendaItemForm(user=user, session=session)
    if context["can_reply"]:
        context["reply_form"] = SessionReplyForm()
    return context


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    audit.record(request, audit.Action.READ, session)
    context = _detail_context(request, session)
    mine = next((p for p in context["participants"] if p.user_id == request.user.pk), None)
    if mine is not None and session.is_signed and not (mine.notes_seen_at and mine.notes_seen_at >= session.signed_at):
        # The first visit after the signature: the home page stops pointing these notes out.
        services.notes_seen(session=session, user=request.user)
    return render(request, "rsc/sessions/session_detail.html", context)


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    if session.status != SupervisionSession.Status.SCHEDULED:
        messages.info(request, _("Only a scheduled session can be moved."))
        return redirect(session)
    form = RescheduleForm(request.POST or None, user=request.user, session=session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = services.session_update(
            session=session,
            actor=request.user,
            starts_at=form.starts_at(),
            duration_minutes=data["duration_minutes"],
            modality=data["modality"],
            location=data["location"],
            scope=data.get("scope", "this"),
            request=request,
        )
        messages.success(request, _("Saved for %(count)s session(s).") % {"count": len(changed)})
        return redirect(session)
    return render(request, "rsc/sessions/session_edit.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    context = _detail_context(request, session)
    if not context["can_cancel"]:
        raise Http404
    form = CancelForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data.get("scope", "this") if context["is_supervisor"] else "this"
        cancelled = services.session_cancel(
            session=session, actor=request.user, reason=form.cleaned_data["reason"], scope=scope, request=request
        )
        messages.success(request, _("Cancelled %(count)s session(s).") % {"count": len(cancelled)})
        return redirect(session)
    return render(request, "rsc/sessions/session_cancel.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    participants = list(session.participants.select_related("user"))
    form = AttendanceForm(request.POST or None, session=session, participants=participants)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_record_attendance(
                session=session,
                actor=request.user,
                status=form.cleaned_data["status"],
                attendance=form.attendance(),
                request=request,
            )
        except services.SessionError as error:
            messages.error(request, str(error))
            return redirect(session)
        if session.status == SupervisionSession.Status.HELD:
            messages.success(request, _("Marked held. You can write the notes now."))
            return redirect("session_document", pk=session.pk)
        messages.success(request, _("Marked missed."))
        return redirect(session)
    return render(request, "rsc/sessions/session_attendance.html", {"form": form, "session": session})


def _prepare_context(request: HttpRequest, session: SupervisionSession) -> dict:
    context = _detail_context(request, session)
    previous = services.previous_session(session)
    context["previous"] = previous
    context["previous_follow_ups"] = list(previous.follow_ups.select_related("owner")) if previous else []
    families = {
        item.family_id: item.family for item in context["agenda"] if item.family_id and not item.family.deleted_at
    }
    # The children's ages only of families the supervisor may see now (an agreement in force).
    visible = set(Family.objects.visible_to(request.user).filter(pk__in=families).values_list("pk", flat=True))
    context["families"] = [family for pk, family in families.items() if pk in visible]
    context["agenda_from"] = "prepare"
    return context


@require_GET
def session_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    context = _prepare_context(request, session)
    if request.htmx:
        # The agenda card refreshes itself while participants add to it: not a read of its own.
        return render(request, "rsc/sessions/session_prepare.html#agenda", context)
    audit.record(request, audit.Action.READ, session, detail={"page": "prepare"})
    context["shared_reflections"] = _shared_reflections(request, session, context)
    return render(request, "rsc/sessions/session_prepare.html", context)


def _shared_reflections(request: HttpRequest, session: SupervisionSession, context: dict) -> list:
    return reflection_services.shared_for_session(
        session, request.user, [participant.user_id for participant in context["participants"]]
    )


def _notes_warnings(session: SupervisionSession, notes: str) -> list:
    """Passages of the notes that may identify someone, except those the writer chose to keep."""
    return warnings_for([(_("Session notes"), notes)], kept=session.notes_kept_passages)


def _keep_shown_notes_passages(request: HttpRequest, session: SupervisionSession, notes: str) -> None:
    """The writer ticked "keep these passages as they are": keep exactly the ones they were shown."""
    if not keep_ticked(request.POST):
        return
    shown = shown_passages(request.POST)
    passages = [warning.finding.passage for warning in _notes_warnings(session, notes)]
    kept = [passage for passage in passages if passage in shown]
    if kept:
        services.notes_keep_passages(session=session, passages=kept)


def _notes_initial(session: SupervisionSession, elements: list) -> dict:
    return {
        "notes": session.notes,
        "elements": [element.element for element in elements],
        "version": session.notes_version,
        "sitting": secrets.token_hex(8),
    }


def _render_document(
    request: HttpRequest,
    session: SupervisionSession,
    form: NotesForm | None = None,
    *,
    follow_up_form: FollowUpForm | None = None,
    conflict: SupervisionSession | None = None,
    sign_warnings: list | None = None,
    sign_empty: bool = False,
    locked: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = _detail_context(request, session)
    form = form or NotesForm(initial=_notes_initial(session, context["elements"]))
    people = [session.supervisor, *(participant.user for participant in context["participants"])]
    shown_notes = form.data.get("notes", session.notes) if form.is_bound else session.notes
    context.update(
        form=form,
        conflict=conflict,
        follow_up_form=follow_up_form or FollowUpForm(people=people),
        warnings=[] if locked else _notes_warnings(session, shown_notes),
        sign_warnings=sign_warnings or [],
        sign_empty=sign_empty,
        locked=locked,
    )
    return render(request, "rsc/sessions/session_document.html", context, status=status)


def _is_writable(session: SupervisionSession) -> bool:
    return session.status == SupervisionSession.Status.HELD and not session.is_signed


def _locked_message(session: SupervisionSession) -> str:
    if session.is_signed:
        return _("These notes were signed meanwhile, so this change is not saved. Your text stays on this page.")
    return _("This session is no longer open for notes, so this change is not saved. Your text stays on this page.")


@require_http_methods(["GET", "POST"])
def session_document(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    autosave = request.method == "POST" and request.headers.get("X-Autosave") == "1"
    if not _is_writable(session):
        if autosave:
            return JsonResponse({"saved": False, "locked": True, "message": _locked_message(session)}, status=409)
        if request.method == "POST":
            # Signed in another tab while this one was writing: keep the words on the page.
            messages.warning(request, _locked_message(session))
            return _render_document(request, session, NotesForm(request.POST), locked=True, status=409)
        messages.info(request, _("Notes are written for a held session that is not signed."))
        return redirect(session)
    if request.method == "GET":
        audit.record(request, audit.Action.READ, session, detail={"page": "notes"})
        return _render_document(request, session)
    form = NotesForm(request.POST)
    if autosave:
        return _autosave_notes(request, session, form)
    if not form.is_valid():
        return _render_document(request, session, form, status=400)
    _keep_shown_notes_passages(request, session, form.cleaned_data["notes"])
    try:
        _current, redacted = _save_notes(request, session, form)
    except services.NotesConflict as error:
        # Keep what this person typed; show the newer text beside it. Saving
        # again (with the newer version number) is a deliberate choice.
        data = request.POST.copy()
        data["version"] = str(error.current.notes_version)
        return _render_document(request, session, NotesForm(data), conflict=error.current, status=409)
    messages.success(request, _("Notes saved."))
    if redacted:
        messages.info(request, _redacted_message(redacted))
    return redirect("session_document", pk=session.pk)


def _save_notes(request: HttpRequest, session: SupervisionSession, form: NotesForm) -> tuple:
    return services.session_save_notes(
        session=session,
        actor=request.user,
        notes=form.cleaned_data["notes"],
        elements=form.cleaned_data["elements"],
        expected_version=form.cleaned_data["version"],
        sitting=form.cleaned_data["sitting"],
        request=request,
    )


def _redacted_message(count: int) -> str:
    return ngettext(
        "The passage you removed is also taken out of %(count)d earlier version of the notes.",
        "The passage you removed is also taken out of %(count)d earlier versions of the notes.",
        count,
    ) % {"count": count}


def _autosave_notes(request: HttpRequest, session: SupervisionSession, form: NotesForm) -> JsonResponse:
    """Autosave of the notes while the supervisor writes: JSON, and a 409 with the newer text on a conflict."""
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return JsonResponse({"saved": False, "message": _("Not saved: %(errors)s") % {"errors": errors}}, status=400)
    try:
        current, redacted = _save_notes(request, session, form)
    except services.NotesConflict as error:
        html = render_to_string(
            "rsc/sessions/_notes_conflict.html", {"conflict": error.current, "session": session}, request=request
        )
        return JsonResponse({"conflict": True, "revision": error.current.notes_version, "html": html}, status=409)
    except services.SessionError:
        session.refresh_from_db(fields=["status", "signed_at"])
        return JsonResponse({"saved": False, "locked": True, "message": _locked_message(session)}, status=409)
    # Saved first, whatever it holds; then the passages it was shown may be kept.
    _keep_shown_notes_passages(request, current, current.notes)
    saved_at = written(current.updated_at, "time")
    message = _("Saved at %(time)s") % {"time": saved_at}
    if redacted:
        message = f"{message}. {_redacted_message(redacted)}"
    warnings = render_to_string(
        "includes/identifying.html",
        {"warnings": _notes_warnings(current, current.notes), "scope": "notes"},
        request=request,
    ).strip()
    return JsonResponse(
        {
            "saved": True,
            "revision": current.notes_version,
            "message": message,
            "redacted": redacted,
            "warnings": warnings,
        }
    )


@require_POST
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    people = [session.supervisor, *(p.user for p in session.participants.select_related("user"))]
    form = FollowUpForm(request.POST, people=people)
    if form.is_valid():
        try:
            services.follow_up_add(session=session, actor=request.user, request=request, **form.cleaned_data)
        except services.SessionError as error:
            # Signed meanwhile: the words stay on the page with the reason.
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Follow-up added."))
            return redirect(reverse("session_document", args=[session.pk]) + "#follow-ups-title")
    if not _is_writable(session):
        messages.warning(request, _locked_message(session))
        return _render_document(request, session, follow_up_form=form, locked=True, status=409)
    return _render_document(request, session, follow_up_form=form, status=400)


@require_POST
def follow_up_delete(request: HttpRequest, pk: int, follow_up_pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    follow_up = get_object_or_404(FollowUp, pk=follow_up_pk, session=session)
    try:
        services.follow_up_remove(follow_up=follow_up, actor=request.user, request=request)
    except services.SessionError as error:
        messages.error(request, str(error))
    return redirect("session_document", pk=session.pk)


@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner of a follow-up marks it done, with a message offering to undo it (or marks it not
    done yet, which is the undo)."""
    follow_up = get_object_or_404(
        FollowUp.objects.filter(session__in=SupervisionSession.objects.visible_to(request.user)),
        pk=pk,
        owner=request.user,
    )
    done = request.POST.get("done") == "1"
    services.follow_up_set_done(follow_up=follow_up, done=done, actor=request.user, request=request)
    next_url = _local_path(request, request.POST.get("next", ""))
    if done:
        # The message carries its own small form: "Undo" posts back here, to the same page.
        undo = render_to_string(
            "rsc/sessions/_follow_up_undo.html", {"follow_up": follow_up, "next": next_url}, request=request
        )
        messages.success(request, undo)
    else:
        messages.info(request, _("The follow-up is open again."))
    return redirect(next_url)


def _local_path(request: HttpRequest, url: str) -> str:
    """Only back to a path of this site: "//elsewhere.example/" starts with "/" too, and anything
    else would be taken for a URL name (a missing one is an error)."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, {request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@require_POST
def session_sign(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    if _is_writable(session):
        # Signing shows the notes as final: it waits until each flagged passage is out or kept.
        _keep_shown_notes_passages(request, session, session.notes)
        warnings = _notes_warnings(session, session.notes)
        if warnings:
            return _render_document(request, session, sign_warnings=warnings)
        if not session.notes.strip() and request.POST.get("empty_notes") != "sign":
            # Not a block: one question, with both answers.
            return _render_document(request, session, sign_empty=True)
    try:
        services.session_sign(session=session, actor=request.user, request=request)
    except services.SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Signed. The session record is locked."))
    return redirect(session)


@require_http_methods(["GET", "POST"])
def session_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_supervisor(request.user, pk)
    if not session.is_signed:
        return redirect(session)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.session_reopen(
            session=session, actor=request.user, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, _("Reopened. Sign it again when you are done."))
        return redirect("session_document", pk=session.pk)
    return render(request, "rsc/sessions/session_reopen.html", {"form": form, "session": session})


def _agenda_page(request: HttpRequest, session: SupervisionSession, form: AgendaItemForm, status: int) -> HttpResponse:
    """The page the agenda form was sent from, again, with the words kept in the form."""
    if request.POST.get("from") == "prepare" and session.supervisor_id == request.user.pk:
        context = _prepare_context(request, session)
        context["shared_reflections"] = _shared_reflections(request, session, context)
        template = "rsc/sessions/session_prepare.html"
    else:
        context = _detail_context(request, session)
        template = "rsc/sessions/session_detail.html"
    context["agenda_form"] = form
    return render(request, template, context, status=status)


def _back_to_agenda(request: HttpRequest, session: SupervisionSession) -> HttpResponse:
    if request.POST.get("from") == "prepare" and session.supervisor_id == request.user.pk:
        return redirect(reverse("session_prepare", args=[session.pk]) + "#agenda-title")
    return redirect(session.get_absolute_url() + "#agenda-title")


def _agenda_session(request: HttpRequest, pk: int) -> SupervisionSession:
    """A session whose agenda the person sets: one they lead or take part in."""
    session = get_session_for_user(request.user, pk)
    if session.supervisor_id != request.user.pk and not is_participant(session, request.user):
        raise Http404
    return session


def _agenda_item(request: HttpRequest, session: SupervisionSession, item_pk: int) -> AgendaItem:
    """An item the person may move or remove: any, for the supervisor; their own, for a participant."""
    items = AgendaItem.objects.filter(session=session)
    if session.supervisor_id != request.user.pk:
        items = items.filter(author=request.user)
    return get_object_or_404(items.select_related("session"), pk=item_pk)


@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _agenda_session(request, pk)
    form = AgendaItemForm(request.POST, user=request.user, session=session)
    if not form.is_valid():
        return _agenda_page(request, session, form, status=400)
    try:
        services.agenda_add(
            session=session,
            author=request.user,
            family=form.cleaned_data["family"],
            text=form.cleaned_data["text"],
            request=request,
        )
    except services.SessionError as error:
        # The session was marked held meanwhile: say so, and keep the words on the page.
        form.add_error(None, _("%(reason)s Your words are still here to copy.") % {"reason": error})
        session.refresh_from_db()
        return _agenda_page(request, session, form, status=409)
    messages.success(request, _("Added to the agenda."))
    return _back_to_agenda(request, session)


@require_POST
def agenda_move(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    session = _agenda_session(request, pk)
    item = _agenda_item(request, session, item_pk)
    direction = request.POST.get("direction", "")
    if direction not in {"up", "down"}:
        return HttpResponseBadRequest(_("Move an item up or down."))
    try:
        services.agenda_move(item=item, direction=direction, actor=request.user, request=request)
    except services.SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Moved up.") if direction == "up" else _("Moved down."))
    return _back_to_agenda(request, session)


@require_POST
def agenda_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    session = _agenda_session(request, pk)
    item = _agenda_item(request, session, item_pk)
    try:
        services.agenda_remove(item=item, actor=request.user, request=request)
    except services.SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Taken off the agenda."))
    return _back_to_agenda(request, session)


@require_POST
def session_reply_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply under the notes, by the supervisor or a participant (whoever may read the notes)."""
    session = get_session_for_user(request.user, pk)
    form = SessionReplyForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.session_reply_add(
                session=session, author=request.user, text=form.cleaned_data["text"], request=request
            )
        except services.SessionError as error:
            # No longer a held session (marked missed meanwhile): the words stay on the page.
            form.add_error(None, _("%(reason)s Your words are still here to copy.") % {"reason": error})
            status = 409
        else:
            messages.success(request, _("Your reply is added."))
            return redirect(session.get_absolute_url() + "#replies")
    context = _detail_context(request, session)
    context["reply_form"] = form
    context["reply_refused"] = status == 409
    return render(request, "rsc/sessions/session_detail.html", context, status=status)


@require_GET
def session_versions(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    audit.record(request, audit.Action.READ, session, detail={"page": "versions"})
    versions = session.note_versions.select_related("saved_by")
    context = {"session": session, "versions": versions, "redacted": audit.was_redacted(session)}
    return render(request, "rsc/sessions/session_versions.html", context)


def sessions_for_home(user) -> dict:
    """What the home page shows about sessions, by role."""
    context: dict = {}
    now = timezone.now()
    tz = zoneinfo.ZoneInfo(user.time_zone)
    today = timezone.localdate(timezone=tz)
    if user.is_supervisor:
        led = SupervisionSession.objects.led_by(user).select_related("agreement__supervisee", "group")
        end_of_today = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
        end_of_week = end_of_today + datetime.timedelta(days=6 - today.weekday())
        context["today_sessions"] = list(led.upcoming().filter(starts_at__lt=end_of_today).order_by("starts_at"))
        context["week_sessions"] = list(
            led.upcoming().filter(starts_at__gte=end_of_today, starts_at__lt=end_of_week).order_by("starts_at")
        )
        context["to_document"] = list(led.awaiting_documentation().order_by("starts_at")[:10])
        context["to_mark"] = list(
            led.filter(status=SupervisionSession.Status.SCHEDULED, starts_at__lt=now).order_by("-starts_at")[:10]
        )
    if user.is_practitioner:
        attending = SupervisionSession.objects.attended_by(user).select_related(
            "agreement__supervisee", "group", "supervisor"
        )
        context["next_session"] = (
            attending.upcoming()
            .prefetch_related(
                Prefetch(
                    "agenda_items",
                    queryset=AgendaItem.objects.select_related("family", "author").prefetch_related("family__children"),
                )
            )
            .order_by("starts_at")
            .first()
        )
        # Notes signed since the person last opened the session: one query, newest first.
        context["notes_signed"] = list(
            SupervisionSession.objects.signed_since_seen_by(user)
            .select_related("agreement__supervisee", "group", "supervisor")
            .order_by("-signed_at", "-pk")[:HOME_SIGNED_LIMIT]
        )
        context["open_follow_ups"] = list(
            FollowUp.objects.filter(owner=user, done_at__isnull=True, session__in=attending)
            .select_related("session")
            .order_by("due_on", "pk")[:10]
        )
        context["past_sessions"] = list(
            attending.filter(starts_at__lt=now, status=SupervisionSession.Status.HELD).order_by("-starts_at")[:5]
        )
    return context
