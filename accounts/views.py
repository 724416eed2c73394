from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.access import get_person_for_admin, organization_for_admin, people_for_admin
from accounts.forms import (
    ROLE_HELP,
    InviteForm,
    OrganizationSettingsForm,
    PeopleFilterForm,
    ProfileForm,
    RolesForm,
    SetPasswordForm,
)
from accounts.models import User
from rsc import audit

PEOPLE_PER_PAGE = 25


def admin_only(view):
    """404 for anyone but an account administrator, before anything else is asked of them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        people_for_admin(request.user)
        return view(request, *args, **kwargs)

    return wrapper


# An administrator's changes need a recent password confirmation (allauth
# keeps the submitted form and resumes it after the password is confirmed).
confirm_password = reauthentication_required(allow_get=True)


@admin_only
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    people = people_for_admin(request.user)
    form = PeopleFilterForm(request.GET)
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
        people = people.with_status(form.cleaned_data["status"]).with_role(form.cleaned_data["role"])
    page = Paginator(people.order_by("full_name", "email"), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    return render(request, "accounts/people_list.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
@confirm_password
def person_invite(request: HttpRequest) -> HttpResponse:
    organization = organization_for_admin(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.person_invite(
            organization=organization, invited_by=request.user, request=request, **form.cleaned_data
        )
        messages.success(
            request,
            _("The invitation to %(name)s (%(email)s) is on its way. The link will work for %(days)s days.")
            % {"name": person.full_name, "email": person.email, "days": settings.INVITATION_DAYS},
        )
        return redirect("person_detail", pk=person.pk)
    return render(request, "accounts/person_invite.html", {"form": form, "role_help": ROLE_HELP})


@admin_only
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    form = RolesForm(person=person, acting_user=request.user, initial={"roles": person.roles})
    return _render_person(request, person, form)


def _render_person(request: HttpRequest, person: User, form: RolesForm, status: int = 200) -> HttpResponse:
    invitation = person.invitations.first() if not person.invitation_accepted else None
    context = {"person": person, "form": form, "invitation": invitation, "role_help": ROLE_HELP}
    return render(request, "accounts/person_detail.html", context, status=status)


@admin_only
@require_POST
@confirm_password
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    form = RolesForm(request.POST, person=person, acting_user=request.user)
    if not form.is_valid():
        return _render_person(request, person, form, status=400)
    services.person_set_roles(user=person, roles=form.cleaned_data["roles"], request=request)
    messages.success(request, _("Roles for %(name)s saved.") % {"name": person.full_name})
    return redirect("person_detail", pk=person.pk)


@admin_only
@require_POST
@confirm_password
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
    elif person.is_active:
        services.person_deactivate(user=person, request=request)
        messages.success(
            request, _("%(name)s is deactivated and has been signed out everywhere.") % {"name": person.full_name}
        )
    return redirect("person_detail", pk=person.pk)


@admin_only
@require_POST
@confirm_password
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    if not person.is_active:
        services.person_reactivate(user=person, request=request)
        messages.success(request, _("%(name)s can sign in again.") % {"name": person.full_name})
    return redirect("person_detail", pk=person.pk)


@admin_only
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    if person.is_active and not person.invitation_accepted:
        services.invitation_send(user=person, invited_by=request.user, request=request)
        messages.success(
            request,
            _("A new invitation to %(name)s is on its way; earlier links no longer work.") % {"name": person.full_name},
        )
    return redirect("person_detail", pk=person.pk)


@admin_only
@require_http_methods(["GET", "POST"])
@confirm_password
def organization_settings(request: HttpRequest) -> HttpResponse:
    organization = organization_for_admin(request.user)
    form = OrganizationSettingsForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if form.changed_data:
                # The names of the settings only, never their values (the confidentiality text among them).
                detail = {"fields": sorted(form.changed_data)}
                audit.record(request, audit.Action.SETTINGS_CHANGE, organization, detail=detail)
        messages.success(request, _("Organization settings saved."))
        return redirect("organization_settings")
    return render(request, "accounts/organization_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated and request.user.pk != invitation.user_id:
        messages.info(request, _("Sign out first to accept an invitation for someone else."))
        return redirect("home")
    form = SetPasswordForm(request.POST or None, user=invitation.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"], request=request
            )
        except services.InvitationUnusable:
            # Used meanwhile, as by a second click or tab: answered like any spent link.
            return render(request, "accounts/invitation_invalid.html", status=404)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(
            request, _("Welcome to %(organization)s on RSC Records.") % {"organization": user.organization}
        )
        return redirect(reverse("home"))
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})
