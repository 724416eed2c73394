import zoneinfo

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from rsc import audit, request_id, timeouts

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SessionTimeoutMiddleware:
    """End a signed-in session after the idle timeout or the absolute lifetime.

    Only this session ends; the person's other devices are left alone.
    Background requests (the status check, self-refreshing fragments) are not
    activity, so an open page cannot keep a session alive on its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = timeouts.expiry_reason(request.session)
            if reason:
                # An automatic sign-out is a sign-out: in the trail, with why.
                audit.record(
                    request,
                    audit.Action.LOGOUT,
                    record_type=audit.RecordType.ACCOUNT,
                    record_id=request.user.pk,
                    detail={"reason": reason},
                )
                request.session.flush()
                request.user = AnonymousUser()
                if reason == "idle":
                    messages.info(
                        request, _("You were signed out after a period without activity. Sign in to carry on.")
                    )
                else:
                    messages.info(
                        request,
                        _("For safety, sessions end after %(hours)s hours. Sign in to carry on.")
                        % {"hours": settings.SESSION_ABSOLUTE_LIFETIME // 3600},
                    )
            elif not timeouts.is_background(request):
                timeouts.touch(request.session)
        return self.get_response(request)


class UserTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(request.user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            # The time zone is per request; leave none behind for whatever runs next in this thread.
            timezone.deactivate()


class RequireTwoFactorMiddleware:
    """Lead people of organizations that require two-factor authentication to set it up first."""

    ALLOWED_URL_NAMES = ["account_logout", "account_reauthenticate", "session_status", "session_extend"]

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.organization_id
            and user.organization.require_mfa
            and not self._is_allowed_path(request.path_info)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.info(
                request,
                _("%(organization)s asks everyone to use two-factor authentication. Set it up to continue.")
                % {"organization": user.organization.name},
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _is_allowed_path(self, path: str) -> bool:
        if path.startswith(reverse("mfa_index")):
            return True
        return path in {reverse(name) for name in self.ALLOWED_URL_NAMES}


class ResponseHeadersMiddleware:
    """Headers Django does not set itself: no caching of dynamic pages, a closed Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class RequestIdMiddleware:
    """Give each request an id: in the audit trail, in every log line, and in the X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id.new()
        token = request_id.current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.current.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class AccessRefusedMiddleware:
    """Record in the audit trail when a signed-in person reaches for a page or record that is
    not theirs: every such door answers 404, as if it did not exist."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if response.status_code == 404 and match is not None and match.url_name and request.user.is_authenticated:
            record_type, record_id, other_ids = audit.record_for_url(match.url_name, match.kwargs)
            audit.record(
                request,
                audit.Action.ACCESS_REFUSED,
                record_type=record_type,
                record_id=record_id,
                detail={"url_name": match.url_name, "method": request.method, **other_ids},
            )
        return response
