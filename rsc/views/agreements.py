"""Supervision agreements (RSC groups: rsc/views/groups.py).

Administrators set them up; the people in them read, acknowledge and look
them up. Every fetch goes through the access functions at the top of this
module, which put the person in the filter; anything else answers 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, F, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import organization_for_admin, people_for_admin
from accounts.models import User
from accounts.views import admin_only, confirm_password
from rsc.access import (
    agreements_for_admin,
    agreements_visible_to,
    get_agreement,
    is_organization_admin,
    with_status,
)
from rsc.forms.agreements import (
    AcknowledgeForm,
    AgreementCreateForm,
    AgreementEndForm,
    AgreementFilterForm,
    AgreementTermsForm,
    Status,
    limits_digest,
)
from rsc.lib.dates import written
from rsc.models.agreements import RSCGroup, SupervisionAgreement
from rsc.services import agreements as services

PER_PAGE = 25


# Agreements --------------------------------------------------------------------


@admin_only
@require_GET
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = agreements_for_admin(request.user)
    form = AgreementFilterForm(request.GET)
    status, query = form.status_value(), form.query_value()
    today = timezone.localdate()
    if status == Status.ACTIVE:
        agreements = agreements.active(today)
    elif status == Status.UPCOMING:
        agreements = agreements.filter(starts_on__gt=today)
    elif status == Status.ENDED:
        agreements = agreements.filter(ends_on__lt=today)
    if query:
        agreements = agreements.filter(
            Q(supervisor__full_name__icontains=query)
            | Q(supervisor__email__icontains=query)
            | Q(supervisee__full_name__icontains=query)
            | Q(supervisee__email__icontains=query)
        )
    agreements = with_status(agreements, today).select_related("supervisor", "supervisee")
    page = Paginator(agreements.order_by("-starts_on", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "status": status, "page": page}
    return render(request, "rsc/agreements/agreement_list.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
@confirm_password
def agreement_create(request: HttpRequest) -> HttpResponse:
    organization = organization_for_admin(request.user)
    initial = {
        "starts_on": timezone.localdate(),
        "confidentiality_limits": organization.confidentiality_limits,
        "emergency_contact": organization.emergency_contact,
    }
    form = AgreementCreateForm(request.POST or None, people=people_for_admin(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        agreement = services.agreement_create(
            organization=organization, created_by=request.user, request=request, **form.cleaned_data
        )
        messages.success(
            request,
            _(
                "The agreement is saved. %(supervisor)s and %(supervisee)s will each be asked to read "
                "and acknowledge it."
            )
            % {"supervisor": agreement.supervisor.full_name, "supervisee": agreement.supervisee.full_name},
        )
        return redirect("agreement_detail", pk=agreement.pk)
    return render(request, "rsc/agreements/agreement_form.html", {"form": form})


@require_GET
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_agreement(agreements_visible_to(request.user), pk)
    return _render_detail(request, agreement)


def _render_detail(
    request: HttpRequest, agreement: SupervisionAgreement, end_form: AgreementEndForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    is_admin = is_organization_admin(user)
    if user.pk == agreement.supervisor_id:
        my_acknowledged_at, can_acknowledge = agreement.supervisor_acknowledged_at, True
    elif user.pk == agreement.supervisee_id:
        my_acknowledged_at, can_acknowledge = agreement.supervisee_acknowledged_at, True
    else:
        my_acknowledged_at, can_acknowledge = None, False
    context = {
        "agreement": agreement,
        "is_admin": is_admin,
        "can_acknowledge": can_acknowledge,
        "my_acknowledged_at": my_acknowledged_at,
        # Until both have acknowledged, the agreement opens nothing: every page of it says so.
        "waiting_for": agreement.waiting_for if agreement.status != Status.ENDED else [],
        "seen": limits_digest(agreement.confidentiality_limits),
        "end_form": end_form or (AgreementEndForm(agreement=agreement) if is_admin else None),
    }
    return render(request, "rsc/agreements/agreement_detail.html", context, status=status)


@admin_only
@require_http_methods(["GET", "POST"])
@confirm_password
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_agreement(agreements_for_admin(request.user), pk)
    initial = {field: getattr(agreement, field) for field in services.TERM_FIELDS}
    form = AgreementTermsForm(request.POST or None, agreement=agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        if services.agreement_update(agreement=agreement, request=request, **form.cleaned_data):
            messages.success(
                request,
                _(
                    "The agreement is saved. The limits of confidentiality changed, so both people will be asked to "
                    "acknowledge them again."
                ),
            )
        else:
            messages.success(request, _("The agreement is saved."))
        return redirect("agreement_detail", pk=agreement.pk)
    return render(request, "rsc/agreements/agreement_form.html", {"form": form, "agreement": agreement})


@admin_only
@require_POST
@confirm_password
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_agreement(agreements_for_admin(request.user), pk)
    form = AgreementEndForm(request.POST, agreement=agreement)
    if not form.is_valid():
        return _render_detail(request, agreement, end_form=form, status=400)
    services.agreement_end(agreement=agreement, ends_on=form.cleaned_data["ends_on"], request=request)
    messages.success(
        request,
        _("The agreement ends on %(date)s.") % {"date": written(form.cleaned_data["ends_on"], "date")},
    )
    return redirect("agreement_detail", pk=agreement.pk)


@require_POST
def agreement_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the two people in the agreement acknowledge it; an administrator who
    # is not one of them finds nothing here.
    agreement = get_agreement(SupervisionAgreement.objects.involving(request.user), pk)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid() or form.cleaned_data["seen"] != limits_digest(agreement.confidentiality_limits):
        messages.info(
            request, _("The agreement changed while you were reading it. Please read it again before acknowledging.")
        )
    elif services.agreement_acknowledge(agreement=agreement, user=request.user, request=request):
        messages.success(request, _("Thank you. Your acknowledgement is recorded."))
    return redirect("agreement_detail", pk=agreement.pk)


@require_GET
def agreement_mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    agreements = (
        with_status(SupervisionAgreement.objects.involving(user), timezone.localdate())
        .annotate(
            my_acknowledged_at=Case(
                When(supervisor_id=user.pk, then=F("supervisor_acknowledged_at")),
                default=F("supervisee_acknowledged_at"),
            )
        )
        .select_related("supervisor", "supervisee")
        .order_by("-starts_on", "pk")
    )
    waiting, current, past = [], [], []
    for agreement in agreements:
        if agreement.status == Status.ENDED:
            past.append(agreement)
        elif agreement.my_acknowledged_at is None:
            waiting.append(agreement)
        else:
            current.append(agreement)
    groups = RSCGroup.objects.visible_to(user).select_related("facilitator").order_by("-is_active", "name")
    context = {"waiting": waiting, "current": current, "past": past, "groups": groups}
    return render(request, "rsc/agreements/agreement_mine.html", context)


# The home page shows this many agreements waiting for the person, then a link to all of them.
HOME_WAITING = 3


def agreements_for_home(user: User) -> dict:
    """The agreements, not ended, that wait for this person's own acknowledgement (one query).

    A new supervisee (or a supervisor) finds them on the home page with a way to read and
    acknowledge each: until both have, the agreement opens nothing.
    """
    if not (user.organization_id and (user.is_practitioner or user.is_supervisor)):
        return {}
    waiting = (
        SupervisionAgreement.objects.involving(user)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))
        .filter(
            Q(supervisor=user, supervisor_acknowledged_at__isnull=True)
            | Q(supervisee=user, supervisee_acknowledged_at__isnull=True)
        )
        .select_related("supervisor", "supervisee")
        .order_by("starts_on", "pk")
    )
    # One more than shown, to know whether to point to the rest.
    agreements = list(waiting[: HOME_WAITING + 1])
    return {
        "agreements_to_acknowledge": agreements[:HOME_WAITING],
        "more_agreements_to_acknowledge": len(agreements) > HOME_WAITING,
    }
