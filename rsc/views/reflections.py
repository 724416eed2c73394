"""Reflections: writing (with autosave), reading, sharing, responding, searching.

Every reflection is reached through the doors in rsc/access.py: the author's own, or one
shared with the reader now. Anything else is a 404, exactly as if it did not exist.

Every read of a reflection (its page, its versions, its editor) and every change is in the
audit trail; the changes are recorded by the services, in their transaction.
"""

import functools

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rsc import audit
from rsc.access import (
    can_write_reflections,
    get_deleted_reflection_for_author,
    get_reflection_for_author,
    get_reflection_for_reader,
)
from rsc.deidentify import find_identifying
from rsc.forms.reflections import (
    ReflectionForm,
    ResponseDraftForm,
    ResponseForm,
    SearchForm,
    ShareForm,
    UnshareForm,
)
from rsc.lib.dates import written
from rsc.models import Child, Family, SupervisionSession
from rsc.models.reflections import SECTIONS, Reflection, ReflectionShare, ResponseDraft
from rsc.services import reflections as services
from rsc.services import versions

PER_PAGE = 20


def writers_only(view):
    """Reflections belong to practitioners and supervisors; for anyone else they do not exist."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can_write_reflections(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _is_id(value: str) -> bool:
    """Digits 0-9 only: str.isdigit() also accepts "²" and other digits int() refuses."""
    return value.isascii() and value.isdigit()


def _is_autosave(request: HttpRequest) -> bool:
    return request.headers.get("X-Autosave") == "1"


# --- Lists and search -----------------------------------------------------------------------


@require_GET
@writers_only
def reflection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = SearchForm(request.GET or None)
    query, show, state = "", "all", ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        show = form.cleaned_data["show"] or "all"
        state = form.cleaned_data["state"]
    if show == "mine":
        reflections = Reflection.objects.written_by(user)
    elif show == "shared":
        reflections = Reflection.objects.shared_with(user)
    else:
        reflections = Reflection.objects.visible_to(user)
    active_shares = ReflectionShare.objects.filter(reflection=OuterRef("pk"), revoked_at__isnull=True)
    reflections = reflections.annotate(is_shared=Exists(active_shares))
    if state == "draft":
        reflections = reflections.filter(is_shared=False)
    elif state == "shared":
        reflections = reflections.filter(is_shared=True)
    reflections = services.with_new_responses(reflections, user)
    unread = ReflectionShare.objects.filter(
        reflection=OuterRef("pk"), supervisor=user, revoked_at__isnull=True, first_read_at__isnull=True
    )
    reflections = reflections.annotate(unread=Exists(unread)).select_related("author", "family", "session")
    reflections = services.search(reflections, query) if query else reflections.order_by("-updated_at", "-pk")
    page = Paginator(reflections, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rsc/reflections/reflection_list.html",
        {
            "page": page,
            "form": form,
            "query": query,
            "show": show,
            "state": state,
            "has_deleted": Reflection.objects.filter(author=user, deleted_at__isnull=False).exists(),
        },
    )


@require_GET
@writers_only
def reflection_deleted_list(request: HttpRequest) -> HttpResponse:
    reflections = Reflection.objects.filter(
        organization_id=request.user.organization_id, author=request.user, deleted_at__isnull=False
    ).select_related("family")
    page = Paginator(reflections.order_by("-deleted_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rsc/reflections/reflection_deleted_list.html", {"page": page})


# --- Writing --------------------------------------------------------------------------------


def _children_for(family: Family | None) -> list[Child]:
    return list(family.children.order_by("birth_month", "pk")) if family else []


def _findings(form: ReflectionForm, kept: list[str]) -> list[tuple]:
    """Identifying-looking passages in what was typed, with the section each is in."""
    found = []
    labels = {section.field: section.label for section in SECTIONS}
    labels["title"] = _("Title")
    labels["checkin_words"] = _("Check-in")
    for field, label in labels.items():
        for finding in find_identifying(form.cleaned_data.get(field) or ""):
            if finding.passage not in kept:
                found.append((label, finding))
    return found


def _shown_passages(request: HttpRequest, findings: list[tuple]) -> list[str]:
    """The passages the author saw in the warning and chose to keep; a passage typed since
    (not yet shown) still gets its own warning."""
    shown = set(request.POST.getlist("keep_passage"))
    return [finding.passage for _label, finding in findings if finding.passage in shown]


def _render_editor(request, form, reflection, *, conflict=None, findings=(), status=200, family=None) -> HttpResponse:
    if form.is_bound and form.is_valid():
        family = form.cleaned_data.get("family")
    elif reflection is not None:
        family = reflection.family
    rotation = (reflection.pk if reflection else timezone.localdate().toordinal()) or 0
    rows = []
    for section in SECTIONS:
        start = rotation % len(section.prompts)
        rows.append((section, form[section.field], section.prompts[start:] + section.prompts[:start]))
    context = {
        "form": form,
        "reflection": reflection,
        "rows": rows,
        "children": _children_for(family),
        "conflict": conflict,
        "conflict_sections": _conflict_sections(form, conflict) if conflict else [],
        "findings": findings,
    }
    return render(request, "rsc/reflections/reflection_form.html", context, status=status)


def _conflict_sections(form: ReflectionForm, current: Reflection) -> list[tuple]:
    """The sections where the saved text and the text in this editor differ."""
    rows = []
    mine = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    for section in SECTIONS:
        saved = getattr(current, section.field)
        typed = mine.get(section.field, form.data.get(section.field, ""))
        if saved != typed:
            rows.append((section, saved, typed))
    return rows


def _redacted_message(count: int) -> str:
    return ngettext(
        "The passage you removed is also taken out of %(count)d earlier version.",
        "The passage you removed is also taken out of %(count)d earlier versions.",
        count,
    ) % {"count": count}


def _autosave_answer(request, form, reflection, *, created=False, redacted=0) -> JsonResponse:
    findings = _findings(form, reflection.kept_passages)
    saved_at = timezone.localtime(reflection.updated_at)
    message = _("Saved at %(time)s") % {"time": written(saved_at, "time")}
    if redacted:
        message = f"{message}. {_redacted_message(redacted)}"
    return JsonResponse(
        {
            "saved": True,
            "revision": reflection.revision,
            "saved_at": written(saved_at, "time"),
            "message": message,
            "redacted": redacted,
            "edit_url": reflection.get_absolute_url() + "edit/",
            "created": created,
            "warnings": render_to_string(
                "rsc/reflections/_identifying.html", {"findings": findings, "form": form}, request=request
            ),
        }
    )


def _invalid_answer(form: forms.Form) -> JsonResponse:
    errors = [str(error) for errors in form.errors.values() for error in errors]
    return JsonResponse(
        {"saved": False, "message": _("Not saved: %(errors)s") % {"errors": " ".join(errors)}}, status=400
    )


@require_http_methods(["GET", "POST"])
@writers_only
def reflection_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"revision": 0, "sitting": services.new_sitting()}
    if request.method == "GET":
        # Starting from a family or a session page fills in what it is about.
        form = ReflectionForm(author=user, initial=initial)
        family = None
        for name in ("family", "session"):
            value = request.GET.get(name, "")
            chosen = form.fields[name].queryset.filter(pk=value).first() if _is_id(value) else None
            if chosen is not None:
                form.initial[name] = chosen.pk
                family = chosen if name == "family" else family
        return _render_editor(request, form, None, family=family)

    form = ReflectionForm(request.POST, author=user)
    if not form.is_valid():
        if _is_autosave(request):
            return _invalid_answer(form)
        return _render_editor(request, form, None)
    if not form.has_text():
        if _is_autosave(request):
            return JsonResponse({"saved": False, "message": ""})
        form.add_error(None, _("Write a few words in any section before saving."))
        return _render_editor(request, form, None)
    findings = _findings(form, [])
    if findings and not form.cleaned_data["keep_identifying"] and not _is_autosave(request):
        return _render_editor(request, form, None, findings=findings)
    reflection = services.reflection_create(
        author=user, data=form.data_for_save(), sitting=form.cleaned_data["sitting"], request=request
    )
    if form.cleaned_data["keep_identifying"]:
        services.keep_passages(reflection=reflection, passages=_shown_passages(request, findings))
    if _is_autosave(request):
        return _autosave_answer(request, form, reflection, created=True)
    return _after_save(request, reflection)


def _after_save(request: HttpRequest, reflection: Reflection) -> HttpResponse:
    if request.POST.get("then") == "share":
        return redirect("reflection_share", pk=reflection.pk)
    messages.success(request, _("Your reflection is saved."))
    return redirect(reflection)


@require_http_methods(["GET", "POST"])
@writers_only
def reflection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_author(request.user, pk)
    if request.method == "GET":
        # The editor shows the text: a read, like the reflection's page.
        audit.record(request, audit.Action.READ, reflection, detail={"page": "editor"})
        form = ReflectionForm(
            author=request.user,
            reflection=reflection,
            initial={
                **reflection.texts(),
                "title": reflection.title,
                "family": reflection.family_id,
                "session": reflection.session_id,
                "checkin_score": reflection.checkin_score,
                "checkin_words": reflection.checkin_words,
                "revision": reflection.revision,
                "sitting": services.new_sitting(),
            },
        )
        return _render_editor(request, form, reflection)

    form = ReflectionForm(request.POST, author=request.user, reflection=reflection)
    autosave = _is_autosave(request)
    if not form.is_valid():
        return _invalid_answer(form) if autosave else _render_editor(request, form, reflection)
    if form.cleaned_data["revision"] != reflection.revision:
        # A stale editor is answered before any text is examined: a conflict costs next to nothing.
        return _conflict_answer(request, form, reflection, reflection, autosave=autosave)
    if not autosave and not form.has_text():
        form.add_error(None, _("Write a few words in any section before saving."))
        return _render_editor(request, form, reflection)
    findings = _findings(form, reflection.kept_passages)
    if form.cleaned_data["keep_identifying"] and findings:
        kept = _shown_passages(request, findings)
        services.keep_passages(reflection=reflection, passages=kept)
        findings = [(label, finding) for label, finding in findings if finding.passage not in kept]
    if findings and not autosave:
        return _render_editor(request, form, reflection, findings=findings)
    try:
        reflection, _changed, redacted = services.reflection_save(
            reflection=reflection,
            actor=request.user,
            data=form.data_for_save(),
            expected_revision=form.cleaned_data["revision"],
            sitting=form.cleaned_data["sitting"],
            request=request,
        )
    except services.ReflectionConflict as conflict:
        return _conflict_answer(request, form, reflection, conflict.current, autosave=autosave)
    if autosave:
        return _autosave_answer(request, form, reflection, redacted=redacted)
    if redacted:
        messages.info(request, _redacted_message(redacted))
    return _after_save(request, reflection)


def _conflict_answer(request, form, reflection, current, *, autosave: bool) -> HttpResponse:
    """The saved text is newer than the one this editor started from: show both."""
    if autosave:
        html = render_to_string(
            "rsc/reflections/_conflict.html",
            {"conflict": current, "conflict_sections": _conflict_sections(form, current), "autosave": True},
            request=request,
        )
        return JsonResponse({"conflict": True, "revision": current.revision, "html": html}, status=409)
    # Keep what this person typed and show the saved text beside it; saving again
    # (now naming the newer revision) is a deliberate choice to keep theirs.
    data = request.POST.copy()
    data["revision"] = str(current.revision)
    form = ReflectionForm(data, author=request.user, reflection=reflection)
    form.is_valid()
    return _render_editor(request, form, reflection, conflict=current, status=409)


@require_GET
@writers_only
def reflection_children(request: HttpRequest) -> HttpResponse:
    """The children of one of the person's families, with their ages, beside the baby's section."""
    value = request.GET.get("family", "")
    family = services.families_for_author(request.user).filter(pk=value).first() if _is_id(value) else None
    return render(request, "rsc/reflections/_children.html", {"children": _children_for(family)})


# --- Reading, sharing, responding -----------------------------------------------------------


@require_GET
@writers_only
def reflection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    reflection = get_reflection_for_reader(user, pk)
    context = _detail_context(reflection, user)
    services.mark_read(reflection=reflection, reader=user)
    audit.record(request, audit.Action.READ, reflection)
    context["response_form"] = _response_form(reflection, user)
    return render(request, "rsc/reflections/reflection_detail.html", context)


def _detail_context(reflection: Reflection, user) -> dict:
    """Everything the reflection's page shows, but the response form."""
    is_author = reflection.author_id == user.pk
    responses = list(reflection.responses.select_related("author"))
    seen = reflection.author_seen_at
    new_ids = {
        response.pk
        for response in responses
        if is_author and response.author_id != user.pk and (seen is None or response.created_at > seen)
    }
    context = {
        "reflection": reflection,
        "is_author": is_author,
        "sections": [(section, getattr(reflection, section.field)) for section in SECTIONS],
        "responses": responses,
        "new_ids": new_ids,
    }
    if is_author:
        shares = list(reflection.shares.select_related("supervisor"))
        context.update(
            touched=reflection.touched(),
            active_shares=[share for share in shares if share.is_active],
            past_shares=[share for share in shares if not share.is_active],
            version_count=reflection.versions.count(),
            # Transparency: who has read it and when, from the audit trail; never the author's own reads.
            readers=services.readers(reflection),
        )
    if reflection.family_id:
        context["children"] = _children_for(reflection.family)
        # A supervisor may read a reflection without seeing the family's page: link only where it opens.
        context["family_visible"] = Family.objects.visible_to(user).filter(pk=reflection.family_id).exists()
    if reflection.session_id:
        context["session_visible"] = (
            SupervisionSession.objects.visible_to(user).filter(pk=reflection.session_id).exists()
        )
    return context


