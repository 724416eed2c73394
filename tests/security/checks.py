"""Checks that apply to any answer: status and redirect target, security headers, leaks."""

import io
import zipfile
from urllib.parse import urlsplit

from django.urls import reverse

from tests.security.matrix import ADMIN_LOGIN, LOGIN, MAY_SEE, REAUTH
from tests.security.world import MARKERS


def body(response) -> str:
    """The answer as text; a zip download as the text of every file in it."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
    else:
        content = response.content
    if response.get("Content-Type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode(errors="replace") for name in archive.namelist())
    return content.decode(errors="replace")


def _redirect_path(response) -> str:
    return urlsplit(response.get("Location", "")).path


def status_problem(response, expected) -> str | None:
    """None when the answer is the expected one, else what it was."""
    targets = {
        LOGIN: reverse("account_login"),
        ADMIN_LOGIN: reverse("admin:login"),
        REAUTH: reverse("account_reauthenticate"),
    }
    actual = response.status_code
    where = _redirect_path(response) if actual in (301, 302) else ""
    seen = f"{actual}" + (f" to {where}" if where else "")
    if expected in targets:
        if actual == 302 and where == targets[expected]:
            return None
        return f"expected {expected} (302 to {targets[expected]}), got {seen}"
    if actual != expected:
        return f"expected {expected}, got {seen}"
    if actual == 302 and where in targets.values():
        return f"expected a redirect after the action, got one to {where}"
    return None


def csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


def header_problems(response) -> list[str]:
    problems = []
    csp = csp_directives(response)
    if csp.get("script-src") != ["'self'"]:
        problems.append(f"CSP script-src is {csp.get('script-src')}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors is {csp.get('frame-ancestors')}")
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'"):
        if unsafe in response.get("Content-Security-Policy", ""):
            problems.append(f"CSP allows {unsafe}")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.get('Cache-Control')!r}, without no-store")
    return problems


def forbidden_markers(persona: str) -> dict[str, str]:
    allowed = MAY_SEE[persona]
    if allowed == "all":
        return {}
    return {name: marker for name, marker in MARKERS.items() if name not in allowed}


def leaks(text: str, persona: str) -> list[str]:
    """The owner's words this persona may not read, found in the text."""
    return [name for name, marker in forbidden_markers(persona).items() if marker in text]
