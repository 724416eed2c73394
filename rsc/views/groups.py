"""RSC groups: administrators set them up; facilitators and members look them up.

Every fetch goes through the access functions in rsc/access.py; anything else answers 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import organization_for_admin, people_for_admin
from accounts.models import User
from accounts.views import admin_only, confirm_password
from rsc.access import get_group, groups_for_admin, groups_visible_to, is_organization_admin
from rsc.forms.agreements import GroupForm
from rsc.services import groups as services

PER_PAGE = 25


@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    groups = (
        groups_visible_to(request.user)
        .select_related("facilitator")
        .prefetch_related(Prefetch("members", queryset=User.objects.order_by("full_name", "email")))
        .order_by("-is_active", "name")
    )
    page = Paginator(groups, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "is_admin": is_organization_admin(request.user)}
    return render(request, "rsc/groups/group_list.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
@confirm_password
def group_create(request: HttpRequest) -> HttpResponse:
    organization = organization_for_admin(request.user)
    form = GroupForm(request.POST or None, organization=organization, people=people_for_admin(request.user))
    if request.method == "POST" and form.is_valid():
        group = services.group_create(organization=organization, request=request, **form.cleaned_data)
        messages.success(request, _("The group %(name)s is saved.") % {"name": group.name})
        return redirect("group_detail", pk=group.pk)
    return render(request, "rsc/groups/group_form.html", {"form": form})


@admin_only
@require_http_methods(["GET", "POST"])
@confirm_password
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group(groups_for_admin(request.user), pk)
    initial = {
        "name": group.name,
        "facilitator": group.facilitator_id,
        "members": list(group.members.values_list("pk", flat=True)),
        "is_active": group.is_active,
    }
    form = GroupForm(
        request.POST or None,
        organization=request.user.organization,
        people=people_for_admin(request.user),
        group=group,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        services.group_update(group=group, request=request, **form.cleaned_data)
        messages.success(request, _("The group %(name)s is saved.") % {"name": group.name})
        return redirect("group_detail", pk=group.pk)
    return render(request, "rsc/groups/group_form.html", {"form": form, "group": group})


@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group(groups_visible_to(request.user), pk)
    members = group.members.order_by("full_name", "email")
    context = {"group": group, "members": members, "is_admin": is_organization_admin(request.user)}
    return render(request, "rsc/groups/group_detail.html", context)
