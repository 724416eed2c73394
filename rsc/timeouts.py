"""Idle timeout and absolute lifetime of signed-in sessions.

Two timestamps live in the session: when it started and when the person was
last active. Requests for the session status do not count as activity, so a
page left open cannot keep itself signed in.
"""

import time

from django.conf import settings

STARTED_KEY = "rsc_session_started"
ACTIVITY_KEY = "rsc_last_activity"
# Writing the session on every request costs a query; a half-minute's
# precision is plenty for a 30-minute timeout.
ACTIVITY_RESOLUTION = 30


BACKGROUND_HEADER = "X-Background-Refresh"


def is_background(request) -> bool:
    """Requests a page makes by itself, which say nothing about the person being there."""
    from django.urls import reverse

    return request.path_info == reverse("session_status") or request.headers.get(BACKGROUND_HEADER) == "1"


def remaining(session) -> dict[str, int]:
    now = time.time()
    started = session.get(STARTED_KEY, now)
    last = session.get(ACTIVITY_KEY, now)
    idle = settings.SESSION_IDLE_TIMEOUT - (now - last)
    absolute = settings.SESSION_ABSOLUTE_LIFETIME - (now - started)
    return {"idle": max(0, int(idle)), "absolute": max(0, int(absolute))}


def expiry_reason(session) -> str | None:
    """'idle' or 'absolute' if the session is over, else None."""
    if STARTED_KEY not in session:
        return None
    left = remaining(session)
    if left["absolute"] <= 0:
        return "absolute"
    if left["idle"] <= 0:
        return "idle"
    return None


def start(session) -> None:
    now = time.time()
    session[STARTED_KEY] = now
    session[ACTIVITY_KEY] = now


def touch(session, *, force: bool = False) -> None:
    now = time.time()
    if STARTED_KEY not in session:
        start(session)
    elif force or now - session.get(ACTIVITY_KEY, 0) >= ACTIVITY_RESOLUTION:
        session[ACTIVITY_KEY] = now
