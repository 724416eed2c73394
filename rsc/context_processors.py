from django.conf import settings


def site(request) -> dict:
    return {
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        "session_max_hours": settings.SESSION_ABSOLUTE_LIFETIME // 3600,
        "INVITATION_DAYS": settings.INVITATION_DAYS,
        # Autosave reads the CSRF token from its cookie, so a new sign-in in another tab still works.
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
    }
