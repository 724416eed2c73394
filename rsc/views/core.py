import logging

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import ROLE_HELP
from accounts.models import User
from rsc import timeouts
from rsc.access import notices_for_admin
from rsc.views.agreements import agreements_for_home
from rsc.views.reflections import reflections_for_home
from rsc.views.sessions import sessions_for_home

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "role_help": [(label, ROLE_HELP[role]) for role, label in User.Role.choices if role in user.roles],
        "has_totp": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
        "session_count": UserSession.objects.filter(user=user).count(),
    }
    if user.organization_id:
        people = User.objects.filter(organization_id=user.organization_id)
        context["administrators"] = people.filter(
            is_active=True, is_account_admin=True, invitation_accepted=True
        ).exclude(pk=user.pk)
        if user.is_account_admin:
            context["people_counts"] = people.aggregate(
                active=Count("pk", filter=Q(is_active=True, invitation_accepted=True)),
                invited=Count("pk", filter=Q(is_active=True, invitation_accepted=False)),
                deactivated=Count("pk", filter=Q(is_active=False)),
                practitioners=Count("pk", filter=Q(is_active=True, is_practitioner=True)),
                supervisors=Count("pk", filter=Q(is_active=True, is_supervisor=True)),
            )
            context["pending_invitations"] = people.filter(is_active=True, invitation_accepted=False).order_by(
                "-date_joined"
            )[:5]
            context["admin_notices"] = notices_for_admin(user)
    context.update(agreements_for_home(user))
    context.update(sessions_for_home(user))
    context.update(reflections_for_home(user))
    return render(request, "rsc/home.html", context)


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before this session ends; reading it is not activity."""
    return JsonResponse(timeouts.remaining(request.session))


@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    timeouts.touch(request.session, force=True)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(timeouts.remaining(request.session))
    return HttpResponseRedirect(local_path_or_home(request, request.POST.get("next", "")))


def local_path_or_home(request: HttpRequest, url: str) -> str:
    """`url` if it is a path on this site, else the home page. Never a URL name (a bare word
    would be one, and a missing one is an error), never another site: "//elsewhere.example/"
    starts with "/" too."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, {request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


# The error pages. Django's own check the CSRF token first (so that a page can carry one), which
# reads the request's body again: a body Django refused once (a form declaring a charset other
# than UTF-8) is refused again there, and the 400 becomes a 500. An unreadable body counts as
# empty on the way to an error page, as Django already does for bodies that are too large.


def forget_unreadable_body(request: HttpRequest) -> None:
    try:
        request.POST  # noqa: B018 - reading it is the test
    except Exception:
        # Django's own exception handler marks unreadable bodies this way.
        request._mark_post_parse_error()


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    forget_unreadable_body(request)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    forget_unreadable_body(request)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    forget_unreadable_body(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    forget_unreadable_body(request)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    forget_unreadable_body(request)
    return render(request, "403.html", status=403)
