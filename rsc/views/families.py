"""Family pages. Reading goes through Family.objects.visible_to, changing through
Family.objects.editable_by; anyone else gets a 404, as if the family did not exist.

Account administrators who neither serve families nor supervise see no family
page at all, only the metadata of deleted families, so they can restore one.
"""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import organization_for_admin
from accounts.models import User
from rsc import audit
from rsc.forms.families import (
    CaregiverFormSet,
    ChildFormSet,
    FamilyCloseForm,
    FamilyFilterForm,
    FamilyForm,
)
from rsc.forms.identifying import form_warnings, has_other_errors
from rsc.models import Family, Reflection, SupervisionSession
from rsc.services import families as services

FAMILIES_PER_PAGE = 25
DELETED_PER_PAGE = 25
SESSIONS_SHOWN = 50


def practice_only(view):
    """404 for anyone who neither serves families nor supervises someone who does."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_practitioner or request.user.is_supervisor):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def practitioners_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_practitioner:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _with_people(families):
    return families.prefetch_related(
        "children", Prefetch("practitioners", queryset=User.objects.only("pk", "full_name", "email"))
    )


def admins_only(view):
    """404 for anyone but an account administrator, before anything else is asked of them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        organization_for_admin(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _editable_family(request: HttpRequest, pk: int) -> Family:
    return get_object_or_404(Family.objects.editable_by(request.user), pk=pk)


@practice_only
@require_GET
def family_list(request: HttpRequest) -> HttpResponse:
    families = Family.objects.visible_to(request.user)
    form = FamilyFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else FamilyFilterForm.DEFAULTS
    if filters["state"] == FamilyFilterForm.OPEN:
        families = families.open()
    elif filters["state"] == FamilyFilterForm.CLOSED:
        families = families.closed()
    if filters["q"].strip():
        families = families.filter(code__icontains=filters["q"].strip())
    if filters["context"]:
        families = families.filter(context=filters["context"])
    page = Paginator(_with_people(families).order_by("code", "pk"), FAMILIES_PER_PAGE).get_page(request.GET.get("page"))
    filtered = any(filters[name] != value for name, value in FamilyFilterForm.DEFAULTS.items())
    context = {"form": form, "page": page, "filtered": filtered}
    return render(request, "rsc/families/family_list.html", context)


def _formsets(request: HttpRequest, family: Family) -> tuple[ChildFormSet, CaregiverFormSet]:
    data = request.POST if request.method == "POST" else None
    return (
        ChildFormSet(data, instance=family, prefix="children"),
        CaregiverFormSet(data, instance=family, prefix="caregivers"),
    )


def _saved_data(form: FamilyForm, children: ChildFormSet, caregivers: CaregiverFormSet) -> dict:
    child_rows, removed_children = children.changes()
    caregiver_rows, removed_caregivers = caregivers.changes()
    return {
        "code": form.cleaned_data["code"],
        "context": form.cleaned_data["context"],
        "opened_on": form.cleaned_data["opened_on"],
        "children": child_rows,
        "caregivers": caregiver_rows,
        "removed_children": removed_children,
        "removed_caregivers": removed_caregivers,
    }


def _render_form(
    request: HttpRequest,
    form: FamilyForm,
    children: ChildFormSet,
    caregivers: CaregiverFormSet,
    family: Family | None = None,
) -> HttpResponse:
    sections = [
        (
            children,
            _("Children"),
            _("Initials or a nickname and the month of birth, so their age is always up to date."),
            _("For each child you add, both the initials or nickname and the birth month are needed."),
            _("Add more children"),
        ),
        (
            caregivers,
            _("Caregivers"),
            _("The adults who care for the children, by their relationship to them."),
            _("For each caregiver you add, the relationship is needed; the rest is optional."),
            _("Add more caregivers"),
        ),
    ]
    has_errors = form.is_bound and not all([form.is_valid(), children.is_valid(), caregivers.is_valid()])
    # Passages that may identify someone get their own gentle warning, not the "look again" banner.
    warnings = form_warnings(children, caregivers) if has_errors else []
    rows = [form, *children.forms, *caregivers.forms]
    has_errors = has_errors and (
        any(has_other_errors(row) for row in rows) or bool(children.non_form_errors() or caregivers.non_form_errors())
    )
    context = {"form": form, "sections": sections, "family": family, "has_errors": has_errors, "warnings": warnings}
    return render(request, "rsc/families/family_form.html", context)


@practitioners_only
@require_http_methods(["GET", "POST"])
def family_create(request: HttpRequest) -> HttpResponse:
    form = FamilyForm(request.POST or None, user=request.user)
    children, caregivers = _formsets(request, Family())
    if request.method == "POST" and all([form.is_valid(), children.is_valid(), caregivers.is_valid()]):
        data = _saved_data(form, children, caregivers)
        del data["removed_children"], data["removed_caregivers"]
        family = services.family_create(
            organization=request.user.organization,
            created_by=request.user,
            practitioners=form.cleaned_data["colleagues"],
            request=request,
            **data,
        )
        messages.success(request, _("Family %(code)s is added.") % {"code": family.code})
        return redirect(family)
    return _render_form(request, form, children, caregivers)


@practice_only
@require_GET
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_object_or_404(
        _with_people(Family.objects.visible_to(request.user)).prefetch_related("caregivers"), pk=pk
    )
    audit.record(request, audit.Action.READ, family)
    return _render_detail(request, family, FamilyCloseForm(family=family))


def _session_rows(sessions) -> list[tuple[SupervisionSession, str | None]]:
    """Sessions with their page address; without one while the session pages do not exist."""
    try:
        return [(session, session.get_absolute_url()) for session in sessions]
    except NoReverseMatch:
        return [(session, None) for session in sessions]


def _render_detail(request: HttpRequest, family: Family, close_form: FamilyCloseForm, status: int = 200):
    sessions = list(
        SupervisionSession.objects.visible_to(request.user)
        .filter(agenda_items__family=family)
        .select_related("supervisor", "agreement__supervisee", "group")
        .distinct()
        .order_by("-starts_at", "-pk")[: SESSIONS_SHOWN + 1]
    )
    context = {
        "family": family,
        # The same rule as Family.objects.editable_by, read from the prefetched assignments.
        "can_edit": any(person.pk == request.user.pk for person in family.practitioners.all()),
        "close_form": close_form,
        "sessions": _session_rows(sessions[:SESSIONS_SHOWN]),
        "more_sessions": len(sessions) > SESSIONS_SHOWN,
        "reflections": list(
            Reflection.objects.visible_to(request.user)
            .filter(family=family)
            .select_related("author")
            .order_by("-updated_at", "-pk")[:SESSIONS_SHOWN]
        ),
    }
    return render(request, "rsc/families/family_detail.html", context, status=status)


@practice_only
@require_http_methods(["GET", "POST"])
def family_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = _editable_family(request, pk)
    form = FamilyForm(request.POST or None, instance=family, user=request.user)
    children, caregivers = _formsets(request, family)
    if request.method == "POST" and all([form.is_valid(), children.is_valid(), caregivers.is_valid()]):
        data = _saved_data(form, children, caregivers)
        services.family_update(
            family=family, practitioners=[request.user, *form.cleaned_data["colleagues"]], request=request, **data
        )
        messages.success(request, _("Your changes to %(code)s are saved.") % {"code": family.code})
        return redirect(family)
    if request.method == "GET":
        # The form shows the family's details, caregivers' notes included: a read.
        audit.record(request, audit.Action.READ, family, detail={"page": "editor"})
    return _render_form(request, form, children, caregivers, family=family)


@practice_only
@require_POST
def family_close(request: HttpRequest, pk: int) -> HttpResponse:
    families = _with_people(Family.objects.editable_by(request.user)).prefetch_related("caregivers")
    family = get_object_or_404(families, pk=pk)
    if not family.is_open:
        return redirect(family)
    form = FamilyCloseForm(request.POST, family=family)
    if not form.is_valid():
        return _render_detail(request, family, form, status=400)
    services.family_close(
        family=family, closed_on=form.cleaned_data["closed_on"], closed_by=request.user, request=request
    )
    messages.success(request, _("%(code)s is closed. Everything recorded stays here.") % {"code": family.code})
    return redirect(family)


@practice_only
@require_POST
def family_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    family = _editable_family(request, pk)
    if not family.is_open:
        services.family_reopen(family=family, request=request)
        messages.success(request, _("%(code)s is open again.") % {"code": family.code})
    return redirect(family)


@practice_only
@require_http_methods(["GET", "POST"])
def family_delete(request: HttpRequest, pk: int) -> HttpResponse:
    family = _editable_family(request, pk)
    if request.method == "POST":
        services.family_delete(family=family, deleted_by=request.user, request=request)
        messages.success(
            request,
            _("%(code)s is deleted. If that was a mistake, an account administrator can restore it.")
            % {"code": family.code},
        )
        return redirect("family_list")
    return render(request, "rsc/families/family_delete.html", {"family": family})


def _deleted_families_for_admin(user: User):
    """The administrator's door to deleted families: metadata only, own organization, 404 for anyone else."""
    organization = organization_for_admin(user)
    return Family.objects.filter(organization=organization, deleted_at__isnull=False)


@admins_only
@require_GET
def family_deleted_list(request: HttpRequest) -> HttpResponse:
    families = _deleted_families_for_admin(request.user).select_related("deleted_by")
    page = Paginator(families.order_by("-deleted_at", "pk"), DELETED_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rsc/families/family_deleted_list.html", {"page": page})


@admins_only
@require_POST
def family_restore(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_object_or_404(_deleted_families_for_admin(request.user), pk=pk)
    services.family_restore(family=family, request=request)
    messages.success(request, _("%(code)s is restored; its practitioners can see it again.") % {"code": family.code})
    return redirect("family_deleted_list")