def _response_form(reflection: Reflection, user) -> ResponseForm | None:
    """Anyone reading may respond, once the reflection has been shared with someone."""
    if not reflection.shares.exists():
        return None
    draft = ResponseDraft.objects.filter(reflection=reflection, author=user).first()
    return ResponseForm(initial={"text": draft.text if draft else ""})


@require_http_methods(["GET", "POST"])
@writers_only
def reflection_share(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_author(request.user, pk)
    reflection = (
        Reflection.objects.select_related("family", "session__supervisor", "author")
        .prefetch_related(Prefetch("family__children", queryset=Child.objects.order_by("birth_month")))
        .get(pk=reflection.pk)
    )
    prompt = services.baby_prompt(reflection)
    active = set(reflection.shares.filter(revoked_at__isnull=True).values_list("supervisor_id", flat=True))
    initial = {"supervisors": [reflection.session.supervisor_id]} if reflection.session_id else {}
    # An empty POST (nobody ticked) is still a POST: it must show the error, not the blank page.
    form = ShareForm(request.POST if request.method == "POST" else None, reflection=reflection, initial=initial)
    adding_words = request.method == "POST" and prompt is not None and request.POST.get("baby") != "skip"
    findings = _share_findings(reflection, request.POST.get("baby_words", "") if adding_words else "")
    if request.method == "POST" and form.is_valid() and findings:
        # Sharing waits until each passage is taken out or kept on purpose.
        if form.cleaned_data["keep_identifying"]:
            kept = _shown_passages(request, findings)
            services.keep_passages(reflection=reflection, passages=kept)
            findings = [(label, finding) for label, finding in findings if finding.passage not in kept]
        if findings:
            form.add_error(None, _("Before sharing, take out the passages below or keep them as they are."))
    if request.method == "POST" and form.is_valid():
        words = form.cleaned_data["baby_words"].strip()
        if words and adding_words:
            try:
                reflection, _changed, _redacted = services.reflection_save(
                    reflection=reflection,
                    actor=request.user,
                    data={"baby_experience": words},
                    expected_revision=reflection.revision,
                    request=request,
                )
            except services.ReflectionConflict:
                messages.error(request, _("The reflection changed meanwhile. Please look at it again."))
                return redirect(reflection)
        supervisors = list(form.cleaned_data["supervisors"])
        services.reflection_share(reflection=reflection, supervisors=supervisors, request=request)
        messages.success(
            request,
            _("Shared with %(people)s.") % {"people": ", ".join(person.full_name for person in supervisors)},
        )
        return redirect(reflection)
    return render(
        request,
        "rsc/reflections/reflection_share.html",
        {
            "reflection": reflection,
            "form": form,
            "prompt": prompt,
            "already_shared": active,
            "findings": findings,
        },
    )


def _share_findings(reflection: Reflection, baby_words: str) -> list[tuple]:
    """Identifying-looking passages in what is about to be shared (with any words about the baby
    added on the way), except those the author chose to keep."""
    texts = [(_("Title"), reflection.title)]
    texts += [(section.label, getattr(reflection, section.field)) for section in SECTIONS]
    texts.append((_("A few words about the baby"), baby_words))
    return [
        (label, finding)
        for label, text in texts
        for finding in find_identifying(text)
        if finding.passage not in reflection.kept_passages
    ]


@require_POST
@writers_only
def reflection_unshare(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_author(request.user, pk)
    form = UnshareForm(request.POST)
    if form.is_valid() and services.reflection_unshare(
        reflection=reflection, supervisor_id=form.cleaned_data["supervisor"], request=request
    ):
        messages.success(request, _("No longer shared with that person."))
    else:
        messages.info(request, _("That person did not have this reflection."))
    return redirect(reflection)


@require_POST
@writers_only
def response_create(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_reader(request.user, pk)
    if not reflection.shares.exists():
        raise Http404
    form = ResponseForm(request.POST)
    if form.is_valid():
        services.response_add(
            reflection=reflection, author=request.user, text=form.cleaned_data["text"], request=request
        )
        messages.success(request, _("Your response is added."))
        return redirect(reflection.get_absolute_url() + "#thread")
    # The page as it was, with who can read it, and the error beside the typed text.
    context = {**_detail_context(reflection, request.user), "response_form": form}
    return render(request, "rsc/reflections/reflection_detail.html", context, status=400)


@require_POST
@writers_only
def response_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave of a response being written."""
    reflection = get_reflection_for_reader(request.user, pk)
    if not reflection.shares.exists():
        raise Http404
    # Validated like the response itself (length, no NUL characters), but empty is fine.
    form = ResponseDraftForm(request.POST)
    if not form.is_valid():
        return _invalid_answer(form)
    draft = services.response_draft_save(reflection=reflection, author=request.user, text=form.cleaned_data["text"])
    saved_at = written(draft.updated_at, "time")
    return JsonResponse({"saved": True, "message": _("Draft saved at %(time)s") % {"time": saved_at}})


@require_GET
@writers_only
def reflection_versions(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_reader(request.user, pk)
    is_author = reflection.author_id == request.user.pk
    if not is_author:
        # The newest version is the current text: a supervisor reading it here has read it, so the
        # author's next autosave starts a new version and keeps what they read.
        services.mark_read(reflection=reflection, reader=request.user)
    audit.record(request, audit.Action.READ, reflection, detail={"page": "versions"})
    # A supervisor sees only what was shared with them: nothing from before, or from while unshared.
    readable = versions.versions_for_reader(reflection, request.user).select_related("saved_by")
    page = Paginator(readable, 10).get_page(request.GET.get("page"))
    return render(
        request,
        "rsc/reflections/reflection_versions.html",
        {
            "reflection": reflection,
            "page": page,
            "is_author": is_author,
            # Said to a reader only where what they see shows it.
            "redacted": audit.was_redacted(reflection)
            and (is_author or any(version.shows_removed for version in page.object_list)),
        },
    )


@require_http_methods(["GET", "POST"])
@writers_only
def reflection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_reflection_for_author(request.user, pk)
    if request.method == "POST":
        services.reflection_delete(reflection=reflection, request=request)
        messages.success(request, _("The reflection is deleted. You can restore it from “Deleted reflections”."))
        return redirect("reflection_list")
    return render(request, "rsc/reflections/reflection_delete.html", {"reflection": reflection})


@require_POST
@writers_only
def reflection_restore(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_deleted_reflection_for_author(request.user, pk)
    services.reflection_restore(reflection=reflection, request=request)
    messages.success(request, _("The reflection is back."))
    return redirect(reflection)


# --- The author's own page ------------------------------------------------------------------


# Chart geometry, in SVG user units.
CHART_TOP, CHART_HEIGHT, BAR_WIDTH, GROUP_WIDTH, CHART_LEFT = 10, 120, 16, 84, 44


def _perspective_bars(months: list[services.MonthSummary]) -> list[dict]:
    bars = []
    for index, month in enumerate(months):
        x = CHART_LEFT + index * GROUP_WIDTH + 12
        group = {"month": month, "label_x": x + 1.5 * BAR_WIDTH + 2, "bars": []}
        for offset, field in enumerate(services.SUMMARY_FIELDS):
            share = month.share(field)
            height = round(CHART_HEIGHT * share / 100, 1)
            group["bars"].append(
                {
                    "field": field,
                    "share": share,
                    "x": x + offset * (BAR_WIDTH + 2),
                    "y": CHART_TOP + CHART_HEIGHT - height,
                    "height": height,
                }
            )
        bars.append(group)
    return bars


def _checkin_points(checkins: list[services.CheckIn]) -> list[dict]:
    step = 520 / max(1, len(checkins) - 1)
    return [
        {"checkin": checkin, "x": round(CHART_LEFT + index * step, 1), "y": CHART_TOP + (5 - checkin.score) * 30}
        for index, checkin in enumerate(checkins)
    ]


@require_GET
@writers_only
def reflection_insights(request: HttpRequest) -> HttpResponse:
    """For the author alone: which perspectives their reflections touch, and their check-ins."""
    months = services.perspectives_summary(request.user)
    checkins = services.checkin_trend(request.user)
    points = _checkin_points(checkins)
    return render(
        request,
        "rsc/reflections/reflection_insights.html",
        {
            "months": months,
            "groups": _perspective_bars(months),
            "total": sum(month.total for month in months),
            "checkins": checkins,
            "points": points,
            "polyline": " ".join(f"{point['x']},{point['y']}" for point in points),
            "summary_sections": [section for section in SECTIONS if section.field in services.SUMMARY_FIELDS],
            "chart_width": CHART_LEFT + len(months) * GROUP_WIDTH + 10,
            "baseline": CHART_TOP + CHART_HEIGHT,
        },
    )


def reflections_for_home(user) -> dict:
    """What the home page shows about reflections: new responses, and what was shared with me."""
    if not can_write_reflections(user):
        return {}
    mine = services.with_new_responses(Reflection.objects.written_by(user), user).filter(new_responses__gt=0)
    shared = (
        Reflection.objects.shared_with(user)
        .annotate(
            unread=Exists(
                ReflectionShare.objects.filter(
                    reflection=OuterRef("pk"), supervisor=user, revoked_at__isnull=True, first_read_at__isnull=True
                )
            )
        )
        .filter(unread=True)
        .select_related("author", "family")
    )
    return {
        "reflections_with_responses": list(mine.select_related("family").order_by("-updated_at")[:5]),
        "reflections_shared_unread": list(shared.order_by("-updated_at")[:5]),
    }
